// Message framing: 4-byte big-endian length, then that many payload bytes.
//
// FrameReader turns the byte stream of one connection into frame payloads. It accepts any
// split of the stream (one byte at a time, or many frames per read), reuses one buffer (no
// allocation per frame once the buffer has grown to the largest frame seen plus one read), and
// hands out payloads as string_views into that buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "protocol/constants.h"
#include "protocol/counters.h"

namespace ibstream::protocol {

// Appends the 4-byte big-endian length prefix of a `payload_length`-byte payload.
void AppendLengthPrefix(uint32_t payload_length, std::string& out);
// Appends length prefix + payload (the payload is taken as is).
void AppendFrame(std::string_view payload, std::string& out);

// One connection's incoming byte stream -> frame payloads. Not thread-safe; owned by the thread
// that reads the socket.
//
// Typical loop (the client):
//   auto buf = reader.WritableSpan(64 * 1024);
//   size_t n = socket.read_some(buf);           // any number of bytes
//   reader.Commit(n);
//   while (true) {
//     Result<std::optional<std::string_view>> frame = reader.Next();
//     if (!frame.ok()) { close the connection: the stream is out of sync }
//     if (!frame->has_value()) break;           // need more bytes
//     decode(**frame);                          // valid until the next WritableSpan/Append
//   }
class FrameReader {
 public:
  // `counters`, if not null, must outlive the reader; it counts frames and framing errors.
  // `max_payload` exists so tests can use small limits; the protocol's is kMaxMessageLength.
  explicit FrameReader(ProtocolCounters* counters = nullptr,
                       uint32_t max_payload = kMaxMessageLength);

  FrameReader(const FrameReader&) = delete;
  FrameReader& operator=(const FrameReader&) = delete;

  // Server side: the stream starts with the 4 raw bytes "API\0" before the first frame (the
  // client hello). Call before the first byte arrives. Other bytes there are a kBadHello error.
  void ExpectApiPrefix();

  // A writable region of at least `min_size` bytes at the end of the buffered data; write up to
  // its size, then Commit() what was written. Invalidates views returned by Next().
  std::span<char> WritableSpan(size_t min_size);
  void Commit(size_t bytes_written);
  // Copies `bytes` in (WritableSpan + memcpy + Commit).
  void Append(std::string_view bytes);

  // The next complete payload, or nullopt when more bytes are needed (an empty payload is never
  // returned: length 0 is an error). The view stays valid until the next WritableSpan/Append.
  // Errors (length 0, length > max_payload, bad "API\0" prefix) are sticky: the stream cannot be
  // resynchronised and the connection must be closed.
  Result<std::optional<std::string_view>> Next();

  // Bytes received but not yet returned as frames.
  size_t buffered() const { return end_ - begin_; }
  // Current buffer capacity (for tests of the no-growth claim).
  size_t capacity() const { return buffer_.size(); }
  bool failed() const { return !error_.ok(); }

 private:
  ProtocolCounters* counters_;
  uint32_t max_payload_;
  bool expect_prefix_ = false;
  std::vector<char> buffer_;
  size_t begin_ = 0;  // first unconsumed byte
  size_t end_ = 0;    // one past the last committed byte
  Status error_;
};

}  // namespace ibstream::protocol
