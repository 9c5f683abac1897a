#include "recorder/sealed_hour_check.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "client/event_loop.h"
#include "recorder/backfill_runner.h"
#include "recorder/contract_registry.h"
#include "recorder/loop_context.h"
#include "storage/closed_file.h"
#include "storage/layout.h"

namespace ibstream::recorder {

namespace {

constexpr std::string_view kDamagedFileCause = "damaged_file";

bool Cancelled(const std::atomic<bool>* cancel) {
  return cancel != nullptr && cancel->load(std::memory_order_relaxed);
}

// The damaged spans of one closed file (none when it reads whole).
void CheckClosedFile(fs::FileSystem* fs, const std::string& path, const StreamKey& stream,
                     TimePoint hour, std::vector<DamagedSpan>* out) {
  auto reader = storage::ClosedFileReader::Open(fs, path);
  if (!reader.ok()) {
    out->push_back(DamagedSpan{path, stream, hour, hour + storage::kStoreHour - Duration{1}, 0,
                               reader.status().ToString()});
    return;
  }
  const auto& frames = (*reader)->frames();
  std::optional<DamagedSpan> open;
  for (size_t i = 0; i < frames.size(); ++i) {
    const Status checked = (*reader)->CheckFrame(i);
    if (checked.ok()) {
      if (open) out->push_back(*std::exchange(open, std::nullopt));
      continue;
    }
    const TimePoint first = FromUnixNanos(frames[i].min_exchange_ns);
    const TimePoint last = FromUnixNanos(frames[i].max_exchange_ns);
    if (!open) {
      open = DamagedSpan{path, stream, first, last, 0, checked.ToString()};
    }
    open->last = std::max(open->last, last);
    open->ticks += frames[i].tick_count;
  }
  if (open) out->push_back(*open);
}

}  // namespace

SealedHourScan ScanSealedHours(fs::FileSystem* fs, const std::string& root, TimePoint since,
                               const std::atomic<bool>* cancel) {
  SealedHourScan scan;
  const std::string closed = storage::ClosedRoot(root);
  if (!fs->Exists(closed)) return scan;
  auto dates = fs->ListDir(closed);
  if (!dates.ok()) {
    scan.errors.push_back(closed + ": " + dates.status().ToString());
    return scan;
  }
  std::sort(dates->begin(), dates->end());
  for (const std::string& date : *dates) {
    const std::string date_dir = fs::JoinPath(closed, date);
    auto is_dir = fs->IsDirectory(date_dir);
    if (!is_dir.ok() || !*is_dir) continue;  // verify reports what does not belong
    auto hours = fs->ListDir(date_dir);
    if (!hours.ok()) {
      scan.errors.push_back(date_dir + ": " + hours.status().ToString());
      continue;
    }
    std::sort(hours->begin(), hours->end());
    for (const std::string& hour_name : *hours) {
      const std::optional<TimePoint> hour = storage::ParseHour(date, hour_name);
      if (!hour || *hour < storage::HourStart(since)) continue;
      const std::string hour_dir = fs::JoinPath(date_dir, hour_name);
      auto files = fs->ListDir(hour_dir);
      if (!files.ok()) {
        // Not a directory (verify reports it) or unreadable.
        auto dir = fs->IsDirectory(hour_dir);
        if (dir.ok() && *dir) scan.errors.push_back(hour_dir + ": " + files.status().ToString());
        continue;
      }
      std::sort(files->begin(), files->end());
      for (const std::string& name : *files) {
        if (Cancelled(cancel)) return scan;
        if (storage::IsTempName(name)) continue;
        const std::optional<StreamKey> stream = storage::ParseClosedFileName(name);
        if (!stream) continue;
        ++scan.files_checked;
        CheckClosedFile(fs, fs::JoinPath(hour_dir, name), *stream, *hour, &scan.damaged);
      }
    }
  }
  return scan;
}

SealedHourCheck::SealedHourCheck(LoopContext& ctx, client::EventLoop& loop,
                                 ContractRegistry& registry, BackfillRunner& backfill)
    : ctx_(ctx), loop_(loop), registry_(registry), backfill_(backfill) {}

SealedHourCheck::~SealedHourCheck() {
  cancel_ = true;
  worker_.Stop();
}

void SealedHourCheck::Start(TimePoint now) {
  const Status posted = worker_.Post([this, fs = ctx_.fs, root = ctx_.options.config.storage.path,
                                      since = now - kSealedHourCheckWindow] {
    SealedHourScan scan = ScanSealedHours(fs, root, since, &cancel_);
    if (cancel_) return;
    loop_.Post(
        [this, scan = std::move(scan)]() mutable { OnScanned(std::move(scan), ctx_.clock.Now()); });
  });
  if (!posted.ok()) {
    spdlog::error("event=sealed_hour_check_skipped error=\"{}\"", posted.ToString());
  }
}

void SealedHourCheck::OnScanned(SealedHourScan scan, TimePoint now) {
  for (const std::string& error : scan.errors) {
    spdlog::error("event=sealed_hour_check_error error=\"{}\"", error);
  }
  spdlog::info("event=sealed_hour_check files={} damaged={}", scan.files_checked,
               scan.damaged.size());
  std::string last_path;
  for (DamagedSpan& span : scan.damaged) {
    const std::string what = std::to_string(span.ticks) + " ticks of " + ToString(span.stream) +
                             " from " + FormatIsoUtc(span.first) + " to " + FormatIsoUtc(span.last);
    spdlog::error(
        "event=sealed_hour_damaged file={} stream={} from={} to={} ticks={} error=\"{}\" "
        "action=backfill",
        span.path, ToString(span.stream), FormatIsoUtc(span.first), FormatIsoUtc(span.last),
        span.ticks, span.detail);
    if (span.path != last_path) ++ctx_.counters.sealed_files_damaged;
    last_path = span.path;
    ctx_.core.OnStoredDataDamaged(span.stream.contract_id, span.path,
                                  "sealed hour " + span.path + " cannot give back " + what, now);
    waiting_.push_back(std::move(span));
  }
  Step(now);
}

void SealedHourCheck::Step(TimePoint now) {
  if (waiting_.empty()) return;
  const std::vector<storage::GapRecord> ledger = ctx_.store->ledger().List();
  for (size_t i = 0; i < waiting_.size();) {
    const DamagedSpan& span = waiting_[i];
    const ContractState* c = registry_.Find(span.stream.contract_id);
    if (c == nullptr || !c->details) {
      ++i;  // not resolved yet (or not tracked now: kept until it is)
      continue;
    }
    const bool recorded = std::any_of(ledger.begin(), ledger.end(), [&](const auto& g) {
      return g.stream == span.stream && g.cause == kDamagedFileCause &&
             g.start <= std::chrono::floor<std::chrono::seconds>(span.first) &&
             std::chrono::floor<std::chrono::seconds>(span.last) < g.end;
    });
    if (recorded) {
      spdlog::info("event=sealed_hour_gap_known file={} stream={} from={} to={}", span.path,
                   ToString(span.stream), FormatIsoUtc(span.first), FormatIsoUtc(span.last));
    } else {
      backfill_.OpenGap(*c, span.stream, span.first, span.last, std::string(kDamagedFileCause),
                        now);
    }
    waiting_.erase(waiting_.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

}  // namespace ibstream::recorder
