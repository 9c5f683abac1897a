#include "recorder/backfill_runner.h"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "client/client.h"
#include "client/event_loop.h"
#include "recorder/backfill_cursor.h"
#include "recorder/backfill_queue.h"
#include "recorder/contract_registry.h"
#include "recorder/gap_fill.h"
#include "recorder/pacer_state.h"
#include "recorder/stream_session.h"

namespace ibstream::recorder {

namespace {

BackfillJob::NextTradingTime NextTradingFor(
    std::shared_ptr<const calendar::MarketCalendar> calendar) {
  return [calendar = std::move(calendar)](TimePoint t) -> std::optional<TimePoint> {
    const calendar::MarketState state = calendar->StateAt(t);
    if (calendar::IsTrading(state.status)) return t;
    return state.next_open;
  };
}

std::shared_ptr<const calendar::MarketCalendar> SharedCalendar(const ContractState& c) {
  return c.shared_calendar ? c.shared_calendar
                           : std::make_shared<const calendar::MarketCalendar>(c.calendar);
}

bool IsOpen(const storage::GapRecord& gap) {
  return gap.state == storage::BackfillState::kPending ||
         gap.state == storage::BackfillState::kPartial;
}

}  // namespace

BackfillRunner::BackfillRunner(LoopContext& ctx, client::EventLoop& loop,
                               ContractRegistry& registry, StreamSession& session,
                               TickFanout& fanout)
    : ctx_(ctx), loop_(loop), registry_(registry), session_(session), fanout_(fanout) {}

void BackfillRunner::OpenGap(const ContractState& c, const StreamKey& key, TimePoint first,
                             TimePoint last, const std::string& cause, TimePoint now) {
  storage::GapRecord gap;
  gap.stream = key;
  gap.start = std::chrono::floor<std::chrono::seconds>(first);
  gap.end = std::chrono::floor<std::chrono::seconds>(last) + std::chrono::seconds(1);
  if (cause != "requested") {
    // The ledger's gaps open at start are backfilled as they are: only the rest is new.
    for (const storage::GapRecord& open : open_at_start_) {
      if (open.stream != key) continue;
      if (open.start <= gap.start && gap.start < open.end) gap.start = open.end;
      if (open.start < gap.end && gap.end <= open.end) gap.end = open.start;
    }
    if (gap.end <= gap.start) {
      spdlog::info("event=gap_already_open stream={} start={} end={} cause={}", ToString(key),
                   FormatIsoUtc(first), FormatIsoUtc(last), cause);
      return;
    }
  }
  ++ctx_.counters.gaps_opened;
  gap.cause = cause;
  gap.state = storage::BackfillState::kPending;
  gap.updated_at = now;
  // The calendar as it is now, shared: the contract may be untracked before the job ends.
  AddToLedger(std::move(gap), SharedCalendar(c), now);
}

void BackfillRunner::AddToLedger(storage::GapRecord gap,
                                 std::shared_ptr<const calendar::MarketCalendar> calendar,
                                 TimePoint now) {
  const uint64_t ticket = ++next_ticket_;
  adding_.emplace(ticket, Adding{gap.stream, ""});
  const Status queued = ctx_.store->async_ledger().AddAsync(
      gap, [this, ticket, gap, calendar](Status status, uint64_t id) {
        // The ledger's thread: over to the loop before touching anything.
        loop_.Post([this, ticket, gap, calendar, status = std::move(status), id] {
          OnGapAdded(ticket, status, id, gap, calendar);
        });
      });
  if (!queued.ok()) {
    adding_.erase(ticket);
    KeepUnrecorded(gap, std::move(calendar), queued, now);
  }
}

void BackfillRunner::KeepUnrecorded(const storage::GapRecord& gap,
                                    std::shared_ptr<const calendar::MarketCalendar> calendar,
                                    const Status& error, TimePoint now) {
  spdlog::error(
      "event=gap_ledger_failed stream={} start={} end={} cause={} error=\"{}\" "
      "action=retried_when_storage_accepts_writes",
      ToString(gap.stream), FormatIsoUtc(gap.start), FormatIsoUtc(gap.end), gap.cause,
      error.ToString());
  ++ctx_.counters.gap_ledger_adds_refused;
  ctx_.core.OnStorageError(error.message(), now);
  unrecorded_.push_back(Unrecorded{gap, std::move(calendar)});
  next_ledger_retry_ = now + kLedgerRetryInterval;
}

void BackfillRunner::RetryUnrecorded(TimePoint now) {
  if (unrecorded_.empty() || now < next_ledger_retry_ || ctx_.store->writer().suspended()) return;
  std::vector<Unrecorded> retry;
  retry.swap(unrecorded_);
  spdlog::info("event=gap_ledger_retry gaps={}", retry.size());
  for (Unrecorded& u : retry) AddToLedger(std::move(u.gap), std::move(u.calendar), now);
}

void BackfillRunner::OnGapAdded(uint64_t ticket, const Status& status, uint64_t gap_id,
                                const storage::GapRecord& gap,
                                std::shared_ptr<const calendar::MarketCalendar> calendar) {
  const TimePoint now = ctx_.clock.Now();
  std::string dropped;
  if (auto it = adding_.find(ticket); it != adding_.end()) {
    dropped = std::move(it->second.dropped);
    adding_.erase(it);
  }
  const StreamKey& key = gap.stream;
  if (!status.ok()) {
    // Not recorded (the disk is full): kept, and added again once storage takes writes. A gap
    // untracked meanwhile is forgotten with its stream.
    if (dropped.empty()) KeepUnrecorded(gap, std::move(calendar), status, now);
    return;
  }
  spdlog::warn("event=gap stream={} start={} end={} cause={} id={}", ToString(key),
               FormatIsoUtc(gap.start), FormatIsoUtc(gap.end), gap.cause, gap_id);
  if (!dropped.empty()) {
    // Untracked while its add was on the way: closed like the queued gaps of that stream.
    UpdateLedger(gap_id, storage::BackfillState::kFailed, dropped, now);
    return;
  }
  ctx_.core.OnGapDetected(key.contract_id, gap.start, gap.end, gap.cause, now);
  if (!ctx_.options.config.backfill.enabled) {
    UpdateLedger(gap_id, storage::BackfillState::kFailed, "backfill disabled", now);
    return;
  }
  auto next_trading = NextTradingFor(std::move(calendar));
  // A stream with another gap a moment ago is flapping: the next gaps may join this one.
  TimePoint due = now;
  if (auto last = last_gap_at_.find(key);
      last != last_gap_at_.end() && now - last->second < kFlapWindow) {
    due = now + kCoalesceDelay;
  }
  last_gap_at_[key] = now;
  NoteQueued(gap_id, now);
  queue_.push_back(PendingBackfill{
      gap_id,
      BackfillJob(key, ToUnixSeconds(gap.start), ToUnixSeconds(gap.end) - 1, next_trading),
      0,
      due,
      next_trading,
      PriorityOf(key.contract_id),
      {},
      false,
      0,
      0,
      false,
      Duration{0}});
}

std::vector<uint64_t> BackfillRunner::GapIds(uint64_t gap_id,
                                             const std::vector<reliability::GapSpan>& gaps) {
  if (gaps.empty()) return {gap_id};
  std::vector<uint64_t> ids;
  for (const reliability::GapSpan& g : gaps) ids.push_back(g.id);
  return ids;
}

void BackfillRunner::CoalesceFront(TimePoint now) {
  PendingBackfill& front = queue_.front();
  if (front.started || front.retries > 0 || !front.gaps.empty()) return;
  const StreamKey key = front.job.stream();
  const auto rate = tick_rate_.find(key);
  if (rate == tick_rate_.end()) return;
  std::vector<reliability::GapSpan> spans = {
      {front.gap_id, front.job.first_second(), front.job.last_second()}};
  for (size_t i = 1; i < queue_.size(); ++i) {
    const PendingBackfill& p = queue_[i];
    if (p.job.stream() != key || p.started || p.retries > 0 || !p.gaps.empty()) continue;
    spans.push_back({p.gap_id, p.job.first_second(), p.job.last_second()});
  }
  if (spans.size() < 2) return;
  for (const reliability::CoalescedRequest& r : reliability::CoalesceGaps(spans, rate->second)) {
    const bool has_front = std::any_of(r.gaps.begin(), r.gaps.end(),
                                       [&](const auto& g) { return g.id == front.gap_id; });
    if (!has_front || r.gaps.size() < 2) continue;
    std::string ids;
    for (const reliability::GapSpan& g : r.gaps) {
      ids += (ids.empty() ? "" : ",") + std::to_string(g.id);
      if (g.id == front.gap_id) continue;
      for (size_t i = 1; i < queue_.size(); ++i) {
        if (queue_[i].gap_id != g.id) continue;
        queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
    PendingBackfill& merged = queue_.front();  // still the front: only later entries went
    merged.job = BackfillJob(key, r.first_second, r.last_second, merged.next_trading);
    merged.gaps = r.gaps;
    merged.not_before = std::min(merged.not_before, now);
    spdlog::info("event=backfill_coalesced stream={} gaps={} from={} to={} ticks_per_second={:.1f}",
                 ToString(key), ids, FormatIsoUtc(FromUnixSeconds(r.first_second)),
                 FormatIsoUtc(FromUnixSeconds(r.last_second)), rate->second);
    return;
  }
}

int BackfillRunner::PriorityOf(int64_t contract_id) {
  const ContractState* c = registry_.Find(contract_id);
  return c ? c->config.priority : config::ContractConfig{}.priority;
}

void BackfillRunner::UpdateLedger(uint64_t gap_id, storage::BackfillState state, std::string reason,
                                  TimePoint now, std::optional<storage::GapFill> fill) {
  const Status queued = ctx_.store->async_ledger().UpdateAsync(
      gap_id, state, std::move(reason), now, std::nullopt,
      [](Status status, uint64_t id) {
        // The ledger's thread; touches no recorder state.
        if (!status.ok()) {
          spdlog::error("event=gap_ledger_failed gap={} error=\"{}\"", id, status.ToString());
        }
      },
      fill);
  if (!queued.ok()) {
    spdlog::error("event=gap_ledger_failed gap={} error=\"{}\"", gap_id, queued.ToString());
  }
}

void BackfillRunner::Resume(const std::vector<storage::GapRecord>& ledger, TimePoint now) {
  const std::string path = PacerStatePath(ctx_.options.config.storage.path);
  auto sends = ReadPacerState(ctx_.fs, path);
  if (sends.ok()) {
    std::vector<std::pair<TimePoint, int>> restored;
    for (const PacerSend& s : *sends) restored.emplace_back(s.at, s.weight);
    pacer_.Restore(restored);
    spdlog::info("event=pacer_restored requests={} in_window={}", restored.size(),
                 pacer_.WeightInWindow(now));
  } else {
    // Unknown: IB may have counted up to a full window of requests just before the restart.
    ++ctx_.counters.pacer_state_damaged;
    spdlog::error("event=pacer_state_damaged path={} error=\"{}\" assumed=budget_spent_until_{}",
                  path, sends.status().ToString(), FormatIsoUtc(now + std::chrono::minutes(10)));
    pacer_.AssumeSpent(now);
  }
  for (const storage::GapRecord& gap : ledger) {
    if (!IsOpen(gap)) continue;
    open_at_start_.push_back(gap);
    if (!ctx_.options.config.backfill.enabled) continue;
    // Read now, before the loop runs: the loop never waits on a query of the store.
    cursors_[gap.id] = BackfillCursor(*ctx_.store, gap);
    resuming_.push_back(gap);
  }
  if (!resuming_.empty()) spdlog::info("event=backfill_resume_open_gaps gaps={}", resuming_.size());
}

void BackfillRunner::Retry(const storage::GapRecord& gap, TimePoint now) {
  const auto same = [&gap](uint64_t id) { return id == gap.id; };
  for (const auto& p : queue_) {
    for (uint64_t id : GapIds(p.gap_id, p.gaps)) {
      if (same(id)) return;
    }
  }
  for (const auto& p : parked_) {
    for (uint64_t id : GapIds(p.gap_id, p.gaps)) {
      if (same(id)) return;
    }
  }
  for (const auto& g : resuming_) {
    if (same(g.id)) return;
  }
  spdlog::info("event=backfill_retry_requested gap={} stream={} state={}", gap.id,
               ToString(gap.stream), storage::BackfillStateName(gap.state));
  UpdateLedger(gap.id, storage::BackfillState::kPending, "retry requested", now);
  resuming_.push_back(gap);
  AdoptResumed(now);
}

void BackfillRunner::AdoptResumed(TimePoint now) {
  for (size_t i = 0; i < resuming_.size();) {
    const storage::GapRecord& gap = resuming_[i];
    const ContractState* c = registry_.Find(gap.stream.contract_id);
    if (!c || !c->details) {
      ++i;
      continue;
    }
    spdlog::info("event=backfill_resumed gap={} stream={} start={} end={} state={}", gap.id,
                 ToString(gap.stream), FormatIsoUtc(gap.start), FormatIsoUtc(gap.end),
                 storage::BackfillStateName(gap.state));
    auto next_trading = NextTradingFor(SharedCalendar(*c));
    // After what an earlier run of this gap already stored (backfill_cursor.h).
    auto known = cursors_.find(gap.id);
    const int64_t cursor =
        known != cursors_.end() ? known->second : BackfillCursor(*ctx_.store, gap);
    if (known != cursors_.end()) cursors_.erase(known);
    NoteQueued(gap.id, now);
    queue_.push_back(
        PendingBackfill{gap.id,
                        BackfillJob(gap.stream, cursor, ToUnixSeconds(gap.end) - 1, next_trading),
                        0,
                        now,
                        next_trading,
                        c->config.priority,
                        {},
                        false,
                        0,
                        0,
                        false,
                        Duration{0}});
    resuming_.erase(resuming_.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

void BackfillRunner::RecordSent(const HistoricalRequestKey& key, TimePoint now) {
  pacer_.RecordSent(key, now);
  std::vector<PacerSend> sends;
  for (const auto& [at, weight] : pacer_.RecentSends(now)) sends.push_back(PacerSend{at, weight});
  const Status posted =
      pacer_writer_.Post([fs = ctx_.fs, path = PacerStatePath(ctx_.options.config.storage.path),
                          sends = std::move(sends)] {
        const Status written = WritePacerState(fs, path, sends);
        if (!written.ok()) {
          spdlog::error("event=pacer_state_write_failed error=\"{}\"", written.ToString());
        }
      });
  if (!posted.ok()) {
    spdlog::warn("event=pacer_state_write_skipped error=\"{}\"", posted.ToString());
  }
}

void BackfillRunner::Step(TimePoint now) {
  if (!resuming_.empty()) AdoptResumed(now);
  RetryUnrecorded(now);
  if (!parked_.empty() && !ctx_.store->writer().suspended()) OnStorageResumed(now);
  if (in_flight_ && now - sent_at_ > ctx_.options.backfill_request_timeout && !queue_.empty()) {
    // IB may never answer a historical request (HMDS farm down, competing session): give up on
    // this page, ignore a late answer (its token is stale) and ask again later.
    spdlog::warn("event=backfill_timeout gap={} stream={}", queue_.front().gap_id,
                 ToString(queue_.front().job.stream()));
    in_flight_ = false;
    ++token_;
    OnPageFailed(
        reliability::BackfillFailure{reliability::BackfillFailureKind::kTimeout, std::nullopt,
                                     session_.connected(), queue_.front().retries, now, ""},
        "no answer to a history request", now);
  }
  if (!session_.connected() || in_flight_ || queue_.empty()) return;
  // A job waiting out its backoff (or the pacer) does not hold up the others; among the due ones
  // the best priority goes first.
  if (!BringNextToFront(queue_, now)) return;
  CoalesceFront(now);
  PendingBackfill& p = queue_.front();
  auto page = p.job.NextPage();
  ContractState* c = registry_.Find(p.job.stream().contract_id);
  if (!page || !c) {
    Finish(now);
    return;
  }
  HistoricalRequestKey key{c->contract_id, page->what_to_show, IbUtcDateTime(page->start_second),
                           "", page->number_of_ticks};
  const TimePoint earliest = pacer_.EarliestSend(key, now);
  if (earliest > now) {
    p.not_before = earliest;
    return;
  }
  RecordSent(key, now);
  p.started = true;
  ++p.requests;
  p.bid_ask = page->what_to_show == "BID_ASK";
  in_flight_ = true;
  sent_at_ = now;
  ++ctx_.counters.backfill_requests;
  client::HistoricalTicksQuery query;
  query.contract = c->request;
  query.type = p.job.stream().type;
  query.start_date_time = key.start;
  query.number_of_ticks = page->number_of_ticks;
  const uint64_t gap_id = p.gap_id;
  const uint64_t token = ++token_;
  session_.client()->RequestHistoricalTicks(
      query, [this, gap_id, token](Result<std::vector<Tick>> result) {
        OnPage(gap_id, token, std::move(result));
      });
}

void BackfillRunner::Drop(const std::function<bool(const StreamKey&)>& match,
                          const std::string& reason, TimePoint now) {
  for (size_t i = resuming_.size(); i-- > 0;) {
    if (!match(resuming_[i].stream)) continue;
    UpdateLedger(resuming_[i].id, storage::BackfillState::kFailed, reason, now);
    resuming_.erase(resuming_.begin() + static_cast<std::ptrdiff_t>(i));
  }
  for (auto& [ticket, adding] : adding_) {
    if (adding.dropped.empty() && match(adding.stream)) adding.dropped = reason;
  }
  std::erase_if(unrecorded_, [&](const Unrecorded& u) { return match(u.gap.stream); });
  for (size_t i = parked_.size(); i-- > 0;) {
    if (!match(parked_[i].stream)) continue;
    for (uint64_t id : GapIds(parked_[i].gap_id, parked_[i].gaps)) {
      UpdateLedger(id, storage::BackfillState::kFailed, reason, now);
      queued_at_.erase(id);
    }
    parked_.erase(parked_.begin() + static_cast<std::ptrdiff_t>(i));
  }
  for (size_t i = queue_.size(); i-- > 0;) {
    if (!match(queue_[i].job.stream())) continue;
    if (i == 0 && in_flight_) {
      in_flight_ = false;
      ++token_;  // its answer, if it comes, is ignored
    }
    for (uint64_t id : GapIds(queue_[i].gap_id, queue_[i].gaps)) {
      UpdateLedger(id, storage::BackfillState::kFailed, reason, now);
      queued_at_.erase(id);
    }
    queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

void BackfillRunner::OnPage(uint64_t gap_id, uint64_t token, Result<std::vector<Tick>> result) {
  const TimePoint now = ctx_.clock.Now();
  if (token != token_) return;  // the answer to a request already given up on
  in_flight_ = false;
  if (queue_.empty() || queue_.front().gap_id != gap_id) return;
  PendingBackfill& p = queue_.front();
  if (!result.ok()) {
    const std::string message(result.status().message());
    OnPageFailed(reliability::BackfillFailure{reliability::BackfillFailureKind::kError,
                                              client::IbErrorCode(result.status()),
                                              session_.connected(), p.retries, now, message},
                 message, now);
    return;
  }
  p.retries = 0;  // the backoff counts failures in a row
  ++p.answered;
  if (const Duration round_trip = now - sent_at_;
      round_trip > Duration{0} && (p.round_trip == Duration{0} || round_trip < p.round_trip)) {
    p.round_trip = round_trip;
  }
  const StreamKey key = p.job.stream();
  if (result->size() >= 2) {
    // The stream's tick rate, for coalescing its next gaps.
    const int64_t span = ToUnixSeconds(result->back().exchange_time) -
                         ToUnixSeconds(result->front().exchange_time) + 1;
    if (span > 0) tick_rate_[key] = static_cast<double>(result->size()) / static_cast<double>(span);
  }
  std::vector<Tick> keep = p.job.OnPage(*result);  // unreported trades already left out of Last
  if (!p.gaps.empty()) {
    // A coalesced request: the stretches between its gaps were recorded live.
    std::erase_if(keep, [&p](const Tick& t) {
      const int64_t second = ToUnixSeconds(t.exchange_time);
      return std::none_of(p.gaps.begin(), p.gaps.end(), [second](const reliability::GapSpan& g) {
        return g.first_second <= second && second <= g.last_second;
      });
    });
  }
  StreamState* s = registry_.FindStream(key);
  for (Tick& t : keep) {
    t.contract_id = key.contract_id;
    t.type = key.type;
    t.source = TickSource::kBackfill;
    t.receive_time = now;
    // A page arrives at one instant: without its own sequence number, two identical trades or
    // quotes of one second would be bit-identical records, which queries return once.
    // A stream no longer recorded by this route (moved to the fallback, untracked) still gets
    // distinct numbers.
    t.sequence = s ? ++s->sequence : ++detached_sequence_;
    const bool stored = ctx_.store->writer().Append(t).ok();
    fanout_.Publish(t, stored ? TickOrigin::kBackfilled : TickOrigin::kRefused);
    if (!stored) {
      // Not durable: the rest of the page would be refused as well; all of it is asked again.
      ++ctx_.counters.backfill_ticks_refused;
      Park(ToUnixSeconds(t.exchange_time), now);
      return;
    }
    ++ctx_.counters.ticks_backfilled;
    if (s) ++s->backfilled;
  }
  if (p.job.state() != storage::BackfillState::kPending) Finish(now);
}

void BackfillRunner::Park(int64_t refused_second, TimePoint now) {
  PendingBackfill& p = queue_.front();
  const int64_t resume = std::max(refused_second, p.job.first_second());
  std::string reason = "storage refused backfilled ticks from " +
                       FormatIsoUtc(FromUnixSeconds(resume)) +
                       "; retried when storage accepts writes";
  spdlog::warn("event=backfill_parked gap={} stream={} reason=\"{}\"", p.gap_id,
               ToString(p.job.stream()), reason);
  for (uint64_t id : GapIds(p.gap_id, p.gaps)) {
    UpdateLedger(id, storage::BackfillState::kPending, reason, now);
  }
  parked_.push_back(Parked{p.gap_id, p.job.stream(), resume, p.job.last_second(),
                           std::move(p.next_trading), std::move(p.gaps), p.requests, p.answered,
                           p.round_trip});
  queue_.pop_front();
}

void BackfillRunner::OnStorageResumed(TimePoint now) {
  for (Parked& parked : parked_) {
    spdlog::info("event=backfill_resumed gap={} stream={} from={}", parked.gap_id,
                 ToString(parked.stream), FormatIsoUtc(FromUnixSeconds(parked.resume_second)));
    queue_.push_back(PendingBackfill{
        parked.gap_id,
        BackfillJob(parked.stream, parked.resume_second, parked.last_second, parked.next_trading),
        0, now, parked.next_trading, PriorityOf(parked.stream.contract_id), parked.gaps, false,
        parked.requests, parked.answered, false, parked.round_trip});
  }
  parked_.clear();
}

void BackfillRunner::OnPageFailed(const reliability::BackfillFailure& failure,
                                  const std::string& message, TimePoint now) {
  PendingBackfill& p = queue_.front();
  const reliability::BackfillRetryDecision decision =
      reliability::DecideBackfillRetry(failure, ctx_.options.backfill_retry);
  const std::string_view why = reliability::BackfillRetryReasonName(decision.reason);
  if (decision.retry) {
    if (decision.uses_retry) ++p.retries;  // the pacer spaces the retry as well
    p.not_before = decision.retry_at;
    ++ctx_.counters.backfill_retries;
    spdlog::warn("event=backfill_retry gap={} stream={} reason={} retries={} at={} error=\"{}\"",
                 p.gap_id, ToString(p.job.stream()), why, p.retries,
                 FormatIsoUtc(decision.retry_at), message);
    return;
  }
  // Only a permanent cause ends the gap: the ledger names it.
  p.job.OnError(std::string(why) + ": " + message);
  Finish(now);
}

void BackfillRunner::NoteQueued(uint64_t gap_id, TimePoint now) { queued_at_.emplace(gap_id, now); }

reliability::GapFillTiming BackfillRunner::FillTimingOf(const PendingBackfill& p, uint64_t id,
                                                        TimePoint now) const {
  reliability::GapFillTiming fill;
  fill.filled_at = now;
  fill.requests = p.requests;
  fill.requests_needed = p.answered;
  fill.pacing_minimum = reliability::MinimumPacedDuration(pacer_.limits(), p.answered, p.bid_ask);
  fill.round_trip = p.round_trip;
  const auto queued = queued_at_.find(id);
  fill.queued_at = queued != queued_at_.end() ? queued->second : now;
  return fill;
}

void BackfillRunner::RecordFill(const PendingBackfill& p, uint64_t id,
                                const reliability::GapFillTiming& fill) {
  const std::optional<double> ratio = fill.ratio_to_minimum();
  spdlog::info(
      "event=gap_filled gap={} stream={} time_to_fill_seconds={:.1f} requests={} "
      "requests_needed={} pacing_minimum_seconds={:.1f} round_trip_seconds={:.3f} "
      "least_time_seconds={:.1f} ratio_to_minimum={}",
      id, ToString(p.job.stream()), std::chrono::duration<double>(fill.time_to_fill()).count(),
      fill.requests, fill.requests_needed,
      std::chrono::duration<double>(fill.pacing_minimum).count(),
      std::chrono::duration<double>(fill.round_trip).count(),
      std::chrono::duration<double>(fill.least_time()).count(),
      ratio ? fmt::format("{:.2f}", *ratio) : std::string("none"));
  ctx_.counters.fill_time.Observe(fill);
  ctx_.gap_fills[id] = fill;
  while (ctx_.gap_fills.size() > LoopContext::kMaxGapFills) {
    ctx_.gap_fills.erase(ctx_.gap_fills.begin());
  }
}

void BackfillRunner::Finish(TimePoint now) {
  PendingBackfill& p = queue_.front();
  storage::BackfillState state = p.job.state();
  std::string reason = p.job.reason();
  if (state == storage::BackfillState::kPending) {
    state = storage::BackfillState::kFailed;
    reason = "contract no longer tracked";
  }
  for (uint64_t id : GapIds(p.gap_id, p.gaps)) {
    std::optional<storage::GapFill> stored_fill;
    if (state == storage::BackfillState::kFilled) {
      const reliability::GapFillTiming fill = FillTimingOf(p, id, now);
      RecordFill(p, id, fill);
      stored_fill = LedgerFill(fill);
    }
    UpdateLedger(id, state, reason, now, stored_fill);
    queued_at_.erase(id);
  }
  spdlog::info(
      "event=backfill_done gap={} stream={} state={} ticks={} pages={} coalesced_gaps={} "
      "reason=\"{}\"",
      p.gap_id, ToString(p.job.stream()), storage::BackfillStateName(state), p.job.ticks_kept(),
      p.job.pages_received(), p.gaps.size(), reason);
  if (state == storage::BackfillState::kFailed || state == storage::BackfillState::kPartial) {
    ++ctx_.counters.backfill_failures;
    ctx_.core.OnBackfillFailed(p.job.stream().contract_id, reason, now);
  }
  queue_.pop_front();
}

}  // namespace ibstream::recorder
