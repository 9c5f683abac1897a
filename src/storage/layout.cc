#include "storage/layout.h"

#include <charconv>
#include <cstdio>

#include "fs/file_system.h"

namespace ibstream::storage {

using fs::JoinPath;
namespace {

bool ParseUint(std::string_view text, uint64_t* out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm, public domain maths).
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

TimePoint HourStart(TimePoint t) {
  return FromUnixNanos(FloorDiv(ToUnixNanos(t), kNanosPerHour) * kNanosPerHour);
}

std::string DateDirName(TimePoint hour) {
  const int64_t days = FloorDiv(ToUnixSeconds(hour), 86400);
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::string HourName(TimePoint hour) {
  const int64_t seconds = ToUnixSeconds(hour);
  const int64_t h = (seconds - FloorDiv(seconds, 86400) * 86400) / 3600;
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%02lld", static_cast<long long>(h));
  return buf;
}

std::optional<TimePoint> ParseHour(std::string_view date_dir, std::string_view hour_name) {
  if (date_dir.size() != 10 || date_dir[4] != '-' || date_dir[7] != '-' || hour_name.size() != 2) {
    return std::nullopt;
  }
  uint64_t y, m, d, h;
  if (!ParseUint(date_dir.substr(0, 4), &y) || !ParseUint(date_dir.substr(5, 2), &m) ||
      !ParseUint(date_dir.substr(8, 2), &d) || !ParseUint(hour_name, &h)) {
    return std::nullopt;
  }
  if (m < 1 || m > 12 || d < 1 || d > 31 || h > 23) return std::nullopt;
  const int64_t days =
      DaysFromCivil(static_cast<int64_t>(y), static_cast<unsigned>(m), static_cast<unsigned>(d));
  return FromUnixSeconds(days * 86400 + static_cast<int64_t>(h) * 3600);
}

std::string JournalRoot(const std::string& root) { return JoinPath(root, "journal"); }
std::string ClosedRoot(const std::string& root) { return JoinPath(root, "closed"); }
std::string QuarantineRoot(const std::string& root) { return JoinPath(root, "quarantine"); }
std::string GapsRoot(const std::string& root) { return JoinPath(root, "gaps"); }

std::string JournalDir(const std::string& root, TimePoint hour) {
  return JoinPath(JournalRoot(root), DateDirName(hour));
}
std::string ClosedHourDir(const std::string& root, TimePoint hour) {
  return JoinPath(JoinPath(ClosedRoot(root), DateDirName(hour)), HourName(hour));
}

std::string FormatJournalName(const JournalName& name) {
  return name.hour_name + ".g" + std::to_string(name.generation) + (name.salvaged ? ".s" : "") +
         ".wal";
}

std::optional<JournalName> ParseJournalName(std::string_view file_name) {
  // HH.g<N>.wal or HH.g<N>.s.wal
  if (file_name.size() < 9 || file_name.substr(2, 2) != ".g") return std::nullopt;
  if (file_name.substr(file_name.size() - 4) != ".wal") return std::nullopt;
  JournalName out;
  out.hour_name = std::string(file_name.substr(0, 2));
  std::string_view rest = file_name.substr(4, file_name.size() - 8);
  if (rest.size() > 2 && rest.substr(rest.size() - 2) == ".s") {
    out.salvaged = true;
    rest.remove_suffix(2);
  }
  uint64_t gen;
  if (!ParseUint(rest, &gen) || gen > 0xffffffffu) return std::nullopt;
  if (!ParseHour("1970-01-01", out.hour_name)) return std::nullopt;
  out.generation = static_cast<uint32_t>(gen);
  return out;
}

std::string ManifestName(std::string_view hour_name) {
  return std::string(hour_name) + ".converted";
}

std::string ClosedFilePrefix(const StreamKey& stream) {
  return std::to_string(stream.contract_id) + "_" + std::string(TickTypeName(stream.type)) + ".";
}

std::string ClosedFileName(const StreamKey& stream, uint64_t source_id) {
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(source_id));
  return ClosedFilePrefix(stream) + hex + ".tks.zst";
}

std::optional<StreamKey> ParseClosedFileName(std::string_view file_name) {
  const size_t underscore = file_name.find('_');
  const size_t dot = file_name.find('.');
  if (underscore == std::string_view::npos || dot == std::string_view::npos || dot < underscore) {
    return std::nullopt;
  }
  if (file_name.size() != dot + 1 + 16 + 8 || file_name.substr(dot + 17) != ".tks.zst") {
    return std::nullopt;
  }
  uint64_t cid;
  if (!ParseUint(file_name.substr(0, underscore), &cid)) return std::nullopt;
  auto type = ParseTickType(file_name.substr(underscore + 1, dot - underscore - 1));
  if (!type.ok()) return std::nullopt;
  return StreamKey{static_cast<int64_t>(cid), *type};
}

bool IsTempName(std::string_view file_name) {
  return file_name.size() >= 4 && file_name.substr(file_name.size() - 4) == ".tmp";
}

}  // namespace ibstream::storage
