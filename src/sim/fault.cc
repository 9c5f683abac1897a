#include "sim/fault.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <set>
#include <utility>

namespace ibstream::sim {
namespace {

constexpr std::array<std::pair<FaultKind, std::string_view>, 13> kKindNames = {{
    {FaultKind::kClose, "close"},
    {FaultKind::kHalfOpen, "half_open"},
    {FaultKind::kSilence, "silence"},
    {FaultKind::kConnectivityLost, "connectivity_lost"},
    {FaultKind::kFarmDown, "farm_down"},
    {FaultKind::kCompetingSession, "competing_session"},
    {FaultKind::kGatewayRestart, "gateway_restart"},
    {FaultKind::kNightlyReset, "nightly_reset"},
    {FaultKind::kPacing, "pacing"},
    {FaultKind::kTickByTickLimit, "tick_by_tick_limit"},
    {FaultKind::kGarbage, "garbage"},
    {FaultKind::kError, "error"},
    {FaultKind::kSlowConsumer, "slow_consumer"},
}};

Result<int64_t> ParseInteger(std::string_view key, std::string_view text) {
  int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
    return InvalidArgument("fault key '" + std::string(key) + "': expected an integer, got '" +
                           std::string(text) + "'");
  }
  return value;
}

Result<bool> ParseBool(std::string_view key, std::string_view text) {
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  return InvalidArgument("fault key '" + std::string(key) + "': expected true or false, got '" +
                         std::string(text) + "'");
}

std::string FormatDuration(Duration d) {
  const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  if (ms % 1000 != 0) return fmt::format("{}ms", ms);
  return fmt::format("{}s", ms / 1000);
}

}  // namespace

std::string_view FaultKindName(FaultKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

Result<FaultKind> ParseFaultKind(std::string_view name) {
  for (const auto& [k, n] : kKindNames) {
    if (n == name && k != FaultKind::kSlowConsumer) return k;
  }
  std::string allowed;
  for (const auto& [k, n] : kKindNames) {
    if (k == FaultKind::kSlowConsumer) continue;
    if (!allowed.empty()) allowed += ", ";
    allowed += n;
  }
  return InvalidArgument("unknown fault kind '" + std::string(name) + "' (allowed: " + allowed +
                         ")");
}

Result<Duration> ParseDuration(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) return InvalidArgument("bad duration '" + std::string(text) + "'");
  int64_t n = 0;
  std::from_chars(text.data(), text.data() + digits, n);
  const std::string_view unit = text.substr(digits);
  using namespace std::chrono;
  if (unit.empty() || unit == "s") return Duration(seconds(n));
  if (unit == "ms") return Duration(milliseconds(n));
  if (unit == "m") return Duration(minutes(n));
  if (unit == "h") return Duration(hours(n));
  if (unit == "d") return Duration(hours(24 * n));
  return InvalidArgument("bad duration '" + std::string(text) +
                         "' (use e.g. 1500ms, 30s, 5m, 2h, 1d)");
}

Result<FaultTime> ParseFaultTime(std::string_view text) {
  FaultTime t;
  if (!text.empty() && text[0] == '+') {
    Result<Duration> offset = ParseDuration(text.substr(1));
    if (!offset.ok()) return offset.status();
    t.offset = *offset;
    return t;
  }
  Result<TimePoint> absolute = ParseIsoTime(text);
  if (!absolute.ok()) return absolute.status();
  t.absolute = *absolute;
  return t;
}

Result<FaultSpec> ParseFault(const std::map<std::string, std::string>& fields) {
  auto kind_it = fields.find("kind");
  if (kind_it == fields.end()) return InvalidArgument("fault: missing 'kind'");
  Result<FaultKind> kind = ParseFaultKind(kind_it->second);
  if (!kind.ok()) return kind.status();
  FaultSpec f;
  f.kind = *kind;
  for (const auto& field : fields) {
    const std::string& key = field.first;
    const std::string& value = field.second;
    const auto integer = [&](auto& out) -> Status {
      Result<int64_t> v = ParseInteger(key, value);
      if (!v.ok()) return v.status();
      out = static_cast<std::remove_reference_t<decltype(out)>>(*v);
      return Status::Ok();
    };
    if (key == "kind") continue;
    if (key == "at") {
      Result<FaultTime> at = ParseFaultTime(value);
      if (!at.ok()) return at.status().WithContext("fault key 'at'");
      f.at = *at;
    } else if (key == "duration") {
      Result<Duration> d = ParseDuration(value);
      if (!d.ok()) return d.status().WithContext("fault key 'duration'");
      f.duration = *d;
    } else if (key == "client") {
      int32_t c = 0;
      IBSTREAM_RETURN_IF_ERROR(integer(c));
      f.client_id = c;
    } else if (key == "mode") {
      if (value != "fin" && value != "rst") {
        return InvalidArgument("fault key 'mode': expected fin or rst, got '" + value + "'");
      }
      f.mode = value;
    } else if (key == "restore") {
      if (value != "data_lost" && value != "data_maintained") {
        return InvalidArgument("fault key 'restore': expected data_lost or data_maintained, got '" +
                               value + "'");
      }
      f.restore = value;
    } else if (key == "farm") {
      f.farm = value;
    } else if (key == "hmds") {
      Result<bool> b = ParseBool(key, value);
      if (!b.ok()) return b.status();
      f.hmds = *b;
    } else if (key == "con_id") {
      int32_t c = 0;
      IBSTREAM_RETURN_IF_ERROR(integer(c));
      f.con_id = c;
    } else if (key == "tick_type") {
      if (value != "BidAsk" && value != "Last" && value != "AllLast" && value != "MidPoint" &&
          value != "mkt_data") {
        return InvalidArgument(
            "fault key 'tick_type': expected BidAsk, Last, AllLast, MidPoint or "
            "mkt_data, got '" +
            value + "'");
      }
      f.tick_type = value;
    } else if (key == "max") {
      IBSTREAM_RETURN_IF_ERROR(integer(f.max));
    } else if (key == "bytes") {
      IBSTREAM_RETURN_IF_ERROR(integer(f.bytes));
      if (f.bytes <= 0 || f.bytes > 1 << 20) {
        return InvalidArgument("fault key 'bytes': must be in 1..1048576");
      }
    } else if (key == "code") {
      IBSTREAM_RETURN_IF_ERROR(integer(f.code));
    } else if (key == "id") {
      IBSTREAM_RETURN_IF_ERROR(integer(f.id));
    } else if (key == "text") {
      f.text = value;
    } else {
      return InvalidArgument("fault: unknown key '" + key + "'");
    }
  }
  if (f.kind == FaultKind::kError && f.code == 0) {
    return InvalidArgument("fault 'error' needs a 'code'");
  }
  if (f.kind == FaultKind::kTickByTickLimit && f.max < 0) {
    return InvalidArgument("fault 'tick_by_tick_limit' needs max >= 0");
  }
  return f;
}

Result<FaultSpec> ParseFaultLine(std::string_view words) {
  std::map<std::string, std::string> fields;
  size_t pos = 0;
  bool first = true;
  while (pos < words.size()) {
    while (pos < words.size() && words[pos] == ' ') ++pos;
    if (pos >= words.size()) break;
    size_t end = words.find(' ', pos);
    if (end == std::string_view::npos) end = words.size();
    std::string_view word = words.substr(pos, end - pos);
    // text=... takes the rest of the line (error texts have spaces).
    if (word.substr(0, 5) == "text=") {
      fields["text"] = std::string(words.substr(pos + 5));
      break;
    }
    if (first) {
      fields["kind"] = std::string(word);
      first = false;
    } else {
      const size_t eq = word.find('=');
      if (eq == std::string_view::npos) {
        return InvalidArgument("expected key=value, got '" + std::string(word) + "'");
      }
      fields[std::string(word.substr(0, eq))] = std::string(word.substr(eq + 1));
    }
    pos = end;
  }
  return ParseFault(fields);
}

std::string DescribeFault(const FaultSpec& f) {
  std::string out(FaultKindName(f.kind));
  if (f.duration.count() > 0) out += " duration=" + FormatDuration(f.duration);
  if (f.client_id) out += fmt::format(" client={}", *f.client_id);
  switch (f.kind) {
    case FaultKind::kClose:
      out += " mode=" + f.mode;
      break;
    case FaultKind::kConnectivityLost:
      out += " restore=" + f.restore;
      break;
    case FaultKind::kFarmDown:
      out += " farm=" + f.farm + (f.hmds ? " hmds=true" : "");
      break;
    case FaultKind::kSilence:
      if (f.con_id) out += fmt::format(" con_id={}", *f.con_id);
      if (!f.tick_type.empty()) out += " tick_type=" + f.tick_type;
      break;
    case FaultKind::kTickByTickLimit:
      out += fmt::format(" max={}", f.max);
      break;
    case FaultKind::kGarbage:
      out += fmt::format(" bytes={}", f.bytes);
      break;
    case FaultKind::kError:
      out += fmt::format(" code={} id={} text={}", f.code, f.id, f.text);
      break;
    default:
      break;
  }
  return out;
}

}  // namespace ibstream::sim
