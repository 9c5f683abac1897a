// A thread of its own that runs tasks one at a time, in the order they were submitted: the
// recorder's slow file work (the contract-details cache, fdatasync'ed) goes here so that the
// network loop never waits on the disk.
//
// Thread-safety: Submit, Stop and pending() may be called from any thread. Tasks run on the
// worker thread; they must not call Stop().
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace ibstream::recorder {

class SerialWorker {
 public:
  // Starts the worker thread.
  SerialWorker();
  SerialWorker(const SerialWorker&) = delete;
  SerialWorker& operator=(const SerialWorker&) = delete;
  // Stop().
  ~SerialWorker();

  // Queues `task`. False (and `task` is dropped unrun) after Stop().
  bool Submit(std::function<void()> task);

  // Refuses new tasks, runs every task already accepted, then joins the thread. Idempotent.
  void Stop();

  // Tasks accepted and not yet finished.
  size_t pending() const;

 private:
  void Run();

  std::mutex stop_mu_;  // one Stop() at a time
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  size_t running_ = 0;                       // guarded by mu_ (0 or 1)
  bool stopping_ = false;                    // guarded by mu_
  std::thread thread_;
};

}  // namespace ibstream::recorder
