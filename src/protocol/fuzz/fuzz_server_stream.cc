// Fuzzes the client's side of a connection: framing + every server-message decoder, and the
// simulator's encoders through a decode -> encode -> decode round trip.
//
// Input: byte 0 picks the server version (176 + b % 12), byte 1 the read size (0 = all at
// once), the rest is the byte stream from the "server". Checked properties:
//  * nothing crashes, leaks or trips a sanitizer;
//  * feeding the stream in chunks gives exactly what feeding it at once gives;
//  * a decoded message re-encodes (or is refused with InvalidArgument), and the re-encoding
//    decodes to a message that re-encodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "protocol/constants.h"
#include "protocol/encoding_handler.h"
#include "protocol/framing.h"
#include "protocol/server_messages.h"

namespace ibstream::protocol {
namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "fuzz_server_stream: property violated: %s\n", what);
  std::abort();
}

// Decodes one payload and checks the round trip; appends a trace of the outcome.
void DecodeOne(std::string_view payload, int sv, ServerMessageDecoder& decoder,
               std::string& trace) {
  std::string once;
  EncodingHandler encoder(sv, once);
  const Status status = decoder.Decode(payload, encoder);
  trace += static_cast<char>('0' + static_cast<int>(status.code()));
  if (!status.ok()) {
    if (status.code() != StatusCode::kParseError) Fail("decode error is not a ParseError");
    if (encoder.encoded() != 0) Fail("handler called for a malformed message");
    return;
  }
  if (!encoder.status().ok()) {
    if (encoder.status().code() != StatusCode::kInvalidArgument) Fail("encode error kind");
    return;
  }
  if (encoder.encoded() == 0) return;  // unknown id or tick type: nothing to re-encode
  if (encoder.encoded() != 1) Fail("more than one handler call for one frame");
  trace += once;

  FrameReader reader;
  reader.Append(once);
  auto frame = reader.Next();
  if (!frame.ok() || !frame->has_value()) Fail("re-encoded frame does not frame");
  if (reader.buffered() != 0) Fail("re-encoding is more than one frame");
  ServerMessageDecoder decoder2(sv);
  std::string twice;
  EncodingHandler encoder2(sv, twice);
  if (!decoder2.Decode(**frame, encoder2).ok()) Fail("re-encoded message does not decode");
  if (!encoder2.status().ok() || encoder2.encoded() != 1) Fail("second encoding failed");
  if (twice != once) Fail("decode/encode is not idempotent");
}

std::string Run(std::string_view stream, size_t chunk, int sv) {
  ProtocolCounters counters;
  FrameReader reader(&counters);
  ServerMessageDecoder decoder(sv);
  std::string trace;
  size_t pos = 0;
  uint64_t frames = 0;
  while (pos < stream.size()) {
    const size_t n = chunk == 0 ? stream.size() : std::min(chunk, stream.size() - pos);
    reader.Append(stream.substr(pos, n));
    pos += n;
    while (true) {
      auto frame = reader.Next();
      if (!frame.ok()) {
        trace += "!";
        if (counters.error(DecodeErrorKind::kBadFrameLength) != 1) Fail("framing error count");
        return trace;
      }
      if (!frame->has_value()) break;
      ++frames;
      DecodeOne(**frame, sv, decoder, trace);
    }
  }
  if (counters.frames_read != frames) Fail("frames_read count");
  const ProtocolCounters& c = decoder.counters();
  if (c.messages_decoded + c.unknown_ids_skipped + c.unknown_tick_types_skipped +
          c.total_errors() !=
      frames) {
    Fail("every frame is decoded, skipped or counted as an error");
  }
  return trace;
}

}  // namespace
}  // namespace ibstream::protocol

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ibstream::protocol;
  if (size < 2) return 0;
  const int sv = kMinServerVersion + data[0] % (kMaxServerVersion - kMinServerVersion + 1);
  const size_t chunk = data[1];
  const std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);
  const std::string whole = Run(stream, 0, sv);
  if (chunk != 0 && Run(stream, chunk, sv) != whole) Fail("chunked and whole reads differ");
  return 0;
}
