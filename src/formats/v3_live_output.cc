#include "formats/v3_live_output.h"

#include <algorithm>
#include <utility>

#include "formats/v3_layout.h"

namespace ibstream::formats {

V3LiveOutput::V3LiveOutput(V3LiveOutputOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock), writer_(options_.writer) {}

V3LiveOutput::~V3LiveOutput() { Stop().IgnoreError(); }

Status V3LiveOutput::Start() {
  if (options_.writer.base_dir.empty()) {
    return InvalidArgument("v3 output: no base directory");
  }
  if (!options_.writer.json && !options_.writer.protobuf) {
    return InvalidArgument("v3 output: neither json nor protobuf is enabled");
  }
  if (options_.queue_capacity == 0) return InvalidArgument("v3 output: queue capacity is 0");
  fs::FileSystem* file_system =
      options_.writer.file_system != nullptr ? options_.writer.file_system : fs::PosixFileSystem();
  const std::string v3_dir = fs::JoinPath(options_.writer.base_dir, "v3");
  Status created = fs::CreateDirs(file_system, v3_dir);
  if (!created.ok()) return created.WithContext("v3 output: cannot create " + v3_dir);
  std::lock_guard lock(mutex_);
  if (running_ || stopped_) return FailedPrecondition("v3 output: Start() called twice");
  last_flush_ = clock_.Now();
  running_ = true;
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

bool V3LiveOutput::Offer(const Tick& tick) {
  offered_.fetch_add(1, std::memory_order_relaxed);
  if (tick.type == TickType::kDepth) {
    depth_skipped_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  bool was_empty = false;
  {
    std::lock_guard lock(mutex_);
    if (!running_ || stopping_ || pending_.size() >= options_.queue_capacity) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    was_empty = pending_.empty();
    pending_.push_back(tick);
  }
  // The writer waits only on an empty queue, so only the first tick of a batch needs to wake it.
  if (was_empty) wake_.notify_one();
  return true;
}

Status V3LiveOutput::Stop() {
  std::lock_guard stop_lock(stop_mutex_);
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return final_status_;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  stopped_ = true;
  running_ = false;
  return final_status_;
}

bool V3LiveOutput::WaitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return idle_.wait_for(lock, timeout, [this] { return pending_.empty() && !busy_; });
}

V3LiveOutputStats V3LiveOutput::stats() const {
  V3LiveOutputStats s;
  s.offered = offered_.load(std::memory_order_relaxed);
  s.written = written_.load(std::memory_order_relaxed);
  s.dropped = dropped_.load(std::memory_order_relaxed);
  s.write_errors = write_errors_.load(std::memory_order_relaxed);
  s.protobuf_skipped = protobuf_skipped_.load(std::memory_order_relaxed);
  s.depth_skipped = depth_skipped_.load(std::memory_order_relaxed);
  s.flushes = flushes_.load(std::memory_order_relaxed);
  s.files_opened = files_opened_.load(std::memory_order_relaxed);
  s.open_files = open_files_.load(std::memory_order_relaxed);
  std::lock_guard lock(error_mutex_);
  s.last_error = last_error_;
  return s;
}

void V3LiveOutput::Run() {
  const auto wait = std::max<std::chrono::nanoseconds>(
      std::chrono::milliseconds(1), std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        clock_.ToRealDuration(options_.flush_interval)));
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, wait, [this] { return stopping_ || !pending_.empty(); });
    std::swap(pending_, batch_);
    // Offer() refuses ticks once stopping_ is set, so a batch taken after it is the last one.
    const bool last = stopping_;
    busy_ = true;
    lock.unlock();
    if (options_.before_batch && !batch_.empty()) options_.before_batch();
    for (const Tick& tick : batch_) Write(tick);
    batch_.clear();
    if (!last) Maintain(clock_.Now());
    lock.lock();
    busy_ = false;
    idle_.notify_all();
    if (last) break;
  }
  lock.unlock();
  Status closed = writer_.Close();
  if (!closed.ok()) RecordError(closed);
  if (dirty_ && closed.ok()) flushes_.fetch_add(1, std::memory_order_relaxed);
  open_files_.store(writer_.open_files(), std::memory_order_relaxed);
  lock.lock();
  final_status_ = closed;
}

void V3LiveOutput::Write(const Tick& tick) {
  const uint64_t skipped_before = writer_.stats().protobuf_skipped;
  const uint64_t ticks_before = writer_.stats().ticks;
  Status status = writer_.Append(tick);
  if (writer_.stats().ticks != ticks_before) {
    written_.fetch_add(1, std::memory_order_relaxed);
    dirty_ = true;
  }
  if (writer_.stats().protobuf_skipped != skipped_before) {
    protobuf_skipped_.fetch_add(1, std::memory_order_relaxed);
  } else if (!status.ok()) {
    RecordError(status);
  }
  files_opened_.store(writer_.stats().files_opened, std::memory_order_relaxed);
  open_files_.store(writer_.open_files(), std::memory_order_relaxed);
}

void V3LiveOutput::Maintain(TimePoint now) {
  if (dirty_ && now - last_flush_ >= options_.flush_interval) {
    Status flushed = writer_.Flush();
    if (flushed.ok()) {
      flushes_.fetch_add(1, std::memory_order_relaxed);
    } else {
      RecordError(flushed);
    }
    dirty_ = false;
    last_flush_ = now;
  } else if (!dirty_) {
    last_flush_ = now;  // the interval counts from the first write after a quiet spell
  }
  Status closed = writer_.CloseHoursBefore(V3HourEpoch(now - options_.close_grace));
  if (!closed.ok()) RecordError(closed);
  open_files_.store(writer_.open_files(), std::memory_order_relaxed);
}

void V3LiveOutput::RecordError(const Status& status) {
  write_errors_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(error_mutex_);
  last_error_ = status.ToString();
}

}  // namespace ibstream::formats
