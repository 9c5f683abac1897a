#include "sim/historical_answers.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "calendar/time_zone.h"
#include "protocol/server_messages.h"

namespace ibstream::sim {
namespace {

// The recorded tick kinds a whatToShow is served from (README, "Replay a recorded day"):
// historical TRADES ticks come from AllLast and TRADES bars from Last; anything else IB knows
// (ADJUSTED_LAST, ...) is answered from every kind.
std::vector<TickType> RecordedKindsOf(std::string_view what_to_show) {
  if (what_to_show == "TRADES") return {TickType::kAllLast, TickType::kLast};
  if (what_to_show == "MIDPOINT") return {TickType::kMidPoint};
  if (what_to_show == "BID_ASK" || what_to_show == "BID" || what_to_show == "ASK") {
    return {TickType::kBidAsk};
  }
  return {TickType::kBidAsk, TickType::kLast, TickType::kAllLast, TickType::kMidPoint};
}

}  // namespace

Result<TimePoint> ParseIbDateTime(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char sep = 0;
  int consumed = 0;
  const std::string str(text);
  if (std::sscanf(str.c_str(), "%4d%2d%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &s,
                  &consumed) != 7 ||
      (sep != ' ' && sep != '-')) {
    return InvalidArgument("bad date/time '" + str + "' (expected yyyyMMdd HH:mm:ss [zone])");
  }
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) {
    return InvalidArgument("bad date/time '" + str + "'");
  }
  const calendar::LocalSeconds local = calendar::LocalDays(ymd) + std::chrono::hours(h) +
                                       std::chrono::minutes(mi) + std::chrono::seconds(s);
  std::string zone = str.substr(static_cast<size_t>(consumed));
  while (!zone.empty() && zone.front() == ' ') zone.erase(zone.begin());
  if (sep == '-' || zone.empty() || zone == "UTC" || zone == "GMT") {
    return TimePoint(local.time_since_epoch());
  }
  Result<calendar::TimeZone> tz = calendar::TimeZone::Resolve(zone);
  if (!tz.ok()) return tz.status();
  return tz->ToUtc(local);
}

HistoricalAnswers::HistoricalAnswers(const Clock& clock, const TickGenerator& generator,
                                     MarketFanout& markets, const FaultState& faults,
                                     SimCounters& counters)
    : clock_(clock),
      generator_(generator),
      markets_(markets),
      faults_(faults),
      counters_(counters) {}

const SimMarket& HistoricalAnswers::MarketOf(const SimContract& c) {
  MarketRuntime* m = markets_.Find(c.con_id());
  // Every catalog contract has its market (MarketFanout::Build).
  if (m == nullptr) {
    std::fprintf(stderr, "sim: no market for conId %d\n", c.con_id());
    std::abort();
  }
  return *m->market;
}

void HistoricalAnswers::SendRecent(ClientSession& s, int32_t req_id, TickType type,
                                   const SimContract& c, int32_t count, bool ignore_size) {
  const TimePoint now = clock_.Now();
  const auto ticks = MarketOf(c).HistoricalTicks(generator_, type, std::nullopt, now,
                                                 std::min(count, 1000), false, ignore_size, now);
  // Exactly the last `count`.
  const size_t keep = std::min<size_t>(ticks.size(), static_cast<size_t>(count));
  SendHistoricalTicks(
      s, req_id, type,
      std::vector<Tick>(ticks.end() - static_cast<std::ptrdiff_t>(keep), ticks.end()));
}

void HistoricalAnswers::AnswerHeadTimestamp(ClientSession& s, const protocol::ReqHeadTimestamp& r,
                                            const SimContract& c) {
  if (faults_.HistoricalFarmDown()) {
    SendError(s, r.req_id, 162,
              "Historical Market Data Service error message:HMDS server disconnect occurred");
    return;
  }
  // Replaying: the first recorded tick of the kind the request shows; generated: the start of
  // the simulator's history.
  const auto head = generator_.replaying()
                        ? generator_.RecordedFirstTick(c, RecordedKindsOf(r.what_to_show))
                        : MarketOf(c).HeadTimestamp();
  if (!head) {
    SendError(s, r.req_id, 162, "Historical Market Data Service error message:No head time stamp");
    return;
  }
  std::string text =
      r.format_date == 1
          ? date::format("%Y%m%d-%H:%M:%S", std::chrono::floor<std::chrono::seconds>(*head))
          : std::to_string(ToUnixSeconds(*head));
  Send(s, protocol::HeadTimestamp{r.req_id, text});
}

void HistoricalAnswers::AnswerTicks(ClientSession& s, const protocol::ReqHistoricalTicks& r,
                                    const SimContract& c) {
  const auto fail = [&](const std::string& detail) {
    SendError(s, r.req_id, 162, "Historical Market Data Service error message:" + detail);
  };
  std::optional<TickType> type;
  if (r.what_to_show == "TRADES") type = TickType::kAllLast;
  if (r.what_to_show == "BID_ASK") type = TickType::kBidAsk;
  if (r.what_to_show == "MIDPOINT") type = TickType::kMidPoint;
  if (!type) return fail("whatToShow must be TRADES, BID_ASK or MIDPOINT");
  if (r.start_date_time.empty() == r.end_date_time.empty()) {
    return fail("exactly one of startDateTime and endDateTime must be given");
  }
  if (r.number_of_ticks <= 0 || r.number_of_ticks > 1000) {
    return fail("numberOfTicks must be in 1..1000");
  }
  if (faults_.HistoricalFarmDown()) return fail("HMDS server disconnect occurred");
  const TimePoint now = clock_.Now();
  if (faults_.pacing > 0) {
    counters_.Add(&SimulatorStats::pacing_violations);
    return fail("Historical data request pacing violation");
  }
  HistoricalRequestKey key;
  key.contract_key = fmt::format("{}|{}|{}", c.con_id(), r.contract.exchange, r.what_to_show);
  key.identity =
      fmt::format("{}|{}|{}|{}|{}|{}|{}", key.contract_key, r.start_date_time, r.end_date_time,
                  r.number_of_ticks, r.use_rth, r.ignore_size, s.client_id);
  key.weight = *type == TickType::kBidAsk ? 2 : 1;
  if (auto violation = pacer_.Admit(key, now)) {
    counters_.Add(&SimulatorStats::pacing_violations);
    return fail(*violation);
  }
  std::optional<TimePoint> start, end;
  auto when = ParseIbDateTime(r.start_date_time.empty() ? r.end_date_time : r.start_date_time);
  if (!when.ok()) return fail(when.status().message());
  (r.start_date_time.empty() ? end : start) = *when;
  const auto ticks = MarketOf(c).HistoricalTicks(generator_, *type, start, end, r.number_of_ticks,
                                                 r.use_rth, r.ignore_size, now);
  SendHistoricalTicks(s, r.req_id, *type, ticks);
}

void SendHistoricalTicks(ClientSession& s, int32_t req_id, TickType type,
                         const std::vector<Tick>& ticks) {
  switch (type) {
    case TickType::kBidAsk:
    case TickType::kQuote: {
      std::vector<protocol::HistoricalTickBidAsk> out;
      out.reserve(ticks.size());
      for (const Tick& t : ticks) {
        protocol::HistoricalTickBidAsk h;
        h.time = ToUnixSeconds(t.exchange_time);
        h.attrib.bid_past_low = (t.attributes & kAttrBidPastLow) != 0;
        h.attrib.ask_past_high = (t.attributes & kAttrAskPastHigh) != 0;
        h.price_bid = t.bid_price;
        h.price_ask = t.ask_price;
        h.size_bid = t.bid_size;
        h.size_ask = t.ask_size;
        out.push_back(h);
      }
      Send(s, protocol::HistoricalTicksBidAsk{req_id, out, true});
      break;
    }
    case TickType::kLast:
    case TickType::kAllLast:
    case TickType::kTrade: {
      std::vector<protocol::HistoricalTickLast> out;
      out.reserve(ticks.size());
      for (const Tick& t : ticks) {
        protocol::HistoricalTickLast h;
        h.time = ToUnixSeconds(t.exchange_time);
        h.attrib.unreported = (t.attributes & kAttrUnreported) != 0;
        h.attrib.past_limit = (t.attributes & kAttrPastLimit) != 0;
        h.price = t.price;
        h.size = t.size;
        h.exchange = t.exchange;
        h.special_conditions = t.special_conditions;
        out.push_back(h);
      }
      Send(s, protocol::HistoricalTicksLast{req_id, out, true});
      break;
    }
    case TickType::kMidPoint: {
      std::vector<protocol::HistoricalTick> out;
      out.reserve(ticks.size());
      for (const Tick& t : ticks) {
        out.push_back(
            protocol::HistoricalTick{ToUnixSeconds(t.exchange_time), t.price, Decimal::FromInt(0)});
      }
      Send(s, protocol::HistoricalTicks{req_id, out, true});
      break;
    }
    case TickType::kDepth:  // never asked: IB keeps no depth history
      Send(s, protocol::HistoricalTicks{req_id, {}, true});
      break;
  }
}

}  // namespace ibstream::sim
