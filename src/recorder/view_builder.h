// Builds the read-only snapshot (RecorderView) that other threads read through Recorder::View():
// the gateway session, storage, counters, every contract and stream with its health, the recent
// gaps and the firing alerts. Runs on the loop thread; the view it returns is immutable and
// shared across threads by Recorder::Impl.
#pragma once

#include <cstdint>
#include <memory>

#include "common/clock.h"
#include "recorder/contract_registry.h"
#include "recorder/loop_context.h"
#include "recorder/recorder_view.h"
#include "recorder/stream_router.h"
#include "recorder/stream_session.h"

namespace ibstream::recorder {

// What the recorder's core knows that no part owns.
struct ViewInputs {
  TimePoint now;
  TimePoint started_at;
  bool storage_low_space = false;  // from the storage writer's last space event
  uint64_t available_bytes = 0;
  uint64_t alerts_fired = 0;
  std::vector<DepthView> depth;  // DepthRecorder::Statuses()
};

// Storage must be open (ctx.store not null). At most the 500 most recent gaps are listed. The
// view's history is left for the caller to attach; the caller then shares the view as const.
std::shared_ptr<RecorderView> BuildView(const ViewInputs& inputs, const LoopContext& ctx,
                                        const ContractRegistry& registry,
                                        const StreamSession& session, const StreamRouter& router);

}  // namespace ibstream::recorder
