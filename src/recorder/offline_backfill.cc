#include "recorder/offline_backfill.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <thread>
#include <utility>

#include "calendar/market_calendar.h"
#include "client/client.h"
#include "client/event_loop.h"
#include "recorder/backfill_cursor.h"
#include "recorder/backfill_job.h"
#include "recorder/backfill_queue.h"
#include "recorder/historical_pacer.h"
#include "recorder/options_mapping.h"
#include "recorder/pacer_state.h"
#include "storage/store.h"
#include "storage/store_lock.h"

namespace ibstream::recorder {
namespace {

using storage::BackfillState;

// One gap being filled.
struct OfflineJob {
  storage::GapRecord gap;
  BackfillJob job;
  int retries = 0;
  TimePoint not_before;
  size_t outcome = 0;  // index into the report's gaps
  int priority = 100;  // its contract's configured priority (1 first)
};

// A value delivered by a client callback on the loop thread, awaited on the calling thread.
template <typename T>
class Awaited {
 public:
  Awaited() : promise_(std::make_shared<std::promise<T>>()), future_(promise_->get_future()) {}
  std::function<void(T)> Setter() {
    return [promise = promise_](T value) { promise->set_value(std::move(value)); };
  }
  // The value, or empty when `real_timeout` passed first (a late answer is dropped).
  std::optional<T> Wait(std::chrono::nanoseconds real_timeout) {
    if (future_.wait_for(real_timeout) != std::future_status::ready) return std::nullopt;
    return future_.get();
  }

 private:
  std::shared_ptr<std::promise<T>> promise_;
  std::future<T> future_;
};

class OfflineRun {
 public:
  OfflineRun(const OfflineBackfillOptions& options, const Clock& clock, fs::FileSystem* fs,
             const std::function<void(const std::string&)>& progress)
      : options_(options), clock_(clock), fs_(fs), progress_(progress) {}

  ~OfflineRun() {
    loop_.Stop();
    loop_.Join();
    client_.reset();  // after the loop stopped: no callback runs any more
    if (store_) store_->Close();
  }

  Result<OfflineBackfillReport> Run();

 private:
  void Say(const std::string& line) {
    spdlog::info("event=offline_backfill {}", line);
    if (progress_) progress_(line);
  }
  void RestorePacer(TimePoint now);
  Status Connect();
  Result<protocol::ContractDetails> Details(int64_t contract_id);
  // The ledger gaps to fill: selected ones, or new "requested" ones for the window.
  Result<std::vector<storage::GapRecord>> GapsToFill(TimePoint now);
  Status AddJob(const storage::GapRecord& gap, TimePoint now);
  // The configured priority of the contract IB describes (by con_id, else symbol and type).
  int PriorityOf(const protocol::ContractDetails& details) const;
  // Sends the first due job's next page and handles the answer; false when nothing was due.
  bool StepFirstDue(TimePoint now);
  void OnFailure(OfflineJob& j, reliability::BackfillFailure failure, const std::string& message);
  // Stores a page's kept ticks durably; false (gap left pending) when storage refused them.
  bool StorePage(OfflineJob& j, std::vector<Tick> keep, TimePoint now);
  void Close(OfflineJob& j, BackfillState state, const std::string& reason, TimePoint now);
  // A synchronous (durable) ledger update; a failure stops the run as a storage error.
  void UpdateLedgerNow(uint64_t gap_id, BackfillState state, const std::string& reason,
                       TimePoint now);
  void RecordSent(const HistoricalRequestKey& key, TimePoint now);
  void SleepUntil(TimePoint until);

  const OfflineBackfillOptions& options_;
  const Clock& clock_;
  fs::FileSystem* fs_;
  const std::function<void(const std::string&)>& progress_;
  OfflineBackfillReport report_;
  storage::StoreLock lock_;
  std::unique_ptr<storage::Store> store_;
  client::EventLoop loop_;
  std::unique_ptr<client::Client> client_;
  std::shared_ptr<std::atomic<bool>> connected_ = std::make_shared<std::atomic<bool>>(false);
  HistoricalPacer pacer_;
  std::map<int64_t, protocol::ContractDetails> details_;
  std::map<int64_t, std::shared_ptr<const calendar::MarketCalendar>> calendars_;
  std::deque<OfflineJob> queue_;
  uint64_t sequence_ = 0;
};

Result<OfflineBackfillReport> OfflineRun::Run() {
  const std::string root = options_.config.storage.path;
  auto lock = storage::StoreLock::Acquire(root);
  if (!lock.ok()) return lock.status();
  lock_ = std::move(lock).value();
  storage::StoreOptions store_options = StoreOptionsFrom(options_.config);
  store_options.background_maintenance = false;
  auto store = storage::Store::Open(fs_, clock_, store_options);
  if (!store.ok()) return store.status().WithContext("storage at " + root);
  store_ = std::move(store).value();
  const TimePoint started = clock_.Now();
  RestorePacer(started);
  if (options_.gap_id) {
    // Checked before connecting: a wrong id needs no gateway.
    auto chosen = SelectGapsForBackfill(store_->ledger().List(), options_.gap_id);
    if (chosen.empty())
      return NotFound("no gap " + std::to_string(*options_.gap_id) + " in " + root);
    if (chosen.front().state == BackfillState::kFilled) {
      return FailedPrecondition("gap " + std::to_string(*options_.gap_id) + " is filled already");
    }
  }
  IBSTREAM_RETURN_IF_ERROR(Connect());
  auto gaps = GapsToFill(started);
  if (!gaps.ok()) return gaps.status();
  for (const storage::GapRecord& gap : *gaps) IBSTREAM_RETURN_IF_ERROR(AddJob(gap, clock_.Now()));
  const TimePoint deadline = started + options_.max_duration;
  while (!queue_.empty() && report_.storage_error.empty()) {
    const TimePoint now = clock_.Now();
    if (now >= deadline) break;
    if (StepFirstDue(now)) continue;
    TimePoint next = deadline;
    for (const OfflineJob& j : queue_) next = std::min(next, j.not_before);
    SleepUntil(next);
  }
  for (OfflineJob& j : queue_) {
    if (!report_.storage_error.empty()) break;  // those already name the storage problem
    report_.gaps[j.outcome].reason = "offline backfill stopped before the gap was filled";
  }
  const Status flushed = store_->writer().Flush(std::chrono::seconds(30));
  if (!flushed.ok()) return flushed.WithContext("storage at " + root);
  return std::move(report_);
}

void OfflineRun::RestorePacer(TimePoint now) {
  const std::string path = PacerStatePath(options_.config.storage.path);
  auto sends = ReadPacerState(fs_, path);
  if (!sends.ok()) {
    report_.pacer_state_damaged = true;
    spdlog::error("event=pacer_state_damaged path={} error=\"{}\"", path,
                  sends.status().ToString());
    pacer_.AssumeSpent(now);
    Say("pacer state damaged: the request budget is taken as spent until " +
        FormatIsoUtc(now + std::chrono::minutes(10)));
    return;
  }
  std::vector<std::pair<TimePoint, int>> restored;
  for (const PacerSend& s : *sends) restored.emplace_back(s.at, s.weight);
  pacer_.Restore(restored);
}

Status OfflineRun::Connect() {
  if (!client_) {
    client::ClientOptions client_options = ClientOptionsFrom(options_.config);
    // Next to the recorder's own id, so that a recorder started later is not refused (326).
    client_options.client_id += 1;
    client::ClientCallbacks callbacks;
    callbacks.on_disconnected = [connected = connected_](const client::DisconnectEvent&) {
      connected->store(false);
    };
    client_ = std::make_unique<client::Client>(loop_, clock_, client_options, callbacks);
    loop_.RunInBackground();
  }
  Awaited<client::ConnectResult> result;
  client_->Connect(result.Setter());
  // Each port's connect attempt and the handshake are bounded by the client.
  const Duration bound = options_.config.gateway.connect_timeout *
                         static_cast<int>(2 * options_.config.gateway.ports.size() + 2);
  auto done = result.Wait(clock_.ToRealDuration(bound));
  if (!done) return Unavailable("no answer from the gateway");
  if (!done->status.ok()) {
    return Unavailable("cannot connect to the gateway at " + options_.config.gateway.host + ": " +
                       std::string(done->status.message()));
  }
  connected_->store(true);
  return Status::Ok();
}

Result<protocol::ContractDetails> OfflineRun::Details(int64_t contract_id) {
  if (auto it = details_.find(contract_id); it != details_.end()) return it->second;
  protocol::Contract query;
  query.con_id = static_cast<int32_t>(contract_id);
  Awaited<Result<std::vector<protocol::ContractDetails>>> answer;
  client_->RequestContractDetails(query, answer.Setter());
  auto got = answer.Wait(clock_.ToRealDuration(options_.request_timeout));
  if (!got) return Unavailable("no contract details for " + std::to_string(contract_id));
  if (!got->ok()) return got->status();
  if (got->value().empty()) return NotFound("IB knows no contract " + std::to_string(contract_id));
  const protocol::ContractDetails& details = got->value().front();
  auto calendar = calendar::MarketCalendar::Create(
      calendar::ContractHours{details.time_zone_id, details.trading_hours, details.liquid_hours},
      calendar::CalendarSettings{});
  if (calendar.ok()) {
    calendars_[contract_id] =
        std::make_shared<const calendar::MarketCalendar>(std::move(calendar).value());
  } else {
    // Without hours a job stops at a break instead of skipping it (partial, retried later).
    spdlog::warn("event=offline_backfill_no_calendar contract={} error=\"{}\"", contract_id,
                 calendar.status().ToString());
  }
  details_.emplace(contract_id, details);
  return details;
}

Result<std::vector<storage::GapRecord>> OfflineRun::GapsToFill(TimePoint now) {
  if (!options_.window) return SelectGapsForBackfill(store_->ledger().List(), options_.gap_id);
  const OfflineBackfillWindow& w = *options_.window;
  if (w.to <= w.from) return InvalidArgument("the backfill window is empty");
  std::vector<TickType> types = w.types;
  if (types.empty()) {
    auto details = Details(w.contract_id);
    if (!details.ok()) return details.status();
    for (const config::ContractConfig& c : options_.config.contracts) {
      const bool same_id = c.con_id && *c.con_id == w.contract_id;
      const bool same_symbol = !c.con_id && c.symbol == details->contract.symbol &&
                               c.sec_type == details->contract.sec_type;
      if (same_id || same_symbol) {
        types = c.tick_types;
        break;
      }
    }
    if (types.empty()) {
      return InvalidArgument("contract " + std::to_string(w.contract_id) +
                             " is not in the configuration: name its tick types");
    }
  }
  std::vector<storage::GapRecord> gaps;
  for (TickType type : types) {
    storage::GapRecord gap;
    gap.stream = StreamKey{w.contract_id, type};
    gap.start = std::chrono::floor<std::chrono::seconds>(w.from);
    gap.end = std::chrono::ceil<std::chrono::seconds>(w.to);
    gap.cause = "requested";
    gap.updated_at = now;
    auto id = store_->ledger().Add(gap);
    if (!id.ok()) return id.status().WithContext("gap ledger");
    gap.id = *id;
    gaps.push_back(std::move(gap));
  }
  return gaps;
}

Status OfflineRun::AddJob(const storage::GapRecord& gap, TimePoint now) {
  OfflineGapOutcome outcome{gap.id, gap.stream, gap.start, gap.end, BackfillState::kPending, "", 0};
  report_.gaps.push_back(outcome);
  auto details = Details(gap.stream.contract_id);
  if (!details.ok()) {
    // IB does not know it (200) or did not answer: permanent only for the former.
    const bool unknown = details.status().code() == StatusCode::kNotFound;
    const std::string reason =
        std::string(unknown ? "unknown_contract: " : "") + std::string(details.status().message());
    if (unknown) {
      UpdateLedgerNow(gap.id, BackfillState::kFailed, reason, now);
      report_.gaps.back().state = BackfillState::kFailed;
    }
    report_.gaps.back().reason = reason;
    return Status::Ok();
  }
  BackfillJob::NextTradingTime next_trading;
  if (auto it = calendars_.find(gap.stream.contract_id); it != calendars_.end()) {
    next_trading = [calendar = it->second](TimePoint t) -> std::optional<TimePoint> {
      const calendar::MarketState state = calendar->StateAt(t);
      if (calendar::IsTrading(state.status)) return t;
      return state.next_open;
    };
  }
  UpdateLedgerNow(gap.id, BackfillState::kPending, "offline backfill", now);
  Say("gap " + std::to_string(gap.id) + " " + ToString(gap.stream) + " " + FormatIsoUtc(gap.start) +
      " .. " + FormatIsoUtc(gap.end) + " (" + std::string(storage::BackfillStateName(gap.state)) +
      ")");
  queue_.push_back(OfflineJob{gap,
                              BackfillJob(gap.stream, BackfillCursor(*store_, gap),
                                          ToUnixSeconds(gap.end) - 1, std::move(next_trading)),
                              0, now, report_.gaps.size() - 1, PriorityOf(*details)});
  return Status::Ok();
}

int OfflineRun::PriorityOf(const protocol::ContractDetails& details) const {
  for (const config::ContractConfig& c : options_.config.contracts) {
    if (c.con_id ? *c.con_id == details.contract.con_id
                 : c.symbol == details.contract.symbol && c.sec_type == details.contract.sec_type) {
      return c.priority;
    }
  }
  return config::ContractConfig{}.priority;
}

bool OfflineRun::StepFirstDue(TimePoint now) {
  if (!BringNextToFront(queue_, now)) return false;
  OfflineJob& j = queue_.front();
  if (!connected_->load()) {
    const Status reconnected = Connect();
    if (!reconnected.ok()) {
      OnFailure(j,
                reliability::BackfillFailure{reliability::BackfillFailureKind::kError, std::nullopt,
                                             false, j.retries, now, ""},
                std::string(reconnected.message()));
      return true;
    }
  }
  auto page = j.job.NextPage();
  if (!page) {
    Close(j, j.job.state(), j.job.reason(), now);
    return true;
  }
  const protocol::ContractDetails& details = details_.at(j.gap.stream.contract_id);
  HistoricalRequestKey key{j.gap.stream.contract_id, page->what_to_show,
                           IbUtcDateTime(page->start_second), "", page->number_of_ticks};
  const TimePoint earliest = pacer_.EarliestSend(key, now);
  if (earliest > now) {
    j.not_before = earliest;
    return false;
  }
  RecordSent(key, now);
  ++report_.requests;
  client::HistoricalTicksQuery query;
  query.contract.con_id = details.contract.con_id;
  query.contract.exchange = details.contract.exchange;
  query.contract.symbol = details.contract.symbol;
  query.contract.sec_type = details.contract.sec_type;
  query.contract.currency = details.contract.currency;
  query.contract.last_trade_date_or_contract_month =
      details.contract.last_trade_date_or_contract_month;
  query.contract.local_symbol = details.contract.local_symbol;
  query.contract.trading_class = details.contract.trading_class;
  query.contract.multiplier = details.contract.multiplier;
  query.type = j.gap.stream.type;
  query.start_date_time = key.start;
  query.number_of_ticks = page->number_of_ticks;
  Awaited<Result<std::vector<Tick>>> answer;
  client_->RequestHistoricalTicks(query, answer.Setter());
  auto got = answer.Wait(clock_.ToRealDuration(options_.request_timeout));
  const TimePoint answered = clock_.Now();
  if (!got) {
    OnFailure(j,
              reliability::BackfillFailure{reliability::BackfillFailureKind::kTimeout, std::nullopt,
                                           connected_->load(), j.retries, answered, ""},
              "no answer to a history request");
    return true;
  }
  if (!got->ok()) {
    const std::string message(got->status().message());
    OnFailure(j,
              reliability::BackfillFailure{reliability::BackfillFailureKind::kError,
                                           client::IbErrorCode(got->status()), connected_->load(),
                                           j.retries, answered, message},
              message);
    return true;
  }
  j.retries = 0;
  if (!StorePage(j, j.job.OnPage(got->value()), answered)) return true;
  if (j.job.state() != BackfillState::kPending) Close(j, j.job.state(), j.job.reason(), answered);
  return true;
}

void OfflineRun::OnFailure(OfflineJob& j, reliability::BackfillFailure failure,
                           const std::string& message) {
  const reliability::BackfillRetryDecision decision =
      reliability::DecideBackfillRetry(failure, options_.retry);
  const std::string why(reliability::BackfillRetryReasonName(decision.reason));
  if (decision.retry) {
    if (decision.uses_retry) ++j.retries;
    j.not_before = decision.retry_at;
    ++report_.retries;
    Say("gap " + std::to_string(j.gap.id) + ": " + why + " (" + message + "), again at " +
        FormatIsoUtc(decision.retry_at));
    return;
  }
  j.job.OnError(why + ": " + message);
  Close(j, j.job.state(), j.job.reason(), failure.now);
}

bool OfflineRun::StorePage(OfflineJob& j, std::vector<Tick> keep, TimePoint now) {
  uint64_t last_position = 0;
  for (Tick& t : keep) {
    t.contract_id = j.gap.stream.contract_id;
    t.type = j.gap.stream.type;
    t.source = TickSource::kBackfill;
    t.receive_time = now;
    t.sequence = ++sequence_;
    auto position = store_->writer().Append(t);
    if (!position.ok()) {
      report_.storage_error = std::string(position.status().message());
      break;
    }
    last_position = *position;
  }
  if (report_.storage_error.empty() && !keep.empty()) {
    const Status flushed = store_->writer().Flush(std::chrono::seconds(30));
    if (!flushed.ok()) {
      report_.storage_error = std::string(flushed.message());
    } else if (store_->writer().durable_position() < last_position ||
               store_->writer().suspended()) {
      report_.storage_error = "storage did not make the backfilled ticks durable";
    }
  }
  if (!report_.storage_error.empty()) {
    const std::string reason = "storage refused backfilled ticks (" + report_.storage_error +
                               "); retried by the next backfill";
    UpdateLedgerNow(j.gap.id, BackfillState::kPending, reason, now);
    report_.gaps[j.outcome].reason = reason;
    return false;
  }
  report_.gaps[j.outcome].ticks_stored += keep.size();
  report_.ticks_stored += keep.size();
  return true;
}

void OfflineRun::Close(OfflineJob& j, BackfillState state, const std::string& reason,
                       TimePoint now) {
  UpdateLedgerNow(j.gap.id, state, reason, now);
  OfflineGapOutcome& outcome = report_.gaps[j.outcome];
  outcome.state = state;
  outcome.reason = reason;
  Say("gap " + std::to_string(j.gap.id) + " " + std::string(storage::BackfillStateName(state)) +
      ": " + std::to_string(outcome.ticks_stored) + " ticks" +
      (reason.empty() ? std::string() : " (" + reason + ")"));
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (it->gap.id != j.gap.id) continue;
    queue_.erase(it);
    break;
  }
}

void OfflineRun::UpdateLedgerNow(uint64_t gap_id, BackfillState state, const std::string& reason,
                                 TimePoint now) {
  const Status updated = store_->ledger().Update(gap_id, state, reason, now);
  if (!updated.ok()) {
    spdlog::error("event=gap_ledger_failed gap={} error=\"{}\"", gap_id, updated.ToString());
    if (report_.storage_error.empty()) report_.storage_error = std::string(updated.message());
  }
}

void OfflineRun::RecordSent(const HistoricalRequestKey& key, TimePoint now) {
  pacer_.RecordSent(key, now);
  std::vector<PacerSend> sends;
  for (const auto& [at, weight] : pacer_.RecentSends(now)) sends.push_back(PacerSend{at, weight});
  const Status written = WritePacerState(fs_, PacerStatePath(options_.config.storage.path), sends);
  if (!written.ok()) {
    spdlog::error("event=pacer_state_write_failed error=\"{}\"", written.ToString());
  }
}

void OfflineRun::SleepUntil(TimePoint until) {
  // In slices, so that a clock that runs faster than real time is followed closely.
  constexpr std::chrono::milliseconds kSlice(200);
  const TimePoint now = clock_.Now();
  if (until <= now) return;
  const auto real =
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.ToRealDuration(until - now));
  std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(real, kSlice));
}

}  // namespace

bool OfflineBackfillReport::complete() const {
  if (!storage_error.empty()) return false;
  return std::all_of(gaps.begin(), gaps.end(),
                     [](const OfflineGapOutcome& g) { return g.state == BackfillState::kFilled; });
}

std::vector<storage::GapRecord> SelectGapsForBackfill(const std::vector<storage::GapRecord>& ledger,
                                                      std::optional<uint64_t> gap_id) {
  std::vector<storage::GapRecord> out;
  for (const storage::GapRecord& gap : ledger) {
    if (gap_id) {
      if (gap.id == *gap_id) out.push_back(gap);
      continue;
    }
    const bool open = gap.state == BackfillState::kPending || gap.state == BackfillState::kPartial;
    const bool retryable = gap.state == BackfillState::kFailed &&
                           !reliability::IsPermanentBackfillFailureReason(gap.reason);
    if (open || retryable) out.push_back(gap);
  }
  std::sort(out.begin(), out.end(),
            [](const storage::GapRecord& a, const storage::GapRecord& b) { return a.id < b.id; });
  return out;
}

Result<OfflineBackfillReport> RunOfflineBackfill(
    const OfflineBackfillOptions& options, const Clock& clock, fs::FileSystem* fs,
    const std::function<void(const std::string&)>& progress) {
  if (options.gap_id && options.window) {
    return InvalidArgument("give either a gap or a window, not both");
  }
  OfflineRun run(options, clock, fs, progress);
  return run.Run();
}

}  // namespace ibstream::recorder
