#include "recorder/route_records.h"

#include <spdlog/spdlog.h>

namespace ibstream::recorder {

using reliability::StreamRoute;
using storage::RouteKind;

RouteKind ToRouteKind(std::optional<StreamRoute> route) {
  if (!route) return RouteKind::kNone;
  switch (*route) {
    case StreamRoute::kTickByTick:
      return RouteKind::kTickByTick;
    case StreamRoute::kFallback:
      return RouteKind::kFallback;
    case StreamRoute::kUnserved:
      return RouteKind::kUnserved;
  }
  return RouteKind::kUnserved;
}

storage::RouteChange ToRouteRecord(const reliability::PlanDiff& diff, bool session_start,
                                   TimePoint now) {
  storage::RouteChange record;
  record.at = now;
  record.session_start = session_start;
  for (const reliability::RouteChange& change : diff.changes) {
    record.entries.push_back(storage::RouteEntry{change.wanted.stream, ToRouteKind(change.from),
                                                 ToRouteKind(change.to), change.reason});
  }
  return record;
}

void RecordRoutes(storage::Store& store, storage::RouteChange record) {
  const TimePoint at = record.at;
  const size_t streams = record.entries.size();
  Status accepted = store.routes().AppendAsync(std::move(record), [at, streams](Status status) {
    if (status.ok()) return;
    spdlog::error("event=route_record_failed at={} streams={} error=\"{}\"", FormatIsoUtc(at),
                  streams, status.ToString());
  });
  if (!accepted.ok()) {
    spdlog::error("event=route_record_failed at={} streams={} error=\"{}\"", FormatIsoUtc(at),
                  streams, accepted.ToString());
  }
}

}  // namespace ibstream::recorder
