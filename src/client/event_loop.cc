#include "client/event_loop.h"

#include "client/asio.h"

namespace ibstream::client {

struct EventLoop::Impl {
  boost::asio::io_context io{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
};

EventLoop::EventLoop() : impl_(std::make_unique<Impl>()) {}

EventLoop::~EventLoop() {
  Stop();
  Join();
}

void EventLoop::Run() { impl_->io.run(); }

void EventLoop::RunInBackground() {
  thread_ = std::thread([this] { impl_->io.run(); });
}

void EventLoop::Stop() { impl_->io.stop(); }

void EventLoop::Join() {
  if (thread_.joinable()) thread_.join();
}

void EventLoop::Post(std::function<void()> fn) { boost::asio::post(impl_->io, std::move(fn)); }

boost::asio::io_context& EventLoop::context() { return impl_->io; }

}  // namespace ibstream::client
