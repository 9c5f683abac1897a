// The stream router's plan changes as durable route records (storage/route_log.h), so that a
// reader of the store (`ibstream verify --truth`) knows which stream kinds the recorder needed
// over which intervals: the route of each configured stream before and after, and when.
#pragma once

#include <optional>

#include "common/clock.h"
#include "reliability/stream_plan.h"
#include "storage/route_log.h"
#include "storage/store.h"

namespace ibstream::recorder {

// nullopt (not in the plan) is kNone. Pure.
storage::RouteKind ToRouteKind(std::optional<reliability::StreamRoute> route);

// The record of `diff`'s route changes at `now`; `session_start` for the first record of this
// recorder process. Pure.
storage::RouteChange ToRouteRecord(const reliability::PlanDiff& diff, bool session_start,
                                   TimePoint now);

// Hands the record to the store's route log, which appends and fdatasyncs it on its own worker
// thread (the caller, the loop thread, never waits on the disk). A refused or failed append is
// logged (event=route_record_failed); recording goes on.
void RecordRoutes(storage::Store& store, storage::RouteChange record);

}  // namespace ibstream::recorder
