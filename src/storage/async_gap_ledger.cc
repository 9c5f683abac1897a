#include "storage/async_gap_ledger.h"

#include <utility>

namespace ibstream::storage {

AsyncGapLedger::AsyncGapLedger(GapLedger* ledger, size_t capacity)
    : ledger_(ledger), capacity_(capacity == 0 ? 1 : capacity) {
  worker_ = std::thread([this] { Run(); });
}

AsyncGapLedger::~AsyncGapLedger() { Stop(); }

Status AsyncGapLedger::AddAsync(GapRecord gap, GapLedgerCompletion done) {
  Request request;
  request.is_add = true;
  request.gap = std::move(gap);
  request.done = std::move(done);
  return Submit(std::move(request));
}

Status AsyncGapLedger::UpdateAsync(uint64_t id, BackfillState state, std::string reason,
                                   TimePoint updated_at, std::optional<TimePoint> end,
                                   GapLedgerCompletion done) {
  Request request;
  request.gap.id = id;
  request.gap.state = state;
  request.gap.reason = std::move(reason);
  request.gap.updated_at = updated_at;
  if (end) {
    request.has_end = true;
    request.gap.end = *end;
  }
  request.done = std::move(done);
  return Submit(std::move(request));
}

Status AsyncGapLedger::Submit(Request request) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return FailedPrecondition("gap ledger worker stopped");
    if (queue_.size() >= capacity_) {
      return ResourceExhausted("gap ledger queue full (" + std::to_string(capacity_) +
                               " requests waiting)");
    }
    queue_.push_back(std::move(request));
  }
  wake_.notify_one();
  return Status::Ok();
}

void AsyncGapLedger::Run() {
  while (true) {
    Request request;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      request = std::move(queue_.front());
      queue_.pop_front();
      running_ = 1;
    }
    Status status;
    uint64_t id = request.gap.id;
    if (request.is_add) {
      Result<uint64_t> added = ledger_->Add(std::move(request.gap));
      status = added.status();
      id = added.ok() ? *added : 0;
    } else {
      std::optional<TimePoint> end;
      if (request.has_end) end = request.gap.end;
      status = ledger_->Update(id, request.gap.state, std::move(request.gap.reason),
                               request.gap.updated_at, end);
    }
    if (request.done) request.done(std::move(status), id);
    {
      std::lock_guard lock(mu_);
      running_ = 0;
    }
  }
}

void AsyncGapLedger::Stop() {
  std::lock_guard stop_lock(stop_mu_);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (worker_.joinable()) worker_.join();
}

size_t AsyncGapLedger::pending() const {
  std::lock_guard lock(mu_);
  return queue_.size() + running_;
}

}  // namespace ibstream::storage
