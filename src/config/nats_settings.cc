// [nats]: publishing to NATS JetStream (docs/CLUSTER.md), and its rule across keys: an enabled
// publisher needs a URL and a recorder id.
#include "config/loading.h"
#include "config/settings.h"

namespace ibstream::config::internal {

namespace {

// One subject token: letters, digits, '_' and '-' (NATS' wildcards and separators excluded).
Status Token(std::string_view text) {
  if (text.empty()) return InvalidArgument("empty");
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return InvalidArgument(std::string("character '") + c + "' not allowed");
  }
  return Status::Ok();
}

Status Tokens(std::string_view text) {
  size_t start = 0;
  while (true) {
    const size_t dot = text.find('.', start);
    IBSTREAM_RETURN_IF_ERROR(Token(text.substr(start, dot - start)));
    if (dot == std::string_view::npos) return Status::Ok();
    start = dot + 1;
  }
}

Status AtMost64(std::string_view text) {
  return text.size() > 64 ? InvalidArgument("longer than 64 characters") : Status::Ok();
}

}  // namespace

void AddNatsSettings(std::vector<Setting<Config>>& s) {
  using C = Config;
  using std::chrono::hours;
  using std::chrono::seconds;
  s.push_back(Bind<C>("nats.enabled", IBSTREAM_FIELD(nats.enabled), BoolKind()));
  s.push_back(Bind<C>("nats.url", IBSTREAM_FIELD(nats.url), UrlKind({"nats", "tls"})));
  s.push_back(Bind<C>("nats.stream", IBSTREAM_FIELD(nats.stream),
                      StringKind("a JetStream stream name: letters, digits, '_' and '-', at most "
                                 "64 characters",
                                 [](std::string_view text) -> Status {
                                   IBSTREAM_RETURN_IF_ERROR(AtMost64(text));
                                   return Token(text);
                                 })));
  s.push_back(Bind<C>("nats.subject_prefix", IBSTREAM_FIELD(nats.subject_prefix),
                      StringKind("dot-separated tokens of letters, digits, '_' and '-', at most "
                                 "64 characters (no wildcards)",
                                 [](std::string_view text) -> Status {
                                   IBSTREAM_RETURN_IF_ERROR(AtMost64(text));
                                   return Tokens(text);
                                 })));
  s.push_back(Bind<C>("nats.recorder_id", IBSTREAM_FIELD(nats.recorder_id),
                      StringKind("empty, or one token of letters, digits, '_' and '-', at most 64 "
                                 "characters, unique per recorder (required when enabled)",
                                 [](std::string_view text) -> Status {
                                   if (text.empty()) return Status::Ok();
                                   IBSTREAM_RETURN_IF_ERROR(AtMost64(text));
                                   return Token(text);
                                 })));
  s.push_back(
      Bind<C>("nats.credentials_file", IBSTREAM_FIELD(nats.credentials_file),
              StringKind("empty (no credentials) or the path of a NATS .creds file", nullptr)));
  s.push_back(Bind<C>("nats.duplicate_window", IBSTREAM_FIELD(nats.duplicate_window),
                      DurationKind(seconds(1), hours(24))));
}

void Loader::CheckNats() {
  const NatsConfig& n = config().nats;
  if (!n.enabled) return;
  if (n.recorder_id.empty()) {
    AddError(SourceOf("nats.enabled"), "nats.recorder_id", "\"\"",
             "required when nats.enabled is true",
             "one token of letters, digits, '_' and '-', unique per recorder");
  }
  if (n.url.empty()) {
    AddError(SourceOf("nats.enabled"), "nats.url", "\"\"", "required when nats.enabled is true",
             "a URL starting with nats:// or tls://");
  }
}

}  // namespace ibstream::config::internal
