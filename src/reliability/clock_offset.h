// How far the local clock is off IB's, as far as one reqCurrentTime exchange proves it: a pure
// function of the exchange's times (no clock, no I/O). The recorder feeds its result to
// ReliabilityCore::OnClockSkew, which raises clock_skew beyond the configured threshold.
#pragma once

#include "common/clock.h"

namespace ibstream::reliability {

// The request left at `sent` and its answer arrived at `received` (both on the local clock);
// IB's answer `server` is its clock in whole seconds (truncated). IB read its clock at some
// instant between `sent` and `received`, when it showed a time in [server, server + 1 s), so
// local - IB lies in (sent - server - 1 s, received - server]. Returns the value of that interval
// closest to zero: zero when the clocks may agree, otherwise the least skew the exchange proves
// (positive: the local clock is ahead). A slow answer or IB's whole seconds never make a skew
// appear; they only hide one smaller than themselves. Zero when `received` is before `sent`.
Duration ProvenClockOffset(TimePoint sent, TimePoint received, TimePoint server);

}  // namespace ibstream::reliability
