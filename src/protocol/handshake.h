// The connection handshake (docs/PROTOCOL.md §2.1-§2.3).
//
//   client -> server: "API\0" + frame("v176..187[ options]")   (frame payload has no NUL)
//   server -> client: frame("187\0" "20250811 10:15:30 CDT\0")  (exactly 2 fields, no message id)
//   client -> server: START_API (requests.h)
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "protocol/constants.h"

namespace ibstream::protocol {

struct ClientHello {
  int min_version = kMinServerVersion;
  int max_version = kMaxServerVersion;
  // Connect options such as "+PACEAPI"; empty for none.
  std::string options;

  friend bool operator==(const ClientHello&, const ClientHello&) = default;
};

// Appends "API\0" + the frame "v<min>..<max>" (just "v<min>" when min == max), followed by
// " <options>" when options are not empty. Options must be printable ASCII (InvalidArgument).
[[nodiscard]] Status EncodeClientHello(const ClientHello& hello, std::string& out);

// Server side: parses the hello frame's payload (after FrameReader removed "API\0" and the
// length). Leading/trailing spaces are trimmed ("v176..176 " from some third-party clients);
// options are what follows the first space, trimmed. Garbage is a ParseError.
Result<ClientHello> ParseClientHello(std::string_view payload);

// The version the server answers: min(client max, server max), or nullopt when that is below
// the client's min or the server's min (the server then closes the connection).
std::optional<int> ChooseServerVersion(const ClientHello& hello, int server_min, int server_max);

struct ConnectAck {
  // The negotiated server version. Negative means "redirect" (then `time` is host[:port]); our
  // client refuses that like any version outside kMinServerVersion..kMaxServerVersion.
  int server_version = 0;
  // TWS's connection time "yyyyMMdd HH:mm:ss <zone>", kept raw (the zone is free text).
  std::string time;

  friend bool operator==(const ConnectAck&, const ConnectAck&) = default;
};

// Appends the ack frame: server version and time, exactly 2 fields.
[[nodiscard]] Status EncodeConnectAck(const ConnectAck& ack, std::string& out);
// Client side: the ack frame's payload must hold exactly 2 fields, an integer version and a
// non-empty time. Only the form is checked here; use CheckServerVersion for the range.
Result<ConnectAck> DecodeConnectAck(std::string_view payload);
// OK when the version is one we implement; FailedPrecondition ("unsupported server version
// 152, need 176..187") otherwise.
[[nodiscard]] Status CheckServerVersion(int server_version);

}  // namespace ibstream::protocol
