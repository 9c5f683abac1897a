// [http]: the HTTP API's address, bearer token, connection limit and WebSocket size limits.
#include "config/settings.h"

namespace ibstream::config::internal {

namespace {

Kind<HostPort> HostPortKind() {
  return {"\"host:port\" or \"[ipv6]:port\" with a port from 0 to 65535",
          [](const RawValue& raw) -> Result<HostPort> {
            Result<std::string> text = AsString(raw);
            if (!text.ok()) return text.status();
            return ParseHostPort(*text);
          },
          [](const HostPort& value) { return Quote(ToString(value)); },
          {}};
}

}  // namespace

void AddHttpSettings(std::vector<Setting<Config>>& s) {
  using C = Config;
  s.push_back(Bind<C>("http.listen", IBSTREAM_FIELD(http.listen), HostPortKind()));
  s.push_back(Bind<C>("http.bearer_token", IBSTREAM_FIELD(http.bearer_token),
                      StringKind("empty (state-changing endpoints refused) or at least 16 "
                                 "characters without spaces",
                                 [](std::string_view text) -> Status {
                                   if (text.empty()) return Status::Ok();
                                   IBSTREAM_RETURN_IF_ERROR(Word(text));
                                   return text.size() < 16 ? InvalidArgument("too short")
                                                           : Status::Ok();
                                 }))
                  .Secret());
  s.push_back(Bind<C>("http.max_connections", IBSTREAM_FIELD(http.max_connections),
                      IntKind<int32_t>(1, 65536)));
  // At least one tick message (about 600 bytes) with room to spare; at most 256 MiB per client.
  s.push_back(Bind<C>("http.ws_queue_bytes", IBSTREAM_FIELD(http.ws_queue_bytes),
                      IntKind<int32_t>(16 * 1024, 256 * 1024 * 1024)));
  // The largest protocol message (a subscribe) is a few hundred bytes.
  s.push_back(Bind<C>("http.ws_max_message_bytes", IBSTREAM_FIELD(http.ws_max_message_bytes),
                      IntKind<int32_t>(1024, 16 * 1024 * 1024)));
}

}  // namespace ibstream::config::internal
