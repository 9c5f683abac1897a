#include "storage/async_gap_ledger.h"

#include <utility>

namespace ibstream::storage {

AsyncGapLedger::AsyncGapLedger(GapLedger* ledger, size_t capacity)
    : ledger_(ledger), worker_("gap ledger", capacity) {}

AsyncGapLedger::~AsyncGapLedger() { Stop(); }

Status AsyncGapLedger::AddAsync(GapRecord gap, GapLedgerCompletion done) {
  return worker_.Post([this, gap = std::move(gap), done = std::move(done)]() mutable {
    Result<uint64_t> added = ledger_->Add(std::move(gap));
    const uint64_t id = added.ok() ? *added : 0;
    if (done) done(added.status(), id);
  });
}

Status AsyncGapLedger::UpdateAsync(uint64_t id, BackfillState state, std::string reason,
                                   TimePoint updated_at, std::optional<TimePoint> end,
                                   GapLedgerCompletion done, std::optional<GapFill> fill) {
  return worker_.Post([this, id, state, reason = std::move(reason), updated_at, end,
                       done = std::move(done), fill]() mutable {
    Status status = ledger_->Update(id, state, std::move(reason), updated_at, end, fill);
    if (done) done(std::move(status), id);
  });
}

void AsyncGapLedger::Stop() { worker_.Stop(); }

}  // namespace ibstream::storage
