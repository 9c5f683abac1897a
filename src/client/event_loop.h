// The event loop a Client runs on, without exposing Asio to the includer.
//
// An EventLoop wraps one boost::asio::io_context that is run by exactly one thread: either the
// caller's (Run) or a thread the loop owns (RunInBackground). That thread is "the client's
// thread": every Client callback is invoked on it.
#pragma once

#include <functional>
#include <memory>
#include <thread>

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace ibstream::client {

class EventLoop {
 public:
  EventLoop();
  // Stops the loop and joins the owned thread, if any. Destroy Clients that use this loop first.
  ~EventLoop();

  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Runs the loop on the calling thread until Stop() (returns at once if already stopped).
  void Run();
  // Starts a thread that runs the loop until Stop(). Call at most once.
  void RunInBackground();
  // Makes Run() return and the owned thread finish. Thread-safe; idempotent. Pending handlers
  // are not run.
  void Stop();
  // Joins the owned thread (after Stop()). Not callable from the loop's own thread.
  void Join();

  // Runs `fn` on the loop's thread. Thread-safe.
  void Post(std::function<void()> fn);

  boost::asio::io_context& context();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
};

}  // namespace ibstream::client
