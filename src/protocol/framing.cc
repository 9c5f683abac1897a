#include "protocol/framing.h"

#include <algorithm>
#include <cstring>

namespace ibstream::protocol {

void AppendLengthPrefix(uint32_t payload_length, std::string& out) {
  out += static_cast<char>((payload_length >> 24) & 0xFF);
  out += static_cast<char>((payload_length >> 16) & 0xFF);
  out += static_cast<char>((payload_length >> 8) & 0xFF);
  out += static_cast<char>(payload_length & 0xFF);
}

void AppendFrame(std::string_view payload, std::string& out) {
  AppendLengthPrefix(static_cast<uint32_t>(payload.size()), out);
  out.append(payload);
}

FrameReader::FrameReader(ProtocolCounters* counters, uint32_t max_payload)
    : counters_(counters), max_payload_(max_payload) {}

void FrameReader::ExpectApiPrefix() { expect_prefix_ = true; }

std::span<char> FrameReader::WritableSpan(size_t min_size) {
  if (begin_ == end_) begin_ = end_ = 0;
  if (buffer_.size() - end_ < min_size) {
    // Move the unconsumed tail (at most one partial frame) to the front, then grow if needed.
    if (begin_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (buffer_.size() - end_ < min_size) {
      buffer_.resize(std::max(end_ + min_size, buffer_.size() * 2));
    }
  }
  return {buffer_.data() + end_, buffer_.size() - end_};
}

void FrameReader::Commit(size_t bytes_written) {
  IBSTREAM_CHECK(bytes_written <= buffer_.size() - end_, "FrameReader::Commit past the span");
  end_ += bytes_written;
}

void FrameReader::Append(std::string_view bytes) {
  if (bytes.empty()) return;
  std::span<char> span = WritableSpan(bytes.size());
  std::memcpy(span.data(), bytes.data(), bytes.size());
  Commit(bytes.size());
}

Result<std::optional<std::string_view>> FrameReader::Next() {
  if (!error_.ok()) return error_;
  if (begin_ == end_) return std::optional<std::string_view>();
  const char* data = buffer_.data() + begin_;
  const size_t available = end_ - begin_;
  if (expect_prefix_) {
    const size_t n = std::min(available, kApiPrefix.size());
    if (std::memcmp(data, kApiPrefix.data(), n) != 0) {
      error_ = ParseError("client hello does not start with \"API\\0\"");
      if (counters_ != nullptr) ++counters_->error(DecodeErrorKind::kBadHello);
      return error_;
    }
    if (n < kApiPrefix.size()) return std::optional<std::string_view>();
    begin_ += kApiPrefix.size();
    expect_prefix_ = false;
    return Next();
  }
  if (available < 4) return std::optional<std::string_view>();
  const auto* bytes = reinterpret_cast<const unsigned char*>(data);
  const uint32_t length = (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) |
                          (uint32_t{bytes[2]} << 8) | uint32_t{bytes[3]};
  if (length == 0 || length > max_payload_) {
    error_ = ParseError("bad frame length " + std::to_string(length) + " (allowed 1.." +
                        std::to_string(max_payload_) + ")");
    if (counters_ != nullptr) ++counters_->error(DecodeErrorKind::kBadFrameLength);
    return error_;
  }
  if (available - 4 < length) return std::optional<std::string_view>();
  begin_ += 4 + length;
  if (counters_ != nullptr) ++counters_->frames_read;
  return std::optional<std::string_view>(std::string_view(data + 4, length));
}

}  // namespace ibstream::protocol
