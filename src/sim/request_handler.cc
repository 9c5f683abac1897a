#include "sim/request_handler.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <set>
#include <type_traits>
#include <variant>

#include "protocol/server_messages.h"

namespace ibstream::sim {
namespace {

std::optional<TickType> TickTypeFromIb(std::string_view name) {
  for (TickType t : kAllTickTypes) {
    if (TickTypeIbName(t) == name) return t;
  }
  return std::nullopt;
}

}  // namespace

RequestHandler::RequestHandler(Options options, const Clock& clock, const Catalog& catalog,
                               const ClientSessions& sessions, MarketFanout& markets,
                               HistoricalAnswers& historical, BarServer& bars,
                               const FaultState& faults, SimCounters& counters)
    : options_(std::move(options)),
      clock_(clock),
      catalog_(catalog),
      sessions_(sessions),
      markets_(markets),
      historical_(historical),
      bars_(bars),
      account_({.accounts = options_.accounts, .quiet = options_.quiet}, clock, catalog, counters),
      faults_(faults),
      counters_(counters) {}

void RequestHandler::Greet(ClientSession& s) {
  Send(s, protocol::ManagedAccounts{options_.accounts});
  Send(s, protocol::NextValidId{next_order_id_});
  std::set<std::string> farms;
  for (const auto& c : catalog_.contracts()) farms.insert(c->farm);
  for (const std::string& farm : farms) {
    if (faults_.FarmDown(farm)) {
      SendError(s, -1, 2103, "Market data farm connection is broken:" + farm);
    } else {
      SendError(s, -1, 2104, "Market data farm connection is OK:" + farm);
    }
  }
  const bool hmds_down = faults_.hmds_down > 0;
  SendError(s, -1, hmds_down ? 2105 : 2106,
            std::string(hmds_down ? "HMDS data farm connection is broken:"
                                  : "HMDS data farm connection is OK:") +
                std::string(kHistoricalFarm));
  SendError(s, -1, 2158, "Sec-def data farm connection is OK:" + std::string(kSecDefFarm));
  if (faults_.connectivity_lost > 0) {
    SendError(s, -1, 1100, "Connectivity between IB and Trader Workstation has been lost.");
  }
}

void RequestHandler::Handle(ClientSession& s, std::string_view payload) {
  counters_.Add(&SimulatorStats::requests);
  auto decoded = protocol::DecodeClientRequest(payload, s.server_version, &s.counters);
  if (!decoded.ok()) {
    counters_.Add(&SimulatorStats::malformed_requests);
    SendError(s, -1, 320, "Error reading request: " + decoded.status().message());
    s.close_after_flush = true;
    if (!options_.quiet) {
      spdlog::warn("sim: client {}: malformed request: {}", s.client_id,
                   decoded.status().ToString());
    }
    return;
  }
  const TimePoint now = clock_.Now();
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, protocol::StartApi>) {
          SendError(s, -1, 321, "Error validating request: the API session is already started");
        } else if constexpr (std::is_same_v<T, protocol::ReqCurrentTime>) {
          Send(s, protocol::CurrentTime{ToUnixSeconds(now)});
        } else if constexpr (std::is_same_v<T, protocol::ReqIds>) {
          Send(s, protocol::NextValidId{next_order_id_});
        } else if constexpr (std::is_same_v<T, protocol::ReqMarketDataType>) {
          s.market_data_type = r.market_data_type;
        } else if constexpr (std::is_same_v<T, protocol::ReqContractDetails>) {
          OnContractDetails(s, r);
        } else if constexpr (std::is_same_v<T, protocol::ReqMatchingSymbols>) {
          protocol::SymbolSamples samples;
          samples.req_id = r.req_id;
          samples.descriptions = catalog_.MatchingSymbols(r.pattern);
          Send(s, samples);
        } else if constexpr (std::is_same_v<T, protocol::ReqMktData>) {
          OnMktData(s, r);
        } else if constexpr (std::is_same_v<T, protocol::CancelMktData>) {
          OnCancel(s, r.req_id, /*mkt_data=*/true);
        } else if constexpr (std::is_same_v<T, protocol::ReqTickByTickData>) {
          OnTickByTick(s, r);
        } else if constexpr (std::is_same_v<T, protocol::CancelTickByTickData>) {
          OnCancel(s, r.req_id, /*mkt_data=*/false);
        } else if constexpr (std::is_same_v<T, protocol::ReqHeadTimestamp>) {
          if (const SimContract* c = Resolve(s, r.req_id, r.contract)) {
            historical_.AnswerHeadTimestamp(s, r, *c);
          }
        } else if constexpr (std::is_same_v<T, protocol::CancelHeadTimestamp>) {
          // Answered at once, so there is never anything to cancel (IB then stays silent too).
        } else if constexpr (std::is_same_v<T, protocol::ReqHistoricalTicks>) {
          if (const SimContract* c = Resolve(s, r.req_id, r.contract)) {
            historical_.AnswerTicks(s, r, *c);
          }
        } else if constexpr (std::is_same_v<T, protocol::ReqMktDepth>) {
          if (const SimContract* c = Resolve(s, r.req_id, r.contract)) {
            const MarketRuntime* m = markets_.Find(c->con_id());
            if (markets_.EndedAt(c->con_id(), now)) {
              markets_.depth().RefuseEnded(s, r, *c, ReplayEndedText(*c, m->end_second), now);
            } else {
              markets_.depth().Start(s, r, *c, m && m->has_quote ? &m->last_quote : nullptr,
                                     clock_.Now());
            }
          }
        } else if constexpr (std::is_same_v<T, protocol::CancelMktDepth>) {
          markets_.depth().Cancel(s, r, clock_.Now());
        } else if constexpr (std::is_same_v<T, protocol::ReqMktDepthExchanges>) {
          markets_.depth().AnswerExchanges(s, catalog_);
        } else if constexpr (std::is_same_v<T, protocol::ReqHistoricalData>) {
          if (const SimContract* c = Resolve(s, r.req_id, r.contract)) {
            bars_.AnswerHistoricalData(s, r, *c);
          }
        } else if constexpr (std::is_same_v<T, protocol::ReqRealTimeBars>) {
          if (const SimContract* c = Resolve(s, r.req_id, r.contract)) {
            bars_.StartRealTimeBars(s, r, *c);
          }
        } else if constexpr (std::is_same_v<T, protocol::CancelHistoricalData> ||
                             std::is_same_v<T, protocol::CancelRealTimeBars>) {
          bars_.Cancel(s, r.req_id);
        } else if (!account_.Handle(s, payload)) {
          counters_.Add(&SimulatorStats::unsupported_requests);
          const std::string name = protocol::RequestNameOfId(r.message_id);
          SendError(s, -1, 321,
                    fmt::format("Error validating request.-'{}' : cause - the simulator does not "
                                "support {}",
                                name, name));
        }
      },
      *decoded);
}

const SimContract* RequestHandler::Resolve(ClientSession& s, int32_t req_id,
                                           const protocol::Contract& c) {
  const auto matches = catalog_.Match(c, clock_.Now());
  if (matches.empty()) {
    SendError(s, req_id, 200, "No security definition has been found for the request");
    return nullptr;
  }
  if (matches.size() > 1) {
    SendError(s, req_id, 200,
              "The contract description specified for " + c.symbol + " is ambiguous.");
    return nullptr;
  }
  return matches.front();
}

void RequestHandler::OnContractDetails(ClientSession& s, const protocol::ReqContractDetails& r) {
  const TimePoint now = clock_.Now();
  const auto matches = catalog_.Match(r.contract, now);
  if (matches.empty()) {
    SendError(s, r.req_id, 200, "No security definition has been found for the request");
    return;
  }
  for (const SimContract* c : matches) {
    protocol::ContractDetails d = c->details;
    d.req_id = r.req_id;
    const calendar::ContractHours hours =
        c->recorded_hours ? *c->recorded_hours : c->sessions->HoursAt(now);
    d.time_zone_id = hours.time_zone_id;
    d.trading_hours = hours.trading_hours;
    d.liquid_hours = hours.liquid_hours;
    Send(s, d);
  }
  Send(s, protocol::ContractDataEnd{r.req_id});
}

void RequestHandler::OnCancel(ClientSession& s, int32_t req_id, bool mkt_data) {
  auto it = s.subs.find(req_id);
  if (it == s.subs.end() || it->second.mkt_data != mkt_data) {
    // cancelTickByTickData of an unknown id: IB stays silent.
    if (mkt_data) SendError(s, req_id, 300, fmt::format("Can't find EId with tickerId:{}", req_id));
    return;
  }
  markets_.RecordSubscription(
      SubscriptionEvent::kEnd, s, req_id, it->second.con_id,
      mkt_data ? std::string_view("MktData") : TickTypeIbName(it->second.type), clock_.Now(),
      "cancel");
  s.subs.erase(it);
  markets_.MarkDirty();
}

int RequestHandler::ActiveTickByTick() const {
  int n = 0;
  for (const ClientSessionPtr& s : sessions_.sessions()) {
    if (!s->open) continue;
    for (const auto& [id, sub] : s->subs) n += sub.mkt_data ? 0 : 1;
  }
  return n;
}

int RequestHandler::ActiveLines() const {
  int n = 0;
  for (const ClientSessionPtr& s : sessions_.sessions()) {
    if (s->open) n += static_cast<int>(s->subs.size());
  }
  return n;
}

bool RequestHandler::RefuseOverLines(ClientSession& s, int32_t req_id, int32_t con_id,
                                     std::string_view stream) {
  if (ActiveLines() < faults_.market_data_lines) return false;
  counters_.Add(&SimulatorStats::market_data_line_refusals);
  SendError(s, req_id, 101, "Max number of tickers has been reached.");
  markets_.RecordSubscription(SubscriptionEvent::kRefused, s, req_id, con_id, stream, clock_.Now(),
                              "101 max market data lines");
  return true;
}

void RequestHandler::OnMktData(ClientSession& s, const protocol::ReqMktData& r) {
  if (s.subs.count(r.req_id)) {
    SendError(s, r.req_id, 322, "Error processing request.-'bQ' : cause - Duplicate ticker id");
    return;
  }
  const SimContract* c = Resolve(s, r.req_id, r.contract);
  if (c == nullptr) {
    markets_.RecordSubscription(SubscriptionEvent::kRefused, s, r.req_id, r.contract.con_id,
                                "MktData", clock_.Now(), "200 no unique contract",
                                r.contract.symbol);
    return;
  }
  // A snapshot holds a line while it is answered: it needs a free one too.
  if (RefuseOverLines(s, r.req_id, c->con_id(), "MktData")) return;
  Send(s, protocol::MarketDataType{r.req_id, 1});
  protocol::TickReqParams params;
  params.req_id = r.req_id;
  params.min_tick = c->details.min_tick;
  params.bbo_exchange = "9c0001";
  params.snapshot_permissions = 3;
  Send(s, params);
  Subscription sub;
  sub.req_id = r.req_id;
  sub.con_id = c->con_id();
  sub.mkt_data = true;
  sub.since_ns = ToUnixNanos(clock_.Now());
  if (faults_.competing > 0) {
    SendError(s, r.req_id, 10197, "No market data during competing session");
  }
  markets_.SendCurrent(s, sub, *c);
  if (r.snapshot || r.regulatory_snapshot) {
    Send(s, protocol::TickSnapshotEnd{r.req_id});
    return;
  }
  if (markets_.EndedAt(c->con_id(), clock_.Now())) {
    // The replayed recording is over: the last market above, then no subscription.
    markets_.SendEnded(s, r.req_id, *c);
    markets_.RecordSubscription(SubscriptionEvent::kRefused, s, r.req_id, c->con_id(), "MktData",
                                clock_.Now(), "354 replay ended");
    return;
  }
  s.subs[r.req_id] = sub;
  markets_.RecordSubscription(SubscriptionEvent::kStart, s, r.req_id, sub.con_id, "MktData",
                              clock_.Now());
  markets_.MarkDirty();
}

void RequestHandler::OnTickByTick(ClientSession& s, const protocol::ReqTickByTickData& r) {
  if (s.subs.count(r.req_id)) {
    SendError(s, r.req_id, 322, "Error processing request.-'bQ' : cause - Duplicate ticker id");
    return;
  }
  const TimePoint now = clock_.Now();
  const std::optional<TickType> type = TickTypeFromIb(r.tick_type);
  if (!type) {
    SendError(s, r.req_id, 10189,
              "Failed to request tick-by-tick data.Unknown tick type '" + r.tick_type + "'");
    markets_.RecordSubscription(SubscriptionEvent::kRefused, s, r.req_id, r.contract.con_id,
                                r.tick_type, now, "10189 unknown tick type", r.contract.symbol);
    return;
  }
  const SimContract* c = Resolve(s, r.req_id, r.contract);
  if (c == nullptr) {
    markets_.RecordSubscription(SubscriptionEvent::kRefused, s, r.req_id, r.contract.con_id,
                                r.tick_type, now, "200 no unique contract", r.contract.symbol);
    return;
  }
  if (markets_.EndedAt(c->con_id(), now)) {
    // The replayed recording is over: the recent ticks asked for, then no subscription.
    if (r.number_of_ticks > 0) {
      historical_.SendRecent(s, r.req_id, *type, *c, r.number_of_ticks, r.ignore_size);
    }
    markets_.SendEnded(s, r.req_id, *c);
    markets_.RecordSubscription(SubscriptionEvent::kRefused, s, r.req_id, c->con_id(), r.tick_type,
                                now, "354 replay ended");
    return;
  }
  if (ActiveTickByTick() >= faults_.max_tick_by_tick) {
    counters_.Add(&SimulatorStats::tick_by_tick_refusals);
    SendError(s, r.req_id, 10190, "Max number of tick-by-tick requests has been reached.");
    markets_.RecordSubscription(SubscriptionEvent::kRefused, s, r.req_id, c->con_id(), r.tick_type,
                                now, "10190 max tick-by-tick requests");
    return;
  }
  if (RefuseOverLines(s, r.req_id, c->con_id(), r.tick_type)) return;
  if (r.number_of_ticks > 0) {
    historical_.SendRecent(s, r.req_id, *type, *c, r.number_of_ticks, r.ignore_size);
  }
  if (faults_.competing > 0) {
    SendError(s, r.req_id, 10197, "No market data during competing session");
  }
  Subscription sub;
  sub.req_id = r.req_id;
  sub.con_id = c->con_id();
  sub.type = *type;
  sub.ignore_size = r.ignore_size && *type == TickType::kBidAsk;
  sub.since_ns = ToUnixNanos(now);
  s.subs[r.req_id] = sub;
  markets_.RecordSubscription(SubscriptionEvent::kStart, s, r.req_id, sub.con_id, r.tick_type, now);
  markets_.MarkDirty();
}

}  // namespace ibstream::sim
