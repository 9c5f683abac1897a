// Property tests over generated calendars.
//
// A generator draws sessions as wall-clock times (same-day, overnight and multi-day sessions,
// CLOSED days, liquid parts, times inside daylight-saving gaps and overlaps) around the US and
// European daylight-saving changes, renders them in IB's current and legacy formats, and checks
// the calendar against an oracle that evaluates the definitions directly, by linear scans, with its
// own wall-time conversion. Every check names the seed of its calendar; set IBSTREAM_SEED to rerun
// one seed.
#include <date/tz.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "calendar/market_calendar.h"

namespace ibstream::calendar::market_calendar_property_test {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;

constexpr uint64_t kBaseSeed = 20250811;
constexpr int kCalendars = 300;

struct GenSession {
  LocalSeconds start;
  LocalSeconds end;
};

struct GenCalendar {
  std::string zone_id;
  std::string iana;
  std::vector<GenSession> trading;
  std::vector<GenSession> liquid;  // empty: liquidHours absent
  std::vector<LocalDays> closed;   // CLOSED in tradingHours
  std::vector<LocalDays> liquid_closed;
  Duration tolerance = hours(2);
};

struct ZoneChoice {
  const char* id;
  const char* iana;
};
constexpr ZoneChoice kZones[] = {
    {"US/Central", "America/Chicago"},     {"America/New_York", "America/New_York"},
    {"US/Eastern", "America/New_York"},    {"MET", "Europe/Berlin"},
    {"Europe/London", "Europe/London"},    {"GB-Eire", "Europe/London"},
    {"Australia/NSW", "Australia/Sydney"}, {"JST", "Asia/Tokyo"},
};

// Daylight-saving changes of 2025 the generator aims at (US: Mar 9 / Nov 2; EU: Mar 30 / Oct 26).
const LocalDays kDstDays[] = {
    LocalDays{date::year{2025} / 3 / 9},  LocalDays{date::year{2025} / 11 / 2},
    LocalDays{date::year{2025} / 3 / 30}, LocalDays{date::year{2025} / 10 / 26},
    LocalDays{date::year{2025} / 4 / 6},  LocalDays{date::year{2025} / 10 / 5},
};

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  int Uniform(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, std::max(lo, hi))(rng_);
  }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  // A wall time of day; sometimes on the quarter hour, sometimes at 01:00-03:00 (DST changes).
  minutes TimeOfDay(int lo_minutes, int hi_minutes) {
    if (Chance(0.15)) {
      const int dst = Uniform(60, 179);
      if (dst >= lo_minutes && dst <= hi_minutes) return minutes(dst);
    }
    int m = Uniform(lo_minutes, hi_minutes);
    if (Chance(0.5)) m = std::clamp(m / 15 * 15, lo_minutes, hi_minutes);
    return minutes(m);
  }

  GenCalendar Calendar() {
    GenCalendar cal;
    const ZoneChoice& zone = kZones[Uniform(0, std::size(kZones) - 1)];
    cal.zone_id = zone.id;
    cal.iana = zone.iana;
    const LocalDays anchor = kDstDays[Uniform(0, std::size(kDstDays) - 1)];
    const LocalDays first = anchor - days(Uniform(0, 6));
    const int span = Uniform(2, 16);
    cal.tolerance = Chance(0.5) ? hours(2) : minutes(Uniform(0, 300));
    const bool with_liquid = Chance(0.8);
    for (int i = 0; i < span; ++i) {
      const LocalDays day = first + days(i);
      const int kind = Uniform(0, 9);
      if (kind == 0) {
        cal.closed.push_back(day);
        continue;
      }
      if (kind == 1) {
        if (with_liquid) cal.liquid_closed.push_back(day);
        continue;  // no session starts this day
      }
      int count = kind <= 7 ? 1 : 2;
      int earliest = 0;
      for (int s = 0; s < count && earliest < 23 * 60; ++s) {
        GenSession session;
        const int shape = Uniform(0, 5);
        if (shape <= 2) {  // same day
          const minutes open = TimeOfDay(earliest, 22 * 60);
          session.start = day + open;
          session.end = day + TimeOfDay(static_cast<int>(open.count()) + 1, 24 * 60);
        } else if (shape <= 4) {  // overnight, less than a day
          const minutes open = TimeOfDay(std::max(earliest, 12 * 60), 23 * 60 + 59);
          session.start = day + open;
          session.end = day + days(1) + TimeOfDay(0, static_cast<int>(open.count()));
        } else {  // several days
          session.start = day + TimeOfDay(earliest, 23 * 60);
          session.end = day + days(Uniform(1, 3)) + TimeOfDay(0, 24 * 60 - 1);
        }
        cal.trading.push_back(session);
        earliest = static_cast<int>((session.end - day).count() / 60) + 1;
        if (with_liquid && Chance(0.7)) {
          const auto length = (session.end - session.start).count();
          const auto a = Uniform(0, static_cast<int>(length / 2)) / 60 * 60;
          const auto b = Uniform(0, static_cast<int>(length / 2)) / 60 * 60;
          if (session.start + std::chrono::seconds(a) < session.end - std::chrono::seconds(b)) {
            cal.liquid.push_back(GenSession{session.start + std::chrono::seconds(a),
                                            session.end - std::chrono::seconds(b)});
          }
        }
      }
    }
    if (cal.trading.empty() && cal.closed.empty()) cal.closed.push_back(first);
    if (with_liquid && cal.liquid.empty() && cal.liquid_closed.empty()) {
      cal.liquid_closed.push_back(first + days(span));
    }
    return cal;
  }

 private:
  std::mt19937_64 rng_;
};

// --- rendering ---------------------------------------------------------------------------------

std::string Date(LocalDays day) { return date::format("%Y%m%d", day); }
std::string Hhmm(LocalSeconds t) { return date::format("%H%M", t); }
LocalDays DayOf(LocalSeconds t) { return date::floor<days>(t); }

std::string RenderCurrent(const std::vector<GenSession>& sessions,
                          const std::vector<LocalDays>& closed) {
  std::vector<std::pair<LocalSeconds, std::string>> entries;
  for (const GenSession& s : sessions) {
    entries.emplace_back(s.start, Date(DayOf(s.start)) + ":" + Hhmm(s.start) + "-" +
                                      Date(DayOf(s.end)) + ":" + Hhmm(s.end));
  }
  for (LocalDays d : closed) entries.emplace_back(LocalSeconds(d), Date(d) + ":CLOSED");
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& entry : entries) out += (out.empty() ? "" : ";") + entry.second;
  return out;
}

// The legacy format: same-day "HHMM-HHMM", "HHMM-2400", overnight ranges dated by their close day,
// explicit close dates otherwise; consecutive ranges joined with ',' when the parser's anchoring
// rule places them right.
std::string RenderLegacy(const std::vector<GenSession>& sessions,
                         const std::vector<LocalDays>& closed, Generator& gen) {
  std::vector<GenSession> sorted = sessions;
  std::sort(sorted.begin(), sorted.end(),
            [](const GenSession& a, const GenSession& b) { return a.start < b.start; });
  std::vector<std::pair<LocalSeconds, std::string>> entries;
  std::string current;
  LocalDays current_day{};  // the day the parser anchors the next range of `current` on
  LocalSeconds current_key{};
  const auto flush = [&] {
    if (!current.empty()) entries.emplace_back(current_key, current);
    current.clear();
  };
  for (const GenSession& s : sorted) {
    const LocalDays open_day = DayOf(s.start);
    const LocalDays close_day = DayOf(s.end);
    std::string range;
    LocalDays label = open_day;
    bool must_be_first = false;
    if (close_day == open_day) {
      range = Hhmm(s.start) + "-" + Hhmm(s.end);
    } else if (s.end == open_day + days(1) && gen.Chance(0.5)) {
      range = Hhmm(s.start) + "-2400";
    } else if (close_day == open_day + days(1) && Hhmm(s.end) <= Hhmm(s.start) && gen.Chance(0.7)) {
      range = Hhmm(s.start) + "-" + Hhmm(s.end);
      label = close_day;
      must_be_first = true;
    } else {
      range = Hhmm(s.start) + "-" + Date(close_day) + ":" + Hhmm(s.end);
    }
    const bool join =
        !current.empty() && !must_be_first && current_day == open_day && gen.Chance(0.6);
    if (join) {
      current += "," + range;
    } else {
      flush();
      current = Date(label) + ":" + range;
      current_key = s.start;
    }
    current_day = DayOf(s.end);
  }
  flush();
  for (LocalDays d : closed) entries.emplace_back(LocalSeconds(d), Date(d) + ":CLOSED");
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& entry : entries) out += (out.empty() ? "" : ";") + entry.second;
  return out;
}

// --- oracle ------------------------------------------------------------------------------------

// Wall time -> UTC by the documented rule, computed differently from TimeZone::ToUtc: try the
// offsets in force a day before and a day after, keep those that map back to the wall time
// (through sys -> local) and take the earliest; when none does (a gap), take the start of the
// period that the wall time read with the earlier offset falls into, i.e. the change.
TimePoint OracleToUtc(const date::time_zone* zone, LocalSeconds wall) {
  const date::sys_seconds as_utc{wall.time_since_epoch()};
  const std::chrono::seconds before = zone->get_info(as_utc - days(1)).offset;
  const std::chrono::seconds after = zone->get_info(as_utc + days(1)).offset;
  std::vector<date::sys_seconds> valid;
  for (std::chrono::seconds offset : {before, after}) {
    const date::sys_seconds candidate{wall.time_since_epoch() - offset};
    if (zone->to_local(candidate) == wall) valid.push_back(candidate);
  }
  const date::sys_seconds chosen =
      valid.empty() ? zone->get_info(date::sys_seconds{wall.time_since_epoch() - before}).begin
                    : *std::min_element(valid.begin(), valid.end());
  return TimePoint(chosen.time_since_epoch());
}

struct Span {
  TimePoint start;
  TimePoint end;
};

std::vector<Span> OracleMerge(std::vector<Span> spans) {
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.start < b.start; });
  std::vector<Span> out;
  for (const Span& s : spans) {
    if (s.start >= s.end) continue;
    if (!out.empty() && s.start <= out.back().end) {
      out.back().end = std::max(out.back().end, s.end);
    } else {
      out.push_back(s);
    }
  }
  return out;
}

class Oracle {
 public:
  explicit Oracle(const GenCalendar& cal) : zone_(date::locate_zone(cal.iana)) {
    tolerance_ = cal.tolerance;
    std::vector<Span> trading;
    for (const GenSession& s : cal.trading) trading.push_back(ToUtc(s));
    raw_trading_ = trading;
    trading_ = OracleMerge(trading);
    std::vector<Span> liquid;
    for (const GenSession& s :
         (cal.liquid.empty() && cal.liquid_closed.empty() ? cal.trading : cal.liquid)) {
      liquid.push_back(ToUtc(s));
    }
    liquid = OracleMerge(liquid);
    for (const Span& l : liquid) {
      for (const Span& t : trading_) {
        const Span cut{std::max(l.start, t.start), std::min(l.end, t.end)};
        if (cut.start < cut.end) liquid_.push_back(cut);
      }
    }
    closed_ = cal.closed;
    closed_.insert(closed_.end(), cal.liquid_closed.begin(), cal.liquid_closed.end());
    std::vector<LocalDays> described = closed_;
    for (const GenSession& s : cal.trading) described.push_back(DayOf(s.start));
    for (const GenSession& s : cal.liquid) described.push_back(DayOf(s.start));
    first_day_ = *std::min_element(described.begin(), described.end());
    last_day_ = *std::max_element(described.begin(), described.end());
    coverage_start_ = OracleToUtc(zone_, LocalSeconds(first_day_));
    coverage_end_ = OracleToUtc(zone_, LocalSeconds(last_day_ + days(1)));
    for (const Span& s : trading_) {
      coverage_start_ = std::min(coverage_start_, s.start);
      coverage_end_ = std::max(coverage_end_, s.end);
    }
  }

  Span ToUtc(const GenSession& s) const {
    return Span{OracleToUtc(zone_, s.start), OracleToUtc(zone_, s.end)};
  }

  LocalDays LocalDate(TimePoint t) const {
    return date::floor<days>(zone_->to_local(
        date::floor<std::chrono::seconds>(date::sys_time<Duration>(t.time_since_epoch()))));
  }

  static bool Weekend(LocalDays d) {
    const date::weekday wd{d};
    return wd == date::Saturday || wd == date::Sunday;
  }

  MarketState At(TimePoint t) const {
    MarketState state;
    const bool covered = t >= coverage_start_ && t < coverage_end_;
    const Span* in = nullptr;
    const Span* next = nullptr;
    const Span* prev = nullptr;
    for (const Span& s : trading_) {
      if (s.start <= t && t < s.end) in = &s;
      if (s.start > t && (next == nullptr || s.start < next->start)) next = &s;
      if (s.end <= t && (prev == nullptr || s.end > prev->end)) prev = &s;
    }
    if (next != nullptr && covered) state.next_open = next->start;
    if (in != nullptr) {
      const bool liquid = std::any_of(liquid_.begin(), liquid_.end(),
                                      [t](const Span& s) { return s.start <= t && t < s.end; });
      state.status = liquid ? MarketStatus::kOpen : MarketStatus::kExtended;
      state.next_close = in->end;
      return state;
    }
    if (next != nullptr && covered) state.next_close = next->end;
    const LocalDays d = LocalDate(t);
    const bool closed_weekday =
        !Weekend(d) && std::find(closed_.begin(), closed_.end(), d) != closed_.end();
    if (covered && prev != nullptr && next != nullptr) {
      if (next->start - prev->end <= tolerance_) {
        state.status = MarketStatus::kBreak;
      } else if (closed_weekday) {
        state.status = MarketStatus::kHoliday;
      } else {
        bool weekend = false;
        for (LocalDays x = LocalDate(prev->end); x <= LocalDate(next->start); x += days(1)) {
          weekend = weekend || Weekend(x);
        }
        state.status = weekend ? MarketStatus::kWeekend : MarketStatus::kClosed;
      }
    } else if (closed_weekday) {
      state.status = MarketStatus::kHoliday;
    } else if (Weekend(d) && d >= first_day_ && d <= last_day_) {
      state.status = MarketStatus::kWeekend;
    } else {
      state.status = MarketStatus::kUnknown;
    }
    return state;
  }

  const std::vector<Span>& raw_trading() const { return raw_trading_; }
  const std::vector<Span>& trading() const { return trading_; }
  const std::vector<Span>& liquid() const { return liquid_; }
  TimePoint coverage_start() const { return coverage_start_; }
  TimePoint coverage_end() const { return coverage_end_; }

 private:
  const date::time_zone* zone_;
  Duration tolerance_;
  std::vector<Span> raw_trading_;
  std::vector<Span> trading_;
  std::vector<Span> liquid_;
  std::vector<LocalDays> closed_;
  LocalDays first_day_;
  LocalDays last_day_;
  TimePoint coverage_start_;
  TimePoint coverage_end_;
};

// --- helpers -----------------------------------------------------------------------------------

uint64_t BaseSeed() {
  const char* env = std::getenv("IBSTREAM_SEED");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : kBaseSeed;
}

std::string Show(const MarketState& s) {
  return std::string(MarketStatusName(s.status)) +
         " open=" + (s.next_open ? FormatIsoUtc(*s.next_open) : "null") +
         " close=" + (s.next_close ? FormatIsoUtc(*s.next_close) : "null");
}

struct Built {
  GenCalendar gen;
  std::string trading;
  std::string liquid;
  MarketCalendar calendar;
};

Built Build(uint64_t seed) {
  Generator gen(seed);
  Built built{gen.Calendar(), "", "", MarketCalendar()};
  built.trading = RenderCurrent(built.gen.trading, built.gen.closed);
  built.liquid = RenderCurrent(built.gen.liquid, built.gen.liquid_closed);
  CalendarSettings settings;
  settings.break_tolerance = built.gen.tolerance;
  Result<MarketCalendar> calendar = MarketCalendar::Create(
      ContractHours{built.gen.zone_id, built.trading, built.liquid}, settings);
  EXPECT_TRUE(calendar.ok()) << calendar.status().ToString();
  if (calendar.ok()) built.calendar = std::move(calendar).value();
  return built;
}

std::string Describe(uint64_t seed, const Built& b) {
  return "seed=" + std::to_string(seed) + " zone=" + b.gen.zone_id + " tradingHours=" + b.trading +
         " liquidHours=" + b.liquid;
}

// Instants worth checking: every transition and its neighbours, session edges, random instants.
std::vector<TimePoint> Probes(const Built& b, const Oracle& oracle, uint64_t seed) {
  std::vector<TimePoint> probes;
  for (const CalendarTransition& tr : b.calendar.transitions()) {
    if (tr.at == TimePoint::min()) continue;
    for (Duration d : {Duration(-1), Duration(0), Duration(1), Duration(minutes(-1))}) {
      probes.push_back(tr.at + d);
    }
  }
  for (const Span& s : oracle.raw_trading()) {
    for (Duration d : {Duration(-1), Duration(0), Duration(1)}) {
      probes.push_back(s.start + d);
      probes.push_back(s.end + d);
    }
  }
  std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ULL);
  const int64_t lo = ToUnixNanos(oracle.coverage_start() - days(2));
  const int64_t hi = ToUnixNanos(oracle.coverage_end() + days(2));
  std::uniform_int_distribution<int64_t> pick(lo, hi);
  for (int i = 0; i < 300; ++i) probes.push_back(FromUnixNanos(pick(rng)));
  return probes;
}

bool Trading(MarketStatus s) { return IsTrading(s); }

// --- properties --------------------------------------------------------------------------------

TEST(MarketCalendarProperty, AgreesWithTheOracleEverywhere) {
  const uint64_t base = BaseSeed();
  int checked = 0;
  std::array<int, 7> seen{};  // per MarketStatus
  for (int i = 0; i < kCalendars; ++i) {
    const uint64_t seed = base + static_cast<uint64_t>(i);
    const Built b = Build(seed);
    SCOPED_TRACE(Describe(seed, b));
    const Oracle oracle(b.gen);
    for (TimePoint t : Probes(b, oracle, seed)) {
      const MarketState expected = oracle.At(t);
      const MarketState actual = b.calendar.StateAt(t);
      ASSERT_EQ(Show(actual), Show(expected)) << "at " << FormatIsoUtc(t);
      ++seen[static_cast<size_t>(expected.status)];
      ++checked;
    }
    ASSERT_EQ(b.calendar.coverage().size(), 1u);
    ASSERT_EQ(b.calendar.coverage().front().start, oracle.coverage_start());
    ASSERT_EQ(b.calendar.coverage().back().end, oracle.coverage_end());
  }
  EXPECT_GT(checked, kCalendars * 300);
  // Every status occurs often enough for the comparison to mean something.
  for (size_t status = 0; status < seen.size(); ++status) {
    EXPECT_GT(seen[status], 200) << MarketStatusName(static_cast<MarketStatus>(status));
  }
}

TEST(MarketCalendarProperty, StatusIsConstantBetweenConsecutiveTransitions) {
  const uint64_t base = BaseSeed();
  for (int i = 0; i < kCalendars; ++i) {
    const uint64_t seed = base + 1000 + static_cast<uint64_t>(i);
    const Built b = Build(seed);
    SCOPED_TRACE(Describe(seed, b));
    const Oracle oracle(b.gen);
    const auto& transitions = b.calendar.transitions();
    ASSERT_FALSE(transitions.empty());
    std::mt19937_64 rng(seed);
    for (size_t k = 1; k + 1 < transitions.size(); ++k) {
      const TimePoint from = transitions[k].at;
      const TimePoint to = transitions[k + 1].at;
      ASSERT_LT(from, to);
      ASSERT_FALSE(transitions[k].state == transitions[k - 1].state);
      std::uniform_int_distribution<int64_t> pick(ToUnixNanos(from), ToUnixNanos(to) - 1);
      for (int j = 0; j < 8; ++j) {
        const TimePoint t = FromUnixNanos(pick(rng));
        ASSERT_EQ(Show(oracle.At(t)), Show(transitions[k].state))
            << "between " << FormatIsoUtc(from) << " and " << FormatIsoUtc(to) << " at "
            << FormatIsoUtc(t);
      }
    }
    // Before the first and after the last transition nothing is known.
    if (transitions.size() > 1) {
      EXPECT_EQ(b.calendar.StatusAt(transitions[1].at - Duration(1)), MarketStatus::kUnknown);
      EXPECT_EQ(transitions.back().state.status, MarketStatus::kUnknown);
      EXPECT_EQ(transitions.back().at, *b.calendar.coverage_end());
    }
  }
}

TEST(MarketCalendarProperty, NextOpenAndNextCloseComeAfterAndAreSessionEdges) {
  const uint64_t base = BaseSeed();
  int opens = 0;
  int closes = 0;
  for (int i = 0; i < kCalendars; ++i) {
    const uint64_t seed = base + 2000 + static_cast<uint64_t>(i);
    const Built b = Build(seed);
    SCOPED_TRACE(Describe(seed, b));
    const Oracle oracle(b.gen);
    for (TimePoint t : Probes(b, oracle, seed)) {
      const MarketState s = b.calendar.StateAt(t);
      if (s.next_open) {
        ++opens;
        ASSERT_GT(*s.next_open, t) << FormatIsoUtc(t);
        ASSERT_TRUE(Trading(b.calendar.StatusAt(*s.next_open))) << FormatIsoUtc(t);
        ASSERT_FALSE(Trading(b.calendar.StatusAt(*s.next_open - Duration(1)))) << FormatIsoUtc(t);
        // No session of the generator starts strictly between t and next_open.
        for (const Span& raw : oracle.trading()) {
          ASSERT_FALSE(raw.start > t && raw.start < *s.next_open) << FormatIsoUtc(t);
        }
      }
      if (s.next_close) {
        ++closes;
        ASSERT_GT(*s.next_close, t) << FormatIsoUtc(t);
        ASSERT_TRUE(Trading(b.calendar.StatusAt(*s.next_close - Duration(1)))) << FormatIsoUtc(t);
        ASSERT_FALSE(Trading(b.calendar.StatusAt(*s.next_close))) << FormatIsoUtc(t);
        if (Trading(s.status)) {
          // Trading all the way from t to next_close: no merged session ends in between.
          for (const Span& merged : oracle.trading()) {
            ASSERT_FALSE(merged.end > t && merged.end < *s.next_close) << FormatIsoUtc(t);
          }
        }
      }
    }
  }
  EXPECT_GT(opens, 1000);
  EXPECT_GT(closes, 1000);
}

TEST(MarketCalendarProperty, OpenImpliesInsideATradingAndALiquidSession) {
  const uint64_t base = BaseSeed();
  int open = 0;
  for (int i = 0; i < kCalendars; ++i) {
    const uint64_t seed = base + 3000 + static_cast<uint64_t>(i);
    const Built b = Build(seed);
    SCOPED_TRACE(Describe(seed, b));
    const Oracle oracle(b.gen);
    for (TimePoint t : Probes(b, oracle, seed)) {
      const MarketStatus status = b.calendar.StatusAt(t);
      const bool in_trading = std::any_of(oracle.raw_trading().begin(), oracle.raw_trading().end(),
                                          [t](const Span& s) { return s.start <= t && t < s.end; });
      if (status == MarketStatus::kOpen) {
        ++open;
        ASSERT_TRUE(in_trading) << FormatIsoUtc(t);
        ASSERT_TRUE(std::any_of(oracle.liquid().begin(), oracle.liquid().end(), [t](const Span& s) {
          return s.start <= t && t < s.end;
        })) << FormatIsoUtc(t);
      }
      ASSERT_EQ(IsTrading(status), in_trading) << FormatIsoUtc(t);
    }
  }
  EXPECT_GT(open, 1000);
}

TEST(MarketCalendarProperty, DaylightSavingChangesInBothDirectionsUsAndEurope) {
  // Sessions spanning each 2025 change, in each direction, on both sides of the Atlantic: the UTC
  // length of a session is its wall-clock length minus the clock shift it spans.
  struct Change {
    const char* zone;
    LocalDays day;
    int shift_minutes;  // +60: clocks go forward (the session is an hour shorter)
  };
  const Change changes[] = {
      {"US/Central", LocalDays{date::year{2025} / 3 / 9}, 60},
      {"US/Central", LocalDays{date::year{2025} / 11 / 2}, -60},
      {"US/Eastern", LocalDays{date::year{2025} / 3 / 9}, 60},
      {"US/Eastern", LocalDays{date::year{2025} / 11 / 2}, -60},
      {"MET", LocalDays{date::year{2025} / 3 / 30}, 60},
      {"MET", LocalDays{date::year{2025} / 10 / 26}, -60},
      {"Europe/London", LocalDays{date::year{2025} / 3 / 30}, 60},
      {"Europe/London", LocalDays{date::year{2025} / 10 / 26}, -60},
  };
  std::mt19937_64 rng(BaseSeed());
  int checked = 0;
  for (const Change& change : changes) {
    for (int k = 0; k < 50; ++k) {
      // Open on the day before between 12:00 and 23:59, close on the change day 04:00..23:59.
      const int open_minute = std::uniform_int_distribution<int>(12 * 60, 24 * 60 - 1)(rng);
      const int close_minute = std::uniform_int_distribution<int>(4 * 60, 24 * 60 - 1)(rng);
      const LocalSeconds open = change.day - days(1) + minutes(open_minute);
      const LocalSeconds close = change.day + minutes(close_minute);
      const std::string text =
          Date(DayOf(open)) + ":" + Hhmm(open) + "-" + Date(change.day) + ":" + Hhmm(close);
      SCOPED_TRACE(std::string(change.zone) + " " + text);
      Result<MarketCalendar> calendar =
          MarketCalendar::Create(ContractHours{change.zone, text, ""});
      ASSERT_TRUE(calendar.ok()) << calendar.status().ToString();
      ASSERT_EQ(calendar->trading_sessions().size(), 1u);
      const TimeSpan s = calendar->trading_sessions()[0];
      EXPECT_EQ(s.end - s.start, (close - open) - minutes(change.shift_minutes));
      EXPECT_EQ(calendar->StatusAt(s.start), MarketStatus::kOpen);
      EXPECT_EQ(calendar->StatusAt(s.end - Duration(1)), MarketStatus::kOpen);
      EXPECT_NE(calendar->StatusAt(s.end), MarketStatus::kOpen);
      // The local wall times of the edges are the ones written.
      const TimeZone& zone = *calendar->time_zone();
      EXPECT_EQ(zone.ToLocal(s.start), open);
      EXPECT_EQ(zone.ToLocal(s.end), close);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 8 * 50);

  // The generated calendars cross every one of these changes.
  int crossing_spring_us = 0, crossing_fall_us = 0, crossing_spring_eu = 0, crossing_fall_eu = 0;
  for (int i = 0; i < kCalendars; ++i) {
    const Built b = Build(BaseSeed() + static_cast<uint64_t>(i));
    if (!b.calendar.coverage_start()) continue;
    const TimeZone& zone = *b.calendar.time_zone();
    const bool us = zone.iana_name() == "America/Chicago" || zone.iana_name() == "America/New_York";
    const bool eu = zone.iana_name() == "Europe/Berlin" || zone.iana_name() == "Europe/London";
    const auto before = zone.OffsetAt(*b.calendar.coverage_start());
    const auto after = zone.OffsetAt(*b.calendar.coverage_end() - Duration(1));
    if (us && after > before) ++crossing_spring_us;
    if (us && after < before) ++crossing_fall_us;
    if (eu && after > before) ++crossing_spring_eu;
    if (eu && after < before) ++crossing_fall_eu;
  }
  EXPECT_GT(crossing_spring_us, 5);
  EXPECT_GT(crossing_fall_us, 5);
  EXPECT_GT(crossing_spring_eu, 5);
  EXPECT_GT(crossing_fall_eu, 5);
}

TEST(MarketCalendarProperty, SessionsAcrossMidnightAreOneSession) {
  int overnight = 0;
  for (int i = 0; i < kCalendars; ++i) {
    const uint64_t seed = BaseSeed() + 4000 + static_cast<uint64_t>(i);
    const Built b = Build(seed);
    SCOPED_TRACE(Describe(seed, b));
    const TimeZone& zone = *b.calendar.time_zone();
    for (const GenSession& s : b.gen.trading) {
      if (DayOf(s.start) == DayOf(s.end)) continue;
      ++overnight;
      // Local midnight inside the session is no transition to a non-trading state.
      for (LocalDays d = DayOf(s.start) + days(1); LocalSeconds(d) < s.end; d += days(1)) {
        const TimePoint midnight = zone.ToUtc(LocalSeconds(d));
        ASSERT_TRUE(IsTrading(b.calendar.StatusAt(midnight))) << Date(d);
        ASSERT_TRUE(IsTrading(b.calendar.StatusAt(midnight - Duration(1)))) << Date(d);
        const MarketState state = b.calendar.StateAt(midnight);
        ASSERT_TRUE(state.next_close.has_value());
        ASSERT_GE(*state.next_close, zone.ToUtc(s.end));
      }
    }
  }
  EXPECT_GT(overnight, 500);
}

TEST(MarketCalendarProperty, LegacyFormatGivesTheSameCalendar) {
  int legacy_overnight_ranges = 0;
  int joined_ranges = 0;
  for (int i = 0; i < kCalendars; ++i) {
    const uint64_t seed = BaseSeed() + 5000 + static_cast<uint64_t>(i);
    const Built b = Build(seed);
    Generator render_choices(seed * 7 + 1);
    const std::string trading = RenderLegacy(b.gen.trading, b.gen.closed, render_choices);
    const std::string liquid = RenderLegacy(b.gen.liquid, b.gen.liquid_closed, render_choices);
    SCOPED_TRACE(Describe(seed, b) + " legacy tradingHours=" + trading +
                 " legacy liquidHours=" + liquid);
    joined_ranges += static_cast<int>(std::count(trading.begin(), trading.end(), ','));
    CalendarSettings settings;
    settings.break_tolerance = b.gen.tolerance;
    Result<MarketCalendar> legacy =
        MarketCalendar::Create(ContractHours{b.gen.zone_id, trading, liquid}, settings);
    ASSERT_TRUE(legacy.ok()) << legacy.status().ToString();
    ASSERT_EQ(legacy->trading_sessions(), b.calendar.trading_sessions());
    ASSERT_EQ(legacy->liquid_sessions(), b.calendar.liquid_sessions());
    ASSERT_EQ(legacy->coverage(), b.calendar.coverage());
    ASSERT_EQ(legacy->transitions().size(), b.calendar.transitions().size());
    for (size_t k = 0; k < legacy->transitions().size(); ++k) {
      ASSERT_EQ(legacy->transitions()[k].at, b.calendar.transitions()[k].at);
      ASSERT_EQ(Show(legacy->transitions()[k].state), Show(b.calendar.transitions()[k].state));
    }
    // Overnight ranges written as HHMM-HHMM with close <= open, dated by the close day.
    for (size_t pos = trading.find(':'); pos != std::string::npos;
         pos = trading.find(':', pos + 1)) {
      const std::string tail = trading.substr(pos + 1, 10);
      const bool plain_range = tail.size() >= 9 && tail[4] == '-' &&
                               (tail.size() == 9 || tail[9] == ';' || tail[9] == ',');
      if (plain_range && tail.substr(5, 4) <= tail.substr(0, 4)) ++legacy_overnight_ranges;
    }
  }
  EXPECT_GT(legacy_overnight_ranges, 100);
  EXPECT_GT(joined_ranges, 50);
}

}  // namespace
}  // namespace ibstream::calendar::market_calendar_property_test
