// [[contracts]]: the keys of one tracked contract.
#include <algorithm>
#include <limits>

#include "config/settings.h"
#include "config/tracked_contracts.h"

namespace ibstream::config::internal {

namespace {

using std::chrono::hours;
using std::chrono::seconds;

Kind<std::vector<TickType>> TickTypesKind() {
  return {
      "a non-empty list of distinct tick types: bid_ask, last, all_last, mid_point (a "
      "variable: \"bid_ask,last\")",
      [](const RawValue& raw) -> Result<std::vector<TickType>> {
        if (raw.node == nullptr) return ParseTickTypeList(raw.text);
        Result<std::vector<RawValue>> items = AsList(raw, ",");
        if (!items.ok()) return items.status();
        std::string joined;
        for (const RawValue& item : *items) {
          Result<std::string> text = AsString(item);
          if (!text.ok()) return InvalidArgument(Shown(item) + ": " + text.status().message());
          if (text->find_first_of(",;") != std::string::npos) {
            return InvalidArgument("one tick type per string");
          }
          joined += (joined.empty() ? "" : ",") + *text;
        }
        if (items->empty()) return InvalidArgument("no tick types");
        return ParseTickTypeList(joined);
      },
      [](const std::vector<TickType>& types) {
        std::string out = "[";
        for (size_t i = 0; i < types.size(); ++i) {
          out += (i == 0 ? "" : ", ") + Quote(TickTypeName(types[i]));
        }
        return out + "]";
      },
      {}};
}

Kind<std::vector<WeeklySession>> WeeklyHoursKind() {
  return {
      "empty (IB's hours) or weekly sessions such as \"Sun-Thu 17:00-16:00\" or "
      "\"Mon-Fri 09:30-16:00; Sat 10:00-12:00\"",
      [](const RawValue& raw) -> Result<std::vector<WeeklySession>> {
        Result<std::string> text = AsString(raw);
        if (!text.ok()) return text.status();
        if (Trim(*text).empty()) return std::vector<WeeklySession>{};
        return ParseWeeklyHours(*text);
      },
      [](const std::vector<WeeklySession>& sessions) { return Quote(FormatWeeklyHours(sessions)); },
      {}};
}

Kind<std::string> TimeZoneKind() {
  return StringKind(
      "empty (IB's timeZoneId) or a tz database zone such as \"America/Chicago\"",
      [](std::string_view text) { return text.empty() ? Status::Ok() : ValidateTimeZone(text); });
}

// The security types a contract may be resolved by symbol with.
constexpr std::string_view kSecTypes[] = {"STK", "FUT", "IND", "CASH", "CFD", "CMDTY", "CRYPTO"};

}  // namespace

std::vector<Setting<ContractConfig>> BuildContractSettings() {
  using K = ContractConfig;
  std::vector<Setting<K>> s;
  s.push_back(Bind<K>("con_id", IBSTREAM_FIELD(con_id),
                      IntKind<int64_t>(1, std::numeric_limits<int64_t>::max())));
  s.push_back(
      Bind<K>("symbol", IBSTREAM_FIELD(symbol), StringKind("an IB symbol without spaces", Word)));
  std::string sec_types;
  for (std::string_view type : kSecTypes)
    sec_types += (sec_types.empty() ? "" : ", ") + std::string(type);
  s.push_back(Bind<K>("sec_type", IBSTREAM_FIELD(sec_type),
                      StringKind("one of " + sec_types, [](std::string_view text) -> Status {
                        for (std::string_view type : kSecTypes) {
                          if (text == type) return Status::Ok();
                        }
                        return InvalidArgument("unknown security type");
                      })));
  s.push_back(Bind<K>("exchange", IBSTREAM_FIELD(exchange),
                      StringKind("an IB exchange such as CME or SMART", Word)));
  s.push_back(Bind<K>(
      "currency", IBSTREAM_FIELD(currency),
      StringKind("a three-letter currency code such as USD", [](std::string_view text) -> Status {
        bool ok = text.size() == 3 && std::all_of(text.begin(), text.end(),
                                                  [](char c) { return c >= 'A' && c <= 'Z'; });
        return ok ? Status::Ok() : InvalidArgument("not a code");
      })));
  s.push_back(Bind<K>("roll_days_before_expiry", IBSTREAM_FIELD(roll_days_before_expiry),
                      IntKind<int32_t>(0, 60)));
  s.push_back(Bind<K>("enabled", IBSTREAM_FIELD(enabled), BoolKind()));
  s.push_back(Bind<K>("tick_types", IBSTREAM_FIELD(tick_types), TickTypesKind()));
  s.push_back(Bind<K>("retry_strategy", IBSTREAM_FIELD(retry_strategy), RetryStrategyKind()));
  s.push_back(Bind<K>("data_staleness_threshold", IBSTREAM_FIELD(data_staleness_threshold),
                      DurationKind(seconds(1), hours(24))));
  s.push_back(Bind<K>("extended_staleness_threshold", IBSTREAM_FIELD(extended_staleness_threshold),
                      DurationKind(seconds(1), hours(24))));
  s.push_back(Bind<K>("market_break_tolerance", IBSTREAM_FIELD(market_break_tolerance),
                      DurationKind(Duration::zero(), hours(24 * 7))));
  s.push_back(Bind<K>("first_data_timeout", IBSTREAM_FIELD(first_data_timeout),
                      DurationKind(seconds(1), hours(1))));
  s.push_back(Bind<K>("circuit_breaker_threshold", IBSTREAM_FIELD(circuit_breaker_threshold),
                      IntKind<int32_t>(1, 1000)));
  s.push_back(Bind<K>("priority", IBSTREAM_FIELD(priority), IntKind<int32_t>(1, 1000)));
  s.push_back(
      Bind<K>("custom_trading_hours", IBSTREAM_FIELD(custom_trading_hours), WeeklyHoursKind()));
  s.push_back(Bind<K>("timezone_override", IBSTREAM_FIELD(timezone_override), TimeZoneKind()));
  s.push_back(
      Bind<K>("buffer_hours", IBSTREAM_FIELD(buffer_hours), IntKind<int32_t>(1, kMaxBufferHours)));
  s.push_back(
      Bind<K>("depth_rows", IBSTREAM_FIELD(depth_rows), IntKind<int32_t>(0, kMaxDepthRows)));
  s.push_back(Bind<K>("smart_depth", IBSTREAM_FIELD(smart_depth), BoolKind()));
  return s;
}

}  // namespace ibstream::config::internal
