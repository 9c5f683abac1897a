#include "storage/store.h"

#include <spdlog/spdlog.h>

#include "storage/layout.h"

namespace ibstream::storage {

using fs::FileSystem;
using fs::JoinPath;

Status ApplyRetention(FileSystem* fs, const std::string& root, const RetentionPolicy& policy,
                      TimePoint now, RetentionReport* report) {
  *report = RetentionReport();
  const std::string closed = ClosedRoot(root);
  if (!fs->Exists(closed)) return Status::Ok();
  auto dates = fs->ListDir(closed);
  if (!dates.ok()) return dates.status();
  auto expired = [&](Duration keep, TimePoint hour_end) {
    return keep.count() > 0 && now - hour_end > keep;
  };
  for (const std::string& date : *dates) {
    const std::string date_dir = JoinPath(closed, date);
    auto hours = fs->ListDir(date_dir);
    if (!hours.ok()) continue;
    size_t hours_left = hours->size();
    for (const std::string& hh : *hours) {
      auto hour = ParseHour(date, hh);
      if (!hour) continue;
      const TimePoint hour_end = *hour + std::chrono::hours(1);
      const std::string hour_dir = JoinPath(date_dir, hh);
      auto names = fs->ListDir(hour_dir);
      if (!names.ok()) continue;
      size_t left = names->size();
      bool deleted = false;
      for (const std::string& name : *names) {
        auto stream = ParseClosedFileName(name);
        if (!stream) continue;
        auto it = policy.keep_for_contract.find(stream->contract_id);
        const Duration keep = it != policy.keep_for_contract.end() ? it->second : policy.keep_for;
        if (!expired(keep, hour_end)) continue;
        IBSTREAM_RETURN_IF_ERROR(fs->DeleteFile(JoinPath(hour_dir, name)));
        ++report->files_deleted;
        --left;
        deleted = true;
      }
      if (deleted) IBSTREAM_RETURN_IF_ERROR(fs->SyncDir(hour_dir));
      if (left == 0) {
        IBSTREAM_RETURN_IF_ERROR(fs->DeleteDir(hour_dir));
        ++report->hours_removed;
        --hours_left;
      }
    }
    if (hours_left == 0) IBSTREAM_RETURN_IF_ERROR(fs->DeleteDir(date_dir));
    IBSTREAM_RETURN_IF_ERROR(fs->SyncDir(hours_left == 0 ? closed : date_dir));
  }
  return Status::Ok();
}

Result<std::unique_ptr<Store>> Store::Open(FileSystem* fs, const Clock& clock,
                                           StoreOptions options) {
  options.writer.root = options.root;
  std::unique_ptr<Store> store(new Store(fs, clock, std::move(options)));
  auto recovery = RecoverStore(fs, store->options_.root, store->options_.on_corruption);
  if (!recovery.ok()) return recovery.status().WithContext("storage recovery");
  store->recovery_ = std::move(*recovery);
  // Journals of past hours are complete: convert them before new writing starts. The current
  // hour's earlier generations wait for the hour to end (conversion merges all generations).
  IBSTREAM_RETURN_IF_ERROR(store->ConvertHoursBefore(HourStart(clock.Now())));
  auto ledger = GapLedger::Open(fs, store->options_.root, clock.Now(), &store->ledger_damage_);
  if (!ledger.ok()) return ledger.status().WithContext("gap ledger");
  store->ledger_ = std::move(*ledger);
  store->async_ledger_ = std::make_unique<AsyncGapLedger>(store->ledger_.get());
  auto routes = RouteLog::Open(fs, store->options_.root);
  if (!routes.ok()) return routes.status();
  store->routes_ = std::move(*routes);

  WriterOptions writer_options = store->options_.writer;
  Store* raw = store.get();
  auto user_event = writer_options.on_event;
  writer_options.on_event = [raw, user_event](const StorageEvent& event) {
    if (user_event) user_event(event);
    if (event.kind == StorageEvent::Kind::kRotated) {
      std::lock_guard lock(raw->mu_);
      raw->rotated_ = true;
      raw->wake_.notify_one();
    }
  };
  store->writer_ = std::make_unique<TickWriter>(fs, clock, std::move(writer_options));
  if (store->options_.background_maintenance) {
    store->maintenance_ = std::thread([raw] { raw->MaintenanceLoop(); });
  }
  return store;
}

Store::~Store() { Close(); }

void Store::Close() {
  if (async_ledger_ != nullptr) async_ledger_->Stop();
  if (routes_ != nullptr) routes_->Stop();
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  if (maintenance_.joinable()) maintenance_.join();
  if (writer_ != nullptr) writer_->Stop();
}

Status Store::ConvertHoursBefore(TimePoint hour) {
  if (options_.keep_journals_from) hour = std::min(hour, options_.keep_journals_from());
  auto hours = ListJournalHours(fs_, options_.root);
  if (!hours.ok()) return hours.status();
  for (TimePoint h : *hours) {
    if (h >= hour) break;
    ConversionReport report;
    IBSTREAM_RETURN_IF_ERROR(
        ConvertJournalHour(fs_, options_.root, h, options_.zstd_level, &report));
    spdlog::info("event=hour_converted hour={} journals={} ticks={} files={}", FormatIsoUtc(h),
                 report.journals, report.ticks, report.files_written);
  }
  return Status::Ok();
}

Status Store::Maintain() {
  std::lock_guard lock(maintain_mu_);
  IBSTREAM_RETURN_IF_ERROR(ConvertHoursBefore(writer_->active_hour()));
  RetentionReport retention;
  IBSTREAM_RETURN_IF_ERROR(
      ApplyRetention(fs_, options_.root, options_.retention, clock_.Now(), &retention));
  if (retention.files_deleted > 0) {
    spdlog::info("event=retention_deleted files={}", retention.files_deleted);
  }
  return Status::Ok();
}

void Store::MaintenanceLoop() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, clock_.ToRealDuration(options_.maintenance_interval),
                     [&] { return stop_ || rotated_; });
      if (stop_) return;
      rotated_ = false;
    }
    const Status status = Maintain();
    if (!status.ok())
      spdlog::error("event=storage_maintenance_failed error=\"{}\"", status.ToString());
  }
}

}  // namespace ibstream::storage
