// The historical answers: reqHistoricalTicks (with IB's pacing rules), reqHeadTimestamp and the
// recent ticks sent ahead of a tick-by-tick stream (`numberOfTicks`). Every answer regenerates
// exactly what went out live (tick_generator.h).
//
// Threading: owned by the loop thread.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "protocol/requests.h"
#include "sim/catalog.h"
#include "sim/client_session.h"
#include "sim/fault_state.h"
#include "sim/historical_pacing.h"
#include "sim/market_fanout.h"
#include "sim/sim_counters.h"
#include "sim/tick_generator.h"

namespace ibstream::sim {

// A historical request's time: "20250811 09:30:00 US/Central" (any IB zone id),
// "20250811-14:30:05" (UTC) or "20250811 14:30:05" (the TWS zone, UTC). Errors: anything else.
Result<TimePoint> ParseIbDateTime(std::string_view text);

class HistoricalAnswers {
 public:
  // Everything referenced must outlive this.
  HistoricalAnswers(const Clock& clock, const TickGenerator& generator, MarketFanout& markets,
                    const FaultState& faults, SimCounters& counters);

  HistoricalAnswers(const HistoricalAnswers&) = delete;
  HistoricalAnswers& operator=(const HistoricalAnswers&) = delete;

  // reqHistoricalTicks of the resolved contract `c`: HISTORICAL_TICKS* or error 162.
  void AnswerTicks(ClientSession& s, const protocol::ReqHistoricalTicks& r, const SimContract& c);
  // reqHeadTimestamp of the resolved contract `c`: HEAD_TIMESTAMP or error 162.
  void AnswerHeadTimestamp(ClientSession& s, const protocol::ReqHeadTimestamp& r,
                           const SimContract& c);
  // The last `count` ticks of `type` before the clock's time (tick-by-tick `numberOfTicks`), as
  // one HISTORICAL_TICKS* message with request id `req_id`.
  void SendRecent(ClientSession& s, int32_t req_id, TickType type, const SimContract& c,
                  int32_t count, bool ignore_size);

  // IB's pacing rules, account-wide: the historical bars (bar_server.h) are paced with the ticks.
  HistoricalPacer& pacer() { return pacer_; }

 private:
  const SimMarket& MarketOf(const SimContract& c);

  const Clock& clock_;
  const TickGenerator& generator_;
  MarketFanout& markets_;
  const FaultState& faults_;
  SimCounters& counters_;
  HistoricalPacer pacer_;
};

// Queues `ticks` of `type` as one HISTORICAL_TICKS, HISTORICAL_TICKS_BID_ASK or
// HISTORICAL_TICKS_LAST message, `done`.
void SendHistoricalTicks(ClientSession& s, int32_t req_id, TickType type,
                         const std::vector<Tick>& ticks);

}  // namespace ibstream::sim
