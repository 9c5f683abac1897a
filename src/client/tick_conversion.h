// Internal to the client: live tick-by-tick messages to domain Ticks (what SubscribeTicks hands
// to TickHandlers::tick). Not part of the client's public interface (client.h).
#pragma once

#include <cstdint>

#include "common/clock.h"
#include "model/tick.h"
#include "protocol/server_messages.h"

namespace ibstream::client {

// Converts a live tick-by-tick message into the domain Tick `out` (source live, sequence 0: the
// recorder numbers arrivals), overwriting every field. No allocation for BidAsk and MidPoint; a
// Last reuses `out`'s string buffers.
void ToTick(const protocol::TickByTickBidAsk& in, int64_t contract_id, TimePoint received,
            Tick& out);
void ToTick(const protocol::TickByTickLast& in, int64_t contract_id, TimePoint received, Tick& out);
void ToTick(const protocol::TickByTickMidPoint& in, int64_t contract_id, TimePoint received,
            Tick& out);

}  // namespace ibstream::client
