#include "recorder/recorder.h"

#include <date/date.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <filesystem>
#include <future>
#include <map>
#include <utility>  // before Asio (GCC 12 + Boost 1.74)

#include "calendar/market_calendar.h"
#include "client/client.h"
#include "client/event_loop.h"
#include "common/check.h"
#include "config/contract_table.h"
#include "recorder/backfill_job.h"
#include "recorder/contract_resolution.h"
#include "recorder/historical_pacer.h"
#include "recorder/options_mapping.h"
#include "recorder/runtime_contracts.h"
#include "reliability/reliability_core.h"
#include "storage/store.h"

namespace ibstream::recorder {

namespace asio = boost::asio;

namespace {

// Counts what the reliability core decides before handing it to the real sink.
class CountingSink final : public reliability::AlertSink {
 public:
  explicit CountingSink(reliability::AlertSink& next) : next_(next) {}
  void Deliver(std::span<const Alert> group) override {
    for (const Alert& a : group) {
      if (a.state == AlertState::kFiring) ++fired;
    }
    next_.Deliver(group);
  }
  uint64_t fired = 0;

 private:
  reliability::AlertSink& next_;
};

// IB's UTC form for historical requests: "20250811-14:30:05".
std::string IbUtcDateTime(int64_t unix_seconds) {
  return date::format("%Y%m%d-%H:%M:%S", date::sys_seconds(std::chrono::seconds(unix_seconds)));
}

}  // namespace

class Recorder::Impl {
 public:
  Impl(Recorder& owner, RecorderOptions options, const Clock& clock, storage::FileSystem* fs,
       reliability::AlertSink& alerts)
      : owner_(owner),
        options_(std::move(options)),
        clock_(clock),
        fs_(fs),
        sink_(alerts),
        core_(ReliabilityOptionsFrom(options_.config, options_.seed), sink_),
        timer_(loop_.context()) {
    view_ = std::make_shared<RecorderView>();
  }

  Status Start() {
    started_at_ = clock_.Now();
    storage::StoreOptions store_options = StoreOptionsFrom(options_.config);
    store_options.on_corruption = [](const std::string& path, const std::string& what) {
      spdlog::error("event=storage_corruption path={} what=\"{}\"", path, what);
    };
    store_options.writer.on_event = [this](const storage::StorageEvent& e) {
      // Writer thread: hand over to the loop.
      loop_.Post([this, e] { OnStorageEvent(e); });
    };
    auto store = storage::Store::Open(fs_, clock_, store_options);
    if (!store.ok()) return store.status().WithContext("storage at " + store_options.root);
    store_ = std::move(store).value();
    const auto& report = store_->recovery_report();
    if (report.files_quarantined > 0 || report.torn_tails_truncated > 0) {
      spdlog::warn(
          "event=storage_recovered torn_tails={} quarantined={} salvaged_records={} "
          "corrupt_bytes={}",
          report.torn_tails_truncated, report.files_quarantined, report.records_salvaged,
          report.corrupt_bytes);
    }
    meta_dir_ = options_.config.storage.path + "/contracts";
    std::error_code ec;
    std::filesystem::create_directories(meta_dir_, ec);
    if (ec) return IoError("cannot create " + meta_dir_ + ": " + ec.message());
    LoadRuntimeChanges();
    for (auto& contract :
         MergeContracts(options_.config.contracts, runtime_, options_.config.reliability)
             .contracts) {
      AddContract(std::move(contract));
    }

    MakeClient(ClientOptionsFrom(options_.config));
    // The first view, before the loop runs: every contract listed from the moment Start returns.
    PublishView(clock_.Now());
    loop_.RunInBackground();
    loop_.Post([this] {
      const TimePoint now = clock_.Now();
      for (auto& c : contracts_) LoadCachedDetails(*c, now);
      Evaluate();
    });
    return Status::Ok();
  }

  void Stop() {
    if (stopped_.exchange(true)) return;
    if (loop_started()) {
      std::promise<void> done;
      auto future = done.get_future();
      loop_.Post([this, &done] {
        stopping_ = true;
        timer_.cancel();
        for (auto& c : contracts_) {
          for (auto& [type, s] : c->streams) {
            if (s.req_id != 0 && client_) client_->CancelTickByTick(s.req_id);
            s.req_id = 0;
          }
        }
        if (client_) client_->Disconnect();
        done.set_value();
      });
      future.wait_for(std::chrono::seconds(2));
    }
    if (store_) {
      const Status flushed = store_->writer().Flush(options_.stop_timeout);
      if (!flushed.ok()) spdlog::error("event=stop_flush_failed error=\"{}\"", flushed.ToString());
    }
    loop_.Stop();
    loop_.Join();
    client_.reset();
    if (store_) store_->Close();
    spdlog::info("event=recorder_stopped");
  }

  std::shared_ptr<const RecorderView> View() const {
    std::lock_guard lock(view_mutex_);
    return view_;
  }

  Status Query(const std::vector<StreamKey>& streams, TimePoint from, TimePoint to,
               const std::function<Status(const Tick&)>& sink) const {
    if (!store_) return FailedPrecondition("storage is not open");
    storage::QueryStats stats;
    return store_->Query(storage::QueryRequest{streams, from, to}, sink, &stats);
  }

  Status RequestBackfill(const StreamKey& stream, TimePoint from, TimePoint to) {
    if (to <= from) return InvalidArgument("backfill range is empty");
    bool tracked = false;
    for (const auto& c : contracts_config_snapshot()) {
      if (c.first == stream.contract_id) {
        for (TickType t : c.second) tracked |= t == stream.type;
      }
    }
    if (!tracked) return InvalidArgument("stream " + ToString(stream) + " is not tracked");
    loop_.Post([this, stream, from, to] {
      ContractState* c = FindContract(stream.contract_id);
      if (!c) return;
      StartGap(*c, stream, from, to - std::chrono::seconds(1), "requested", clock_.Now());
    });
    return Status::Ok();
  }

  Result<ContractChange> Track(std::string_view contract_toml) {
    auto contract =
        config::ParseContractTable(contract_toml, options_.config.reliability, "contract");
    if (!contract.ok()) return contract.status();
    if (!contract->enabled) return InvalidArgument("enabled = false: nothing to track");
    return OnLoop<ContractChange>([this, contract = *contract,
                                   text = std::string(contract_toml)]() -> Result<ContractChange> {
      const TimePoint now = clock_.Now();
      const std::string key = CacheKey(contract);
      for (const auto& c : contracts_) {
        const bool same_id = contract.con_id && (*contract.con_id == c->contract_id ||
                                                 *contract.con_id == c->retiring_id);
        if (c->cache_key == key || same_id) {
          return FailedPrecondition("already tracked as " + c->config.Describe() + " (key " +
                                    c->cache_key + ")");
        }
      }
      RuntimeContracts changed = runtime_;
      changed.Track(key, text, now);
      IBSTREAM_RETURN_IF_ERROR(SaveRuntimeContracts(meta_dir_, changed));
      runtime_ = std::move(changed);
      ContractState& c = AddContract({contract, key, /*from_api=*/true});
      LoadCachedDetails(c, now);
      spdlog::warn("event=contract_tracked contract=\"{}\" key={} origin=api", c.config.Describe(),
                   key);
      PublishView(now);
      return ContractChange{key, c.config.Describe(), c.contract_id};
    });
  }

  Result<ContractChange> Untrack(std::string_view id) {
    return OnLoop<ContractChange>([this, id = std::string(id)]() -> Result<ContractChange> {
      const TimePoint now = clock_.Now();
      ContractState* found = nullptr;
      for (auto& c : contracts_) {
        const std::string number = std::to_string(c->contract_id);
        const bool by_id = c->contract_id != 0 && (id == number || id == "con_" + number);
        if (c->cache_key == id || by_id) found = c.get();
      }
      if (found == nullptr) return NotFound("no tracked contract has id or key " + id);
      const std::string key = found->cache_key;
      bool configured = false;
      for (const auto& c : options_.config.contracts) configured |= c.enabled && CacheKey(c) == key;
      RuntimeContracts changed = runtime_;
      changed.Untrack(key, configured, now);
      IBSTREAM_RETURN_IF_ERROR(SaveRuntimeContracts(meta_dir_, changed));
      runtime_ = std::move(changed);
      ContractChange change{key, found->config.Describe(), found->contract_id};
      RemoveContract(*found, "untracked", now);
      PublishView(now);
      return change;
    });
  }

  Result<ReloadSummary> ReloadContracts(std::vector<config::ContractConfig> configured) {
    return OnLoop<ReloadSummary>([this, configured = std::move(
                                            configured)]() mutable -> Result<ReloadSummary> {
      const TimePoint now = clock_.Now();
      ReloadSummary summary;
      // Untracks of contracts the new list no longer has are forgotten: listing one again later
      // must record it, not stay silently hidden.
      std::vector<std::string> keys;
      for (const auto& c : configured) {
        if (c.enabled) keys.push_back(CacheKey(c));
      }
      RuntimeContracts changed = runtime_;
      for (const std::string& key : changed.ForgetUntracksNotIn(keys)) {
        spdlog::info("event=runtime_untrack_forgotten key={} reason=\"no longer configured\"", key);
      }
      if (!(changed == runtime_)) {
        IBSTREAM_RETURN_IF_ERROR(SaveRuntimeContracts(meta_dir_, changed));
        runtime_ = std::move(changed);
      }
      options_.config.contracts = std::move(configured);
      EffectiveContracts merged =
          MergeContracts(options_.config.contracts, runtime_, options_.config.reliability);
      for (const std::string& error : merged.errors) {
        spdlog::error("event=runtime_contract_invalid error=\"{}\"", error);
      }
      summary.errors = merged.errors;
      // Gone: stop them (their data stays).
      for (size_t i = contracts_.size(); i-- > 0;) {
        ContractState& c = *contracts_[i];
        const bool kept =
            std::any_of(merged.contracts.begin(), merged.contracts.end(),
                        [&c](const EffectiveContract& e) { return e.key == c.cache_key; });
        if (!kept) {
          summary.removed.push_back(c.config.Describe());
          RemoveContract(c, "reload", now);
        }
      }
      for (EffectiveContract& e : merged.contracts) {
        ContractState* existing = nullptr;
        for (auto& c : contracts_) {
          if (c->cache_key == e.key) existing = c.get();
        }
        if (existing == nullptr) {
          summary.added.push_back(e.config.Describe());
          ContractState& c = AddContract(std::move(e));
          LoadCachedDetails(c, now);
          spdlog::warn("event=contract_tracked contract=\"{}\" key={} origin=reload",
                       c.config.Describe(), c.cache_key);
        } else if (existing->config == e.config && existing->from_api == e.from_api) {
          ++summary.unchanged;
        } else {
          summary.changed.push_back(e.config.Describe());
          existing->from_api = e.from_api;
          UpdateContract(*existing, std::move(e.config), now);
        }
      }
      spdlog::warn("event=contracts_reloaded added={} removed={} changed={} unchanged={} errors={}",
                   summary.added.size(), summary.removed.size(), summary.changed.size(),
                   summary.unchanged, summary.errors.size());
      PublishView(now);
      return summary;
    });
  }

  const std::string& storage_root() const { return options_.config.storage.path; }

 private:
  // Runs `work` on the loop thread and waits for its result (HTTP and signal threads change the
  // contract list this way: the loop alone touches the recorder's state).
  template <typename T>
  Result<T> OnLoop(std::function<Result<T>()> work) {
    if (!loop_started() || stopped_) return Unavailable("the recorder is not running");
    auto promise = std::make_shared<std::promise<Result<T>>>();
    auto future = promise->get_future();
    loop_.Post([promise, work = std::move(work)] { promise->set_value(work()); });
    if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      return Unavailable("the recorder did not answer within 10 s");
    }
    return future.get();
  }

  struct StreamState {
    StreamKey key;
    int32_t req_id = 0;
    bool subscribed = false;
    uint64_t sequence = 0;
    uint64_t ticks = 0;
    uint64_t backfilled = 0;
    std::optional<TimePoint> last_received;
    std::optional<TimePoint> last_exchange;  // of the last stored live tick
    std::optional<TimePoint> interrupted_since;
    std::string interruption_cause;
    uint64_t errors = 0;
    std::string last_error;
  };

  struct ContractState {
    config::ContractConfig config;
    std::string cache_key;  // also its key in the run-time contract list
    bool from_api = false;  // tracked at run time
    uint64_t slot = 0;      // identifies it in callbacks (it may be untracked meanwhile)
    int64_t contract_id = 0;
    std::optional<protocol::ContractDetails> details;
    protocol::Contract request;  // what subscriptions and history requests name
    MarketCalendar calendar;
    // The same calendar, published read-only to the views (rebuilt, never mutated).
    std::shared_ptr<const MarketCalendar> shared_calendar;
    std::string calendar_error;
    bool resolving = false;
    std::optional<TimePoint> details_at;
    TimePoint next_resolve_at;
    std::string resolve_error;
    std::map<TickType, StreamState> streams;
    // After a futures roll: the previous month's streams, still recorded until the new month's
    // first tick is stored (the new contract is subscribed before the old one is dropped).
    int64_t retiring_id = 0;
    std::map<TickType, StreamState> retiring;
    int64_t rolled_from = 0;
    std::optional<TimePoint> rolled_at;
  };

  struct PendingBackfill {
    uint64_t gap_id = 0;
    BackfillJob job;
    int retries = 0;
    TimePoint not_before;
  };

  bool loop_started() const { return client_ != nullptr; }

  // Reads the run-time contract list; a damaged one is set aside (renamed, kept for the
  // operator) and recording goes on from the configuration.
  void LoadRuntimeChanges() {
    auto loaded = LoadRuntimeContracts(meta_dir_);
    if (loaded.ok()) {
      runtime_ = std::move(loaded).value();
      for (const auto& t : runtime_.tracked) {
        spdlog::info("event=runtime_contract key={} change=tracked at={}", t.key,
                     FormatIsoUtc(t.at));
      }
      for (const auto& u : runtime_.untracked) {
        spdlog::info("event=runtime_contract key={} change=untracked at={}", u.key,
                     FormatIsoUtc(u.at));
      }
      return;
    }
    ++counters_.runtime_contract_errors;
    const std::string path = meta_dir_ + "/" + kRuntimeContractsFile;
    const std::string aside = path + ".unreadable";
    std::error_code ec;
    std::filesystem::rename(path, aside, ec);
    spdlog::error(
        "event=runtime_contracts_unreadable error=\"{}\" moved_to={} action=\"recording the "
        "configured contracts only\"",
        loaded.status().ToString(), ec ? path : aside);
  }

  ContractState& AddContract(EffectiveContract e) {
    auto state = std::make_unique<ContractState>();
    state->config = std::move(e.config);
    state->cache_key = std::move(e.key);
    state->from_api = e.from_api;
    state->slot = next_slot_++;
    if (state->config.con_id) state->contract_id = *state->config.con_id;
    contracts_.push_back(std::move(state));
    return *contracts_.back();
  }

  // Stops recording a contract: subscriptions cancelled, its streams no longer judged, its
  // pending backfills closed as failed. What it stored stays.
  void RemoveContract(ContractState& c, std::string_view why, TimePoint now) {
    for (auto* streams : {&c.streams, &c.retiring}) {
      for (auto& [type, s] : *streams) {
        if (s.req_id != 0 && client_) client_->CancelTickByTick(s.req_id);
        core_.RemoveStream(s.key);
      }
    }
    const int64_t id = c.contract_id;
    const int64_t retiring = c.retiring_id;
    DropBackfills(
        [id, retiring](const StreamKey& k) {
          return (id != 0 && k.contract_id == id) || (retiring != 0 && k.contract_id == retiring);
        },
        "contract untracked", now);
    spdlog::warn("event=contract_untracked contract=\"{}\" key={} con_id={} reason={}",
                 c.config.Describe(), c.cache_key, c.contract_id, why);
    std::erase_if(contracts_, [&c](const auto& p) { return p.get() == &c; });
  }

  // A contract whose settings changed: streams of dropped tick types stop, new types start,
  // every stream takes the new reliability settings, the calendar is rebuilt.
  void UpdateContract(ContractState& c, config::ContractConfig updated, TimePoint now) {
    const bool identity_kept = CacheKey(updated) == c.cache_key;
    IBSTREAM_CHECK(identity_kept, "an update keeps the contract's key");
    c.config = std::move(updated);
    for (auto it = c.streams.begin(); it != c.streams.end();) {
      const bool wanted = std::find(c.config.tick_types.begin(), c.config.tick_types.end(),
                                    it->first) != c.config.tick_types.end();
      if (wanted) {
        core_.AddStream(it->second.key, ContractOptionsFrom(c.config));
        ++it;
        continue;
      }
      if (it->second.req_id != 0 && client_) client_->CancelTickByTick(it->second.req_id);
      core_.RemoveStream(it->second.key);
      const StreamKey dropped = it->second.key;
      DropBackfills([dropped](const StreamKey& k) { return k == dropped; }, "tick type untracked",
                    now);
      spdlog::warn("event=stream_untracked stream={} reason=reload", ToString(dropped));
      it = c.streams.erase(it);
    }
    if (c.details) ApplyCalendarAndStreams(c, now);
    spdlog::warn("event=contract_updated contract=\"{}\" key={}", c.config.Describe(), c.cache_key);
  }

  // Closes the queued backfills of the streams `match` selects as failed with `reason`.
  void DropBackfills(const std::function<bool(const StreamKey&)>& match, const std::string& reason,
                     TimePoint now) {
    for (size_t i = backfills_.size(); i-- > 0;) {
      if (!match(backfills_[i].job.stream())) continue;
      if (i == 0 && backfill_in_flight_) {
        backfill_in_flight_ = false;
        ++backfill_token_;  // its answer, if it comes, is ignored
      }
      const Status st = store_->ledger().Update(backfills_[i].gap_id,
                                                storage::BackfillState::kFailed, reason, now);
      if (!st.ok()) spdlog::error("event=gap_ledger_failed error=\"{}\"", st.ToString());
      backfills_.erase(backfills_.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }

  // (contract id, types) of every resolved contract, for the thread-safe RequestBackfill check.
  std::vector<std::pair<int64_t, std::vector<TickType>>> contracts_config_snapshot() const {
    auto view = View();
    std::vector<std::pair<int64_t, std::vector<TickType>>> out;
    for (const auto& c : view->contracts) out.emplace_back(c.contract_id, c.expected_types);
    return out;
  }

  void MakeClient(client::ClientOptions client_options) {
    client_options_ = client_options;
    client::ClientCallbacks callbacks;
    callbacks.on_notice = [this](const client::ConnectionNotice& n) { OnNotice(n); };
    callbacks.on_disconnected = [this](const client::DisconnectEvent& e) { OnDisconnected(e); };
    callbacks.on_protocol_error = [this](const client::ProtocolErrorEvent& e) {
      spdlog::error("event=protocol_error total={} error=\"{}\"", e.total_errors,
                    e.error.ToString());
    };
    client_ = std::make_unique<client::Client>(loop_, clock_, client_options, callbacks);
  }

  ContractState* FindContract(int64_t contract_id) {
    for (auto& c : contracts_) {
      if (c->contract_id == contract_id && c->contract_id != 0) return c.get();
    }
    return nullptr;
  }

  ContractState* FindSlot(uint64_t slot) {
    for (auto& c : contracts_) {
      if (c->slot == slot) return c.get();
    }
    return nullptr;
  }

  StreamState* FindStream(const StreamKey& key) {
    ContractState* c = FindContract(key.contract_id);
    if (c) {
      auto it = c->streams.find(key.type);
      return it == c->streams.end() ? nullptr : &it->second;
    }
    for (auto& rolled : contracts_) {
      if (rolled->retiring_id != key.contract_id || key.contract_id == 0) continue;
      auto it = rolled->retiring.find(key.type);
      return it == rolled->retiring.end() ? nullptr : &it->second;
    }
    return nullptr;
  }

  // Drops the previous month's streams after a roll: cancelled, and no longer judged.
  void DropRetiring(ContractState& c) {
    for (auto& [type, s] : c.retiring) {
      if (s.req_id != 0 && client_) client_->CancelTickByTick(s.req_id);
      core_.RemoveStream(s.key);
    }
    if (!c.retiring.empty()) {
      spdlog::info("event=contract_roll_done contract=\"{}\" dropped={} recording={}",
                   c.config.Describe(), c.retiring_id, c.contract_id);
    }
    c.retiring.clear();
    c.retiring_id = 0;
  }

  // --- contracts and calendars ------------------------------------------------------------

  void LoadCachedDetails(ContractState& c, TimePoint now) {
    auto cached = LoadContractDetails(meta_dir_, c.cache_key);
    if (cached.ok()) {
      spdlog::info("event=contract_from_cache contract=\"{}\" con_id={}", c.config.Describe(),
                   cached->contract.con_id);
      ApplyDetails(c, *cached, now, /*from_cache=*/true);
    } else if (cached.status().code() != StatusCode::kNotFound) {
      spdlog::warn("event=contract_cache_unreadable contract=\"{}\" error=\"{}\"",
                   c.config.Describe(), cached.status().ToString());
    }
  }

  void Resolve(ContractState& c, TimePoint now) {
    c.resolving = true;
    c.next_resolve_at = now + std::chrono::minutes(1);
    client_->RequestContractDetails(
        RequestFor(c.config),
        [this, slot = c.slot](Result<std::vector<protocol::ContractDetails>> result) {
          OnResolved(slot, std::move(result));
        });
  }

  void OnResolved(uint64_t slot, Result<std::vector<protocol::ContractDetails>> result) {
    const TimePoint now = clock_.Now();
    ContractState* found = FindSlot(slot);
    if (found == nullptr) return;  // untracked while IB answered
    ContractState& c = *found;
    c.resolving = false;
    if (!result.ok() || result->empty()) {
      c.resolve_error = result.ok() ? "no contract matched" : result.status().ToString();
      spdlog::error("event=contract_unresolved contract=\"{}\" error=\"{}\"", c.config.Describe(),
                    c.resolve_error);
      return;
    }
    const auto& list = *result;
    std::optional<size_t> pick;
    if (c.config.IsFutureBySymbol()) {
      pick = SelectFrontMonth(list, now, c.config.roll_days_before_expiry);
      if (!pick) {
        c.resolve_error = "no contract month expires more than " +
                          std::to_string(c.config.roll_days_before_expiry) + " days from now";
        spdlog::error("event=contract_unresolved contract=\"{}\" error=\"{}\"", c.config.Describe(),
                      c.resolve_error);
        return;
      }
    } else {
      pick = 0;
      for (size_t i = 0; i < list.size(); ++i) {
        if (list[i].contract.exchange == c.config.exchange) {
          pick = i;
          break;
        }
      }
    }
    c.resolve_error.clear();
    const protocol::ContractDetails& chosen = list[*pick];
    if (c.contract_id != 0 && c.contract_id != chosen.contract.con_id) {
      // A front-month roll: the new month is subscribed now; the old month keeps recording until
      // the new one's first tick is stored, then it is dropped (its data stays under its own id).
      spdlog::warn("event=contract_roll contract=\"{}\" from={} to={}", c.config.Describe(),
                   c.contract_id, chosen.contract.con_id);
      DropRetiring(c);  // a second roll before the first finished
      c.retiring = std::move(c.streams);
      c.streams.clear();
      c.retiring_id = c.contract_id;
      c.rolled_from = c.contract_id;
      c.rolled_at = now;
      c.contract_id = 0;
    }
    const Status saved = SaveContractDetails(meta_dir_, c.cache_key, chosen);
    if (!saved.ok()) {
      spdlog::warn("event=contract_cache_write_failed error=\"{}\"", saved.ToString());
    }
    ApplyDetails(c, chosen, now, /*from_cache=*/false);
  }

  CalendarSettings CalendarSettingsFor(const ContractState& c, TimePoint now) const {
    CalendarSettings settings;
    settings.break_tolerance = c.config.market_break_tolerance;
    settings.timezone_override = c.config.timezone_override;
    if (!c.config.custom_trading_hours.empty()) {
      const int64_t today = std::chrono::floor<std::chrono::days>(now.time_since_epoch()).count();
      settings.custom_trading_hours =
          WeeklySessionsToIbHours(c.config.custom_trading_hours, today - 2, 16);
      settings.custom_liquid_hours = settings.custom_trading_hours;
    }
    return settings;
  }

  void ApplyDetails(ContractState& c, const protocol::ContractDetails& details, TimePoint now,
                    bool from_cache) {
    c.details = details;
    c.details_at = now;
    c.contract_id = details.contract.con_id;
    c.request = protocol::Contract{};
    c.request.con_id = details.contract.con_id;
    c.request.exchange =
        details.contract.exchange.empty() ? c.config.exchange : details.contract.exchange;
    c.request.symbol = details.contract.symbol;
    c.request.sec_type = details.contract.sec_type;
    c.request.currency = details.contract.currency;
    c.request.last_trade_date_or_contract_month =
        details.contract.last_trade_date_or_contract_month;
    c.request.local_symbol = details.contract.local_symbol;
    c.request.trading_class = details.contract.trading_class;
    c.request.multiplier = details.contract.multiplier;
    // From the cache: ask the gateway again soon for fresh hours.
    c.next_resolve_at = from_cache ? now : now + options_.details_refresh;
    ApplyCalendarAndStreams(c, now);
    spdlog::info(
        "event=contract_resolved contract=\"{}\" con_id={} local_symbol={} time_zone={} "
        "source={}",
        c.config.Describe(), c.contract_id, details.contract.local_symbol, details.time_zone_id,
        from_cache ? "cache" : "gateway");
  }

  // The calendar from the contract's details and settings, and a stream for each configured tick
  // type that has none yet (after a reload, streams of dropped types are gone already).
  void ApplyCalendarAndStreams(ContractState& c, TimePoint now) {
    const protocol::ContractDetails& details = *c.details;
    auto calendar = MarketCalendar::Create(
        ContractHours{details.time_zone_id, details.trading_hours, details.liquid_hours},
        CalendarSettingsFor(c, now));
    if (calendar.ok()) {
      c.calendar = std::move(calendar).value();
      c.shared_calendar = std::make_shared<const MarketCalendar>(c.calendar);
      c.calendar_error.clear();
      core_.OnTimezoneProblem(c.contract_id, std::nullopt);
    } else {
      c.calendar_error = calendar.status().message();
      spdlog::error("event=calendar_error contract=\"{}\" error=\"{}\"", c.config.Describe(),
                    c.calendar_error);
      if (c.calendar_error.find("zone") != std::string::npos) {
        core_.OnTimezoneProblem(c.contract_id, details.time_zone_id);
      }
    }

    for (TickType type : c.config.tick_types) {
      if (c.streams.contains(type)) continue;
      StreamState s;
      s.key = StreamKey{c.contract_id, type};
      FindLastStored(s, now);
      if (s.last_exchange) {
        s.interrupted_since = now;
        s.interruption_cause = "recorder_restart";
      }
      core_.AddStream(s.key, ContractOptionsFrom(c.config));
      c.streams.emplace(type, std::move(s));
    }
  }

  // The last stored tick of a stream within the backfill lookback (hour by hour, newest first),
  // so that a restart backfills what the recorder missed while it was down.
  void FindLastStored(StreamState& s, TimePoint now) {
    if (!options_.config.backfill.enabled) return;
    const TimePoint floor_time = now - options_.config.backfill.lookback;
    TimePoint hour_start = std::chrono::floor<std::chrono::hours>(now);
    for (; hour_start + std::chrono::hours(1) > floor_time; hour_start -= std::chrono::hours(1)) {
      storage::QueryStats stats;
      std::optional<TimePoint> last;
      const Status st = store_->Query(
          storage::QueryRequest{
              {s.key}, std::max(hour_start, floor_time), hour_start + std::chrono::hours(1)},
          [&](const Tick& t) {
            if (t.source == TickSource::kLive) last = t.exchange_time;
            return Status::Ok();
          },
          &stats);
      if (!st.ok()) {
        spdlog::warn("event=last_tick_lookup_failed stream={} error=\"{}\"", ToString(s.key),
                     st.ToString());
        return;
      }
      if (last) {
        s.last_exchange = *last;
        return;
      }
    }
  }

  // --- the loop -----------------------------------------------------------------------------

  void ScheduleEvaluate() {
    if (stopping_) return;
    timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        clock_.ToRealDuration(options_.evaluate_interval)));
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec && !stopping_) Evaluate();
    });
  }

  void Evaluate() {
    const TimePoint now = clock_.Now();
    for (auto& contract : contracts_) {
      ContractState& c = *contract;
      if (c.contract_id != 0 && !c.streams.empty()) {
        core_.OnMarketState(c.contract_id, c.calendar.StateAt(now), now);
      }
      if (connected_ && !c.resolving && now >= c.next_resolve_at) Resolve(c, now);
    }
    const reliability::Decisions decisions = core_.Evaluate(now);
    for (const auto& action : decisions.actions) Execute(action, now);
    for (const auto& e : decisions.breaker_events) {
      spdlog::warn("event=breaker target={} from={} to={}", reliability::ToString(e.target),
                   reliability::BreakerStateName(e.transition.from),
                   reliability::BreakerStateName(e.transition.to));
    }
    StepBackfill(now);
    PublishView(now);
    ScheduleEvaluate();
  }

  void Execute(const reliability::Action& action, TimePoint now) {
    switch (action.kind) {
      case reliability::ActionKind::kReconnect:
        Connect(now, action.reason);
        break;
      case reliability::ActionKind::kResubscribe: {
        if (!action.stream || !connected_) break;
        ContractState* c = FindContract(action.stream->contract_id);
        StreamState* s = FindStream(*action.stream);
        if (!c || !s) break;
        const bool first = action.reason == "first_subscription" || action.reason == "restore";
        if (!first) {
          ++counters_.resubscribes;
          Interrupt(*s, now, action.reason);
        }
        spdlog::info("event=subscribe stream={} reason={}", ToString(s->key), action.reason);
        Subscribe(*c, *s, now);
        break;
      }
      case reliability::ActionKind::kWait:
        spdlog::debug("event=wait target={} until={} reason={}",
                      action.stream ? ToString(*action.stream) : "gateway",
                      action.at == TimePoint::max() ? "market_change" : FormatIsoUtc(action.at),
                      action.reason);
        break;
    }
  }

  void Connect(TimePoint now, const std::string& reason) {
    if (connecting_ || connected_ || stopping_) return;
    connecting_ = true;
    ++connect_attempts_;
    spdlog::info("event=connect_attempt reason={} host={} client_id={}", reason,
                 client_options_.host, client_options_.client_id);
    (void)now;
    client_->Connect([this](const client::ConnectResult& r) { OnConnected(r); });
  }

  void OnConnected(const client::ConnectResult& r) {
    const TimePoint now = clock_.Now();
    connecting_ = false;
    if (stopping_) return;
    if (!r.status.ok()) {
      last_disconnect_reason_ = std::string(client::DisconnectReasonName(r.failure));
      spdlog::warn("event=connect_failed reason={} error=\"{}\"", last_disconnect_reason_,
                   r.status.ToString());
      core_.OnConnectionDown(now);
      if (!down_since_) down_since_ = now;
      if (r.failure == client::DisconnectReason::kClientIdInUse) {
        // Error 326: the gateway keeps the other session; pick the next id.
        client::ClientOptions next = client_options_;
        ++next.client_id;
        spdlog::warn("event=client_id_in_use next_client_id={}", next.client_id);
        MakeClient(next);
      }
      return;
    }
    connected_ = true;
    session_ = r.session;
    connected_since_ = now;
    down_since_.reset();
    if (connections_++ > 0) ++counters_.reconnects;
    spdlog::info("event=connected host={} port={} client_id={} server_version={}", r.session.host,
                 r.session.port, r.session.client_id, r.session.server_version);
    core_.OnConnectionUp(now);
    for (auto& contract : contracts_) {
      ContractState& c = *contract;
      for (auto& [type, s] : c.streams) {
        s.req_id = 0;
        s.subscribed = false;
      }
      if (!c.resolving && (c.contract_id == 0 || now >= c.next_resolve_at)) Resolve(c, now);
    }
    // Resubscribe now rather than at the evaluation timer's next tick (up to a second later):
    // recovery is measured from the gateway being back.
    Evaluate();
  }

  void OnDisconnected(const client::DisconnectEvent& e) {
    const TimePoint now = clock_.Now();
    connected_ = false;
    connecting_ = false;
    last_disconnect_reason_ = std::string(client::DisconnectReasonName(e.reason));
    if (stopping_) return;
    down_since_ = now;
    spdlog::warn("event=disconnected reason={} detail=\"{}\"", last_disconnect_reason_,
                 e.detail.ToString());
    core_.OnConnectionDown(now);
    for (auto& c : contracts_) {
      c->resolving = false;
      for (auto& [type, s] : c->streams) {
        s.req_id = 0;
        s.subscribed = false;
        Interrupt(s, now, "disconnect_" + last_disconnect_reason_);
      }
    }
    backfill_in_flight_ = false;
  }

  void OnNotice(const client::ConnectionNotice& n) {
    const TimePoint now = clock_.Now();
    ++counters_.ib_errors[n.code];
    spdlog::info("event=ib_notice code={} kind={} farm={} text=\"{}\"", n.code,
                 client::NoticeKindName(n.kind), n.farm, n.text);
    core_.OnIbError(n.code, std::nullopt, now);
    switch (n.kind) {
      case client::NoticeKind::kConnectivityLost:
      case client::NoticeKind::kServerLinkBroken:
      case client::NoticeKind::kMarketDataFarmBroken:
        for (auto& c : contracts_) {
          for (auto& [type, s] : c->streams)
            Interrupt(s, now, std::string(client::NoticeKindName(n.kind)));
        }
        break;
      case client::NoticeKind::kRestoredDataLost:
        // Subscriptions are gone on IB's side; the core asks for every stream again.
        for (auto& c : contracts_) {
          for (auto& [type, s] : c->streams) {
            s.req_id = 0;
            s.subscribed = false;
            Interrupt(s, now, "restored_data_lost");
          }
        }
        break;
      case client::NoticeKind::kSocketPortReset:
        client_->Disconnect();
        break;
      default:
        break;
    }
  }

  void Subscribe(ContractState& c, StreamState& s, TimePoint now) {
    if (s.req_id != 0) client_->CancelTickByTick(s.req_id);
    const StreamKey key = s.key;
    client::TickByTickHandlers handlers;
    handlers.bid_ask = [this, key](const protocol::TickByTickBidAsk& m) {
      client::ToTick(m, key.contract_id, clock_.Now(), scratch_);
      OnLiveTick(key);
    };
    handlers.last = [this, key](const protocol::TickByTickLast& m) {
      client::ToTick(m, key.contract_id, clock_.Now(), scratch_);
      scratch_.type = key.type;  // Last and AllLast share the message
      OnLiveTick(key);
    };
    handlers.mid_point = [this, key](const protocol::TickByTickMidPoint& m) {
      client::ToTick(m, key.contract_id, clock_.Now(), scratch_);
      OnLiveTick(key);
    };
    handlers.error = [this, key](const client::RequestError& e) { OnStreamError(key, e); };
    s.req_id = client_->SubscribeTickByTick(c.request, key.type, std::move(handlers));
    s.subscribed = true;
    core_.OnSubscribed(key, now);
  }

  void OnStreamError(const StreamKey& key, const client::RequestError& e) {
    const TimePoint now = clock_.Now();
    ++counters_.ib_errors[e.code];
    StreamState* s = FindStream(key);
    if (!s) return;
    ++s->errors;
    s->last_error = std::to_string(e.code) + ": " + e.text;
    spdlog::warn("event=stream_error stream={} code={} text=\"{}\"", ToString(key), e.code, e.text);
    core_.OnIbError(e.code, key, now);
    const auto error_class = reliability::ClassifyIbError(e.code);
    if (error_class == reliability::IbErrorClass::kCompetingSession ||
        reliability::IsTerminalForRequest(error_class)) {
      Interrupt(*s, now, "ib_error_" + std::to_string(e.code));
    }
    if (reliability::IsTerminalForRequest(error_class) ||
        error_class == reliability::IbErrorClass::kRequestRejected) {
      if (s->req_id != 0) client_->CancelTickByTick(s->req_id);
      s->req_id = 0;
      s->subscribed = false;
    }
  }

  void OnLiveTick(const StreamKey& key) {
    StreamState* s = FindStream(key);
    if (!s) return;
    const TimePoint now = scratch_.receive_time;
    ++counters_.ticks_received;
    scratch_.sequence = ++s->sequence;
    core_.OnTick(key, now);
    auto position = store_->writer().Append(scratch_);
    fanout_.Publish(scratch_);
    if (!position.ok()) {
      Interrupt(*s, now, "storage_" + std::string(StatusCodeName(position.status().code())));
      return;
    }
    ++counters_.ticks_stored;
    ++s->ticks;
    s->last_received = now;
    if (s->interrupted_since) CloseInterruption(key, *s, scratch_, now);
    s->last_exchange = scratch_.exchange_time;
    if (s->ticks == 1) {
      ContractState* c = FindContract(key.contract_id);
      if (c && !c->retiring.empty()) DropRetiring(*c);
    }
  }

  // --- gaps and backfill ---------------------------------------------------------------------

  static void Interrupt(StreamState& s, TimePoint now, std::string cause) {
    if (s.interrupted_since) return;
    s.interrupted_since = now;
    s.interruption_cause = std::move(cause);
  }

  void CloseInterruption(const StreamKey& key, StreamState& s, const Tick& first, TimePoint now) {
    const std::string cause = s.interruption_cause;
    s.interrupted_since.reset();
    s.interruption_cause.clear();
    if (!s.last_exchange) return;  // nothing stored before: nothing to fill
    // Even an interruption shorter than a second may have lost ticks of the last stored second
    // after the last one received, or of the first second before the first one received: the gap
    // is never empty, at least that second, and the backfill reconciles it (queries drop the
    // backfilled ticks that live ones match).
    const TimePoint start = *s.last_exchange;
    const TimePoint end = std::max(start, first.exchange_time);
    ContractState* c = FindContract(key.contract_id);
    if (!c) return;
    if (c->calendar.has_information() && !IsTrading(c->calendar.StatusAt(start)) &&
        c->calendar.SessionsBetween(start, end).empty()) {
      return;  // the market did not trade in between: nothing was missed
    }
    // The backfill stores the boundary seconds whole: queries already drop the backfilled ticks
    // that live ticks of the same second match (storage/query.h, rule 2). Filtering them here as
    // well removed legitimate repeats (a second trade identical to a live one) twice over, and
    // could not see the live ticks of the last second that arrive after the first one.
    StartGap(*c, key, start, end, cause, now);
  }

  // Records gap [first, last] (whole seconds, inclusive) and queues its backfill.
  void StartGap(ContractState& c, const StreamKey& key, TimePoint first, TimePoint last,
                const std::string& cause, TimePoint now) {
    ++counters_.gaps_opened;
    storage::GapRecord gap;
    gap.stream = key;
    gap.start = std::chrono::floor<std::chrono::seconds>(first);
    gap.end = std::chrono::floor<std::chrono::seconds>(last) + std::chrono::seconds(1);
    gap.cause = cause;
    gap.state = storage::BackfillState::kPending;
    gap.updated_at = now;
    auto id = store_->ledger().Add(gap);
    if (!id.ok()) {
      spdlog::error("event=gap_ledger_failed stream={} error=\"{}\"", ToString(key),
                    id.status().ToString());
      core_.OnStorageError(id.status().message(), now);
      return;
    }
    spdlog::warn("event=gap stream={} start={} end={} cause={} id={}", ToString(key),
                 FormatIsoUtc(gap.start), FormatIsoUtc(gap.end), cause, *id);
    core_.OnGapDetected(key.contract_id, gap.start, gap.end, cause, now);
    if (!options_.config.backfill.enabled) {
      (void)store_->ledger().Update(*id, storage::BackfillState::kFailed, "backfill disabled", now);
      return;
    }
    // The calendar as it is now, shared: the contract may be untracked before the job ends.
    std::shared_ptr<const MarketCalendar> calendar =
        c.shared_calendar ? c.shared_calendar : std::make_shared<const MarketCalendar>(c.calendar);
    auto next_trading = [calendar](TimePoint t) -> std::optional<TimePoint> {
      const MarketState state = calendar->StateAt(t);
      if (IsTrading(state.status)) return t;
      return state.next_open;
    };
    backfills_.push_back(PendingBackfill{
        *id, BackfillJob(key, ToUnixSeconds(gap.start), ToUnixSeconds(gap.end) - 1, next_trading),
        0, now});
  }

  void StepBackfill(TimePoint now) {
    if (backfill_in_flight_ && now - backfill_sent_at_ > options_.backfill_request_timeout &&
        !backfills_.empty()) {
      // IB may never answer a historical request (HMDS farm down, competing session): give up on
      // this page, ignore a late answer (its token is stale) and ask again later.
      spdlog::warn("event=backfill_timeout gap={} stream={}", backfills_.front().gap_id,
                   ToString(backfills_.front().job.stream()));
      backfill_in_flight_ = false;
      ++backfill_token_;
      backfills_.front().not_before = now + std::chrono::seconds(15);
    }
    if (!connected_ || backfill_in_flight_ || backfills_.empty()) return;
    PendingBackfill& p = backfills_.front();
    if (p.not_before > now) return;
    auto page = p.job.NextPage();
    ContractState* c = FindContract(p.job.stream().contract_id);
    if (!page || !c) {
      FinishBackfill(now);
      return;
    }
    HistoricalRequestKey key{c->contract_id, page->what_to_show, IbUtcDateTime(page->start_second),
                             "", page->number_of_ticks};
    const TimePoint earliest = pacer_.EarliestSend(key, now);
    if (earliest > now) {
      p.not_before = earliest;
      return;
    }
    pacer_.RecordSent(key, now);
    backfill_in_flight_ = true;
    backfill_sent_at_ = now;
    ++counters_.backfill_requests;
    client::HistoricalTicksQuery query;
    query.contract = c->request;
    query.type = p.job.stream().type;
    query.start_date_time = key.start;
    query.number_of_ticks = page->number_of_ticks;
    const uint64_t gap_id = p.gap_id;
    const uint64_t token = ++backfill_token_;
    client_->RequestHistoricalTicks(query, [this, gap_id, token](Result<std::vector<Tick>> result) {
      OnBackfillPage(gap_id, token, std::move(result));
    });
  }

  void OnBackfillPage(uint64_t gap_id, uint64_t token, Result<std::vector<Tick>> result) {
    const TimePoint now = clock_.Now();
    if (token != backfill_token_) return;  // the answer to a request already given up on
    backfill_in_flight_ = false;
    if (backfills_.empty() || backfills_.front().gap_id != gap_id) return;
    PendingBackfill& p = backfills_.front();
    if (!result.ok()) {
      const auto code = client::IbErrorCode(result.status());
      if (!code && !connected_) {
        p.not_before = now + std::chrono::seconds(5);  // disconnected: try after reconnecting
        return;
      }
      if (code && *code == 162 && p.retries < 3) {
        ++p.retries;  // pacing or a transient HMDS error: the pacer spaces the retry
        p.not_before = now + std::chrono::seconds(15);
        return;
      }
      p.job.OnError(result.status().message());
      FinishBackfill(now);
      return;
    }
    const StreamKey key = p.job.stream();
    std::vector<Tick> keep = p.job.OnPage(*result);  // unreported trades already left out of Last
    StreamState* s = FindStream(key);
    for (Tick& t : keep) {
      t.contract_id = key.contract_id;
      t.type = key.type;
      t.source = TickSource::kBackfill;
      t.receive_time = now;
      // A page arrives at one instant: without its own sequence number, two identical trades or
      // quotes of one second would be bit-identical records, which queries return once.
      if (s) t.sequence = ++s->sequence;
      if (store_->writer().Append(t).ok()) {
        ++counters_.ticks_backfilled;
        if (s) ++s->backfilled;
      }
    }
    if (p.job.state() != storage::BackfillState::kPending) FinishBackfill(now);
  }

  void FinishBackfill(TimePoint now) {
    PendingBackfill& p = backfills_.front();
    storage::BackfillState state = p.job.state();
    std::string reason = p.job.reason();
    if (state == storage::BackfillState::kPending) {
      state = storage::BackfillState::kFailed;
      reason = "contract no longer tracked";
    }
    const Status st = store_->ledger().Update(p.gap_id, state, reason, now);
    if (!st.ok()) spdlog::error("event=gap_ledger_failed error=\"{}\"", st.ToString());
    spdlog::info("event=backfill_done gap={} stream={} state={} ticks={} pages={} reason=\"{}\"",
                 p.gap_id, ToString(p.job.stream()), storage::BackfillStateName(state),
                 p.job.ticks_kept(), p.job.pages_received(), reason);
    if (state == storage::BackfillState::kFailed || state == storage::BackfillState::kPartial) {
      ++counters_.backfill_failures;
      core_.OnBackfillFailed(p.job.stream().contract_id, reason, now);
    }
    backfills_.pop_front();
  }

  void OnStorageEvent(const storage::StorageEvent& e) {
    const TimePoint now = clock_.Now();
    switch (e.kind) {
      case storage::StorageEvent::Kind::kWriteFailed:
        spdlog::error("event=storage_write_failed cause=\"{}\" lost_spans={}", e.cause.ToString(),
                      e.lost.size());
        core_.OnStorageError(e.cause.message(), now);
        for (const auto& span : e.lost) {
          ContractState* c = FindContract(span.stream.contract_id);
          if (c) {
            StartGap(*c, span.stream, span.first_exchange_time, span.last_exchange_time,
                     "storage_error", now);
          }
        }
        break;
      case storage::StorageEvent::Kind::kResumed:
        spdlog::info("event=storage_resumed");
        break;
      case storage::StorageEvent::Kind::kLowSpace:
        low_space_ = true;
        available_bytes_ = e.available_bytes;
        spdlog::warn("event=disk_low available_bytes={}", e.available_bytes);
        core_.OnDiskSpace(e.available_bytes, 0);
        break;
      case storage::StorageEvent::Kind::kSpaceOk:
        low_space_ = false;
        available_bytes_ = e.available_bytes;
        core_.OnDiskSpace(e.available_bytes, 0);
        break;
      case storage::StorageEvent::Kind::kRotated:
        spdlog::info("event=hour_sealed hour={}", FormatIsoUtc(e.hour));
        break;
    }
  }

  // --- views ----------------------------------------------------------------------------------

  void PublishView(TimePoint now) {
    auto view = std::make_shared<RecorderView>();
    view->now = now;
    view->started_at = started_at_;
    view->ready = store_ != nullptr;
    view->overall = core_.OverallStatus(now);
    auto& g = view->gateway;
    g.connected = connected_;
    g.state = std::string(reliability::GatewayStateName(core_.gateway_state()));
    g.host = client_options_.host;
    g.port = connected_ ? session_.port : 0;
    g.client_id = client_options_.client_id;
    g.server_version = connected_ ? session_.server_version : 0;
    if (connected_) g.connected_since = connected_since_;
    g.down_since = down_since_;
    g.last_disconnect_reason = last_disconnect_reason_;
    g.connections = connections_;
    g.connect_attempts = connect_attempts_;
    const client::ClientStats stats = client_->stats();
    g.messages_sent = stats.messages_sent;
    g.protocol_errors = stats.protocol_errors;
    g.unknown_messages = stats.protocol.unknown_ids_skipped;

    auto& st = view->storage;
    st.path = options_.config.storage.path;
    auto& writer = store_->writer();
    st.accepted_position = writer.accepted_position();
    st.durable_position = writer.durable_position();
    st.rejected_queue_full = writer.rejected_queue_full();
    st.rejected_suspended = writer.rejected_suspended();
    st.lost_on_write_error = writer.lost_on_write_error();
    st.suspended = writer.suspended();
    st.low_space = low_space_;
    st.available_bytes = available_bytes_;
    st.recovered_corrupt_files = store_->recovery_report().files_quarantined;

    view->counters = counters_;
    view->counters.alerts_fired = sink_.fired;
    for (const auto& contract : contracts_) {
      const ContractState& c = *contract;
      ContractView cv;
      cv.key = c.cache_key;
      cv.from_api = c.from_api;
      cv.contract_id = c.contract_id;
      cv.description = c.config.Describe();
      cv.symbol = c.config.symbol;
      cv.sec_type = c.config.sec_type;
      cv.exchange = c.config.exchange;
      cv.currency = c.config.currency;
      if (c.details) {
        cv.symbol = c.details->contract.symbol;
        cv.sec_type = c.details->contract.sec_type;
        cv.exchange = c.details->contract.exchange;
        cv.currency = c.details->contract.currency;
        cv.local_symbol = c.details->contract.local_symbol;
        cv.last_trade_date = c.details->contract.last_trade_date_or_contract_month;
        cv.time_zone_id = c.details->time_zone_id;
        cv.trading_hours = c.details->trading_hours;
        cv.liquid_hours = c.details->liquid_hours;
      }
      cv.resolved = c.details.has_value();
      cv.resolve_error = c.resolve_error;
      cv.calendar_error = c.calendar_error;
      cv.details_updated_at = c.details_at;
      cv.market = c.calendar.StateAt(now);
      cv.calendar = c.shared_calendar;
      cv.status = c.contract_id != 0 ? core_.ContractStatus(c.contract_id, now)
                                     : reliability::HealthStatus::kUnknown;
      cv.rolled_from = c.rolled_from;
      cv.rolled_at = c.rolled_at;
      cv.buffer_hours = c.config.buffer_hours;
      cv.priority = c.config.priority;
      cv.expected_types = c.config.tick_types;
      for (const auto& [type, s] : c.streams) {
        StreamView sv;
        sv.key = s.key;
        sv.subscribed = s.subscribed;
        sv.request_id = s.req_id;
        sv.ticks = s.ticks;
        sv.backfilled_ticks = s.backfilled;
        sv.last_tick_received = s.last_received;
        sv.last_exchange_time = s.last_exchange;
        sv.error_count = s.errors;
        sv.last_error = s.last_error;
        sv.interrupted_since = s.interrupted_since;
        sv.interruption_cause = s.interruption_cause;
        sv.health = core_.Metrics(s.key, now);
        cv.streams.push_back(std::move(sv));
      }
      view->contracts.push_back(std::move(cv));
    }
    auto gaps = store_->ledger().List();
    constexpr size_t kMaxGaps = 500;
    if (gaps.size() > kMaxGaps) gaps.erase(gaps.begin(), gaps.end() - kMaxGaps);
    view->gaps = std::move(gaps);
    view->alerts = core_.FiringAlerts();
    std::lock_guard lock(view_mutex_);
    view_ = std::move(view);
  }

  Recorder& owner_;
  RecorderOptions options_;
  const Clock& clock_;
  storage::FileSystem* fs_;
  CountingSink sink_;
  reliability::ReliabilityCore core_;
  client::EventLoop loop_;
  asio::steady_timer timer_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<client::Client> client_;
  client::ClientOptions client_options_;
  HistoricalPacer pacer_;
  TickFanout& fanout_ = owner_.fanout_;

  // Owned one by one: backfill jobs and callbacks outlive reallocations of the list.
  std::vector<std::unique_ptr<ContractState>> contracts_;
  uint64_t next_slot_ = 1;
  RuntimeContracts runtime_;  // run-time tracks and untracks (loop thread after Start)
  std::deque<PendingBackfill> backfills_;
  bool backfill_in_flight_ = false;
  TimePoint backfill_sent_at_;
  uint64_t backfill_token_ = 0;  // identifies the request in flight
  std::string meta_dir_;
  Tick scratch_;  // the tick being handled (reused: no allocation per tick)

  bool connected_ = false;
  bool connecting_ = false;
  bool stopping_ = false;
  std::atomic<bool> stopped_{false};
  client::SessionInfo session_;
  TimePoint started_at_;
  TimePoint connected_since_;
  std::optional<TimePoint> down_since_;
  std::string last_disconnect_reason_;
  uint64_t connections_ = 0;
  uint64_t connect_attempts_ = 0;
  bool low_space_ = false;
  uint64_t available_bytes_ = 0;
  RecorderCounters counters_;

  mutable std::mutex view_mutex_;
  std::shared_ptr<const RecorderView> view_;  // guarded by view_mutex_
};

Recorder::Recorder(RecorderOptions options, const Clock& clock, storage::FileSystem* fs,
                   reliability::AlertSink& alerts)
    : clock_(clock), impl_(std::make_unique<Impl>(*this, std::move(options), clock, fs, alerts)) {}

Recorder::~Recorder() { Stop(); }

Status Recorder::Start() { return impl_->Start(); }
void Recorder::Stop() { impl_->Stop(); }
std::shared_ptr<const RecorderView> Recorder::View() const { return impl_->View(); }
Status Recorder::Query(const std::vector<StreamKey>& streams, TimePoint from, TimePoint to,
                       const std::function<Status(const Tick&)>& sink) const {
  return impl_->Query(streams, from, to, sink);
}
Status Recorder::RequestBackfill(const StreamKey& stream, TimePoint from, TimePoint to) {
  return impl_->RequestBackfill(stream, from, to);
}
Result<ContractChange> Recorder::Track(std::string_view contract_toml) {
  return impl_->Track(contract_toml);
}
Result<ContractChange> Recorder::Untrack(std::string_view id) { return impl_->Untrack(id); }
Result<ReloadSummary> Recorder::ReloadContracts(std::vector<config::ContractConfig> configured) {
  return impl_->ReloadContracts(std::move(configured));
}
const std::string& Recorder::storage_root() const { return impl_->storage_root(); }

}  // namespace ibstream::recorder
