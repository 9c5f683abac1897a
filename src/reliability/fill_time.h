// How long filling a gap took, against the least time IB's pacing of historical requests allows
// for the requests it needed, as pure functions (no clock, no I/O).
//
// IB rejects historical requests with error 162 ("pacing violation") when a client makes
//   - more than 60 requests in any 10-minute window (a BID_ASK request counts twice),
//   - 6 or more requests for the same contract and tick kind within 2 seconds,
//   - an identical request within 15 seconds.
// The recorder's historical pacer (recorder/historical_pacer.h) spaces its requests by these
// limits. The pages of one gap are requests for one contract and kind with distinct start
// times, so the identical-request rule never spaces them; the other two do.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/clock.h"

namespace ibstream::reliability {

// IB's pacing limits as the recorder models them (with its margin below each limit).
struct HistoricalPacingLimits {
  int max_per_window = 60;
  Duration window = std::chrono::minutes(10);
  // Strictly fewer than 6 requests per contract and kind within `burst_window`.
  int max_per_contract_burst = 5;
  Duration burst_window = std::chrono::seconds(2);
  Duration identical_cooldown = std::chrono::seconds(15);
  bool bid_ask_counts_double = true;
};

// The least time from the first of `requests` distinct historical requests of one contract and
// kind to the moment the last one may be sent, starting from an unused budget: the first
// `max_per_contract_burst` go at once, the next ones `burst_window` apart in groups, and past the
// window's budget each waits for an earlier one to leave the window. `bid_ask` requests weigh
// two when the limits say so. Zero for no request or one burst's worth. A request heavier than
// the whole window (a limit of 1 with BID_ASK counted double) is sent alone, one per window.
Duration MinimumPacedDuration(const HistoricalPacingLimits& limits, int requests, bool bid_ask);

// How filling one gap went (the recorder's backfill runner measures it; loop thread).
struct GapFillTiming {
  TimePoint queued_at;         // the gap was queued for backfill (detected, resumed or retried)
  TimePoint filled_at;         // its last tick was stored and the gap closed as filled
  int requests = 0;            // historical requests sent for it (retried pages included)
  int requests_needed = 0;     // pages answered: what pacing had to let through
  Duration pacing_minimum{0};  // MinimumPacedDuration of requests_needed
  Duration round_trip{0};      // the fastest answered page's round trip (0: none measured)

  Duration time_to_fill() const { return filled_at - queued_at; }
  // The least time filling could have taken. A gap's pages are asked one after another (each
  // starts where the answer before it ended), so each takes at least one round trip, and the
  // last cannot go before pacing lets it: max(pacing_minimum + round_trip, requests_needed x
  // round_trip). With no round trip measured, the pacing minimum alone. For a gap of one burst's
  // worth of requests (5 or fewer), where pacing imposes no wait, this is the round trips.
  Duration least_time() const;
  // time_to_fill / least_time (1 means as fast as IB allowed); empty when least_time is zero
  // (no page answered and no pacing wait: nothing to compare against).
  std::optional<double> ratio_to_minimum() const;

  friend bool operator==(const GapFillTiming&, const GapFillTiming&) = default;
};

// A cumulative histogram in Prometheus' form: counts per upper bound (the last bucket, +Inf,
// is `count`), the sum and the number of observations.
struct FillHistogram {
  std::vector<double> bounds;    // ascending upper bounds
  std::vector<uint64_t> counts;  // per bound, cumulative (observations <= bound)
  double sum = 0;
  uint64_t count = 0;

  explicit FillHistogram(std::vector<double> upper_bounds);
  void Observe(double value);

  friend bool operator==(const FillHistogram&, const FillHistogram&) = default;
};

// The filled gaps' time to fill (seconds) and ratio to the pacing minimum, as `/metrics` shows.
struct FillTimeStats {
  FillHistogram seconds{{1, 5, 15, 60, 300, 900, 1800, 3600, 7200}};
  FillHistogram ratio{{1, 1.5, 2, 3, 5, 10, 30}};

  // Counts one filled gap (the ratio only when it has one).
  void Observe(const GapFillTiming& fill);

  friend bool operator==(const FillTimeStats&, const FillTimeStats&) = default;
};

}  // namespace ibstream::reliability
