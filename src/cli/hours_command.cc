// `ibstream hours`: market status, next open and close, and the session schedule of a contract,
// from IB's trading hours strings.
//
//   ibstream hours --tz US/Central --trading S [--liquid S] [--at TIME] [--days N] [--json]
//                  [--break-tolerance SECONDS]
//
// The hours come from exactly one source (option group "source"): today the strings themselves
// (subgroup "strings": --tz, --trading, --liquid). The gateway form, `--contract ID`, becomes a
// second subgroup of "source" once the client can fetch contract details.
#include <date/date.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "calendar/market_calendar.h"
#include "cli/commands.h"
#include "cli/gateway_lookup.h"
#include "cli/option_checks.h"
#include "cli/user_hints.h"
#include "common/clock.h"

namespace ibstream::cli {

using calendar::CalendarSettings;
using calendar::ContractHours;
using calendar::ExpectedActivityFor;
using calendar::ExpectedActivityName;
using calendar::LocalDays;
using calendar::LocalSeconds;
using calendar::MarketCalendar;
using calendar::MarketState;
using calendar::MarketStatusName;
using calendar::ScheduledSession;
using calendar::SessionPart;
using calendar::TimeZone;

namespace {

struct HoursOptions {
  int64_t contract_id = 0;  // --contract: ask the gateway for the hours
  GatewayTarget gateway;
  std::string time_zone_id;
  std::string trading_hours;
  std::string liquid_hours;
  std::string at;
  int days = 7;
  bool json = false;
  int64_t break_tolerance_seconds = 7200;
};

int FailHours(const std::string& message) {
  std::cerr << "ibstream hours: " << message << "\n";
  if (std::string hint = ConnectRefusedHint(message); !hint.empty()) {
    std::cerr << "ibstream hours: " << hint << "\n";
  }
  return 1;
}

// "Mon 2025-08-11 16:00 CDT"
std::string LocalText(const TimeZone& zone, TimePoint t) {
  return date::format("%a %Y-%m-%d %H:%M", zone.ToLocal(t)) + " " + zone.AbbreviationAt(t);
}

// "2025-08-11T21:00:00Z (Mon 2025-08-11 16:00 CDT)", or "unknown".
std::string InstantText(const std::optional<TimeZone>& zone, const std::optional<TimePoint>& t) {
  if (!t) return "unknown";
  std::string out = FormatIsoUtc(*t);
  if (zone) out += "  (" + LocalText(*zone, *t) + ")";
  return out;
}

nlohmann::json IsoOrNull(const std::optional<TimePoint>& t) {
  return t ? nlohmann::json(FormatIsoUtc(*t)) : nlohmann::json(nullptr);
}

nlohmann::json Edges(const TimeZone& zone, TimePoint start, TimePoint end) {
  return {{"start", FormatIsoUtc(start)},
          {"end", FormatIsoUtc(end)},
          {"start_local", zone.FormatIsoLocal(start)},
          {"end_local", zone.FormatIsoLocal(end)}};
}

int RunHours(const HoursOptions& options) {
  TimePoint at = SystemClock::Instance().Now();
  if (!options.at.empty()) {
    Result<TimePoint> parsed = ParseIsoTime(options.at);
    if (!parsed.ok()) return FailHours("--at: " + parsed.status().message());
    at = *parsed;
  }
  CalendarSettings settings;
  settings.break_tolerance = std::chrono::seconds(options.break_tolerance_seconds);
  ContractHours hours{options.time_zone_id, options.trading_hours, options.liquid_hours};
  if (options.contract_id != 0) {
    if (options.contract_id < 0 || options.contract_id > INT32_MAX) {
      return FailHours("--contract must be a positive IB conId");
    }
    protocol::Contract query;
    query.con_id = static_cast<int32_t>(options.contract_id);
    auto details = LookupContractDetails(options.gateway, query);
    if (!details.ok()) {
      return FailHours("contract " + std::to_string(options.contract_id) + ": " +
                       details.status().message());
    }
    if (details->empty()) return FailHours("no contract " + std::to_string(options.contract_id));
    const protocol::ContractDetails& d = details->front();
    hours = ContractHours{d.time_zone_id, d.trading_hours, d.liquid_hours};
  }
  Result<MarketCalendar> created = MarketCalendar::Create(hours, settings);
  if (!created.ok()) return FailHours(created.status().message());
  const MarketCalendar& calendar = *created;
  const std::optional<TimeZone>& zone = calendar.time_zone();
  const MarketState state = calendar.StateAt(at);

  // The schedule covers N local days starting with the day of --at.
  std::vector<ScheduledSession> sessions;
  std::vector<LocalDays> holidays;
  LocalDays first_day{};
  if (zone) {
    first_day = zone->LocalDate(at);
    const LocalDays end_day = first_day + std::chrono::days(options.days);
    sessions = calendar.SessionsBetween(zone->ToUtc(LocalSeconds(first_day)),
                                        zone->ToUtc(LocalSeconds(end_day)));
    holidays = calendar.HolidaysBetween(first_day, end_day - std::chrono::days(1));
  }

  if (options.json) {
    nlohmann::json out;
    out["at"] = FormatIsoUtc(at);
    out["time_zone"] = zone ? nlohmann::json(zone->iana_name()) : nlohmann::json(nullptr);
    out["time_zone_id"] = zone ? nlohmann::json(zone->id()) : nlohmann::json(nullptr);
    out["status"] = std::string(MarketStatusName(state.status));
    out["expected_activity"] = std::string(ExpectedActivityName(ExpectedActivityFor(state.status)));
    out["next_open"] = IsoOrNull(state.next_open);
    out["next_close"] = IsoOrNull(state.next_close);
    out["coverage_end"] = IsoOrNull(calendar.coverage_end());
    out["break_tolerance_seconds"] = options.break_tolerance_seconds;
    nlohmann::json schedule = nlohmann::json::array();
    for (const ScheduledSession& session : sessions) {
      nlohmann::json entry = Edges(*zone, session.start, session.end);
      nlohmann::json parts = nlohmann::json::array();
      for (const SessionPart& part : session.parts) {
        nlohmann::json p = Edges(*zone, part.start, part.end);
        p["kind"] = part.liquid ? "liquid" : "extended";
        parts.push_back(std::move(p));
      }
      entry["parts"] = std::move(parts);
      schedule.push_back(std::move(entry));
    }
    out["schedule"] = std::move(schedule);
    nlohmann::json holiday_list = nlohmann::json::array();
    for (LocalDays day : holidays) holiday_list.push_back(date::format("%Y-%m-%d", day));
    out["holidays"] = std::move(holiday_list);
    std::cout << out.dump(2) << "\n";
    return 0;
  }

  std::cout << "time zone    "
            << (zone ? zone->id() + " (" + zone->iana_name() + ")" : std::string("unknown")) << "\n"
            << "at           " << InstantText(zone, at) << "\n"
            << "status       " << MarketStatusName(state.status)
            << "  (expected activity: " << ExpectedActivityName(ExpectedActivityFor(state.status))
            << ")\n"
            << "next open    " << InstantText(zone, state.next_open) << "\n"
            << "next close   " << InstantText(zone, state.next_close) << "\n"
            << "known until  " << InstantText(zone, calendar.coverage_end()) << "\n";
  if (!zone) return 0;
  std::cout << "\nschedule, " << options.days << " day" << (options.days == 1 ? "" : "s")
            << " from " << date::format("%a %Y-%m-%d", first_day) << ":\n";
  if (sessions.empty()) std::cout << "  no trading sessions known\n";
  for (const ScheduledSession& session : sessions) {
    std::cout << "  " << LocalText(*zone, session.start) << " -> " << LocalText(*zone, session.end)
              << "  ";
    const char* separator = "";
    for (const SessionPart& part : session.parts) {
      std::cout << separator << (part.liquid ? "liquid " : "extended ")
                << date::format("%H:%M", zone->ToLocal(part.start)) << "-"
                << date::format("%H:%M", zone->ToLocal(part.end));
      separator = ", ";
    }
    std::cout << "\n";
  }
  for (LocalDays day : holidays) {
    std::cout << "  holiday " << date::format("%a %Y-%m-%d", day) << "\n";
  }
  return 0;
}

}  // namespace

void AddHoursCommand(CLI::App& app) {
  auto options = std::make_shared<HoursOptions>();
  CLI::App* command = app.add_subcommand(
      "hours", "Market status, next open/close and the session schedule from IB's trading hours");

  // Exactly one source of hours: the strings themselves, or a contract whose details the gateway
  // is asked for.
  CLI::Option_group* source = command->add_option_group("source", "Where the hours come from");
  source->require_option(0, 1);  // none: the usage below
  CLI::Option_group* strings =
      source->add_option_group("strings", "IB's contract details fields, given directly");
  CLI::Option* tz = strings->add_option("--tz", options->time_zone_id,
                                        "timeZoneId: IB zone id or IANA name (e.g. US/Central)");
  CLI::Option* trading =
      strings->add_option("--trading", options->trading_hours, "tradingHours string");
  CLI::Option* liquid =
      strings->add_option("--liquid", options->liquid_hours, "liquidHours string (default: none)");
  tz->needs(trading);
  trading->needs(tz);
  liquid->needs(trading);
  CLI::Option_group* gateway =
      source->add_option_group("contract", "A contract's details from TWS/IB Gateway");
  CLI::Option* contract =
      gateway->add_option("--contract", options->contract_id, "IB conId, e.g. 711280073");
  gateway->add_option("--host", options->gateway.host, "TWS/Gateway host (default 127.0.0.1)")
      ->needs(contract);
  gateway->add_option("--port", options->gateway.port, "TWS/Gateway API port (default 4002)")
      ->needs(contract);
  gateway->add_option("--client-id", options->gateway.client_id, "API client id (default 3)")
      ->needs(contract);

  command
      ->add_option("--at", options->at,
                   "Instant to evaluate, ISO 8601 with offset or Z (default: now)")
      ->check(IsoTime());
  command->add_option("--days", options->days, "Days of schedule to show (default 7)")
      ->check(CLI::Range(1, 366));
  command->add_flag("--json", options->json, "Print JSON");
  command
      ->add_option("--break-tolerance", options->break_tolerance_seconds,
                   "Longest pause, in seconds, still called a BREAK (default 7200)")
      ->check(CLI::Range(int64_t{0}, int64_t{7 * 24 * 3600}));

  command->callback([options, command] {
    if (options->trading_hours.empty() && options->contract_id == 0) {
      std::cerr << "ibstream hours: give --contract ID (asks the gateway), or --tz and --trading "
                   "(IB's contract details fields)\n\n"
                << command->help();
      SetExitCode(2);
      return;
    }
    SetExitCode(RunHours(*options));
  });
}

}  // namespace ibstream::cli
