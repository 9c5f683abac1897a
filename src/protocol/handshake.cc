#include "protocol/handshake.h"

#include <algorithm>

#include "protocol/field_codec.h"
#include "protocol/framing.h"

namespace ibstream::protocol {
namespace {

bool IsHelloSpace(char c) { return c == ' ' || c == '\t' || c == '\0' || c == '\r' || c == '\n'; }

std::string_view TrimHello(std::string_view text) {
  while (!text.empty() && IsHelloSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsHelloSpace(text.back())) text.remove_suffix(1);
  return text;
}

// A version number in the hello: digits only.
bool ParseVersion(std::string_view text, int& out) {
  if (text.empty() || text.size() > 9) return false;
  int value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

}  // namespace

Status EncodeClientHello(const ClientHello& hello, std::string& out) {
  if (hello.min_version <= 0 || hello.min_version > hello.max_version) {
    return InvalidArgument("client hello: bad version range " + std::to_string(hello.min_version) +
                           ".." + std::to_string(hello.max_version));
  }
  for (const char c : hello.options) {
    if (c < 32 || c > 126) return InvalidArgument("client hello: options must be printable ASCII");
  }
  std::string text = "v" + std::to_string(hello.min_version);
  if (hello.max_version != hello.min_version) text += ".." + std::to_string(hello.max_version);
  if (!hello.options.empty()) {
    text += ' ';
    text += hello.options;
  }
  out.append(kApiPrefix);
  AppendFrame(text, out);
  return Status::Ok();
}

Result<ClientHello> ParseClientHello(std::string_view payload) {
  const std::string_view text = TrimHello(payload);
  auto bad = [&](const char* why) {
    std::string shown(text.substr(0, 40));
    std::replace_if(
        shown.begin(), shown.end(), [](char c) { return c < 32 || c > 126; }, '?');
    return ParseError(std::string("client hello '") + shown + "': " + why);
  };
  if (text.empty() || text.front() != 'v') return bad("does not start with 'v'");
  const size_t space = text.find_first_of(" \t");
  const std::string_view range =
      text.substr(1, space == std::string_view::npos ? text.npos : space - 1);
  ClientHello hello;
  if (space != std::string_view::npos) hello.options = std::string(TrimHello(text.substr(space)));
  const size_t dots = range.find("..");
  if (dots == std::string_view::npos) {
    if (!ParseVersion(range, hello.min_version)) return bad("bad version");
    hello.max_version = hello.min_version;
  } else if (!ParseVersion(range.substr(0, dots), hello.min_version) ||
             !ParseVersion(range.substr(dots + 2), hello.max_version)) {
    return bad("bad version range");
  }
  if (hello.min_version > hello.max_version) return bad("min version above max version");
  return hello;
}

std::optional<int> ChooseServerVersion(const ClientHello& hello, int server_min, int server_max) {
  const int version = std::min(hello.max_version, server_max);
  if (version < hello.min_version || version < server_min) return std::nullopt;
  return version;
}

Status EncodeConnectAck(const ConnectAck& ack, std::string& out) {
  if (ack.time.empty()) return InvalidArgument("connect ack: empty time");
  MessageWriter writer(out, TextPolicy::kNoNul, "CONNECT_ACK");
  writer.Int(ack.server_version).String(ack.time, "time");
  return writer.Finish();
}

Result<ConnectAck> DecodeConnectAck(std::string_view payload) {
  FieldReader reader(payload, "CONNECT_ACK");
  ConnectAck ack;
  ack.server_version = reader.Int("serverVersion");
  ack.time = std::string(reader.String("time"));
  IBSTREAM_RETURN_IF_ERROR(reader.status());
  if (!reader.AtEnd()) return ParseError("CONNECT_ACK: bytes after the 2 fields");
  if (ack.time.empty()) return ParseError("CONNECT_ACK field 2 'time': empty");
  return ack;
}

Status CheckServerVersion(int server_version) {
  if (IsSupportedServerVersion(server_version)) return Status::Ok();
  return FailedPrecondition("unsupported server version " + std::to_string(server_version) +
                            ", need " + std::to_string(kMinServerVersion) + ".." +
                            std::to_string(kMaxServerVersion));
}

}  // namespace ibstream::protocol
