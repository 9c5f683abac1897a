// Client::Impl, transport: reading and dispatching frames, the paced write queue, the liveness
// probe and the published statistics.
#include <algorithm>
#include <mutex>
#include <string>

#include "client/client_impl.h"

namespace ibstream::client {

namespace {

constexpr size_t kReadChunk = 256 * 1024;

DisconnectReason ReasonForReadError(const boost::system::error_code& ec) {
  if (ec == asio::error::eof) return DisconnectReason::kEof;
  if (ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
      ec == asio::error::broken_pipe) {
    return DisconnectReason::kReset;
  }
  return DisconnectReason::kReadError;
}

}  // namespace

void Client::Impl::StartRead() {
  std::span<char> span = reader_->WritableSpan(kReadChunk);
  uint64_t gen = generation_;
  socket_.async_read_some(
      asio::buffer(span.data(), span.size()),
      [self = shared_from_this(), gen](const boost::system::error_code& ec, size_t n) {
        if (gen != self->generation_) return;
        self->OnRead(ec, n);
      });
}

void Client::Impl::OnRead(const boost::system::error_code& ec, size_t n) {
  if (ec) {
    DisconnectReason reason = ReasonForReadError(ec);
    std::string what = reason == DisconnectReason::kEof ? "connection closed by the peer"
                                                        : "read failed: " + ec.message();
    ConnectionFailed(reason, Unavailable(std::move(what)));
    return;
  }
  reader_->Commit(n);
  uint64_t gen = generation_;
  while (!stop_dispatch_ && gen == generation_) {
    Result<std::optional<std::string_view>> frame = reader_->Next();
    if (!frame.ok()) {
      ProtocolFailure(frame.status());
      return;
    }
    if (!frame->has_value()) break;
    std::string_view payload = **frame;
    if (!ack_received_) {
      OnAck(payload);
      continue;
    }
    Status status = decoder_->Decode(payload, *this);
    if (!status.ok()) {
      ProtocolFailure(status);
      return;
    }
  }
  if (gen != generation_ || stop_dispatch_) return;
  PublishStats();
  if (callbacks_.on_read_batch_end) callbacks_.on_read_batch_end();
  if (gen != generation_ || stop_dispatch_) return;
  StartRead();
}

void Client::Impl::ProtocolFailure(const Status& error) {
  ++stats_.protocol_errors;
  PublishStats();
  if (callbacks_.on_protocol_error) {
    callbacks_.on_protocol_error(ProtocolErrorEvent{error, stats_.protocol_errors});
  }
  ConnectionFailed(DisconnectReason::kProtocolError, error);
}

void Client::Impl::Enqueue(std::string bytes, bool paced) {
  outgoing_.push_back(Outgoing{std::move(bytes), paced});
  PumpWrites();
}

void Client::Impl::PumpWrites() {
  if (writing_ || outgoing_.empty()) return;
  if (state_ != State::kHandshaking && state_ != State::kReady) return;
  TimePoint now = clock_.Now();
  while (!outgoing_.empty()) {
    Outgoing& next = outgoing_.front();
    if (next.paced) {
      if (!bucket_.TryTake(now)) break;
      ++stats_.messages_sent;
    }
    write_buffer_ += next.bytes;
    outgoing_.pop_front();
  }
  if (!write_buffer_.empty()) {
    writing_ = true;
    uint64_t gen = generation_;
    asio::async_write(
        socket_, asio::buffer(write_buffer_),
        [self = shared_from_this(), gen](const boost::system::error_code& ec, size_t) {
          if (gen != self->generation_) return;
          self->writing_ = false;
          self->write_buffer_.clear();
          self->PublishStats();
          if (ec) {
            self->ConnectionFailed(DisconnectReason::kWriteError,
                                   Unavailable("write failed: " + ec.message()));
            return;
          }
          self->PumpWrites();
        });
    return;
  }
  if (pace_timer_armed_) return;
  pace_timer_armed_ = true;
  ++stats_.pacing_waits;
  PublishStats();
  Duration wait = bucket_.TimeUntilAvailable(now);
  uint64_t gen = generation_;
  pace_timer_.expires_after(detail::RealDuration(clock_, std::max(wait, Duration(1000))));
  pace_timer_.async_wait([self = shared_from_this(), gen](const boost::system::error_code& ec) {
    if (ec || gen != self->generation_) return;
    self->pace_timer_armed_ = false;
    self->PumpWrites();
  });
}

void Client::Impl::ScheduleProbe() {
  if (options_.probe_interval <= Duration::zero() || state_ != State::kReady) return;
  uint64_t gen = generation_;
  probe_timer_.expires_after(detail::RealDuration(clock_, options_.probe_interval));
  probe_timer_.async_wait([self = shared_from_this(), gen](const boost::system::error_code& ec) {
    if (ec || gen != self->generation_) return;
    self->SendProbe();
  });
}

void Client::Impl::SendProbe() {
  if (state_ != State::kReady || probe_outstanding_) return;
  if (!SendRequest(protocol::ReqCurrentTime{})) return;
  probe_outstanding_ = true;
  ++stats_.probes_sent;
  time_waiters_.push_back(TimeWaiter{true, nullptr, clock_.Now()});
  uint64_t gen = generation_;
  probe_deadline_timer_.expires_after(detail::RealDuration(clock_, options_.probe_deadline));
  probe_deadline_timer_.async_wait(
      [self = shared_from_this(), gen](const boost::system::error_code& ec) {
        if (ec || gen != self->generation_ || !self->probe_outstanding_) return;
        self->Close(DisconnectReason::kProbeTimeout,
                    Timeout("no reply to the liveness probe (reqCurrentTime) within the "
                            "deadline: the connection is half-open"));
      });
}

void Client::Impl::PublishStats() {
  stats_.messages_queued = outgoing_.size();
  protocol::ProtocolCounters merged =
      decoder_ ? decoder_->counters() : protocol::ProtocolCounters();
  merged.frames_read = frame_counters_.frames_read;
  for (size_t i = 0; i < protocol::kDecodeErrorKindCount; ++i) {
    merged.errors[i] += frame_counters_.errors[i];
  }
  // Counters of earlier connections' decoders are folded in when a decoder is replaced.
  for (size_t i = 0; i < protocol::kDecodeErrorKindCount; ++i) {
    merged.errors[i] += earlier_decoders_.errors[i];
  }
  merged.messages_decoded += earlier_decoders_.messages_decoded;
  merged.unknown_ids_skipped += earlier_decoders_.unknown_ids_skipped;
  merged.unknown_tick_types_skipped += earlier_decoders_.unknown_tick_types_skipped;
  stats_.protocol = merged;
  std::lock_guard<std::mutex> lock(stats_mutex_);
  published_stats_ = stats_;
}

ClientStats Client::Impl::stats() const {
  std::lock_guard<std::mutex> lock(stats_mutex_);
  return published_stats_;
}

}  // namespace ibstream::client
