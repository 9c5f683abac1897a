// Counters of what the protocol layer saw: a small value the client exposes as metrics.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ibstream::protocol {

// Why a frame or a message could not be decoded.
enum class DecodeErrorKind : uint8_t {
  kBadFrameLength = 0,  // length prefix 0 or above kMaxMessageLength (connection must close)
  kBadHello,            // client hello: missing "API\0" prefix or unparsable version range
  kBadMessageId,        // field 1 missing or not an integer
  kMissingField,        // the message ended before a required field
  kBadInteger,          // text in an int/long/bool field, or out of range
  kBadDouble,           // text in a double field
  kBadDecimal,          // text in a decimal (size) field
  kBadCount,            // a repeat count that is negative or larger than the message
  kBadValue,            // a field that parsed but is not allowed here
};
inline constexpr size_t kDecodeErrorKindCount = 9;

// Plain counters, updated by FrameReader and the decoders that are given a pointer to them. Not
// thread-safe: owned by the thread that owns the connection; copy it to publish.
struct ProtocolCounters {
  uint64_t frames_read = 0;                 // complete frames handed out by a FrameReader
  uint64_t messages_decoded = 0;            // frames decoded into a known message (handler called)
  uint64_t unknown_ids_skipped = 0;         // frames with a valid but unimplemented message id
  uint64_t unknown_tick_types_skipped = 0;  // TICK_BY_TICK with a tick type other than 0..4
  std::array<uint64_t, kDecodeErrorKindCount> errors{};  // indexed by DecodeErrorKind

  uint64_t& error(DecodeErrorKind kind) { return errors[static_cast<size_t>(kind)]; }
  uint64_t error(DecodeErrorKind kind) const { return errors[static_cast<size_t>(kind)]; }
  uint64_t total_errors() const {
    uint64_t sum = 0;
    for (uint64_t e : errors) sum += e;
    return sum;
  }
};

}  // namespace ibstream::protocol
