// One contract's simulated market: its calendar (built from the hours strings the simulator
// sends, so simulator and recorder agree on when it trades), the generated events of each second,
// and the ticks they make, live or regenerated for a historical request.
//
// Not thread-safe: owned by the simulator's loop thread (tests use it directly).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "calendar/market_calendar.h"
#include "model/tick.h"
#include "sim/catalog.h"
#include "sim/tick_generator.h"

namespace ibstream::sim {

// The special-conditions text of trades that only AllLast carries.
inline constexpr std::string_view kUnreportedConditions = "I";

// Calls `emit` with the ticks one event makes, in the order BidAsk, MidPoint (quote events) or
// AllLast, Last (trades); a recorded event (MarketEvent::only) makes its one tick, none for the
// reqMktData-only kinds Quote and Trade. exchange_time = the second; receive_time = second + the
// event offset.
void EventTicks(const SimContract& contract, int64_t second, const MarketEvent& event,
                const std::function<void(const Tick&)>& emit);

// Whether a tick of `type` comes out of `event`.
bool EventHasType(const MarketEvent& event, TickType type);

class SimMarket {
 public:
  // Builds the calendar covering `history_days` before `now` to 30 days after.
  static Result<std::unique_ptr<SimMarket>> Create(std::shared_ptr<const SimContract> contract,
                                                   TimePoint now, int history_days);

  const SimContract& contract() const { return *contract_; }
  const calendar::MarketCalendar& calendar() const { return calendar_; }

  // Liquid (OPEN), extended (EXTENDED) or closed (anything else, including UNKNOWN) at `t`.
  SessionPhase PhaseAt(TimePoint t) const;
  // Keeps the calendar at least 10 days ahead of `now` (merging newer strings).
  [[nodiscard]] Status ExtendTo(TimePoint now);

  // The events of `second` (cleared first).
  void EventsOf(const TickGenerator& generator, int64_t second,
                std::vector<MarketEvent>& out) const;

  // Historical ticks of `type`, IB's reqHistoricalTicks semantics: from `start` forward (or from
  // `end` backward when start is empty) in whole seconds, at least `count` ticks when there are
  // that many, completing the last second; never at or after `limit` (the current, incomplete
  // second). `use_rth`: liquid hours only. `ignore_size` (BidAsk): drop quotes whose prices did
  // not change. At most `max_scan` of trading time is scanned. Returned oldest first.
  std::vector<Tick> HistoricalTicks(const TickGenerator& generator, TickType type,
                                    std::optional<TimePoint> start, std::optional<TimePoint> end,
                                    int count, bool use_rth, bool ignore_size, TimePoint limit,
                                    Duration max_scan = std::chrono::hours(24 * 7)) const;

  // Start of the first trading session, as far back as the calendar reaches (HEAD_TIMESTAMP).
  std::optional<TimePoint> HeadTimestamp() const;

  // Appends the ticks of `type` in `second` (Unix seconds) to `out`: nothing while closed (or
  // outside liquid hours with `use_rth`). The building block of every historical answer.
  void SecondTicks(const TickGenerator& generator, int64_t second, TickType type, bool use_rth,
                   std::vector<Tick>& out) const;

 private:
  SimMarket(std::shared_ptr<const SimContract> contract, calendar::MarketCalendar calendar,
            calendar::LocalDays last)
      : contract_(std::move(contract)), calendar_(std::move(calendar)), last_day_(last) {}
  std::shared_ptr<const SimContract> contract_;
  calendar::MarketCalendar calendar_;
  calendar::LocalDays last_day_;  // last local date given to the calendar
};

}  // namespace ibstream::sim
