// Fuzzes the simulator's side of a connection: the "API\0" prefix, the client hello, framing and
// request decoding, and the client's request encoders through a round trip.
//
// Input: byte 0 picks the server version (176 + b % 12), byte 1 the read size (0 = all at
// once), the rest is the byte stream from the "client". Checked properties:
//  * nothing crashes, leaks or trips a sanitizer;
//  * chunked and whole reads give the same results;
//  * a parsed hello re-encodes to a hello that parses to the same values;
//  * a decoded request re-encodes (or is refused with InvalidArgument), and the re-encoding
//    decodes to a request that re-encodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/constants.h"
#include "protocol/framing.h"
#include "protocol/handshake.h"
#include "protocol/requests.h"
#include "protocol/requests_account.h"

namespace ibstream::protocol {
namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "fuzz_client_requests: property violated: %s\n", what);
  std::abort();
}

void CheckHello(std::string_view payload, std::string& trace) {
  Result<ClientHello> hello = ParseClientHello(payload);
  trace += hello.ok() ? 'H' : 'h';
  if (!hello.ok()) {
    if (hello.status().code() != StatusCode::kParseError) Fail("hello error kind");
    return;
  }
  std::string bytes;
  if (!EncodeClientHello(*hello, bytes).ok()) return;  // e.g. non-printable options
  FrameReader reader;
  reader.ExpectApiPrefix();
  reader.Append(bytes);
  auto frame = reader.Next();
  if (!frame.ok() || !frame->has_value()) Fail("encoded hello does not frame");
  Result<ClientHello> again = ParseClientHello(**frame);
  if (!again.ok() || !(*again == *hello)) Fail("hello round trip");
}

void CheckRequest(std::string_view payload, int sv, ProtocolCounters& counters,
                  std::string& trace) {
  Result<ClientRequest> request = DecodeClientRequest(payload, sv, &counters);
  if (!request.ok()) {
    if (request.status().code() != StatusCode::kParseError) Fail("decode error kind");
    trace += 'e';
    return;
  }
  trace += RequestName(*request);
  if (std::holds_alternative<UnknownRequest>(*request)) {
    // The simulator reads the account and order requests with their own decoder.
    Result<std::optional<AccountRequest>> account = DecodeAccountRequest(payload, sv, &counters);
    if (!account.ok()) {
      if (account.status().code() != StatusCode::kParseError) Fail("account decode error kind");
      trace += 'a';
    } else if (account->has_value()) {
      trace += AccountRequestName(**account);
    }
    return;
  }
  std::string once;
  const Status encoded = EncodeRequest(*request, sv, once);
  if (!encoded.ok()) {
    if (encoded.code() != StatusCode::kInvalidArgument || !once.empty()) Fail("encode error");
    return;
  }
  trace += once;
  Result<ClientRequest> again = DecodeClientRequest(std::string_view(once).substr(4), sv);
  if (!again.ok()) Fail("re-encoded request does not decode");
  std::string twice;
  if (!EncodeRequest(*again, sv, twice).ok()) Fail("second encoding failed");
  if (twice != once) Fail("decode/encode is not idempotent");
}

std::string Run(std::string_view stream, size_t chunk, int sv) {
  ProtocolCounters counters;
  FrameReader reader(&counters);
  reader.ExpectApiPrefix();
  std::string trace;
  bool hello_seen = false;
  size_t pos = 0;
  while (pos < stream.size()) {
    const size_t n = chunk == 0 ? stream.size() : std::min(chunk, stream.size() - pos);
    reader.Append(stream.substr(pos, n));
    pos += n;
    while (true) {
      auto frame = reader.Next();
      if (!frame.ok()) return trace + "!";
      if (!frame->has_value()) break;
      if (!hello_seen) {
        hello_seen = true;
        CheckHello(**frame, trace);
      } else {
        CheckRequest(**frame, sv, counters, trace);
      }
    }
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
