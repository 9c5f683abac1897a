// What the HTTP API needs of a recorder: its read-only views, stored ticks, the live tick fan-out
// and a few commands. The HTTP layer depends on this interface, not on the recorder itself; the
// daemon adapts a running recorder to it (cli/recorder_api_adapter.h) and tests serve hand-made
// views through it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "calendar/market_calendar.h"
#include "common/clock.h"
#include "common/status.h"
#include "model/tick.h"
#include "recorder/recorder_commands.h"
#include "recorder/recorder_view.h"
#include "recorder/tick_fanout.h"
#include "storage/query.h"

namespace ibstream::http {

// Every method may be called from any thread.
class RecorderApiSource {
 public:
  virtual ~RecorderApiSource() = default;

  // The latest snapshot; never null.
  virtual std::shared_ptr<const recorder::RecorderView> View() const = 0;
  // Stored ticks of `streams` in [from, to), in order; a sink error stops the query and is
  // returned. `stats` (may be null) says what was read and what damaged data was skipped.
  virtual Status Query(const std::vector<StreamKey>& streams, TimePoint from, TimePoint to,
                       const std::function<Status(const Tick&)>& sink,
                       storage::QueryStats* stats) const = 0;
  // Live ticks as they are stored (see TickFanout): the consumer runs on the recorder's thread
  // and must not block.
  virtual uint64_t Subscribe(recorder::TickFanout::Filter filter,
                             recorder::TickFanout::Consumer consumer) = 0;
  virtual void Unsubscribe(uint64_t id) = 0;
  // See Recorder::RequestBackfill (InvalidArgument: untracked stream or empty range;
  // FailedPrecondition, answered 409: a source that is never backfilled, e.g. a merged store).
  virtual Status RequestBackfill(const StreamKey& stream, TimePoint from, TimePoint to) = 0;
  // See Recorder::RetryGap (NotFound: no such gap; FailedPrecondition: pending or filled;
  // InvalidArgument: its stream is not tracked).
  virtual Status RetryGap(uint64_t gap_id) = 0;
  // See Recorder::Track and Recorder::Untrack (run-time changes of the contract list).
  virtual Result<recorder::ContractChange> Track(std::string_view contract_toml) = 0;
  virtual Result<recorder::ContractChange> Untrack(std::string_view id) = 0;
  // The contract's market calendar as the recorder uses it. NotFound when the contract is not
  // tracked (or not resolved yet); an error when its hours cannot be read.
  virtual Result<std::shared_ptr<const calendar::MarketCalendar>> Calendar(
      int64_t contract_id) const = 0;
  // The recorder's clock.
  virtual TimePoint Now() const = 0;
};

}  // namespace ibstream::http
