#include "recorder/depth_recorder.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "client/client.h"
#include "client/events.h"
#include "recorder/contract_registry.h"
#include "recorder/options_mapping.h"
#include "recorder/stream_session.h"
#include "reliability/ib_error_class.h"
#include "storage/store.h"

namespace ibstream::recorder {
namespace {

// IB's codes for depth requests (docs/IB-LIMITS.md): 309 the depth allowance is used up; 317 the
// book was reset (empty it before applying what follows).
constexpr int kDepthLimitCode = 309;
constexpr int kDepthResetCode = 317;
// 10092: deep market data is not supported for this contract (or exchange combination).
constexpr int kDepthNotSupportedCode = 10092;
// An errored depth request is asked again this long after the error.
constexpr Duration kRetryAfterError = std::chrono::minutes(1);

std::string Who(const reliability::WantedDepth& w) {
  return w.symbol.empty() ? std::to_string(w.contract_id) : w.symbol;
}

}  // namespace

DepthRecorder::DepthRecorder(LoopContext& ctx, ContractRegistry& registry, StreamSession& session,
                             TickFanout& fanout)
    : ctx_(ctx), registry_(registry), session_(session), fanout_(fanout) {}

reliability::DepthPlan DepthRecorder::PlanNow() const {
  std::vector<reliability::WantedDepth> wanted;
  int order = 0;
  for (const auto& c : registry_.contracts()) {
    ++order;
    if (c->config.depth_rows <= 0) continue;
    if (c->contract_id == 0 || !c->details) continue;  // planned once resolved
    reliability::WantedDepth w;
    w.contract_id = c->contract_id;
    w.rows = c->config.depth_rows;
    w.smart = c->config.smart_depth;
    w.priority = c->config.priority;
    w.config_order = order;
    w.symbol = c->config.symbol;
    wanted.push_back(std::move(w));
  }
  return reliability::PlanDepth(std::move(wanted), ctx_.options.config.gateway.market_depth_limit);
}

void DepthRecorder::Evaluate(TimePoint now) {
  if (ctx_.stopping || ctx_.store == nullptr) return;
  reliability::DepthPlan next = PlanNow();
  for (const reliability::DepthStep& step : reliability::DiffDepthPlans(plan_, next)) {
    if (step.kind == reliability::DepthStepKind::kStopDepth) {
      auto it = subscriptions_.find(step.contract_id);
      if (it == subscriptions_.end()) continue;
      Cancel(it->second);
      ctx_.core.UnwatchStream(StreamKey{step.contract_id, TickType::kDepth});
      spdlog::info("event=depth_stopped contract_id={}", step.contract_id);
      subscriptions_.erase(it);
    } else {
      Subscription& s = subscriptions_[step.contract_id];
      s.wanted = next.Find(step.contract_id)->wanted;
      s.status.contract_id = step.contract_id;
      s.status.symbol = s.wanted.symbol;
      s.status.granted = true;
      // Its silence while the market trades is judged like any stream's (data_stale_during_
      // trading names `depth`); restoring it stays here.
      if (const ContractState* c = registry_.Find(step.contract_id)) {
        ctx_.core.WatchStream(StreamKey{step.contract_id, TickType::kDepth},
                              ContractOptionsFrom(c->config), now);
      }
    }
  }
  plan_ = std::move(next);
  LogRefusals();

  const bool connected = session_.connected() && session_.client() != nullptr;
  for (auto& [id, s] : subscriptions_) {
    if (s.req_id != 0 && (!connected || s.connection != session_.connections())) {
      // The connection that carried it is gone: the gateway dropped the request with it. Its
      // silence began earlier when IB reported connectivity lost (1100) while it ran and the
      // connection went before IB restored it (1101 or 1102): nothing came since the 1100.
      const TimePoint down_at = session_.last_down_at().value_or(now);
      const std::optional<TimePoint> lost_at = session_.connectivity_lost_at();
      const std::optional<TimePoint> kept_at = session_.restored_data_kept_at();
      const bool silent_since_1100 = lost_at && *lost_at >= s.started_at && *lost_at <= down_at &&
                                     !(kept_at && *kept_at >= *lost_at);
      if (silent_since_1100) {
        Lost(s, *lost_at,
             std::string(client::NoticeKindName(client::NoticeKind::kConnectivityLost)));
      } else {
        Lost(s, down_at, "disconnect");
      }
    } else if (s.req_id != 0 && s.data_losses != session_.data_losses()) {
      // IB's 1101: the request is gone although the connection stayed up; nothing came since
      // IB reported connectivity lost (1100).
      TimePoint since = now;
      const std::optional<TimePoint> lost_at = session_.connectivity_lost_at();
      if (lost_at && *lost_at >= s.started_at) since = *lost_at;
      Lost(s, since, "restored_data_lost");
    } else if (s.req_id != 0 && s.data_kept != session_.data_kept_restorations()) {
      // IB's 1102: the request kept running, but nothing came since the 1100. Only a 1100 that
      // came while this request ran left a silence in its book; the request goes on.
      s.data_kept = session_.data_kept_restorations();
      const std::optional<TimePoint> lost_at = session_.connectivity_lost_at();
      if (lost_at && *lost_at >= s.started_at) {
        s.interrupted_since = *lost_at;
        s.interruption_cause =
            std::string(client::NoticeKindName(client::NoticeKind::kConnectivityLost));
        RecordGap(s, session_.restored_data_kept_at().value_or(now), now);
      }
    }
    if (!connected || s.req_id != 0) continue;
    if (s.retry_at && now < *s.retry_at) continue;
    const ContractState* c = registry_.Find(id);
    if (c == nullptr || !c->details) continue;
    Start(s, now);
  }
}

void DepthRecorder::Start(Subscription& s, TimePoint now) {
  const ContractState* c = registry_.Find(s.wanted.contract_id);
  if (c == nullptr) return;
  const int64_t contract_id = s.wanted.contract_id;
  auto id = std::make_shared<int32_t>(0);
  client::TickHandlers handlers;
  handlers.tick = [this, contract_id, id](const Tick& t) { OnRecord(contract_id, *id, t); };
  handlers.error = [this, contract_id, id](const client::RequestError& e) {
    OnError(contract_id, *id, e.code, e.text);
  };
  // The reset goes first: whatever the store held of this book before no longer counts.
  StoreReset(s, now);
  if (s.interrupted_since) RecordGap(s, now, now);
  *id = session_.client()->SubscribeMarketDepth(c->request, s.wanted.rows, s.wanted.smart,
                                                std::move(handlers));
  s.req_id = *id;
  s.connection = session_.connections();
  s.data_losses = session_.data_losses();
  s.data_kept = session_.data_kept_restorations();
  s.started_at = now;
  s.retry_at.reset();
  s.status.subscribed = true;
  ctx_.core.OnSubscribed(StreamKey{contract_id, TickType::kDepth}, now);
  spdlog::info("event=depth_subscribed contract_id={} symbol={} rows={} smart={} req_id={}",
               contract_id, s.wanted.symbol, s.wanted.rows, s.wanted.smart, s.req_id);
}

void DepthRecorder::Cancel(Subscription& s) {
  if (s.req_id != 0 && session_.connected() && session_.client() != nullptr &&
      s.connection == session_.connections()) {
    session_.client()->CancelMarketDepth(s.req_id);
  }
  s.req_id = 0;
  s.status.subscribed = false;
}

void DepthRecorder::Lost(Subscription& s, TimePoint since, const std::string& cause) {
  s.req_id = 0;
  s.status.subscribed = false;
  if (!s.interrupted_since) {
    s.interrupted_since = since;
    s.interruption_cause = cause;
  }
}

bool DepthRecorder::Store(Subscription& s, Tick& record) {
  record.sequence = ++s.sequence;
  const auto position = ctx_.store->writer().Append(record);
  fanout_.Publish(record, position.ok() ? TickOrigin::kLive : TickOrigin::kRefused);
  if (!position.ok()) {
    ++records_refused_;
    return false;
  }
  ++records_stored_;
  ++s.status.records;
  return true;
}

void DepthRecorder::StoreReset(Subscription& s, TimePoint now) {
  Tick reset;
  reset.contract_id = s.wanted.contract_id;
  reset.type = TickType::kDepth;
  reset.book_operation = BookOperation::kReset;
  reset.exchange_time = now;
  reset.receive_time = now;
  if (Store(s, reset)) ++s.status.resets;
}

void DepthRecorder::OnRecord(int64_t contract_id, int32_t req_id, const Tick& record) {
  auto it = subscriptions_.find(contract_id);
  if (it == subscriptions_.end() || it->second.req_id != req_id || req_id == 0) return;
  scratch_ = record;  // copy-assignment reuses scratch_'s buffers
  scratch_.contract_id = contract_id;
  ctx_.core.OnTick(StreamKey{contract_id, TickType::kDepth}, record.receive_time);
  if (!Store(it->second, scratch_)) {
    // The book is broken from here: the next subscription starts it again with a reset.
    Subscription& s = it->second;
    Cancel(s);
    Lost(s, record.receive_time, "storage_refused");
    s.retry_at = record.receive_time;
  }
}

void DepthRecorder::OnError(int64_t contract_id, int32_t req_id, int code,
                            const std::string& text) {
  auto it = subscriptions_.find(contract_id);
  if (it == subscriptions_.end() || it->second.req_id != req_id || req_id == 0) return;
  Subscription& s = it->second;
  const TimePoint now = ctx_.clock.Now();
  if (code == kDepthResetCode) {
    StoreReset(s, now);
    return;
  }
  const reliability::IbErrorClass error_class = reliability::ClassifyIbError(code);
  const bool ends_request = reliability::IsTerminalForRequest(error_class) ||
                            error_class == reliability::IbErrorClass::kRequestRejected ||
                            code == kDepthNotSupportedCode;
  if (!ends_request) {
    // Notices about the request (IB sends e.g. 2152 with a depth request): data keeps flowing.
    spdlog::info("event=depth_notice contract_id={} code={} text=\"{}\"", contract_id, code, text);
    return;
  }
  s.status.last_error = std::to_string(code) + ": " + text;
  spdlog::warn("event=depth_error contract_id={} symbol={} code={} text=\"{}\"", contract_id,
               s.wanted.symbol, code, text);
  Cancel(s);
  Lost(s, now, "ib_error_" + std::to_string(code));
  s.retry_at = now + kRetryAfterError;
  if (code == kDepthLimitCode) {
    spdlog::warn("event=depth_capacity contract_id={} symbol={} reason=\"IB refused: {}\"",
                 contract_id, s.wanted.symbol, text);
  }
}

void DepthRecorder::RecordGap(Subscription& s, TimePoint end, TimePoint now) {
  storage::GapRecord gap;
  gap.stream = StreamKey{s.wanted.contract_id, TickType::kDepth};
  gap.start = *s.interrupted_since;
  gap.end = std::max(end, gap.start);
  gap.cause = s.interruption_cause;
  gap.state = storage::BackfillState::kFailed;
  gap.reason = std::string(kNoHistoryForDepth);
  gap.updated_at = now;
  s.interrupted_since.reset();
  s.interruption_cause.clear();
  ++s.status.gaps;
  spdlog::warn(
      "event=depth_gap contract_id={} symbol={} start={} end={} cause={} state=failed "
      "reason={}",
      gap.stream.contract_id, s.wanted.symbol, FormatIsoUtc(gap.start), FormatIsoUtc(gap.end),
      gap.cause, gap.reason);
  const Status accepted =
      ctx_.store->async_ledger().AddAsync(std::move(gap), [](Status status, uint64_t) {
        if (!status.ok()) {
          spdlog::error("event=depth_gap_not_recorded error=\"{}\"", status.ToString());
        }
      });
  if (!accepted.ok()) {
    spdlog::error("event=depth_gap_not_recorded error=\"{}\"", accepted.ToString());
  }
}

void DepthRecorder::LogRefusals() {
  std::vector<std::string> refusals;
  for (const reliability::PlannedDepth& p : plan_.Refused()) {
    refusals.push_back(reliability::RefusedDepthText(p));
  }
  if (refusals == logged_refusals_) return;
  for (const std::string& text : refusals) {
    spdlog::warn("event=depth_capacity refused=\"{}\" limit={}", text, plan_.limit);
  }
  logged_refusals_ = std::move(refusals);
}

std::vector<DepthView> DepthRecorder::Statuses() const {
  std::vector<DepthView> out;
  for (const reliability::PlannedDepth& p : plan_.contracts) {
    auto it = subscriptions_.find(p.wanted.contract_id);
    DepthView status = it != subscriptions_.end() ? it->second.status : DepthView{};
    status.contract_id = p.wanted.contract_id;
    status.symbol = Who(p.wanted);
    status.granted = p.granted;
    status.reason = p.reason;
    out.push_back(std::move(status));
  }
  return out;
}

}  // namespace ibstream::recorder
