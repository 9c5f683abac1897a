#include "storage/tick_writer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "storage/layout.h"
#include "storage/tick_codec.h"

namespace ibstream::storage {

using fs::FileSystem;
using fs::JoinPath;
namespace {

constexpr const char* kFatalWhy =
    "The page cache state of the file is now unknown (the kernel may have dropped the dirty "
    "pages and marked them clean), so nothing written since the last successful sync can be "
    "called durable. Stopping; recovery runs at restart.";

void DefaultFatal(const Status& status) {
  std::fprintf(stderr, "FATAL storage: fdatasync failed: %s. %s\n", status.ToString().c_str(),
               kFatalWhy);
  spdlog::critical("event=storage_fsync_failed error=\"{}\" why=\"{}\"", status.ToString(),
                   kFatalWhy);
  spdlog::shutdown();
  std::abort();
}

std::atomic<FatalHandler> fatal_handler{&DefaultFatal};

// How long the writer sleeps when idle: short enough for the batch interval, long enough not
// to spin.
Duration IdleWait(const WriterOptions& options) {
  return std::clamp<Duration>(options.batch_interval / 4, std::chrono::milliseconds(1),
                              std::chrono::milliseconds(25));
}

// Producers wake a sleeping writer only when this many ticks are queued (or on every tick for
// the `always` policy): fewer futex calls on the network thread.
constexpr size_t kWakeThreshold = 4096;

}  // namespace

void SetFatalStorageHandler(FatalHandler handler) {
  fatal_handler.store(handler != nullptr ? handler : &DefaultFatal);
}

void FatalStorageError(const Status& status) { fatal_handler.load()(status); }

TickWriter::TickWriter(FileSystem* fs, const Clock& clock, WriterOptions options)
    : fs_(fs), clock_(clock), options_(std::move(options)) {
  pending_info_.reserve(std::min<size_t>(options_.queue_capacity, 1 << 16));
  const TimePoint now = clock_.Now();
  last_sync_ = now;
  next_space_check_ = now;
  active_hour_ns_.store(ToUnixNanos(HourStart(now)));
  // The first journal exists before any tick is accepted; if it cannot be created the writer
  // starts suspended and retries.
  const Status opened = OpenJournal(now);
  if (!opened.ok()) {
    spdlog::error("event=journal_create_failed action=writes_suspended error=\"{}\"",
                  opened.ToString());
    suspended_.store(true);
    next_retry_ = now + options_.retry_interval;
  }
  thread_ = std::thread([this] { Run(); });
}

TickWriter::~TickWriter() { Stop(); }

void TickWriter::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_writer_.notify_one();
  if (thread_.joinable()) thread_.join();
}

uint64_t TickWriter::accepted_position() const {
  std::lock_guard lock(mu_);
  return accepted_;
}

Result<uint64_t> TickWriter::Append(const Tick& tick) {
  IBSTREAM_RETURN_IF_ERROR(ValidateTickForStorage(tick));
  if (dead_.load(std::memory_order_relaxed)) {
    return Unavailable("storage writer stopped after a failed fdatasync");
  }
  bool wake = false;
  uint64_t position;
  {
    std::lock_guard lock(mu_);
    if (stop_) return FailedPrecondition("storage writer is stopping");
    if (active_ == nullptr) {
      rejected_suspended_.fetch_add(1, std::memory_order_relaxed);
      return Unavailable("storage writing suspended after a write error");
    }
    if (pending_info_.size() >= options_.queue_capacity) {
      rejected_full_.fetch_add(1, std::memory_order_relaxed);
      return ResourceExhausted("storage queue full (" + std::to_string(options_.queue_capacity) +
                               " ticks)");
    }
    JournalFile::FrameTick(tick, active_->framer(), &pending_bytes_);
    pending_info_.push_back({tick.stream(), ToUnixNanos(tick.exchange_time)});
    position = ++accepted_;
    wake = writer_waiting_ &&
           (options_.fsync == FsyncPolicy::kAlways || pending_info_.size() >= kWakeThreshold);
    if (wake) writer_waiting_ = false;
  }
  if (wake) wake_writer_.notify_one();
  return position;
}

Status TickWriter::Flush(Duration timeout) {
  uint64_t target;
  {
    std::lock_guard lock(mu_);
    target = accepted_;
    flush_requested_ = true;
  }
  wake_writer_.notify_one();
  std::unique_lock lock(mu_);
  const bool done = durable_changed_.wait_for(
      lock, timeout, [&] { return durable_.load() >= target || dead_.load(); });
  if (dead_.load()) return Unavailable("storage writer stopped after a failed fdatasync");
  if (!done) return Timeout("storage flush did not complete in time");
  return Status::Ok();
}

void TickWriter::TakeLocked(Batch* batch) {
  batch->bytes.clear();
  batch->info.clear();
  batch->bytes.swap(pending_bytes_);
  batch->info.swap(pending_info_);
  batch->last_position = accepted_;
}

void TickWriter::Run() {
  std::thread syncer([this] { SyncLoop(); });
  Batch batch;
  while (true) {
    bool stopping;
    bool flush;
    {
      std::unique_lock lock(mu_);
      if (pending_info_.empty() && !stop_ && !flush_requested_) {
        writer_waiting_ = true;
        wake_writer_.wait_for(lock, IdleWait(options_));
        writer_waiting_ = false;
      }
      TakeLocked(&batch);
      stopping = stop_;
      flush = flush_requested_;
      flush_requested_ = false;
    }
    const TimePoint now = clock_.Now();
    if (!dead_.load()) {
      // Bytes taken above belong to file_ (the framer they were made with).
      if (!batch.info.empty()) WriteBatch(batch);
      if (file_ != nullptr && HourStart(now) > file_->hour()) Rotate(now);
      if (suspended_.load() && now >= next_retry_ && !stopping) {
        if (OpenJournal(now).ok()) {
          spdlog::info("event=journal_writing_resumed path={}", file_->path());
          StorageEvent event{
              StorageEvent::Kind::kResumed, Status::Ok(), {}, 0, 0, file_->hour(), 0};
          Emit(event);
        } else {
          next_retry_ = now + options_.retry_interval;
        }
      }
      if (!dead_.load()) RequestSyncIfDue(now, flush || stopping);
      // Nothing unsynced (e.g. after lost ticks were reported): everything is accounted for.
      const uint64_t written = written_position();
      if (written == synced_position()) PublishDurable(written);
      CheckSpace(now);
    } else if (!batch.info.empty()) {
      lost_.fetch_add(batch.info.size());
    }
    if (stopping) {
      std::lock_guard lock(mu_);
      if (pending_info_.empty()) {
        active_ = nullptr;
        break;
      }
    }
  }
  if (file_ != nullptr && !dead_.load()) Seal(std::move(file_));
  StopSyncer();
  syncer.join();
  std::lock_guard lock(mu_);
  durable_changed_.notify_all();
}

Status TickWriter::OpenJournal(TimePoint now) {
  // The active hour never moves backwards, even if the clock does: converted hours stay closed.
  const TimePoint hour = std::max(HourStart(now), active_hour());
  auto generation = NextGeneration(fs_, options_.root, hour);
  if (!generation.ok()) return generation.status();
  auto file = JournalFile::Create(fs_, options_.root, hour, *generation, /*salvaged=*/false);
  if (!file.ok()) {
    // A half-created file holds no acknowledged data; recovery would delete it as well.
    fs_->DeleteFile(JoinPath(JournalDir(options_.root, hour),
                             FormatJournalName({HourName(hour), *generation, false})))
        .IgnoreError();
    return file.status();
  }
  std::unique_ptr<JournalFile> previous;
  Batch leftover;
  DetachSyncer();  // the previous journal is sealed (or dropped) below
  {
    std::lock_guard lock(mu_);
    TakeLocked(&leftover);  // framed for the previous journal, if any
    previous = std::move(file_);
    file_ = std::move(*file);
    active_ = file_.get();
    suspended_.store(false);
  }
  active_hour_ns_.store(ToUnixNanos(hour));
  if (previous != nullptr) {
    std::swap(file_, previous);
    if (!leftover.info.empty()) WriteBatch(leftover);
    if (file_ != nullptr && !dead_.load()) Seal(std::move(file_));
    file_ = std::move(previous);
  }
  {
    std::lock_guard lock(sync_mu_);
    last_sync_ = now;
  }
  AttachSyncer();
  return Status::Ok();
}

void TickWriter::WriteBatch(Batch& batch) {
  if (file_ == nullptr) {
    HandleWriteFailure(Unavailable("no journal is open"), batch);
    return;
  }
  const uint64_t size_before = file_->size();
  const Status status = file_->WriteFramed(batch.bytes.view());
  if (!status.ok()) {
    // A failed append may leave whole records of this batch behind a torn one. Cut them off
    // so that the ticks reported lost are really absent; if that fails too, recovery keeps
    // the whole records (they were received) and truncates the torn one.
    DetachSyncer();
    const Status cut = fs_->TruncateAndSync(file_->path(), size_before);
    if (!cut.ok()) spdlog::warn("event=storage_cut_failed error=\"{}\"", cut.ToString());
    HandleWriteFailure(status, batch);
    return;
  }
  file_->CountTicks(batch.info.size());
  std::lock_guard lock(sync_mu_);
  written_position_ = batch.last_position;
  if (options_.fsync == FsyncPolicy::kAlways) {
    sync_wanted_ = true;
    sync_cv_.notify_one();
  }
}

void TickWriter::Rotate(TimePoint now) {
  const TimePoint hour = file_->hour();
  const Status opened = OpenJournal(now);  // seals the old journal once the new one exists
  if (!opened.ok()) {
    // Keep writing the old journal; retry the rotation on the next pass.
    spdlog::warn("event=storage_new_hour_failed error=\"{}\"", opened.ToString());
    return;
  }
  if (dead_.load()) return;
  StorageEvent event{StorageEvent::Kind::kRotated, Status::Ok(), {}, 0, 0, hour, 0};
  Emit(event);
}

void TickWriter::Seal(std::unique_ptr<JournalFile> file) {
  DetachSyncer();
  std::swap(file_, file);  // SyncNow works on file_
  file_->AddSeal();
  const Status written = file_->Write();
  if (!written.ok()) {
    // Unsealed is fine: recovery treats the file like one cut short by a crash.
    spdlog::warn("event=storage_seal_failed path={} error=\"{}\"", file_->path(),
                 written.ToString());
  }
  SyncNow();
  if (file_ != nullptr) file_->Close().IgnoreError();
  file_ = std::move(file);
}

void TickWriter::SyncNow() {
  if (file_ == nullptr) return;
  const uint64_t target = written_position();
  const Status status = file_->Sync();
  syncs_.fetch_add(1, std::memory_order_relaxed);
  if (!status.ok()) {
    FailSync(status, file_->path());
    file_.reset();
    return;
  }
  {
    std::lock_guard lock(sync_mu_);
    last_sync_ = clock_.Now();
    synced_position_ = std::max(synced_position_, target);
  }
  PublishDurable(target);
}

void TickWriter::FailSync(const Status& status, const std::string& path) {
  const Status fatal = status.WithContext("fdatasync " + path);
  dead_.store(true);
  FatalStorageError(fatal);
  std::lock_guard lock(mu_);
  active_ = nullptr;
  durable_changed_.notify_all();
}

void TickWriter::SyncLoop() {
  std::unique_lock lock(sync_mu_);
  while (true) {
    sync_cv_.wait(lock, [&] {
      return sync_stop_ || (sync_wanted_ && sync_file_ != nullptr &&
                            written_position_ > synced_position_ && !dead_.load());
    });
    if (sync_stop_) return;
    JournalFile* file = sync_file_;  // alive: the writer thread detaches before replacing it
    const uint64_t target = written_position_;
    sync_wanted_ = false;
    syncing_ = true;
    lock.unlock();
    const Status status = file->Sync();
    syncs_.fetch_add(1, std::memory_order_relaxed);
    if (status.ok()) {
      PublishDurable(target);
    } else {
      FailSync(status, file->path());
    }
    lock.lock();
    syncing_ = false;
    if (status.ok()) {
      last_sync_ = clock_.Now();
      synced_position_ = std::max(synced_position_, target);
    }
    sync_cv_.notify_all();  // a writer thread waiting in DetachSyncer
  }
}

void TickWriter::RequestSyncIfDue(TimePoint now, bool force) {
  std::lock_guard lock(sync_mu_);
  if (sync_file_ == nullptr || written_position_ <= synced_position_) return;
  const bool due = force || options_.fsync == FsyncPolicy::kAlways ||
                   (options_.fsync == FsyncPolicy::kBatch && !syncing_ &&
                    now - last_sync_ >= options_.batch_interval);
  if (!due) return;
  sync_wanted_ = true;
  sync_cv_.notify_one();
}

void TickWriter::DetachSyncer() {
  std::unique_lock lock(sync_mu_);
  sync_file_ = nullptr;
  sync_cv_.wait(lock, [&] { return !syncing_; });
}

void TickWriter::AttachSyncer() {
  std::lock_guard lock(sync_mu_);
  sync_file_ = file_.get();
  sync_cv_.notify_one();
}

void TickWriter::StopSyncer() {
  std::lock_guard lock(sync_mu_);
  sync_file_ = nullptr;
  sync_stop_ = true;
  sync_cv_.notify_all();
}

uint64_t TickWriter::written_position() {
  std::lock_guard lock(sync_mu_);
  return written_position_;
}

uint64_t TickWriter::synced_position() {
  std::lock_guard lock(sync_mu_);
  return synced_position_;
}

void TickWriter::SetPositions(uint64_t written, uint64_t synced) {
  std::lock_guard lock(sync_mu_);
  written_position_ = written;
  synced_position_ = synced;
}

void TickWriter::AbandonFile() {
  if (file_ == nullptr) return;
  // What was written before the failure is intact: make it durable, then never touch the file
  // again (a torn write may follow it; recovery truncates that).
  DetachSyncer();
  SyncNow();
  if (file_ != nullptr) file_->Close().IgnoreError();
  file_.reset();
}

void TickWriter::HandleWriteFailure(const Status& cause, Batch& batch) {
  // Stop producers first; whatever they framed for this journal meanwhile is lost too.
  Batch more;
  {
    std::lock_guard lock(mu_);
    active_ = nullptr;
    suspended_.store(true);
    TakeLocked(&more);
  }
  DetachSyncer();
  batch.info.insert(batch.info.end(), more.info.begin(), more.info.end());
  batch.last_position = std::max(batch.last_position, more.last_position);
  const uint64_t first_position = batch.last_position - batch.info.size() + 1;
  SetPositions(first_position - 1, first_position - 1);
  AbandonFile();
  if (dead_.load()) return;
  const TimePoint now = clock_.Now();
  next_retry_ = std::max(next_retry_, now + options_.retry_interval);
  spdlog::error("event=journal_write_failed action=writes_suspended cause=\"{}\"",
                cause.ToString());
  std::map<StreamKey, StorageEvent::LostSpan> spans;
  for (const TickInfo& info : batch.info) {
    auto [it, inserted] = spans.try_emplace(info.stream);
    StorageEvent::LostSpan& span = it->second;
    const TimePoint t = FromUnixNanos(info.exchange_ns);
    if (inserted) {
      span.stream = info.stream;
      span.first_exchange_time = span.last_exchange_time = t;
    }
    span.first_exchange_time = std::min(span.first_exchange_time, t);
    span.last_exchange_time = std::max(span.last_exchange_time, t);
    ++span.ticks;
  }
  lost_.fetch_add(batch.info.size());
  StorageEvent event{StorageEvent::Kind::kWriteFailed,
                     cause,
                     {},
                     first_position,
                     batch.last_position,
                     active_hour(),
                     0};
  for (auto& [key, span] : spans) event.lost.push_back(span);
  Emit(event);
  // Lost ticks are accounted for (reported), so the durable position moves past them.
  SetPositions(batch.last_position, batch.last_position);
  PublishDurable(batch.last_position);
}

void TickWriter::PublishDurable(uint64_t position) {
  std::lock_guard publish(publish_mu_);
  if (dead_.load()) return;  // after a failed fdatasync nothing more is acknowledged
  if (position <= durable_.load()) return;
  durable_.store(position, std::memory_order_release);
  if (options_.on_durable) options_.on_durable(position);
  std::lock_guard lock(mu_);
  durable_changed_.notify_all();
}

void TickWriter::CheckSpace(TimePoint now) {
  if (now < next_space_check_) return;
  next_space_check_ = now + options_.space_check_interval;
  auto space = fs_->GetSpace(options_.root);
  if (!space.ok()) return;
  const bool low = space->available_bytes < options_.free_space_warning_bytes;
  if (low != low_space_) {
    low_space_ = low;
    if (low) {
      spdlog::warn("event=space_check_low free_bytes={} path={} warning_below={}",
                   space->available_bytes, options_.root, options_.free_space_warning_bytes);
    }
    Emit(StorageEvent{low ? StorageEvent::Kind::kLowSpace : StorageEvent::Kind::kSpaceOk,
                      Status::Ok(),
                      {},
                      0,
                      0,
                      TimePoint(),
                      space->available_bytes,
                      space->total_bytes});
  }
  Emit(StorageEvent{StorageEvent::Kind::kSpace,
                    Status::Ok(),
                    {},
                    0,
                    0,
                    TimePoint(),
                    space->available_bytes,
                    space->total_bytes});
}

void TickWriter::Emit(const StorageEvent& event) {
  if (options_.on_event) options_.on_event(event);
}

}  // namespace ibstream::storage
