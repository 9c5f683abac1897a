#include "formats/v3_archive.h"

#include <date/date.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <system_error>
#include <tuple>

#include "formats/v3_reader.h"
#include "formats/v3_record.h"

namespace ibstream::formats {
namespace {

namespace stdfs = std::filesystem;

constexpr int64_t kSecondsPerHour = 3600;

// A fixed-width run of digits ("2025", "08"); -1 otherwise.
int ParseFixedDigits(const std::string& text, size_t width) {
  if (text.size() != width) return -1;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

// The Unix second starting the day, or nullopt for an impossible date.
std::optional<int64_t> DayEpoch(int year, int month, int day) {
  const date::year_month_day ymd{date::year{year}, date::month{static_cast<unsigned>(month)},
                                 date::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  return date::sys_seconds(date::sys_days(ymd)).time_since_epoch().count();
}

// One directory's entries, sorted by name; a directory that cannot be listed is a problem.
std::vector<stdfs::directory_entry> List(const stdfs::path& dir, V3ArchiveStats& stats) {
  std::vector<stdfs::directory_entry> entries;
  std::error_code error;
  stdfs::directory_iterator it(dir, error);
  for (; !error && it != stdfs::directory_iterator(); it.increment(error)) entries.push_back(*it);
  if (error) {
    ++stats.unreadable;
    stats.AddProblem(dir.string() + ": cannot list the directory: " + error.message());
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
  return entries;
}

bool IsDirectory(const stdfs::directory_entry& entry) {
  std::error_code error;
  return entry.is_directory(error);
}

// The hour directories of one format's tree within [lo, hi] (hour starts, Unix seconds).
void CollectHours(const stdfs::path& tree, int64_t lo, int64_t hi, size_t format,
                  std::map<int64_t, std::array<stdfs::path, 2>>& hours, V3ArchiveStats& stats) {
  // A date part that is not a number of the right width, or not a date, is not ours: counted.
  const auto unrecognized = [&stats](const stdfs::directory_entry&) { ++stats.unrecognized_files; };
  for (const auto& year_entry : List(tree, stats)) {
    const int year = ParseFixedDigits(year_entry.path().filename().string(), 4);
    if (year < 0 || !IsDirectory(year_entry)) {
      unrecognized(year_entry);
      continue;
    }
    if (*DayEpoch(year, 12, 31) + 24 * kSecondsPerHour <= lo || *DayEpoch(year, 1, 1) > hi) {
      continue;
    }
    for (const auto& month_entry : List(year_entry.path(), stats)) {
      const int month = ParseFixedDigits(month_entry.path().filename().string(), 2);
      if (month < 1 || month > 12 || !IsDirectory(month_entry)) {
        unrecognized(month_entry);
        continue;
      }
      for (const auto& day_entry : List(month_entry.path(), stats)) {
        const int day = ParseFixedDigits(day_entry.path().filename().string(), 2);
        const std::optional<int64_t> day_epoch =
            day < 1 ? std::nullopt : DayEpoch(year, month, day);
        if (!day_epoch || !IsDirectory(day_entry)) {
          unrecognized(day_entry);
          continue;
        }
        if (*day_epoch + 24 * kSecondsPerHour <= lo || *day_epoch > hi) continue;
        for (const auto& hour_entry : List(day_entry.path(), stats)) {
          const int hour = ParseFixedDigits(hour_entry.path().filename().string(), 2);
          if (hour < 0 || hour > 23 || !IsDirectory(hour_entry)) {
            unrecognized(hour_entry);
            continue;
          }
          const int64_t hour_epoch = *day_epoch + hour * kSecondsPerHour;
          if (hour_epoch < lo || hour_epoch > hi) continue;
          hours[hour_epoch][format] = hour_entry.path();
        }
      }
    }
  }
}

// A decoded tick waiting to be returned, with what orders it.
struct Pending {
  Tick tick;
  uint32_t file = 0;  // reading order of its file
};

bool Before(const Pending& a, const Pending& b) {
  return std::tie(a.tick.exchange_time, a.tick.receive_time, a.tick.type, a.file, a.tick.sequence) <
         std::tie(b.tick.exchange_time, b.tick.receive_time, b.tick.type, b.file, b.tick.sequence);
}

class ArchiveReader {
 public:
  ArchiveReader(const V3ArchiveRequest& request, const std::function<Status(const Tick&)>& sink,
                V3ArchiveStats& stats)
      : request_(request), sink_(sink), stats_(stats) {}

  Status Run(const stdfs::path& root) {
    if (request_.to <= request_.from) return Status::Ok();
    const int64_t lo = V3HourEpoch(request_.from) - kSecondsPerHour;
    const int64_t hi = V3HourEpoch(request_.to - Duration(1)) + kSecondsPerHour;
    std::map<int64_t, std::array<stdfs::path, 2>> hours;
    for (V3Format format : {V3Format::kJson, V3Format::kProtobuf}) {
      const stdfs::path tree = root / V3FormatDirectory(format);
      std::error_code error;
      if (!stdfs::is_directory(tree, error)) continue;
      CollectHours(tree, lo, hi, static_cast<size_t>(format), hours, stats_);
    }
    for (const auto& [hour_epoch, dirs] : hours) {
      ReadHour(dirs);
      // Every later hour directory holds records of ts >= this hour's start (give or take the
      // one hour of misfiling tolerated), so what lies before it is final.
      IBSTREAM_RETURN_IF_ERROR(Emit(FromUnixSeconds(hour_epoch)));
    }
    return Emit(TimePoint::max());
  }

 private:
  bool Selected(TickType type) const {
    return request_.types.empty() ||
           std::find(request_.types.begin(), request_.types.end(), type) != request_.types.end();
  }

  void ReadHour(const std::array<stdfs::path, 2>& dirs) {
    // Per tick type, the matching files of each format.
    std::map<TickType, std::array<std::vector<stdfs::path>, 2>> files;
    for (size_t format = 0; format < 2; ++format) {
      if (dirs[format].empty()) continue;
      for (const auto& entry : List(dirs[format], stats_)) {
        Result<V3FileName> name = ParseV3FileName(entry.path().filename().string());
        if (!name.ok() || IsDirectory(entry)) {
          ++stats_.unrecognized_files;
          continue;
        }
        if (name->contract_id != request_.contract_id || !Selected(name->type)) continue;
        files[name->type][format].push_back(entry.path());
      }
    }
    if (!files.empty()) ++stats_.hours_read;
    const auto preferred = static_cast<size_t>(request_.prefer);
    for (const auto& [type, by_format] : files) {
      const size_t chosen = by_format[preferred].empty() ? 1 - preferred : preferred;
      stats_.files_other_format += by_format[1 - chosen].size();
      for (const stdfs::path& path : by_format[chosen]) ReadFile(path, type);
    }
  }

  void ReadFile(const stdfs::path& path, TickType file_type) {
    const uint32_t file = next_file_++;
    const std::string name = path.string();
    const bool json = path.extension() == ".jsonl";
    V3ReadStats read;
    uint64_t mismatched = 0;
    Status status = ReadV3File(
        name,
        [&](const V3Record& record) {
          const Tick& tick = record.tick;
          if (tick.contract_id != request_.contract_id || tick.type != file_type) {
            ++mismatched;
            // The decoders' wording: JSON counts lines, protobuf records.
            read.AddError((json ? "line " : "record ") + std::to_string(tick.sequence) + ": cid " +
                          std::to_string(tick.contract_id) + " tt " +
                          std::string(V3TickTypeName(tick.type)) + " does not match the file name");
            return;
          }
          if (tick.exchange_time < request_.from || tick.exchange_time >= request_.to) return;
          pending_.push_back({tick, file});
        },
        read);
    ++stats_.files_read;
    stats_.records_read += read.records - mismatched;
    stats_.bad_records += read.errors;
    for (const std::string& message : read.error_messages) {
      stats_.AddProblem(name + ": " + message);
    }
    if (!status.ok()) {
      ++stats_.unreadable;
      stats_.AddProblem(status.message());
    }
  }

  // Returns, in order, every pending tick before `until`.
  Status Emit(TimePoint until) {
    std::sort(pending_.begin(), pending_.end(), Before);
    const auto end = std::partition_point(pending_.begin(), pending_.end(), [until](const auto& p) {
      return p.tick.exchange_time < until;
    });
    for (auto it = pending_.begin(); it != end; ++it) {
      IBSTREAM_RETURN_IF_ERROR(sink_(it->tick));
      ++stats_.ticks_returned;
    }
    pending_.erase(pending_.begin(), end);
    return Status::Ok();
  }

  const V3ArchiveRequest& request_;
  const std::function<Status(const Tick&)>& sink_;
  V3ArchiveStats& stats_;
  std::vector<Pending> pending_;
  uint32_t next_file_ = 0;
};

}  // namespace

void V3ArchiveStats::AddProblem(std::string problem) {
  if (problems.size() < kMaxProblems) problems.push_back(std::move(problem));
}

Status ReadV3Archive(const V3ArchiveRequest& request,
                     const std::function<Status(const Tick&)>& sink, V3ArchiveStats* stats) {
  V3ArchiveStats local;
  V3ArchiveStats& s = stats != nullptr ? *stats : local;
  const stdfs::path dir(request.dir);
  std::error_code error;
  stdfs::path root = dir / "v3";
  const auto has_trees = [&error](const stdfs::path& p) {
    return stdfs::is_directory(p / "json", error) || stdfs::is_directory(p / "protobuf", error);
  };
  if (!has_trees(root)) {
    // DIR may be the v3 directory itself.
    const stdfs::path name = dir.has_filename() ? dir.filename() : dir.parent_path().filename();
    if (name != "v3" || !has_trees(dir)) {
      return NotFound("no v3 archive in " + request.dir + ": neither " + (root / "json").string() +
                      " nor " + (root / "protobuf").string() + " is a directory");
    }
    root = dir;
  }
  return ArchiveReader(request, sink, s).Run(root);
}

}  // namespace ibstream::formats
