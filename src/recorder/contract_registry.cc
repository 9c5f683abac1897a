#include "recorder/contract_registry.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "client/client.h"
#include "common/check.h"
#include "recorder/backfill_runner.h"
#include "recorder/contract_resolution.h"
#include "recorder/options_mapping.h"
#include "recorder/stream_session.h"

namespace ibstream::recorder {

namespace {

calendar::CalendarSettings CalendarSettingsFor(const ContractState& c, TimePoint now) {
  calendar::CalendarSettings settings;
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

}  // namespace

ContractRegistry::ContractRegistry(LoopContext& ctx, StreamSession& session,
                                   BackfillRunner& backfill)
    : ctx_(ctx), session_(session), backfill_(backfill) {}

Status ContractRegistry::Open() {
  meta_dir_ = ctx_.options.config.storage.path + "/contracts";
  const Status created = fs::CreateDirs(ctx_.fs, meta_dir_);
  if (!created.ok()) return IoError("cannot create " + meta_dir_ + ": " + created.ToString());
  LoadRuntimeChanges();
  for (auto& contract :
       MergeContracts(ctx_.options.config.contracts, runtime_, ctx_.options.config.reliability)
           .contracts) {
    AddContract(std::move(contract));
  }
  return Status::Ok();
}

void ContractRegistry::LoadAllCachedDetails(TimePoint now) {
  for (auto& c : contracts_) LoadCachedDetails(*c, now);
}

// One line per change of a contract's market status (the first one included), for operators and
// the demo's narration: `event=market_state contract_id=... symbol=... status=BREAK ...`.
void ContractRegistry::LogMarketState(ContractState& c, const calendar::MarketState& state) {
  if (c.logged_market_status == state.status) return;
  c.logged_market_status = state.status;
  spdlog::info("event=market_state contract_id={} symbol={} status={} next_open={} next_close={}",
               c.contract_id, c.config.symbol, calendar::MarketStatusName(state.status),
               state.next_open ? FormatIsoUtc(*state.next_open) : std::string("unknown"),
               state.next_close ? FormatIsoUtc(*state.next_close) : std::string("unknown"));
}

void ContractRegistry::UpdateMarketsAndResolve(TimePoint now, bool connected) {
  for (auto& contract : contracts_) {
    ContractState& c = *contract;
    if (c.contract_id != 0 && !c.streams.empty()) {
      const calendar::MarketState state = c.calendar.StateAt(now);
      ctx_.core.OnMarketState(c.contract_id, state, now);
      LogMarketState(c, state);
    }
    if (connected && !c.resolving && now >= c.next_resolve_at) Resolve(c, now);
  }
}

Result<ContractRegistry::RuntimeChange> ContractRegistry::PrepareTrack(
    const config::ContractConfig& contract, const std::string& text, TimePoint now) const {
  const std::string key = CacheKey(contract);
  for (const auto& c : contracts_) {
    const bool same_id = contract.con_id &&
                         (*contract.con_id == c->contract_id || *contract.con_id == c->retiring_id);
    if (c->cache_key == key || same_id) {
      return FailedPrecondition("already tracked as " + c->config.Describe() + " (key " +
                                c->cache_key + ")");
    }
  }
  RuntimeChange change{runtime_, /*save=*/true, key};
  change.list.Track(key, text, now);
  return change;
}

ContractChange ContractRegistry::CommitTrack(const config::ContractConfig& contract,
                                             RuntimeChange change, TimePoint now) {
  runtime_ = std::move(change.list);
  ContractState& c = AddContract({contract, change.key, /*from_api=*/true});
  LoadCachedDetails(c, now);
  spdlog::warn("event=contract_tracked contract=\"{}\" key={} origin=api", c.config.Describe(),
               c.cache_key);
  return ContractChange{c.cache_key, c.config.Describe(), c.contract_id};
}

Result<ContractRegistry::RuntimeChange> ContractRegistry::PrepareUntrack(const std::string& id,
                                                                         TimePoint now) const {
  const ContractState* found = nullptr;
  for (const auto& c : contracts_) {
    const std::string number = std::to_string(c->contract_id);
    const bool by_id = c->contract_id != 0 && (id == number || id == "con_" + number);
    if (c->cache_key == id || by_id) found = c.get();
  }
  if (found == nullptr) return NotFound("no tracked contract has id or key " + id);
  const std::string key = found->cache_key;
  bool configured = false;
  for (const auto& c : ctx_.options.config.contracts) {
    configured |= c.enabled && CacheKey(c) == key;
  }
  RuntimeChange change{runtime_, /*save=*/true, key};
  change.list.Untrack(key, configured, now);
  return change;
}

Result<ContractChange> ContractRegistry::CommitUntrack(RuntimeChange change, TimePoint now) {
  runtime_ = std::move(change.list);
  ContractState* found = nullptr;
  for (auto& c : contracts_) {
    if (c->cache_key == change.key) found = c.get();
  }
  if (found == nullptr) return NotFound("no tracked contract has key " + change.key);
  ContractChange result{change.key, found->config.Describe(), found->contract_id};
  RemoveContract(*found, "untracked", now);
  return result;
}

ContractRegistry::RuntimeChange ContractRegistry::PrepareReload(
    const std::vector<config::ContractConfig>& configured) const {
  // Untracks of contracts the new list no longer has are forgotten: listing one again later
  // must record it, not stay silently hidden.
  std::vector<std::string> keys;
  for (const auto& c : configured) {
    if (c.enabled) keys.push_back(CacheKey(c));
  }
  RuntimeChange change{runtime_, /*save=*/false, ""};
  for (const std::string& key : change.list.ForgetUntracksNotIn(keys)) {
    spdlog::info("event=runtime_untrack_forgotten key={} reason=\"no longer configured\"", key);
  }
  change.save = !(change.list == runtime_);
  return change;
}

ReloadSummary ContractRegistry::CommitReload(std::vector<config::ContractConfig> configured,
                                             RuntimeChange change, TimePoint now) {
  ReloadSummary summary;
  if (change.save) runtime_ = std::move(change.list);
  ctx_.options.config.contracts = std::move(configured);
  EffectiveContracts merged =
      MergeContracts(ctx_.options.config.contracts, runtime_, ctx_.options.config.reliability);
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
  return summary;
}

Status ContractRegistry::SaveRuntimeList(const RuntimeContracts& list) const {
  return SaveRuntimeContracts(ctx_.fs, meta_dir_, list);
}

// Reads the run-time contract list; a damaged one is set aside (renamed, kept for the operator)
// and recording goes on from the configuration.
void ContractRegistry::LoadRuntimeChanges() {
  auto loaded = LoadRuntimeContracts(ctx_.fs, meta_dir_);
  if (loaded.ok()) {
    runtime_ = std::move(loaded).value();
    for (const auto& t : runtime_.tracked) {
      spdlog::info("event=runtime_contract key={} change=tracked at={}", t.key, FormatIsoUtc(t.at));
    }
    for (const auto& u : runtime_.untracked) {
      spdlog::info("event=runtime_contract key={} change=untracked at={}", u.key,
                   FormatIsoUtc(u.at));
    }
    return;
  }
  ++ctx_.counters.runtime_contract_errors;
  const std::string path = meta_dir_ + "/" + kRuntimeContractsFile;
  const std::string aside = path + ".unreadable";
  const Status moved = ctx_.fs->Rename(path, aside);
  spdlog::error(
      "event=runtime_contracts_unreadable error=\"{}\" moved_to={} action=\"recording the "
      "configured contracts only\"",
      loaded.status().ToString(), moved.ok() ? aside : path);
}

ContractState& ContractRegistry::AddContract(EffectiveContract e) {
  auto state = std::make_unique<ContractState>();
  state->config = std::move(e.config);
  state->cache_key = std::move(e.key);
  state->from_api = e.from_api;
  state->slot = next_slot_++;
  if (state->config.con_id) state->contract_id = *state->config.con_id;
  contracts_.push_back(std::move(state));
  return *contracts_.back();
}

// Stops recording a contract: subscriptions cancelled, its streams no longer judged, its pending
// backfills closed as failed. What it stored stays.
void ContractRegistry::RemoveContract(ContractState& c, std::string_view why, TimePoint now) {
  for (auto* streams : {&c.streams, &c.retiring}) {
    for (auto& [type, s] : *streams) session_.StopStream(s);
  }
  const int64_t id = c.contract_id;
  const int64_t retiring = c.retiring_id;
  backfill_.Drop(
      [id, retiring](const StreamKey& k) {
        return (id != 0 && k.contract_id == id) || (retiring != 0 && k.contract_id == retiring);
      },
      "contract untracked", now);
  spdlog::warn("event=contract_untracked contract=\"{}\" key={} con_id={} reason={}",
               c.config.Describe(), c.cache_key, c.contract_id, why);
  std::erase_if(contracts_, [&c](const auto& p) { return p.get() == &c; });
}

// A contract whose settings changed: streams of dropped tick types stop, new types start, every
// stream takes the new reliability settings, the calendar is rebuilt.
void ContractRegistry::UpdateContract(ContractState& c, config::ContractConfig updated,
                                      TimePoint now) {
  const bool identity_kept = CacheKey(updated) == c.cache_key;
  IBSTREAM_CHECK(identity_kept, "an update keeps the contract's key");
  c.config = std::move(updated);
  for (auto it = c.streams.begin(); it != c.streams.end();) {
    // Fallback kinds stay: the next plan decides whether they are still needed.
    const bool wanted = !IsTickByTick(it->first) ||
                        std::find(c.config.tick_types.begin(), c.config.tick_types.end(),
                                  it->first) != c.config.tick_types.end();
    if (wanted) {
      ctx_.core.AddStream(it->second.key, ContractOptionsFrom(c.config));
      ++it;
      continue;
    }
    session_.StopStream(it->second);
    const StreamKey dropped = it->second.key;
    backfill_.Drop([dropped](const StreamKey& k) { return k == dropped; }, "tick type untracked",
                   now);
    spdlog::warn("event=stream_untracked stream={} reason=reload", ToString(dropped));
    it = c.streams.erase(it);
  }
  if (c.details) ApplyCalendarAndStreams(c, now);
  spdlog::warn("event=contract_updated contract=\"{}\" key={}", c.config.Describe(), c.cache_key);
}

ContractState* ContractRegistry::Find(int64_t contract_id) {
  for (auto& c : contracts_) {
    if (c->contract_id == contract_id && c->contract_id != 0) return c.get();
  }
  return nullptr;
}

ContractState* ContractRegistry::FindSlot(uint64_t slot) {
  for (auto& c : contracts_) {
    if (c->slot == slot) return c.get();
  }
  return nullptr;
}

StreamState* ContractRegistry::FindStream(const StreamKey& key) {
  ContractState* c = Find(key.contract_id);
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

void ContractRegistry::DropRetiring(ContractState& c) {
  for (auto& [type, s] : c.retiring) session_.StopStream(s);
  if (!c.retiring.empty()) {
    spdlog::info("event=contract_roll_done contract=\"{}\" dropped={} recording={}",
                 c.config.Describe(), c.retiring_id, c.contract_id);
  }
  c.retiring.clear();
  c.retiring_id = 0;
}

void ContractRegistry::LoadCachedDetails(ContractState& c, TimePoint now) {
  auto cached = LoadContractDetails(ctx_.fs, meta_dir_, c.cache_key);
  if (cached.ok()) {
    spdlog::info("event=contract_from_cache contract=\"{}\" con_id={}", c.config.Describe(),
                 cached->contract.con_id);
    ApplyDetails(c, *cached, now, /*from_cache=*/true);
  } else if (cached.status().code() != StatusCode::kNotFound) {
    spdlog::warn("event=contract_cache_unreadable contract=\"{}\" error=\"{}\"",
                 c.config.Describe(), cached.status().ToString());
  }
}

void ContractRegistry::Resolve(ContractState& c, TimePoint now) {
  c.resolving = true;
  c.next_resolve_at = now + std::chrono::minutes(1);
  session_.client()->RequestContractDetails(
      RequestFor(c.config),
      [this, slot = c.slot](Result<std::vector<protocol::ContractDetails>> result) {
        OnResolved(slot, std::move(result));
      });
}

void ContractRegistry::OnResolved(uint64_t slot,
                                  Result<std::vector<protocol::ContractDetails>> result) {
  const TimePoint now = ctx_.clock.Now();
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
    c.streams_started = false;
    c.routes.clear();
    c.rolled_from = c.contract_id;
    c.rolled_at = now;
    c.contract_id = 0;
  }
  // Written off the loop (it syncs); a failure only costs the next start without a gateway its
  // cached hours.
  const Status queued =
      cache_writer_.Post([fs = ctx_.fs, dir = meta_dir_, key = c.cache_key, chosen] {
        const Status saved = SaveContractDetails(fs, dir, key, chosen);
        if (!saved.ok()) {
          spdlog::warn("event=contract_cache_write_failed error=\"{}\"", saved.ToString());
        }
      });
  if (!queued.ok()) {
    spdlog::warn("event=contract_cache_write_failed error=\"{}\"", queued.ToString());
  }
  ApplyDetails(c, chosen, now, /*from_cache=*/false);
}

void ContractRegistry::ApplyDetails(ContractState& c, const protocol::ContractDetails& details,
                                    TimePoint now, bool from_cache) {
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
  c.request.last_trade_date_or_contract_month = details.contract.last_trade_date_or_contract_month;
  c.request.local_symbol = details.contract.local_symbol;
  c.request.trading_class = details.contract.trading_class;
  c.request.multiplier = details.contract.multiplier;
  // From the cache: ask the gateway again soon for fresh hours.
  c.next_resolve_at = from_cache ? now : now + ctx_.options.details_refresh;
  ApplyCalendarAndStreams(c, now);
  spdlog::info(
      "event=contract_resolved contract=\"{}\" con_id={} local_symbol={} time_zone={} "
      "source={}",
      c.config.Describe(), c.contract_id, details.contract.local_symbol, details.time_zone_id,
      from_cache ? "cache" : "gateway");
}

// The calendar from the contract's details and settings, and a stream for each configured tick
// type that has none yet (after a reload, streams of dropped types are gone already).
void ContractRegistry::ApplyCalendarAndStreams(ContractState& c, TimePoint now) {
  const protocol::ContractDetails& details = *c.details;
  auto calendar = calendar::MarketCalendar::Create(
      calendar::ContractHours{details.time_zone_id, details.trading_hours, details.liquid_hours},
      CalendarSettingsFor(c, now));
  if (calendar.ok()) {
    c.calendar = std::move(calendar).value();
    c.shared_calendar = std::make_shared<const calendar::MarketCalendar>(c.calendar);
    c.calendar_error.clear();
    ctx_.core.OnTimezoneProblem(c.contract_id, std::nullopt);
  } else {
    c.calendar_error = calendar.status().message();
    spdlog::error("event=calendar_error contract=\"{}\" error=\"{}\"", c.config.Describe(),
                  c.calendar_error);
    if (c.calendar_error.find("zone") != std::string::npos) {
      ctx_.core.OnTimezoneProblem(c.contract_id, details.time_zone_id);
    }
  }

  // The streams themselves follow the plan (StreamRouter::Replan at the next evaluation).
}

StreamState& ContractRegistry::AddStream(ContractState& c, TickType type, TimePoint now) {
  auto existing = c.streams.find(type);
  if (existing != c.streams.end()) return existing->second;
  StreamState s;
  s.key = StreamKey{c.contract_id, type};
  if (!c.streams_started) {
    FindLastStored(s, now);
    if (s.last_exchange) {
      s.interrupted_since = now;
      s.interruption_cause = "recorder_restart";
    }
  }
  // A stream added by a later switch (an upgrade) was not silent before it existed.
  ctx_.core.AddStream(s.key, ContractOptionsFrom(c.config),
                      c.streams_started ? std::optional<TimePoint>(now) : std::nullopt);
  return c.streams.emplace(type, std::move(s)).first->second;
}

void ContractRegistry::RemoveStream(ContractState& c, TickType type) {
  auto it = c.streams.find(type);
  if (it == c.streams.end()) return;
  session_.StopStream(it->second);
  c.streams.erase(it);
}

// The last stored tick of a stream within the backfill lookback (hour by hour, newest first), so
// that a restart backfills what the recorder missed while it was down.
void ContractRegistry::FindLastStored(StreamState& s, TimePoint now) {
  if (!ctx_.options.config.backfill.enabled) return;
  const TimePoint floor_time = now - ctx_.options.config.backfill.lookback;
  TimePoint hour_start = std::chrono::floor<std::chrono::hours>(now);
  for (; hour_start + std::chrono::hours(1) > floor_time; hour_start -= std::chrono::hours(1)) {
    storage::QueryStats stats;
    std::optional<TimePoint> last;
    const Status st = ctx_.store->Query(
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

}  // namespace ibstream::recorder
