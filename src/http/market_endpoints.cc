#include "http/market_endpoints.h"

#include <date/date.h>

#include <optional>
#include <string>

#include "http/api_common.h"

namespace ibstream::http {

using calendar::IsTrading;
using calendar::LocalDays;
using calendar::LocalSeconds;
using calendar::MarketCalendar;
using calendar::MarketState;
using calendar::MarketStatus;
using calendar::MarketStatusName;
using calendar::ScheduledSession;
using calendar::SessionPart;
using calendar::TimeZone;

namespace {

using recorder::ContractView;

std::string_view OriginalMarketStatus(MarketStatus status) {
  switch (status) {
    case MarketStatus::kOpen:
      return "open";
    case MarketStatus::kExtended:
      return "after_hours";
    case MarketStatus::kUnknown:
      return "unknown";
    default:
      return "closed";
  }
}

std::string FormatDate(LocalDays day) {
  return date::format("%Y-%m-%d", date::year_month_day(day));
}

// The trading schedule of the `days` local dates from today in the calendar's zone (which it
// has): each date's first session, its liquid hours and all its sessions.
Json ScheduleJson(const MarketCalendar& cal, TimePoint now, int64_t days) {
  Json schedule = Json::array();
  const TimeZone& zone = *cal.time_zone();
  const LocalDays today = zone.LocalDate(now);
  const LocalDays end_day = today + date::days(days);
  const auto sessions =
      cal.SessionsBetween(zone.ToUtc(LocalSeconds(today)), zone.ToUtc(LocalSeconds(end_day)));
  for (LocalDays day = today; day < end_day; day += date::days(1)) {
    Json entry = {{"date", FormatDate(day)}, {"status", "closed"},      {"trading_start", nullptr},
                  {"trading_end", nullptr},  {"liquid_start", nullptr}, {"liquid_end", nullptr}};
    Json all = Json::array();
    bool have_liquid = false;
    for (const ScheduledSession& s : sessions) {
      // The liquid hours of the date, even when they belong to a session that started the
      // evening before (CME).
      for (const SessionPart& part : s.parts) {
        if (part.liquid && !have_liquid && zone.LocalDate(part.start) == day) {
          have_liquid = true;
          entry["liquid_start"] = zone.FormatIsoLocal(part.start);
          entry["liquid_end"] = zone.FormatIsoLocal(part.end);
        }
      }
      if (zone.LocalDate(s.start) != day) continue;
      if (entry["status"] == "closed") {
        entry["status"] = "open";
        entry["trading_start"] = zone.FormatIsoLocal(s.start);
        entry["trading_end"] = zone.FormatIsoLocal(s.end);
      }
      all.push_back({{"start", zone.FormatIsoLocal(s.start)}, {"end", zone.FormatIsoLocal(s.end)}});
    }
    if (entry["status"] == "open") {
      entry["time_zone"] = zone.id();
      entry["sessions"] = all;
    }
    schedule.push_back(entry);
  }
  return schedule;
}

}  // namespace

Response MarketStatusOf(ApiState& api, const Request& request) {
  auto view = api.source->View();
  auto lookup = LookupContract(request, *view);
  if (lookup.error) return *lookup.error;
  const ContractView& c = *lookup.contract;
  const TimePoint now = api.source->Now();
  auto calendar = api.source->Calendar(lookup.id);
  MarketState state;
  std::optional<TimeZone> zone;
  Json calendar_error = nullptr;
  if (calendar.ok()) {
    state = calendar.value()->StateAt(now);
    zone = calendar.value()->time_zone();
  } else {
    calendar_error = calendar.status().message();
  }
  auto local = [&zone](const std::optional<TimePoint>& t) -> Json {
    if (!t) return nullptr;
    return zone ? zone->FormatIsoLocal(*t) : FormatIsoUtc(*t);
  };
  Json body = {
      {"status", "success"},
      {"timestamp", FormatIsoUtc(now)},
      {"contract_id", lookup.id},
      {"is_trading", IsTrading(state.status)},
      {"is_liquid", state.status == MarketStatus::kOpen},
      {"market_status", std::string(OriginalMarketStatus(state.status))},
      {"market_state", std::string(MarketStatusName(state.status))},
      {"next_open", local(state.next_open)},
      {"next_close", local(state.next_close)},
      {"time_zone", zone ? Json(zone->id()) : Json(c.time_zone_id)},
      {"current_time", local(now)},
      {"contract_info",
       {{"symbol", c.symbol},
        {"sec_type", c.sec_type},
        {"exchange", c.exchange},
        {"currency", c.currency}}},
      {"calendar_error", calendar_error},
  };
  return JsonOk(body);
}

Response TradingSchedule(ApiState& api, const Request& request) {
  auto view = api.source->View();
  auto lookup = LookupContract(request, *view);
  if (lookup.error) return *lookup.error;
  IntParam days = ReadIntParam(request, "days", 1, 30);
  if (days.error) return *days.error;
  const int64_t n = days.value.value_or(7);
  const ContractView& c = *lookup.contract;
  const TimePoint now = api.source->Now();
  Json contract_info = {{"symbol", c.symbol},
                        {"sec_type", c.sec_type},
                        {"exchange", c.exchange},
                        {"currency", c.currency}};
  Json schedule = Json::array();
  Json calendar_error = nullptr;
  auto calendar = api.source->Calendar(lookup.id);
  if (!calendar.ok()) {
    calendar_error = calendar.status().message();
  } else if (!calendar.value()->time_zone()) {
    calendar_error = "the contract's trading hours are not known";
  } else {
    schedule = ScheduleJson(*calendar.value(), now, n);
  }
  Json body = {
      {"status", "success"},
      {"timestamp", FormatIsoUtc(now)},
      {"contract_id", lookup.id},
      {"contract_info", contract_info},
      {"days_requested", n},
      {"schedule", schedule},
      {"calendar_error", calendar_error},
  };
  return JsonOk(body);
}

}  // namespace ibstream::http
