#include "calendar/market_calendar.h"

#include <algorithm>
#include <utility>

namespace ibstream::calendar {
namespace {

using std::chrono::days;

bool IsMissing(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text.empty() || text == "N/A" || text == "n/a";
}

bool IsWeekend(LocalDays day) {
  const date::weekday wd{day};
  return wd == date::Saturday || wd == date::Sunday;
}

// Sorts and merges touching or overlapping spans.
std::vector<TimeSpan> MergeSpans(std::vector<TimeSpan> spans) {
  std::sort(spans.begin(), spans.end(),
            [](const TimeSpan& a, const TimeSpan& b) { return a.start < b.start; });
  std::vector<TimeSpan> merged;
  merged.reserve(spans.size());
  for (const TimeSpan& span : spans) {
    if (!merged.empty() && span.start <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, span.end);
    } else {
      merged.push_back(span);
    }
  }
  return merged;
}

// The intersection of two sorted, disjoint span lists.
std::vector<TimeSpan> Intersect(const std::vector<TimeSpan>& a, const std::vector<TimeSpan>& b) {
  std::vector<TimeSpan> out;
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() && j < b.size()) {
    const TimePoint start = std::max(a[i].start, b[j].start);
    const TimePoint end = std::min(a[i].end, b[j].end);
    if (start < end) out.push_back(TimeSpan{start, end});
    if (a[i].end < b[j].end) {
      ++i;
    } else {
      ++j;
    }
  }
  return out;
}

// Index of the span containing t in a sorted disjoint list, or -1.
std::ptrdiff_t SpanContaining(const std::vector<TimeSpan>& spans, TimePoint t) {
  auto it = std::upper_bound(spans.begin(), spans.end(), t,
                             [](TimePoint x, const TimeSpan& s) { return x < s.start; });
  if (it == spans.begin()) return -1;
  --it;
  return t < it->end ? it - spans.begin() : -1;
}

}  // namespace

Result<MarketCalendar> MarketCalendar::Create(const ContractHours& hours,
                                              const CalendarSettings& settings) {
  if (settings.break_tolerance < Duration::zero()) {
    return InvalidArgument("market_break_tolerance must not be negative");
  }
  MarketCalendar calendar;
  calendar.settings_ = settings;
  IBSTREAM_RETURN_IF_ERROR(calendar.Apply(hours));
  return calendar;
}

Status MarketCalendar::Update(const ContractHours& hours) {
  MarketCalendar next = *this;
  IBSTREAM_RETURN_IF_ERROR(next.Apply(hours));
  *this = std::move(next);
  return Status::Ok();
}

std::optional<TimePoint> MarketCalendar::coverage_start() const {
  if (transitions_.size() < 2) return std::nullopt;
  return transitions_[1].at;
}

std::optional<TimePoint> MarketCalendar::coverage_end() const {
  if (transitions_.size() < 2) return std::nullopt;
  return transitions_.back().at;
}

Status MarketCalendar::Apply(const ContractHours& hours) {
  const bool custom_trading = !settings_.custom_trading_hours.empty();
  const bool custom_liquid = !settings_.custom_liquid_hours.empty();
  const bool zone_override = !settings_.timezone_override.empty();

  Result<ParsedHours> trading =
      ParseTradingHours(custom_trading ? settings_.custom_trading_hours : hours.trading_hours);
  if (!trading.ok()) {
    return trading.status().WithContext(custom_trading ? "custom_trading_hours" : "tradingHours");
  }
  Result<ParsedHours> liquid =
      ParseTradingHours(custom_liquid ? settings_.custom_liquid_hours : hours.liquid_hours);
  if (!liquid.ok()) {
    return liquid.status().WithContext(custom_liquid ? "custom_liquid_hours" : "liquidHours");
  }
  const bool has_information = trading->has_information() || liquid->has_information();

  const std::string& zone_id = zone_override ? settings_.timezone_override : hours.time_zone_id;
  const char* zone_field = zone_override ? "timezone_override" : "timeZoneId";
  if (IsMissing(zone_id)) {
    if (!has_information) return Status::Ok();
    return InvalidArgument(std::string(zone_field) +
                           ": missing, so the trading hours cannot be placed in time");
  }
  Result<TimeZone> zone = TimeZone::Resolve(zone_id);
  if (!zone.ok()) return zone.status().WithContext(zone_field);

  if (zone_.has_value() && !(*zone_ == *zone)) {
    raw_trading_.clear();
    raw_liquid_.clear();
    trading_closed_.clear();
    liquid_closed_.clear();
    described_.clear();
  }
  zone_ = *zone;
  if (has_information) Merge(Interpret(*zone_, *trading, *liquid));
  Rebuild();
  return Status::Ok();
}

MarketCalendar::Knowledge MarketCalendar::Interpret(const TimeZone& zone,
                                                    const ParsedHours& trading,
                                                    const ParsedHours& liquid) {
  const ParsedHours& trading_source = trading.has_information() ? trading : liquid;
  const ParsedHours& liquid_source = liquid.has_information() ? liquid : trading;
  const auto to_utc = [&zone](const std::vector<LocalSession>& sessions) {
    std::vector<TimeSpan> spans;
    spans.reserve(sessions.size());
    for (const LocalSession& session : sessions) {
      const TimeSpan span{zone.ToUtc(session.start), zone.ToUtc(session.end)};
      // A session entirely inside a daylight-saving gap has no duration.
      if (span.start < span.end) spans.push_back(span);
    }
    std::sort(spans.begin(), spans.end(),
              [](const TimeSpan& a, const TimeSpan& b) { return a.start < b.start; });
    return spans;
  };

  Knowledge knowledge;
  knowledge.trading = to_utc(trading_source.sessions);
  knowledge.liquid = to_utc(liquid_source.sessions);
  knowledge.trading_closed = trading.closed_days;
  knowledge.liquid_closed = liquid.closed_days;
  knowledge.trading_days = DayRange{trading_source.first_day, trading_source.last_day};
  knowledge.liquid_days = DayRange{liquid_source.first_day, liquid_source.last_day};
  return knowledge;
}

void MarketCalendar::Merge(Knowledge knowledge) {
  // Each newer string is the truth for the sessions starting on, and the CLOSED marks of, the
  // dates it describes; the rest of what the calendar knew stays.
  const auto replace = [this](std::vector<TimeSpan>& raw, std::vector<LocalDays>& closed,
                              const std::vector<TimeSpan>& spans,
                              const std::vector<LocalDays>& closed_days, DayRange days_range) {
    const TimePoint from = zone_->ToUtc(LocalSeconds(days_range.first));
    const TimePoint until = zone_->ToUtc(LocalSeconds(days_range.last + days(1)));
    std::erase_if(raw,
                  [from, until](const TimeSpan& s) { return s.start >= from && s.start < until; });
    std::erase_if(closed, [days_range](LocalDays d) {
      return d >= days_range.first && d <= days_range.last;
    });
    raw.insert(raw.end(), spans.begin(), spans.end());
    std::sort(raw.begin(), raw.end(),
              [](const TimeSpan& a, const TimeSpan& b) { return a.start < b.start; });
    closed.insert(closed.end(), closed_days.begin(), closed_days.end());
    std::sort(closed.begin(), closed.end());
  };
  replace(raw_trading_, trading_closed_, knowledge.trading, knowledge.trading_closed,
          knowledge.trading_days);
  replace(raw_liquid_, liquid_closed_, knowledge.liquid, knowledge.liquid_closed,
          knowledge.liquid_days);

  described_.push_back(knowledge.trading_days);
  described_.push_back(knowledge.liquid_days);
  std::sort(described_.begin(), described_.end(),
            [](const DayRange& a, const DayRange& b) { return a.first < b.first; });
  std::vector<DayRange> merged;
  for (const DayRange& range : described_) {
    if (!merged.empty() && range.first <= merged.back().last + days(1)) {
      merged.back().last = std::max(merged.back().last, range.last);
    } else {
      merged.push_back(range);
    }
  }
  described_ = std::move(merged);
}

void MarketCalendar::Rebuild() {
  trading_ = MergeSpans(raw_trading_);
  liquid_ = Intersect(MergeSpans(raw_liquid_), trading_);
  closed_days_ = trading_closed_;
  closed_days_.insert(closed_days_.end(), liquid_closed_.begin(), liquid_closed_.end());
  std::sort(closed_days_.begin(), closed_days_.end());
  closed_days_.erase(std::unique(closed_days_.begin(), closed_days_.end()), closed_days_.end());

  std::vector<TimeSpan> coverage = trading_;
  for (const DayRange& range : described_) {
    coverage.push_back(TimeSpan{zone_->ToUtc(LocalSeconds(range.first)),
                                zone_->ToUtc(LocalSeconds(range.last + days(1)))});
  }
  coverage_ = MergeSpans(std::move(coverage));

  // Every instant where some input of Evaluate() can change: session edges, coverage edges and
  // local midnights (HOLIDAY and the weekend exception depend on t's local date).
  std::vector<TimePoint> points;
  points.reserve(2 * (trading_.size() + liquid_.size() + coverage_.size()) + 64);
  for (const auto* spans : {&trading_, &liquid_, &coverage_}) {
    for (const TimeSpan& span : *spans) {
      points.push_back(span.start);
      points.push_back(span.end);
    }
  }
  for (const TimeSpan& span : coverage_) {
    const LocalDays last = zone_->LocalDate(span.end);
    for (LocalDays day = zone_->LocalDate(span.start); day <= last; day += days(1)) {
      points.push_back(zone_->ToUtc(LocalSeconds(day)));
    }
  }
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());

  // Before the first point nothing is covered: UNKNOWN.
  transitions_.assign(1, CalendarTransition{TimePoint::min(), MarketState{}});
  for (TimePoint point : points) {
    MarketState state = Evaluate(point);
    if (!(state == transitions_.back().state)) {
      transitions_.push_back(CalendarTransition{point, state});
    }
  }
  IBSTREAM_CHECK(transitions_.back().state == MarketState{},
                 "the calendar must end in UNKNOWN past its coverage");
  transition_times_.clear();
  transition_times_.reserve(transitions_.size());
  for (const CalendarTransition& transition : transitions_) {
    transition_times_.push_back(transition.at);
  }
}

MarketState MarketCalendar::Evaluate(TimePoint t) const {
  MarketState state;
  const std::ptrdiff_t piece_index = SpanContaining(coverage_, t);
  const TimeSpan* piece = piece_index >= 0 ? &coverage_[piece_index] : nullptr;
  const auto same_piece = [piece](TimePoint x) {
    return piece != nullptr && x >= piece->start && x < piece->end;
  };

  // First trading session starting after t, and the one before it.
  const auto next = std::upper_bound(trading_.begin(), trading_.end(), t,
                                     [](TimePoint x, const TimeSpan& s) { return x < s.start; });
  const TimeSpan* next_session =
      next != trading_.end() && same_piece(next->start) ? &*next : nullptr;
  const TimeSpan* prev_session = next != trading_.begin() ? &*(next - 1) : nullptr;
  if (next_session != nullptr) state.next_open = next_session->start;

  if (prev_session != nullptr && t < prev_session->end) {
    state.next_close = prev_session->end;
    state.status = SpanContaining(liquid_, t) >= 0 ? MarketStatus::kOpen : MarketStatus::kExtended;
    return state;
  }
  if (next_session != nullptr) state.next_close = next_session->end;

  const LocalDays today = zone_.has_value() ? zone_->LocalDate(t) : LocalDays{};
  const bool closed_weekday = zone_.has_value() && !IsWeekend(today) &&
                              std::binary_search(closed_days_.begin(), closed_days_.end(), today);
  const bool known =
      prev_session != nullptr && next_session != nullptr && same_piece(prev_session->end);
  if (known) {
    const TimePoint prev_end = prev_session->end;
    const TimePoint next_start = next_session->start;
    if (next_start - prev_end <= settings_.break_tolerance) {
      state.status = MarketStatus::kBreak;
    } else if (closed_weekday) {
      state.status = MarketStatus::kHoliday;
    } else {
      const LocalDays first = zone_->LocalDate(prev_end);
      const LocalDays last = zone_->LocalDate(next_start);
      bool weekend = (last - first).count() >= 7;
      for (LocalDays day = first; !weekend && day <= last; day += days(1)) {
        weekend = IsWeekend(day);
      }
      state.status = weekend ? MarketStatus::kWeekend : MarketStatus::kClosed;
    }
    return state;
  }
  if (closed_weekday) {
    state.status = MarketStatus::kHoliday;
  } else if (zone_.has_value() && IsWeekend(today) &&
             std::any_of(described_.begin(), described_.end(), [today](const DayRange& r) {
               return today >= r.first && today <= r.last;
             })) {
    state.status = MarketStatus::kWeekend;
  } else {
    state.status = MarketStatus::kUnknown;
  }
  return state;
}

size_t MarketCalendar::IndexAt(TimePoint t) const {
  const auto it = std::upper_bound(transition_times_.begin(), transition_times_.end(), t);
  // transition_times_ starts at TimePoint::min(), so `it` is past the first element.
  return static_cast<size_t>(it - transition_times_.begin()) - 1;
}

std::vector<ScheduledSession> MarketCalendar::SessionsBetween(TimePoint from,
                                                              TimePoint until) const {
  std::vector<ScheduledSession> out;
  auto it = std::upper_bound(trading_.begin(), trading_.end(), from,
                             [](TimePoint x, const TimeSpan& s) { return x < s.end; });
  auto liquid = liquid_.begin();
  for (; it != trading_.end() && it->start < until; ++it) {
    ScheduledSession session{it->start, it->end, {}};
    liquid = std::upper_bound(liquid, liquid_.end(), it->start,
                              [](TimePoint x, const TimeSpan& s) { return x < s.end; });
    TimePoint cursor = it->start;
    for (; liquid != liquid_.end() && liquid->start < it->end; ++liquid) {
      if (cursor < liquid->start)
        session.parts.push_back(SessionPart{cursor, liquid->start, false});
      session.parts.push_back(SessionPart{liquid->start, liquid->end, true});
      cursor = liquid->end;
    }
    if (cursor < it->end) session.parts.push_back(SessionPart{cursor, it->end, false});
    out.push_back(std::move(session));
  }
  return out;
}

std::vector<LocalDays> MarketCalendar::HolidaysBetween(LocalDays first, LocalDays last) const {
  std::vector<LocalDays> out;
  for (auto it = std::lower_bound(closed_days_.begin(), closed_days_.end(), first);
       it != closed_days_.end() && *it <= last; ++it) {
    if (!IsWeekend(*it)) out.push_back(*it);
  }
  return out;
}

}  // namespace ibstream::calendar
