#include "formats/v3_layout.h"

#include <date/date.h>

#include <charconv>

#include "formats/v3_record.h"

namespace ibstream::formats {
namespace {

void AppendPadded(int64_t value, int width, std::string& out) {
  char text[24];
  const auto end = std::to_chars(text, text + sizeof(text), value < 0 ? -value : value).ptr;
  if (value < 0) out += '-';
  for (auto digits = end - text; digits < width; ++digits) out += '0';
  out.append(text, end);
}

// Digits only, no sign, no leading '+'; fits int64.
bool ParseUnsigned(std::string_view text, int64_t& out) {
  if (text.empty() || text.size() > 19) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string_view V3FormatDirectory(V3Format format) {
  return format == V3Format::kJson ? "json" : "protobuf";
}

std::string_view V3FormatExtension(V3Format format) {
  return format == V3Format::kJson ? "jsonl" : "pb";
}

int64_t V3HourEpoch(TimePoint ts) {
  return std::chrono::floor<std::chrono::hours>(ts.time_since_epoch()).count() * 3600;
}

std::string V3RelativePath(V3Format format, StreamKey stream, TimePoint ts) {
  const int64_t hour_epoch = V3HourEpoch(ts);
  const date::sys_seconds hour_start{std::chrono::seconds(hour_epoch)};
  const auto day = date::floor<date::days>(hour_start);
  const date::year_month_day ymd{day};
  const auto hour = std::chrono::duration_cast<std::chrono::hours>(hour_start - day).count();

  std::string path = "v3/";
  path += V3FormatDirectory(format);
  path += '/';
  AppendPadded(static_cast<int>(ymd.year()), 4, path);
  path += '/';
  AppendPadded(static_cast<unsigned>(ymd.month()), 2, path);
  path += '/';
  AppendPadded(static_cast<unsigned>(ymd.day()), 2, path);
  path += '/';
  AppendPadded(hour, 2, path);
  path += '/';
  path += std::to_string(stream.contract_id);
  path += '_';
  path += V3TickTypeName(stream.type);
  path += '_';
  path += std::to_string(hour_epoch);
  path += '.';
  path += V3FormatExtension(format);
  return path;
}

Result<V3FileName> ParseV3FileName(std::string_view name) {
  const std::string_view original = name;
  if (const size_t slash = name.rfind('/'); slash != std::string_view::npos) {
    name.remove_prefix(slash + 1);
  }
  const auto bad = [&](std::string_view why) {
    return ParseError("'" + std::string(original) + "' is not a v3 file name: " + std::string(why));
  };
  V3FileName out;
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return bad("no extension");
  const std::string_view extension = name.substr(dot + 1);
  if (extension == V3FormatExtension(V3Format::kJson)) {
    out.format = V3Format::kJson;
  } else if (extension == V3FormatExtension(V3Format::kProtobuf)) {
    out.format = V3Format::kProtobuf;
  } else {
    return bad("extension is neither .jsonl nor .pb");
  }
  const std::string_view stem = name.substr(0, dot);
  const size_t first = stem.find('_');
  const size_t last = stem.rfind('_');
  if (first == std::string_view::npos || first == last) return bad("expected <cid>_<tt>_<epoch>");
  if (!ParseUnsigned(stem.substr(0, first), out.contract_id)) return bad("bad conId");
  if (!ParseUnsigned(stem.substr(last + 1), out.epoch)) return bad("bad epoch");
  auto type = ParseV3TickType(stem.substr(first + 1, last - first - 1));
  if (!type.ok()) return bad(type.status().message());
  out.type = *type;
  return out;
}

}  // namespace ibstream::formats
