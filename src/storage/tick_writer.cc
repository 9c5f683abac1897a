#include "storage/tick_writer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "storage/layout.h"
#include "storage/tick_codec.h"

namespace ibstream::storage {
namespace {

constexpr const char* kFatalWhy =
    "The page cache state of the file is now unknown (the kernel may have dropped the dirty "
    "pages and marked them clean), so nothing written since the last successful sync can be "
    "called durable. Stopping; recovery runs at restart.";

void DefaultFatal(const Status& status) {
  std::fprintf(stderr, "FATAL storage: fdatasync failed: %s. %s\n", status.ToString().c_str(),
               kFatalWhy);
  spdlog::critical("storage: fdatasync failed: {}. {}", status.ToString(), kFatalWhy);
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

Result<FsyncPolicy> ParseFsyncPolicy(std::string_view text) {
  if (text == "always") return FsyncPolicy::kAlways;
  if (text == "batch") return FsyncPolicy::kBatch;
  if (text == "off") return FsyncPolicy::kOff;
  return InvalidArgument("unknown fsync policy '" + std::string(text) +
                         "' (allowed: always, batch, off)");
}

void SetFatalStorageHandler(FatalHandler handler) {
  fatal_handler.store(handler != nullptr ? handler : &DefaultFatal);
}

void FatalStorageError(const Status& status) { fatal_handler.load()(status); }

TickWriter::TickWriter(FileSystem* fs, const Clock& clock, WriterOptions options)
    : fs_(fs), clock_(clock), options_(std::move(options)) {
  pending_.reserve(std::min<size_t>(options_.queue_capacity, 1 << 16));
  const TimePoint now = clock_.Now();
  last_sync_ = now;
  next_space_check_ = now;
  active_hour_ns_.store(ToUnixNanos(HourStart(now)));
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
    if (suspended_.load(std::memory_order_relaxed)) {
      rejected_suspended_.fetch_add(1, std::memory_order_relaxed);
      return Unavailable("storage writing suspended after a write error");
    }
    if (pending_.size() >= options_.queue_capacity) {
      rejected_full_.fetch_add(1, std::memory_order_relaxed);
      return ResourceExhausted("storage queue full (" + std::to_string(options_.queue_capacity) +
                               " ticks)");
    }
    pending_.push_back(tick);
    position = ++accepted_;
    wake = writer_waiting_ &&
           (options_.fsync == FsyncPolicy::kAlways || pending_.size() >= kWakeThreshold);
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

void TickWriter::Run() {
  std::vector<Tick> batch;
  batch.reserve(pending_.capacity());
  while (true) {
    uint64_t last_position;
    bool stopping;
    bool flush;
    {
      std::unique_lock lock(mu_);
      if (pending_.empty() && !stop_ && !flush_requested_) {
        writer_waiting_ = true;
        wake_writer_.wait_for(lock, IdleWait(options_));
        writer_waiting_ = false;
      }
      batch.swap(pending_);
      last_position = accepted_;
      stopping = stop_;
      flush = flush_requested_;
      flush_requested_ = false;
    }
    const TimePoint now = clock_.Now();
    if (!dead_.load()) {
      if (file_ != nullptr && HourStart(now) > file_->hour()) Rotate(now);
      if (file_ == nullptr && HourStart(now) > active_hour()) {
        active_hour_ns_.store(ToUnixNanos(HourStart(now)));
      }
      if (!batch.empty()) {
        WriteBatch(batch, last_position, now);
      } else if (suspended_.load() && now >= next_retry_) {
        if (EnsureFile(now).ok() && flush) SyncNow();
      }
      const bool unsynced = written_position_ > synced_position_;
      if (file_ != nullptr && unsynced && !dead_.load()) {
        const bool due =
            options_.fsync == FsyncPolicy::kAlways || flush || stopping ||
            (options_.fsync == FsyncPolicy::kBatch && now - last_sync_ >= options_.batch_interval);
        if (due) SyncNow();
      }
      if (!unsynced || file_ == nullptr) PublishDurable(written_position_);
      CheckSpace(now);
    } else if (!batch.empty()) {
      lost_.fetch_add(batch.size());
    }
    batch.clear();
    if (stopping) {
      std::lock_guard lock(mu_);
      if (pending_.empty()) break;
    }
  }
  if (file_ != nullptr && !dead_.load()) {
    file_->AddSeal();
    const Status written = file_->Write();
    if (!written.ok())
      spdlog::warn("storage: could not seal {}: {}", file_->path(), written.ToString());
    SyncNow();
    file_->Close().IgnoreError();
    file_.reset();
  }
  std::lock_guard lock(mu_);
  durable_changed_.notify_all();
}

Status TickWriter::EnsureFile(TimePoint now) {
  if (file_ != nullptr) return Status::Ok();
  if (suspended_.load() && now < next_retry_) {
    return Unavailable("storage writing suspended after a write error");
  }
  // The active hour never moves backwards, even if the clock does: converted hours stay closed.
  const TimePoint hour = std::max(HourStart(now), active_hour());
  auto generation = NextGeneration(fs_, options_.root, hour);
  Status status = generation.status();
  if (status.ok()) {
    auto file = JournalFile::Create(fs_, options_.root, hour, *generation, /*salvaged=*/false);
    status = file.status();
    if (status.ok()) {
      file_ = std::move(*file);
      active_hour_ns_.store(ToUnixNanos(hour));
    } else {
      // A half-created file holds no acknowledged data; recovery would delete it as well.
      fs_->DeleteFile(JoinPath(JournalDir(options_.root, hour),
                               FormatJournalName({HourName(hour), *generation, false})))
          .IgnoreError();
    }
  }
  if (!status.ok()) {
    next_retry_ = now + options_.retry_interval;
    return status;
  }
  last_sync_ = now;
  if (suspended_.exchange(false)) {
    spdlog::info("storage: writing resumed in {}", file_->path());
    StorageEvent event{StorageEvent::Kind::kResumed, Status::Ok(), {}, 0, 0, hour, 0};
    Emit(event);
  }
  return Status::Ok();
}

void TickWriter::WriteBatch(std::vector<Tick>& batch, uint64_t last_position, TimePoint now) {
  const uint64_t first_position = last_position - batch.size() + 1;
  Status status = EnsureFile(now);
  if (status.ok()) {
    for (const Tick& tick : batch) file_->AddTick(tick);
    const uint64_t size_before = file_->size();
    status = file_->Write();
    if (!status.ok()) {
      // A failed append may leave whole records of this batch behind a torn one. Cut them off
      // so that the ticks reported lost are really absent; if that fails too, recovery keeps
      // the whole records (they were received) and truncates the torn one.
      const Status cut = fs_->TruncateAndSync(file_->path(), size_before);
      if (!cut.ok()) spdlog::warn("storage: could not cut a failed write: {}", cut.ToString());
    }
  }
  if (!status.ok()) {
    HandleWriteFailure(status, batch, first_position, last_position);
    return;
  }
  written_position_ = last_position;
}

void TickWriter::Rotate(TimePoint now) {
  const TimePoint hour = file_->hour();
  file_->AddSeal();
  const Status written = file_->Write();
  if (!written.ok()) {
    // Unsealed is fine: recovery treats the file like one cut short by a crash.
    spdlog::warn("storage: could not seal {}: {}", file_->path(), written.ToString());
  }
  SyncNow();
  if (dead_.load()) return;
  file_->Close().IgnoreError();
  file_.reset();
  active_hour_ns_.store(ToUnixNanos(std::max(HourStart(now), active_hour())));
  StorageEvent event{StorageEvent::Kind::kRotated, Status::Ok(), {}, 0, 0, hour, 0};
  Emit(event);
}

void TickWriter::SyncNow() {
  if (file_ == nullptr) return;
  const Status status = file_->Sync();
  syncs_.fetch_add(1, std::memory_order_relaxed);
  if (!status.ok()) {
    dead_.store(true);
    FatalStorageError(status.WithContext("fdatasync " + file_->path()));
    file_.reset();
    std::lock_guard lock(mu_);
    durable_changed_.notify_all();
    return;
  }
  last_sync_ = clock_.Now();
  synced_position_ = written_position_;
  PublishDurable(synced_position_);
}

void TickWriter::AbandonFile() {
  if (file_ == nullptr) return;
  // What was written before the failure is intact: make it durable, then never touch the file
  // again (a torn write may follow it; recovery truncates that).
  SyncNow();
  if (file_ != nullptr) file_->Close().IgnoreError();
  file_.reset();
}

void TickWriter::HandleWriteFailure(const Status& cause, const std::vector<Tick>& batch,
                                    uint64_t first_position, uint64_t last_position) {
  AbandonFile();
  if (dead_.load()) return;
  const TimePoint now = clock_.Now();
  next_retry_ = std::max(next_retry_, now + options_.retry_interval);
  if (!suspended_.exchange(true)) {
    spdlog::error("storage: write failed, suspending writes: {}", cause.ToString());
  }
  std::map<StreamKey, StorageEvent::LostSpan> spans;
  for (const Tick& tick : batch) {
    auto [it, inserted] = spans.try_emplace(tick.stream());
    StorageEvent::LostSpan& span = it->second;
    if (inserted) {
      span.stream = tick.stream();
      span.first_exchange_time = span.last_exchange_time = tick.exchange_time;
    }
    span.first_exchange_time = std::min(span.first_exchange_time, tick.exchange_time);
    span.last_exchange_time = std::max(span.last_exchange_time, tick.exchange_time);
    ++span.ticks;
  }
  lost_.fetch_add(batch.size());
  StorageEvent event{
      StorageEvent::Kind::kWriteFailed, cause, {}, first_position, last_position, active_hour(), 0};
  for (auto& [key, span] : spans) event.lost.push_back(span);
  Emit(event);
  // Lost ticks are accounted for (reported), so the durable position moves past them.
  written_position_ = synced_position_ = last_position;
  PublishDurable(last_position);
}

void TickWriter::PublishDurable(uint64_t position) {
  if (dead_.load()) return;  // after a failed fdatasync nothing more is acknowledged
  uint64_t current = durable_.load();
  if (position <= current) return;
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
  if (low == low_space_) return;
  low_space_ = low;
  if (low) {
    spdlog::warn("storage: only {} bytes free under {} (warning below {})", space->available_bytes,
                 options_.root, options_.free_space_warning_bytes);
  }
  StorageEvent event{low ? StorageEvent::Kind::kLowSpace : StorageEvent::Kind::kSpaceOk,
                     Status::Ok(),
                     {},
                     0,
                     0,
                     TimePoint(),
                     space->available_bytes};
  Emit(event);
}

void TickWriter::Emit(const StorageEvent& event) {
  if (options_.on_event) options_.on_event(event);
}

}  // namespace ibstream::storage
