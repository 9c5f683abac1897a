#include "sim/market.h"

#include <algorithm>

#include "common/time_units.h"

namespace ibstream::sim {

bool EventHasType(const MarketEvent& e, TickType type) {
  if (e.only) return *e.only == type;
  switch (type) {
    case TickType::kBidAsk:
      return e.kind == MarketEvent::Kind::kQuote;
    case TickType::kMidPoint:
      return e.kind == MarketEvent::Kind::kQuote && e.midpoint_changed;
    case TickType::kAllLast:
      return e.kind == MarketEvent::Kind::kTrade;
    case TickType::kLast:
    case TickType::kTrade:
      return e.kind == MarketEvent::Kind::kTrade && !e.unreported;
    case TickType::kQuote:
      return e.kind == MarketEvent::Kind::kQuote;
    case TickType::kDepth:  // served by DepthServer from the quotes, not an event type
      return false;
  }
  return false;
}

namespace {

// The one tick of a recorded event (nothing for the reqMktData-only kinds).
void RecordedTick(Tick& t, const MarketEvent& e, const std::function<void(const Tick&)>& emit) {
  t.type = *e.only;
  t.attributes = e.attributes;
  switch (t.type) {
    case TickType::kBidAsk:
      t.bid_price = e.bid;
      t.ask_price = e.ask;
      t.bid_size = e.bid_size;
      t.ask_size = e.ask_size;
      break;
    case TickType::kMidPoint:
      t.price = e.price;
      break;
    case TickType::kLast:
    case TickType::kAllLast:
      t.price = e.price;
      t.size = e.size;
      if (e.exchange != nullptr) t.exchange = *e.exchange;
      if (e.special_conditions != nullptr) t.special_conditions = *e.special_conditions;
      break;
    case TickType::kQuote:
    case TickType::kTrade:
    case TickType::kDepth:
      return;
  }
  emit(t);
}

}  // namespace

void EventTicks(const SimContract& contract, int64_t second, const MarketEvent& e,
                const std::function<void(const Tick&)>& emit) {
  Tick t;
  t.contract_id = contract.con_id();
  t.exchange_time = FromUnixSeconds(second);
  t.receive_time = FromUnixNanos(second * kNanosPerSecond + e.offset_ns);
  if (e.only) {
    RecordedTick(t, e, emit);
    return;
  }
  if (e.kind == MarketEvent::Kind::kQuote) {
    t.type = TickType::kBidAsk;
    t.bid_price = e.bid;
    t.ask_price = e.ask;
    t.bid_size = e.bid_size;
    t.ask_size = e.ask_size;
    emit(t);
    if (e.midpoint_changed) {
      Tick m;
      m.contract_id = t.contract_id;
      m.type = TickType::kMidPoint;
      m.exchange_time = t.exchange_time;
      m.receive_time = t.receive_time;
      m.price = e.midpoint();
      emit(m);
    }
    return;
  }
  t.type = TickType::kAllLast;
  t.price = e.price;
  t.size = e.size;
  t.exchange = *e.exchange;
  if (e.unreported) {
    t.attributes = kAttrUnreported;
    t.special_conditions = std::string(kUnreportedConditions);
  }
  emit(t);
  if (!e.unreported) {
    t.type = TickType::kLast;
    emit(t);
  }
}

Result<std::unique_ptr<SimMarket>> SimMarket::Create(std::shared_ptr<const SimContract> contract,
                                                     TimePoint now, int history_days) {
  const SessionModel& model = *contract->sessions;
  const calendar::LocalDays today = model.zone().LocalDate(now);
  const calendar::LocalDays first = today - date::days{std::max(history_days, 1)};
  const calendar::LocalDays last = today + date::days{30};
  Result<calendar::MarketCalendar> calendar =
      calendar::MarketCalendar::Create(model.HoursFor(first, last));
  if (!calendar.ok()) {
    return calendar.status().WithContext("calendar of " + contract->symbol());
  }
  return std::unique_ptr<SimMarket>(
      new SimMarket(std::move(contract), std::move(calendar).value(), last));
}

SessionPhase SimMarket::PhaseAt(TimePoint t) const {
  switch (calendar_.StatusAt(t)) {
    case calendar::MarketStatus::kOpen:
      return SessionPhase::kLiquid;
    case calendar::MarketStatus::kExtended:
      return SessionPhase::kExtended;
    default:
      return SessionPhase::kClosed;
  }
}

Status SimMarket::ExtendTo(TimePoint now) {
  const SessionModel& model = *contract_->sessions;
  const calendar::LocalDays today = model.zone().LocalDate(now);
  if (last_day_ >= today + date::days{10}) return Status::Ok();
  const calendar::LocalDays last = today + date::days{30};
  IBSTREAM_RETURN_IF_ERROR(calendar_.Update(model.HoursFor(last_day_ - date::days{1}, last)));
  last_day_ = last;
  return Status::Ok();
}

void SimMarket::EventsOf(const TickGenerator& generator, int64_t second,
                         std::vector<MarketEvent>& out) const {
  out.clear();
  generator.GenerateSecond(*contract_, second, PhaseAt(FromUnixSeconds(second)), out);
}

void SimMarket::SecondTicks(const TickGenerator& generator, int64_t second, TickType type,
                            bool use_rth, std::vector<Tick>& out) const {
  const SessionPhase phase = PhaseAt(FromUnixSeconds(second));
  if (phase == SessionPhase::kClosed || (use_rth && phase != SessionPhase::kLiquid)) return;
  std::vector<MarketEvent> events;
  generator.GenerateSecond(*contract_, second, phase, events);
  for (const MarketEvent& e : events) {
    if (!EventHasType(e, type)) continue;
    EventTicks(*contract_, second, e, [&](const Tick& t) {
      if (t.type == type) out.push_back(t);
    });
  }
}

std::vector<Tick> SimMarket::HistoricalTicks(const TickGenerator& generator, TickType type,
                                             std::optional<TimePoint> start,
                                             std::optional<TimePoint> end, int count, bool use_rth,
                                             bool ignore_size, TimePoint limit,
                                             Duration max_scan) const {
  std::vector<Tick> out;
  const int64_t limit_second = ToUnixSeconds(limit);  // exclusive: the current second
  const int64_t scan_seconds = std::chrono::duration_cast<std::chrono::seconds>(max_scan).count();
  const auto& sessions = calendar_.trading_sessions();
  if (start) {
    int64_t s =
        ToUnixSeconds(*start + Duration(kNanosPerSecond - 1));  // first whole second >= start
    int64_t scanned = 0;
    while (s < limit_second && scanned < scan_seconds) {
      if (static_cast<int>(out.size()) >= count) break;  // only at a second boundary
      // Skip closed time: jump to the next session start.
      const TimePoint t = FromUnixSeconds(s);
      auto it = std::upper_bound(
          sessions.begin(), sessions.end(), t,
          [](TimePoint v, const calendar::TimeSpan& span) { return v < span.end; });
      if (it == sessions.end()) break;
      if (t < it->start) {
        s = ToUnixSeconds(it->start + Duration(kNanosPerSecond - 1));
        continue;
      }
      SecondTicks(generator, s, type, use_rth, out);
      ++s;
      ++scanned;
    }
  } else if (end) {
    int64_t s = std::min(ToUnixSeconds(*end), limit_second - 1);
    int64_t scanned = 0;
    std::vector<std::vector<Tick>> seconds;  // newest first
    int total = 0;
    while (total < count && scanned < scan_seconds) {
      const TimePoint t = FromUnixSeconds(s);
      // The session containing t, or the last one before it.
      auto it = std::upper_bound(
          sessions.begin(), sessions.end(), t,
          [](TimePoint v, const calendar::TimeSpan& span) { return v < span.start; });
      if (it == sessions.begin()) break;
      --it;
      if (t >= it->end) {
        s = ToUnixSeconds(it->end - Duration(1));
        continue;
      }
      std::vector<Tick> ticks;
      SecondTicks(generator, s, type, use_rth, ticks);
      total += static_cast<int>(ticks.size());
      if (!ticks.empty()) seconds.push_back(std::move(ticks));
      --s;
      ++scanned;
    }
    for (auto it = seconds.rbegin(); it != seconds.rend(); ++it) {
      out.insert(out.end(), it->begin(), it->end());
    }
  }
  if (ignore_size && type == TickType::kBidAsk) {
    std::vector<Tick> kept;
    for (const Tick& t : out) {
      if (!kept.empty() && kept.back().bid_price == t.bid_price &&
          kept.back().ask_price == t.ask_price) {
        continue;
      }
      kept.push_back(t);
    }
    out = std::move(kept);
  }
  return out;
}

std::optional<TimePoint> SimMarket::HeadTimestamp() const {
  const auto& sessions = calendar_.trading_sessions();
  if (sessions.empty()) return std::nullopt;
  return sessions.front().start;
}

}  // namespace ibstream::sim
