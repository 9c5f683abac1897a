#include "http/sse_session.h"

#include <algorithm>
#include <utility>

#include "http/recorder_api.h"
#include "http/sse_json.h"

namespace ibstream::http {

SseSession::SseSession(std::shared_ptr<ApiState> state, std::shared_ptr<SseSink> sink,
                       int64_t contract_id, std::map<TickType, std::string> stream_ids,
                       std::optional<int64_t> limit)
    : state_(std::move(state)),
      sink_(std::move(sink)),
      contract_id_(contract_id),
      stream_ids_(std::move(stream_ids)),
      limit_(limit),
      started_(state_->source->Now()) {}

std::string SseSession::StreamId(TickType type) const {
  auto it = stream_ids_.find(type);
  return it != stream_ids_.end() ? it->second : stream_ids_.begin()->second;
}

bool SseSession::PushEvent(std::string_view type, std::string_view stream_id, const Json& data) {
  std::lock_guard lock(mu_);
  if (finished_) return false;
  return PushLocked(type, Envelope(type, stream_id, state_->source->Now(), PythonJson(data)));
}

std::string_view SseSession::LiveMetadata(const Tick& tick) {
  return tick.source == TickSource::kBackfill ? "{\"backfill\": true}" : std::string_view();
}

bool SseSession::OnLive(const Tick& tick) {
  std::lock_guard lock(mu_);
  if (finished_) return false;
  // A live tick the buffer replay already sent is not sent again.
  if (auto it = last_replayed_.find(tick.type); it != last_replayed_.end() &&
                                                tick.source == TickSource::kLive &&
                                                tick.sequence <= it->second) {
    return true;
  }
  if (replaying_) {
    if (pending_.size() >= state_->options.max_pending_live_ticks) {
      ErrorLocked("BUFFER_ERROR", "the client did not keep up with the buffer replay");
      return false;
    }
    pending_.push_back(tick);
    return true;
  }
  return EmitLocked(tick, LiveMetadata(tick));
}

bool SseSession::OnReplayed(const Tick& tick, size_t index, size_t total) {
  std::lock_guard lock(mu_);
  if (finished_) return false;
  uint64_t& last = last_replayed_[tick.type];
  last = std::max(last, tick.sequence);
  std::string metadata = "{\"historical\": true, \"buffer_index\": " + std::to_string(index) +
                         ", \"buffer_total\": " + std::to_string(total) + "}";
  return EmitLocked(tick, metadata);
}

void SseSession::StartReplay() {
  std::lock_guard lock(mu_);
  replaying_ = true;
}

bool SseSession::FinishReplay() {
  std::lock_guard lock(mu_);
  replaying_ = false;
  while (!pending_.empty() && !finished_) {
    const Tick tick = pending_.front();
    pending_.pop_front();
    auto it = last_replayed_.find(tick.type);
    if (tick.source == TickSource::kLive && it != last_replayed_.end() &&
        tick.sequence <= it->second) {
      continue;
    }
    if (!EmitLocked(tick, LiveMetadata(tick))) break;
  }
  pending_.clear();
  return !finished_;
}

void SseSession::Finish(std::string_view reason) {
  {
    std::lock_guard lock(mu_);
    FinishLocked(reason);
  }
  state_->source->Unsubscribe(fanout_id.load());
}

void SseSession::Error(std::string_view code, std::string_view message) {
  {
    std::lock_guard lock(mu_);
    ErrorLocked(code, message);
  }
  state_->source->Unsubscribe(fanout_id.load());
}

void SseSession::OnClientGone() {
  {
    std::lock_guard lock(mu_);
    finished_ = true;
    pending_.clear();
  }
  state_->source->Unsubscribe(fanout_id.load());
}

bool SseSession::finished() {
  std::lock_guard lock(mu_);
  return finished_;
}

bool SseSession::PushLocked(std::string_view type, const std::string& envelope) {
  if (!sink_->Push(FormatSseEvent(type, envelope))) {
    if (!finished_ && sink_->overflowed()) state_->sse_dropped.fetch_add(1);
    finished_ = true;
    return false;
  }
  return true;
}

bool SseSession::EmitLocked(const Tick& tick, std::string_view metadata) {
  const std::string envelope =
      Envelope("tick", StreamId(tick.type), state_->source->Now(), TickDataJson(tick), metadata);
  if (!PushLocked("tick", envelope)) return false;
  ++sent_;
  state_->sse_ticks_sent.fetch_add(1, std::memory_order_relaxed);
  if (limit_ && static_cast<int64_t>(sent_) >= *limit_) {
    FinishLocked("limit_reached");
    return false;
  }
  return true;
}

void SseSession::ErrorLocked(std::string_view code, std::string_view message) {
  if (finished_) return;
  Json data = {{"code", std::string(code)},
               {"message", std::string(message)},
               {"details", {{"contract_id", contract_id_}}},
               {"recoverable", false}};
  PushLocked("error", Envelope("error", MainStreamId(), state_->source->Now(), PythonJson(data)));
  FinishLocked("error");
}

void SseSession::FinishLocked(std::string_view reason) {
  if (finished_) return;
  Json data = {{"reason", std::string(reason)},
               {"total_ticks", sent_},
               {"duration_seconds", Seconds(state_->source->Now() - started_)}};
  // Best effort: a full queue has already closed the sink.
  sink_->Push(FormatSseEvent(
      "complete", Envelope("complete", MainStreamId(), state_->source->Now(), PythonJson(data))));
  finished_ = true;
  pending_.clear();
  sink_->Close();
}

}  // namespace ibstream::http
