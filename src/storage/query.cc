#include "storage/query.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <bit>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "storage/closed_file.h"
#include "storage/journal.h"
#include "storage/layout.h"
#include "storage/query_internal.h"
#include "storage/tick_codec.h"

namespace ibstream::storage {

using fs::FileSystem;
using fs::JoinPath;
namespace {

// `any_volume`: IB's tick history has no day volume, so against a live trade a trade's volume is
// content only when both have one; two backfills of IB's history compare it as it is.
bool SamePayload(const Tick& a, const Tick& b, bool any_volume = true) {
  Tick x = a;
  Tick y = b;
  // Compare everything except provenance: source, receive time, sequence.
  x.source = y.source = TickSource::kLive;
  x.receive_time = y.receive_time = TimePoint();
  x.sequence = y.sequence = 0;
  if (any_volume && (!x.volume.is_set() || !y.volume.is_set())) {
    x.volume = y.volume = Decimal::Unset();
  }
  return SameStoredTick(x, y);
}

// Rule 3 on one exchange time's ticks [i, j): a backfilled tick is dropped when an earlier
// backfill (an earlier receive time) of its stream holds more ticks of its content than come
// before it in its own backfill.
void ReconcileBackfills(const std::vector<Tick>& v, size_t i, size_t j, std::vector<bool>* keep,
                        QueryStats* stats) {
  std::optional<TimePoint> one_fetch;
  bool several = false;
  for (size_t k = i; k < j && !several; ++k) {
    if (v[k].source != TickSource::kBackfill) continue;
    if (one_fetch && *one_fetch != v[k].receive_time) several = true;
    one_fetch = v[k].receive_time;
  }
  if (!several) return;
  // The ticks rule 1 left: every backfill counts whole, whatever this rule drops of it.
  std::vector<bool> stored(keep->begin() + static_cast<std::ptrdiff_t>(i),
                           keep->begin() + static_cast<std::ptrdiff_t>(j));
  const auto same = [&](size_t a, size_t b) {
    return stored[a - i] && v[a].source == TickSource::kBackfill &&
           v[a].stream() == v[b].stream() && SamePayload(v[a], v[b], /*any_volume=*/false);
  };
  for (size_t b = i; b < j; ++b) {
    if (!(*keep)[b] || v[b].source != TickSource::kBackfill) continue;
    // Its rank among its own backfill's ticks of this content.
    size_t rank = 0;
    for (size_t a = i; a < b; ++a) {
      if (v[a].receive_time == v[b].receive_time && same(a, b)) ++rank;
    }
    // The counts of each earlier backfill, by receive time.
    std::map<TimePoint, size_t> earlier;
    for (size_t a = i; a < j; ++a) {
      if (v[a].receive_time < v[b].receive_time && same(a, b)) ++earlier[v[a].receive_time];
    }
    for (const auto& [at, count] : earlier) {
      if (count > rank) {
        (*keep)[b] = false;
        ++stats->backfill_repeats_dropped;
        break;
      }
    }
  }
}

// Sorts `ticks` by OrderKey (SortOrderKeys), then moves them into place through `scratch`.
void SortByOrderKey(std::vector<Tick>* ticks, std::vector<std::pair<TickOrderKey, size_t>>* keys,
                    std::vector<Tick>* scratch) {
  keys->clear();
  keys->reserve(ticks->size());
  for (size_t i = 0; i < ticks->size(); ++i) keys->emplace_back(OrderKey((*ticks)[i]), i);
  if (!query_internal::SortOrderKeys(keys)) return;  // in order already
  scratch->clear();
  scratch->reserve(ticks->size());
  for (const auto& key : *keys) scratch->push_back(std::move((*ticks)[key.second]));
  ticks->swap(*scratch);
}

}  // namespace

namespace query_internal {

int64_t HourOfNanos(int64_t ns) { return ToUnixNanos(HourStart(FromUnixNanos(ns))); }

bool SortOrderKeys(std::vector<std::pair<TickOrderKey, size_t>>* keys) {
  // The keys are ordered with the ticks' indexes (a Tick is large and its key is not stored).
  // An hour is made of runs already in order (one per closed file, plus the journal ticks), so
  // a few runs are merged rather than sorted; one run is left as it is.
  constexpr size_t kMaxMergedRuns = 32;
  std::vector<size_t> bounds = {0};  // where each run starts, then the end
  for (size_t i = 1; i < keys->size(); ++i) {
    if ((*keys)[i] < (*keys)[i - 1]) bounds.push_back(i);
  }
  bounds.push_back(keys->size());
  if (bounds.size() <= 2) return false;  // one run: in order already
  const auto k = keys->begin();
  if (bounds.size() - 1 > kMaxMergedRuns) {
    std::sort(k, keys->end());
    return true;
  }
  while (bounds.size() > 2) {  // merge runs pairwise until one is left
    const size_t runs = bounds.size() - 1;
    std::vector<size_t> merged = {0};
    for (size_t r = 0; r + 1 < runs; r += 2) {
      std::inplace_merge(k + static_cast<std::ptrdiff_t>(bounds[r]),
                         k + static_cast<std::ptrdiff_t>(bounds[r + 1]),
                         k + static_cast<std::ptrdiff_t>(bounds[r + 2]));
      merged.push_back(bounds[r + 2]);
    }
    if (runs % 2 == 1) merged.push_back(bounds[runs]);
    bounds = std::move(merged);
  }
  return true;
}

void MarkDuplicatesInGroup(const std::vector<Tick>& v, size_t i, size_t j,
                           std::vector<bool>* keep_mask, QueryStats* stats) {
  std::vector<bool>& keep = *keep_mask;
  bool any_live = false;
  bool any_backfill = false;
  for (size_t k = i; k < j; ++k)
    (v[k].source == TickSource::kLive ? any_live : any_backfill) = true;
  // Rule 1: bit-identical records have equal order keys, so they are neighbours in a run.
  size_t run = i;
  for (size_t k = i + 1; k < j; ++k) {
    if (OrderKey(v[k]) != OrderKey(v[run])) {
      run = k;
      continue;
    }
    for (size_t m = run; m < k; ++m) {
      if (keep[m] && SameStoredTick(v[m], v[k])) {
        keep[k] = false;
        ++stats->duplicates_dropped;
        break;
      }
    }
  }
  if (any_backfill) ReconcileBackfills(v, i, j, keep_mask, stats);
  // Rule 2: only where live and backfilled ticks share an exchange time.
  if (any_live && any_backfill) {
    std::vector<bool> live_used(j - i, false);
    for (size_t b = i; b < j; ++b) {
      if (!keep[b] || v[b].source != TickSource::kBackfill) continue;
      for (size_t a = i; a < j; ++a) {
        if (live_used[a - i] || !keep[a] || v[a].source != TickSource::kLive) continue;
        if (v[a].stream() == v[b].stream() && SamePayload(v[a], v[b])) {
          live_used[a - i] = true;
          keep[b] = false;
          ++stats->backfill_overlaps_dropped;
          break;
        }
      }
    }
  }
}

}  // namespace query_internal

void DeduplicateSorted(std::vector<Tick>* ticks, QueryStats* stats) {
  QueryStats ignored;
  if (stats == nullptr) stats = &ignored;
  std::vector<Tick>& v = *ticks;
  std::vector<bool> keep(v.size(), true);
  size_t i = 0;
  while (i < v.size()) {
    // A group: one exchange time (the sort order puts it together).
    size_t j = i + 1;
    while (j < v.size() && v[j].exchange_time == v[i].exchange_time) ++j;
    query_internal::MarkDuplicatesInGroup(v, i, j, &keep, stats);
    i = j;
  }
  size_t out = 0;
  for (size_t k = 0; k < v.size(); ++k) {
    if (!keep[k]) continue;
    if (out != k) v[out] = std::move(v[k]);
    ++out;
  }
  v.resize(out);
}

namespace query_internal {
namespace {

void Skip(QueryStats* stats, std::string path, uint64_t bytes, std::string reason) {
  spdlog::error("event=storage_query_skipped path={} bytes={} reason=\"{}\"", path, bytes, reason);
  ++stats->corrupt_files;
  stats->skipped_bytes += bytes;
  stats->skipped.push_back({std::move(path), bytes, std::move(reason)});
}

// Lists `dir`, reporting a failure (e.g. a file where a directory should be) as skipped data.
std::optional<std::vector<std::string>> ListOrSkip(FileSystem* fs, const std::string& dir,
                                                   QueryStats* stats) {
  auto names = fs->ListDir(dir);
  if (names.ok()) return std::move(*names);
  auto size = fs->FileSize(dir);
  Skip(stats, dir, size.ok() ? *size : 0,
       "cannot list as a directory: " + names.status().ToString());
  return std::nullopt;
}

// Reports what ScanJournal found damaged in one journal.
void ReportJournalDamage(const std::string& path, const JournalScan& scan, QueryStats* stats) {
  if (!scan.header_ok) {
    // A header cut short is a crash while the file was being created: it holds nothing.
    if (scan.file_size > log::kFileHeaderSize) {
      Skip(stats, path, scan.file_size, "journal header: " + scan.header_status.message());
    }
    return;
  }
  if (scan.corrupt_bytes == 0 && scan.bad_records == 0 && !scan.read_error) return;
  std::string reason = "damaged journal records";
  for (const std::string& p : scan.problems) reason += "; " + p;
  if (scan.read_error) reason += "; read error";
  Skip(stats, path, scan.corrupt_bytes, std::move(reason));
}

}  // namespace

Status ScanQueryJournals(FileSystem* fs, const std::string& root, const std::set<StreamKey>& wanted,
                         int64_t lo, int64_t hi,
                         const std::function<void(const TickRecordView&, std::string_view)>& on,
                         QueryStats* stats) {
  const std::string journal_root = JournalRoot(root);
  if (!fs->Exists(journal_root)) return Status::Ok();
  auto dates = fs->ListDir(journal_root);
  if (!dates.ok()) return dates.status();
  TickRecordView record;
  for (const std::string& date : *dates) {
    auto names = ListOrSkip(fs, JoinPath(journal_root, date), stats);
    if (!names) continue;
    for (const std::string& name : *names) {
      if (!ParseJournalName(name)) continue;
      const std::string path = JoinPath(JoinPath(journal_root, date), name);
      JournalScan scan;
      const Status status = ScanJournal(
          fs, path,
          [&](std::string_view bytes) {
            const TickOrderKey key = OrderKeyOfRecord(bytes.data());
            if (key.exchange_ns < lo || key.exchange_ns >= hi) return;
            if (!wanted.count(StreamKey{key.contract_id, static_cast<TickType>(key.type)})) {
              return;
            }
            auto used = DecodeTickRecord(bytes, &record);
            if (!used.ok()) return;  // ScanJournal counts it in scan.bad_records
            on(record, bytes.substr(0, *used));
          },
          &scan);
      if (status.code() == StatusCode::kNotFound) continue;  // converted meanwhile
      if (!status.ok()) {
        Skip(stats, path, scan.file_size, "unreadable journal: " + status.ToString());
        continue;
      }
      ReportJournalDamage(path, scan, stats);
      ++stats->journals_read;
    }
  }
  return Status::Ok();
}

Status ListClosedHours(FileSystem* fs, const std::string& root, TimePoint from, TimePoint to,
                       std::set<int64_t>* hours, QueryStats* stats) {
  const std::string closed_root = ClosedRoot(root);
  const int64_t first_hour = ToUnixNanos(HourStart(from));
  const int64_t hi = ToUnixNanos(to);
  if (!fs->Exists(closed_root)) return Status::Ok();
  auto dates = fs->ListDir(closed_root);
  if (!dates.ok()) return dates.status();
  for (const std::string& date : *dates) {
    auto day = ParseHour(date, "00");
    if (!day || ToUnixNanos(*day) + 24 * kNanosPerHour <= first_hour || ToUnixNanos(*day) >= hi) {
      continue;
    }
    auto names = ListOrSkip(fs, JoinPath(closed_root, date), stats);
    if (!names) continue;
    for (const std::string& hh : *names) {
      auto hour = ParseHour(date, hh);
      if (hour && ToUnixNanos(*hour) >= first_hour && ToUnixNanos(*hour) < hi) {
        hours->insert(ToUnixNanos(*hour));
      }
    }
  }
  return Status::Ok();
}

void ReadClosedFilesOfHour(FileSystem* fs, const std::string& root, int64_t hour,
                           const std::set<StreamKey>& wanted,
                           const std::function<Status(const ClosedFileReader&)>& read,
                           QueryStats* stats) {
  const std::string dir = ClosedHourDir(root, FromUnixNanos(hour));
  std::optional<std::vector<std::string>> names;
  if (fs->Exists(dir)) names = ListOrSkip(fs, dir, stats);
  if (!names) return;
  for (const std::string& name : *names) {
    auto stream = ParseClosedFileName(name);
    if (!stream || !wanted.count(*stream)) continue;
    const std::string path = JoinPath(dir, name);
    auto reader = ClosedFileReader::Open(fs, path);
    Status status = reader.status();
    if (status.ok()) status = read(**reader);
    if (!status.ok()) {
      auto size = fs->FileSize(path);
      Skip(stats, path, size.ok() ? *size : 0, status.ToString());
      continue;
    }
    ++stats->closed_files_read;
  }
}

}  // namespace query_internal

Status QueryTicks(FileSystem* fs, const std::string& root, const QueryRequest& request,
                  const std::function<Status(const Tick&)>& sink, QueryStats* stats) {
  QueryStats ignored;
  if (stats == nullptr) stats = &ignored;
  *stats = QueryStats();
  if (request.streams.empty() || request.to <= request.from) return Status::Ok();
  const std::set<StreamKey> wanted(request.streams.begin(), request.streams.end());

  // Journals first (a conversion may delete one after we list it; its closed files, listed
  // later, then hold its ticks). Matching journal ticks are bucketed by IB-time hour.
  std::map<int64_t, std::vector<Tick>> journal_ticks;
  IBSTREAM_RETURN_IF_ERROR(query_internal::ScanQueryJournals(
      fs, root, wanted, ToUnixNanos(request.from), ToUnixNanos(request.to),
      [&](const TickRecordView& record, std::string_view) {
        std::vector<Tick>& bucket = journal_ticks[query_internal::HourOfNanos(record.exchange_ns)];
        TickFromRecord(record, &bucket.emplace_back());
      },
      stats));

  // The hours to visit: closed hour directories inside the range, and journal ticks' hours.
  std::set<int64_t> hours;
  for (const auto& [hour, ticks] : journal_ticks) hours.insert(hour);
  IBSTREAM_RETURN_IF_ERROR(
      query_internal::ListClosedHours(fs, root, request.from, request.to, &hours, stats));

  std::vector<Tick> hour_ticks;
  std::vector<Tick> sort_scratch;
  std::vector<std::pair<TickOrderKey, size_t>> sort_keys;
  for (int64_t hour : hours) {
    hour_ticks.clear();
    query_internal::ReadClosedFilesOfHour(
        fs, root, hour, wanted,
        [&](const ClosedFileReader& reader) {
          return reader.ReadRange(request.from, request.to,
                                  [&](const Tick& t) { hour_ticks.push_back(t); });
        },
        stats);
    auto it = journal_ticks.find(hour);
    if (it != journal_ticks.end()) {
      for (Tick& t : it->second) hour_ticks.push_back(std::move(t));
      journal_ticks.erase(it);
    }
    if (hour_ticks.empty()) continue;
    SortByOrderKey(&hour_ticks, &sort_keys, &sort_scratch);
    DeduplicateSorted(&hour_ticks, stats);
    for (const Tick& t : hour_ticks) {
      IBSTREAM_RETURN_IF_ERROR(sink(t));
      ++stats->ticks_returned;
    }
  }
  return Status::Ok();
}

}  // namespace ibstream::storage
