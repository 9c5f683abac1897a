#include "merge/merger.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <set>

#include "merge/merge_state.h"
#include "storage/layout.h"
#include "storage/recovery.h"
#include "storage/store.h"

namespace ibstream::merge {
namespace {

constexpr Duration kSecond = std::chrono::seconds(1);
constexpr Duration kFlushTimeout = std::chrono::minutes(5);

TimePoint FloorSecond(TimePoint t) { return std::chrono::floor<std::chrono::seconds>(t); }
TimePoint CeilSecond(TimePoint t) { return std::chrono::ceil<std::chrono::seconds>(t); }

// The merged gap being built for one stream: consecutive gap seconds with the same reason.
struct OpenGap {
  uint64_t id = 0;  // 0 until written to the ledger
  std::string cause;
  std::string reason;
  TimePoint start;
  TimePoint end;
  bool dirty = false;  // `end` grew since the ledger last saw it
};

struct StreamRun {
  StreamKey key;
  TimePoint from;
  TimePoint to;
  std::vector<std::optional<Extent>> extents;  // per source
  std::optional<size_t> previous;
  std::optional<OpenGap> gap;
  StreamMergeReport report;
};

// Which part of a source a skipped (damaged) path may have held: a stream (closed files name it),
// an hour (closed hour directories, journals: the hour they were opened and the one before, for
// ticks received late), or everything read with it.
struct DamageScope {
  std::optional<StreamKey> stream;
  std::optional<TimePoint> hour;
  bool previous_hour_too = false;
};

DamageScope ScopeOf(const std::string& path) {
  DamageScope scope;
  std::vector<std::string> parts;
  size_t begin = 0;
  while (begin <= path.size()) {
    const size_t slash = path.find('/', begin);
    const size_t end = slash == std::string::npos ? path.size() : slash;
    parts.push_back(path.substr(begin, end - begin));
    begin = end + 1;
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    const size_t left = parts.size() - i - 1;
    if (parts[i] == "closed" && left >= 2) {
      scope.hour = storage::ParseHour(parts[i + 1], parts[i + 2]);
      if (left >= 3) scope.stream = storage::ParseClosedFileName(parts[i + 3]);
    } else if (parts[i] == "journal" && left >= 2) {
      if (auto name = storage::ParseJournalName(parts[i + 2])) {
        scope.hour = storage::ParseHour(parts[i + 1], name->hour_name);
        scope.previous_hour_too = true;
      }
    }
  }
  return scope;
}

bool DamageTouches(const DamageScope& scope, const StreamKey& stream, TimePoint chunk_hour) {
  if (scope.stream && *scope.stream != stream) return false;
  if (!scope.hour) return true;
  return *scope.hour == chunk_hour ||
         (scope.previous_hour_too && *scope.hour - storage::kStoreHour == chunk_hour);
}

// Why source `name` has nothing for a lost second, and the cause it contributes.
void DescribeLoss(const std::string& name, Coverage coverage, const storage::GapRecord* gap,
                  std::string* reason, std::vector<std::string>* causes) {
  std::string cause;
  std::string why;
  if (coverage == Coverage::kLost && gap != nullptr) {
    cause = gap->cause;
    why = gap->reason.empty() ? gap->cause : gap->cause + ": " + gap->reason;
  } else if (coverage == Coverage::kDamaged) {
    cause = "damaged";
    why = "damaged data";
  } else {
    cause = "not_recording";
    why = "not recording";
  }
  // The ledger holds at most 65535 bytes of cause and of reason: each source's part is bounded.
  constexpr size_t kMaxPart = 256;
  if (why.size() > kMaxPart) why = why.substr(0, kMaxPart) + "...";
  if (cause.size() > 64) cause = cause.substr(0, 64);
  if (!reason->empty()) *reason += ", ";
  *reason += name.substr(0, 64) + " (" + why + ")";
  if (std::find(causes->begin(), causes->end(), cause) == causes->end()) causes->push_back(cause);
}

class Merger {
 public:
  Merger(fs::FileSystem* fs, const Clock& clock, const std::vector<MergeSource*>& sources,
         const MergeOptions& options)
      : fs_(fs), clock_(clock), sources_(sources), options_(options) {}

  Result<MergeReport> Run() {
    IBSTREAM_RETURN_IF_ERROR(CheckSources());
    IBSTREAM_RETURN_IF_ERROR(CheckOutput());
    auto state = ReadMergeState(fs_, options_.out);
    if (!state.ok()) return state.status();
    state_ = std::move(*state);
    IBSTREAM_RETURN_IF_ERROR(PlanStreams());
    for (const MergeSource* source : sources_) {
      if (!source->ledger_damage().clean()) Damage(source->name()).ledger = source->ledger_damage();
    }
    if (runs_.empty()) return Finish();
    IBSTREAM_RETURN_IF_ERROR(OpenOutput());
    TimePoint from = TimePoint::max();
    TimePoint to = TimePoint::min();
    for (const StreamRun& run : runs_) {
      from = std::min(from, run.from);
      to = std::max(to, run.to);
    }
    for (TimePoint hour = storage::HourStart(from); hour < to; hour += storage::kStoreHour) {
      IBSTREAM_RETURN_IF_ERROR(
          MergeHour(hour, std::max(hour, from), std::min(hour + storage::kStoreHour, to)));
    }
    store_->Close();
    IBSTREAM_RETURN_IF_ERROR(ConvertJournals());
    return Finish();
  }

 private:
  Status CheckSources() {
    if (sources_.empty()) return InvalidArgument("merge needs at least one source");
    std::set<std::string> names;
    for (const MergeSource* source : sources_) {
      if (!names.insert(source->name()).second) {
        return InvalidArgument("two sources are named '" + source->name() + "'");
      }
    }
    return Status::Ok();
  }

  // The merged store is new (absent or an empty directory) or one a merge wrote (it has its
  // state file): never a recorder's store or another directory, whose data would be mixed in.
  Status CheckOutput() {
    if (!fs_->Exists(options_.out)) return Status::Ok();
    auto names = fs_->ListDir(options_.out);
    if (!names.ok()) return names.status().WithContext("merged store");
    if (names->empty() || fs_->Exists(MergeStatePath(options_.out))) return Status::Ok();
    return InvalidArgument(options_.out +
                           " is not empty and no merge wrote it (no merge/state.json): give a new "
                           "directory for the merged store");
  }

  // One StreamRun per stream any source holds (of the contract asked for), with its range.
  Status PlanStreams() {
    std::set<StreamKey> keys;
    for (const MergeSource* source : sources_) {
      for (const StreamKey& key : source->streams()) {
        if (!options_.contract || key.contract_id == *options_.contract) keys.insert(key);
      }
    }
    // Depth is refused, not merged (merger.h): no run, no ticks, no merged gaps, no state.
    for (auto it = keys.begin(); it != keys.end();) {
      if (it->type != TickType::kDepth) {
        ++it;
        continue;
      }
      report_.depth_not_merged.push_back(*it);
      it = keys.erase(it);
    }
    for (const StreamKey& key : keys) {
      StreamRun run;
      run.key = key;
      std::optional<TimePoint> first;
      std::optional<TimePoint> last;  // exclusive
      auto widen = [&](TimePoint a, TimePoint b) {
        first = first ? std::min(*first, a) : a;
        last = last ? std::max(*last, b) : b;
      };
      for (MergeSource* source : sources_) {
        auto extent = source->StreamExtent(key);
        if (!extent.ok()) return extent.status().WithContext("source " + source->name());
        run.extents.push_back(*extent);
        if (*extent && (*extent)->first_tick && (*extent)->last_tick) {
          widen(FloorSecond(*(*extent)->first_tick), FloorSecond(*(*extent)->last_tick) + kSecond);
        }
        for (const storage::GapRecord& gap : source->gaps()) {
          if (gap.stream == key && gap.end > gap.start) {
            widen(FloorSecond(gap.start), CeilSecond(gap.end));
          }
        }
      }
      if (!first) continue;
      run.from = options_.start ? FloorSecond(*options_.start) : *first;
      run.to = options_.end ? FloorSecond(*options_.end) : *last;
      auto saved = state_.streams.find(key);
      if (saved != state_.streams.end()) {
        if (!options_.start) run.from = saved->second.merged_to;
        run.from = std::max(run.from, saved->second.merged_to);
        for (size_t i = 0; i < sources_.size(); ++i) {
          if (sources_[i]->name() == saved->second.source) run.previous = i;
        }
        if (saved->second.open_gap_id != 0) {
          run.gap = OpenGap{saved->second.open_gap_id,     saved->second.open_gap_cause,
                            saved->second.open_gap_reason, saved->second.open_gap_start,
                            saved->second.merged_to,       false};
        }
      }
      if (run.from >= run.to) continue;
      run.report.stream = key;
      run.report.from = run.from;
      run.report.to = run.to;
      runs_.push_back(std::move(run));
    }
    return Status::Ok();
  }

  Status OpenOutput() {
    IBSTREAM_RETURN_IF_ERROR(fs::CreateDirs(fs_, options_.out));
    storage::StoreOptions store_options;
    store_options.root = options_.out;
    store_options.zstd_level = options_.zstd_level;
    store_options.background_maintenance = false;
    auto store = storage::Store::Open(fs_, clock_, std::move(store_options));
    if (!store.ok()) return store.status().WithContext("merged store " + options_.out);
    store_ = std::move(*store);
    return Status::Ok();
  }

  // Decides every second of [from, to) (inside the hour starting at `hour`) of the streams whose
  // range meets it, then makes it durable: ticks, gap records, state.
  Status MergeHour(TimePoint hour, TimePoint from, TimePoint to) {
    std::vector<StreamRun*> active;
    std::vector<StreamKey> keys;
    for (StreamRun& run : runs_) {
      if (run.from < to && run.to > from) {
        active.push_back(&run);
        keys.push_back(run.key);
      }
    }
    if (active.empty()) return Status::Ok();
    // ticks[source][stream]; damaged[source][stream]
    std::vector<std::vector<std::vector<Tick>>> ticks(sources_.size());
    std::vector<std::vector<bool>> damaged(sources_.size(), std::vector<bool>(keys.size()));
    for (size_t s = 0; s < sources_.size(); ++s) {
      storage::QueryStats stats;
      const Status read = sources_[s]->ReadTicks(keys, from, to, &ticks[s], &stats);
      if (!read.ok()) return read.WithContext("source " + sources_[s]->name());
      for (const storage::SkippedData& skipped : stats.skipped) {
        NoteDamage(sources_[s]->name(), skipped);
        const DamageScope scope = ScopeOf(skipped.path);
        for (size_t k = 0; k < keys.size(); ++k) {
          if (DamageTouches(scope, keys[k], hour)) damaged[s][k] = true;
        }
      }
    }
    for (size_t k = 0; k < active.size(); ++k) {
      StreamRun& run = *active[k];
      const TimePoint run_from = std::max(from, run.from);
      const TimePoint run_to = std::min(to, run.to);
      std::vector<const std::vector<Tick>*> stream_ticks;
      std::vector<bool> stream_damaged;
      for (size_t s = 0; s < sources_.size(); ++s) {
        stream_ticks.push_back(&ticks[s][k]);
        stream_damaged.push_back(damaged[s][k]);
      }
      IBSTREAM_RETURN_IF_ERROR(DecideSeconds(run, run_from, run_to, stream_ticks, stream_damaged));
    }
    IBSTREAM_RETURN_IF_ERROR(store_->writer().Flush(kFlushTimeout));
    for (StreamRun* run : active) {
      if (run->gap) IBSTREAM_RETURN_IF_ERROR(WriteGap(*run));
      StreamMergeState& saved = state_.streams[run->key];
      saved.merged_to = std::min(to, run->to);
      saved.source = run->previous ? sources_[*run->previous]->name() : "";
      const bool open = run->gap && run->gap->end == saved.merged_to;
      saved.open_gap_id = open ? run->gap->id : 0;
      saved.open_gap_cause = open ? run->gap->cause : "";
      saved.open_gap_reason = open ? run->gap->reason : "";
      saved.open_gap_start = open ? run->gap->start : TimePoint();
    }
    return WriteMergeState(fs_, options_.out, state_);
  }

  Status DecideSeconds(StreamRun& run, TimePoint from, TimePoint to,
                       const std::vector<const std::vector<Tick>*>& ticks,
                       const std::vector<bool>& damaged) {
    const size_t seconds = static_cast<size_t>((to - from) / kSecond);
    std::vector<CoverageRun> coverage;
    for (size_t s = 0; s < sources_.size(); ++s) {
      coverage.push_back(
          PaintCoverage(run.extents[s], sources_[s]->gaps(), run.key, from, seconds));
      if (!damaged[s]) continue;
      for (Coverage& c : coverage.back().coverage) {
        if (c == Coverage::kLive || c == Coverage::kBackfilled) c = Coverage::kDamaged;
      }
    }
    std::vector<size_t> cursor(sources_.size(), 0);
    std::vector<Coverage> second(sources_.size());
    for (size_t i = 0; i < seconds; ++i) {
      const TimePoint start = from + i * kSecond;
      const TimePoint end = start + kSecond;
      for (size_t s = 0; s < sources_.size(); ++s) {
        second[s] = coverage[s].coverage[i];
        const std::vector<Tick>& list = *ticks[s];
        while (cursor[s] < list.size() && list[cursor[s]].exchange_time < start) ++cursor[s];
      }
      const SecondChoice choice = ChooseSource(second, run.previous);
      if (choice.source) {
        const size_t s = *choice.source;
        if (run.previous && *run.previous != s) ++run.report.switches;
        run.previous = s;
        ++run.report.seconds_by_source[sources_[s]->name()];
        const std::vector<Tick>& list = *ticks[s];
        for (size_t t = cursor[s]; t < list.size() && list[t].exchange_time < end; ++t) {
          IBSTREAM_RETURN_IF_ERROR(Append(list[t]));
          ++run.report.ticks;
        }
      }
      if (choice.gap) {
        ++run.report.gap_seconds;
        if (choice.source) ++run.report.damaged_seconds;
        std::string reason;
        std::vector<std::string> causes;
        for (size_t s = 0; s < sources_.size(); ++s) {
          DescribeLoss(sources_[s]->name(), second[s], coverage[s].gap[i], &reason, &causes);
        }
        std::string cause;
        for (const std::string& c : causes) cause += (cause.empty() ? "" : "+") + c;
        IBSTREAM_RETURN_IF_ERROR(ExtendGap(run, start, cause, "lost by every recorder: " + reason));
      } else if (run.gap) {
        IBSTREAM_RETURN_IF_ERROR(WriteGap(run));
        run.gap.reset();
      }
    }
    return Status::Ok();
  }

  Status ExtendGap(StreamRun& run, TimePoint second, const std::string& cause,
                   const std::string& reason) {
    if (run.gap && run.gap->end == second && run.gap->cause == cause && run.gap->reason == reason) {
      run.gap->end = second + kSecond;
      run.gap->dirty = true;
      return Status::Ok();
    }
    if (run.gap) IBSTREAM_RETURN_IF_ERROR(WriteGap(run));
    run.gap = OpenGap{0, cause, reason, second, second + kSecond, true};
    return Status::Ok();
  }

  // Makes the open gap's current extent durable in the merged ledger.
  Status WriteGap(StreamRun& run) {
    OpenGap& gap = *run.gap;
    if (!gap.dirty) return Status::Ok();
    if (gap.id == 0) {
      storage::GapRecord record;
      record.stream = run.key;
      record.start = gap.start;
      record.end = gap.end;
      record.cause = gap.cause;
      record.state = storage::BackfillState::kFailed;
      record.reason = gap.reason;
      record.updated_at = clock_.Now();
      auto id = store_->ledger().Add(std::move(record));
      if (!id.ok()) return id.status().WithContext("merged gap ledger");
      gap.id = *id;
      ++report_.gap_records_added;
    } else {
      IBSTREAM_RETURN_IF_ERROR(store_->ledger().Update(gap.id, storage::BackfillState::kFailed,
                                                       gap.reason, clock_.Now(), gap.end));
      ++report_.gap_records_extended;
    }
    gap.dirty = false;
    return Status::Ok();
  }

  // The writer's queue is bounded: when it is full, wait until it drained to the disk.
  Status Append(const Tick& tick) {
    for (int attempt = 0;; ++attempt) {
      auto position = store_->writer().Append(tick);
      if (position.ok()) break;
      if (position.status().code() != StatusCode::kResourceExhausted || attempt >= 3) {
        return position.status().WithContext("merged store");
      }
      IBSTREAM_RETURN_IF_ERROR(store_->writer().Flush(kFlushTimeout));
    }
    ++report_.ticks;
    return Status::Ok();
  }

  // Every journal the merge wrote becomes closed files (the writer is stopped).
  Status ConvertJournals() {
    auto hours = storage::ListJournalHours(fs_, options_.out);
    if (!hours.ok()) return hours.status();
    for (TimePoint hour : *hours) {
      storage::ConversionReport report;
      IBSTREAM_RETURN_IF_ERROR(
          storage::ConvertJournalHour(fs_, options_.out, hour, options_.zstd_level, &report));
    }
    return Status::Ok();
  }

  SourceDamage& Damage(const std::string& source) {
    for (SourceDamage& d : report_.damage) {
      if (d.source == source) return d;
    }
    report_.damage.push_back(SourceDamage{source, {}, 0, {}});
    return report_.damage.back();
  }

  void NoteDamage(const std::string& source, const storage::SkippedData& skipped) {
    SourceDamage& d = Damage(source);
    for (const storage::SkippedData& known : d.skipped) {
      if (known.path == skipped.path) return;
    }
    spdlog::warn("event=merge_source_damaged source={} path={} bytes={} reason=\"{}\"", source,
                 skipped.path, skipped.bytes, skipped.reason);
    d.skipped.push_back(skipped);
    d.skipped_bytes += skipped.bytes;
  }

  Result<MergeReport> Finish() {
    for (StreamRun& run : runs_) report_.streams.push_back(std::move(run.report));
    return std::move(report_);
  }

  fs::FileSystem* fs_;
  const Clock& clock_;
  const std::vector<MergeSource*>& sources_;
  const MergeOptions& options_;
  MergeState state_;
  std::vector<StreamRun> runs_;
  std::unique_ptr<storage::Store> store_;
  MergeReport report_;
};

}  // namespace

Result<MergeReport> MergeStores(fs::FileSystem* fs, const Clock& clock,
                                const std::vector<MergeSource*>& sources,
                                const MergeOptions& options) {
  Merger merger(fs, clock, sources, options);
  return merger.Run();
}

}  // namespace ibstream::merge
