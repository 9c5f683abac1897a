// Market calendar benchmarks: status lookup and parsing a month of CME sessions.
//
// Baseline for the lookup: a linear scan over the same transitions (what a lookup costs without
// the binary search).
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "calendar/market_calendar.h"

namespace ibstream::calendar {
namespace {

using std::chrono::days;

// September 2025 as IB would describe MNQ: Sunday-Friday 17:00-16:00 CT, liquid 08:30-16:00 on
// weekdays, Saturdays CLOSED, Labor Day (Sep 1) halting at 12:00 with no liquid session.
ContractHours MonthOfCmeSessions() {
  std::string trading;
  std::string liquid;
  const auto append = [](std::string& out, const std::string& entry) {
    out += (out.empty() ? "" : ";") + entry;
  };
  const LocalDays first{date::year{2025} / 8 / 31};
  for (int i = 0; i < 31; ++i) {
    const LocalDays day = first + days(i);
    const std::string d = date::format("%Y%m%d", day);
    const std::string next = date::format("%Y%m%d", day + days(1));
    const date::weekday wd{day};
    if (wd == date::Saturday) {
      append(trading, d + ":CLOSED");
      append(liquid, d + ":CLOSED");
      continue;
    }
    if (wd != date::Friday) {
      append(trading, d + ":1700-" + next + ":" + (next == "20250901" ? "1200" : "1600"));
    }
    if (wd == date::Sunday || d == "20250901") {
      append(liquid, d + ":CLOSED");
    } else {
      append(liquid, d + ":0830-" + d + ":1600");
    }
  }
  return ContractHours{"US/Central", trading, liquid};
}

MarketCalendar MonthCalendar() {
  Result<MarketCalendar> calendar = MarketCalendar::Create(MonthOfCmeSessions());
  if (!calendar.ok()) std::abort();
  return std::move(calendar).value();
}

std::vector<TimePoint> RandomInstants(const MarketCalendar& calendar, size_t n) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> pick(ToUnixNanos(*calendar.coverage_start()),
                                              ToUnixNanos(*calendar.coverage_end()));
  std::vector<TimePoint> out(n);
  for (TimePoint& t : out) t = FromUnixNanos(pick(rng));
  return out;
}

void BM_StatusLookup(benchmark::State& state) {
  const MarketCalendar calendar = MonthCalendar();
  const std::vector<TimePoint> instants = RandomInstants(calendar, 4096);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(calendar.StatusAt(instants[i++ & 4095]));
  }
  state.counters["transitions"] = static_cast<double>(calendar.transitions().size());
}
BENCHMARK(BM_StatusLookup);

void BM_StateLookup(benchmark::State& state) {
  const MarketCalendar calendar = MonthCalendar();
  const std::vector<TimePoint> instants = RandomInstants(calendar, 4096);
  size_t i = 0;
  for (auto _ : state) {
    MarketState s = calendar.StateAt(instants[i++ & 4095]);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_StateLookup);

void BM_StatusLookupLinearScanBaseline(benchmark::State& state) {
  const MarketCalendar calendar = MonthCalendar();
  const std::vector<TimePoint> instants = RandomInstants(calendar, 4096);
  const std::vector<CalendarTransition>& transitions = calendar.transitions();
  size_t i = 0;
  for (auto _ : state) {
    const TimePoint t = instants[i++ & 4095];
    size_t k = 0;
    while (k + 1 < transitions.size() && transitions[k + 1].at <= t) ++k;
    benchmark::DoNotOptimize(transitions[k].state.status);
  }
}
BENCHMARK(BM_StatusLookupLinearScanBaseline);

void BM_ParseMonthOfCmeSessions(benchmark::State& state) {
  const ContractHours hours = MonthOfCmeSessions();
  benchmark::DoNotOptimize(MonthCalendar());  // loads the tz database outside the loop
  for (auto _ : state) {
    Result<MarketCalendar> calendar = MarketCalendar::Create(hours);
    benchmark::DoNotOptimize(calendar);
  }
  state.counters["sessions"] = static_cast<double>(MonthCalendar().trading_sessions().size());
}
BENCHMARK(BM_ParseMonthOfCmeSessions);

void BM_ParseTradingHoursStringOnly(benchmark::State& state) {
  const ContractHours hours = MonthOfCmeSessions();
  for (auto _ : state) {
    Result<ParsedHours> parsed = ParseTradingHours(hours.trading_hours);
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(BM_ParseTradingHoursStringOnly);

}  // namespace
}  // namespace ibstream::calendar
