// SerialWorker: a thread of its own that runs posted jobs one at a time, in the order they were
// accepted, so that slow work (an fdatasync'ed file write) never holds up the thread that posts
// it (the network loop).
//
// The queue is bounded: Post() refuses a job when `capacity` jobs are already waiting, and
// counts the refusal. Stop() refuses new jobs, runs every job already accepted, then joins the
// thread: nothing accepted is ever dropped. A job that throws is contained: the exception is
// counted in `failed` and the next job runs.
//
// Thread-safety: Post, Stop, pending() and counters() may be called from any thread. Jobs run on
// the worker thread; they may Post() further jobs but must not call Stop() (it would wait for
// itself).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"

namespace ibstream {

struct SerialWorkerCounters {
  uint64_t accepted = 0;         // jobs Post() accepted
  uint64_t completed = 0;        // accepted jobs that have run (including those that threw)
  uint64_t failed = 0;           // jobs that threw (contained)
  uint64_t refused_full = 0;     // Post() refused: `capacity` jobs were waiting
  uint64_t refused_stopped = 0;  // Post() refused: after Stop()
};

class SerialWorker {
 public:
  // Starts the worker thread. `name` begins the refusal messages ("gap ledger queue full ...").
  // At most `capacity` jobs wait at once (0 is taken as 1); the job running does not count.
  SerialWorker(std::string name, size_t capacity);
  SerialWorker(const SerialWorker&) = delete;
  SerialWorker& operator=(const SerialWorker&) = delete;
  // Stop().
  ~SerialWorker();

  // Queues `job`. OK when accepted: it runs exactly once, on the worker thread, after every job
  // accepted before it. ResourceExhausted when `capacity` jobs are already waiting and
  // FailedPrecondition after Stop(); a refused job is destroyed unrun, and counted.
  [[nodiscard]] Status Post(std::function<void()> job);

  // Refuses new jobs, runs every job already accepted, then joins the thread. Idempotent.
  void Stop();

  // Jobs accepted and not yet finished (waiting or running).
  size_t pending() const;
  SerialWorkerCounters counters() const;
  size_t capacity() const { return capacity_; }

 private:
  void Run();
  void RunJob(std::function<void()>& job);

  const std::string name_;
  const size_t capacity_;
  std::mutex stop_mu_;  // one Stop() at a time

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  size_t running_ = 0;                       // guarded by mu_ (0 or 1)
  bool stopping_ = false;                    // guarded by mu_
  SerialWorkerCounters counters_;            // guarded by mu_
  std::thread thread_;                       // last: started once the rest is ready
};

}  // namespace ibstream
