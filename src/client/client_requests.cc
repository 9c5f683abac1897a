// Client::Impl, one-shot requests and their replies: contract details, matching symbols, head
// timestamp, and historical ticks (converted to domain Ticks with source kBackfill).
#include <string>
#include <vector>

#include "client/client_impl.h"
#include "model/what_to_show.h"
#include "protocol/field_codec.h"

namespace ibstream::client {

void Client::Impl::RequestContractDetails(
    int32_t id, protocol::Contract contract,
    std::function<void(Result<std::vector<protocol::ContractDetails>>)> done) {
  if (!Ready(done)) return;
  protocol::ReqContractDetails request{id, std::move(contract)};
  if (!EncodeOrFail(request, done)) return;
  requests_.emplace(id, PendingRequest{ContractDetailsRequest{{}, std::move(done)}});
}

void Client::Impl::OnContractDetails(const protocol::ContractDetails& m) {
  auto* r = Find<ContractDetailsRequest>(m.req_id);
  if (r == nullptr) return;
  r->details.push_back(m);
}

void Client::Impl::OnContractDataEnd(const protocol::ContractDataEnd& m) {
  auto* r = Find<ContractDetailsRequest>(m.req_id);
  if (r == nullptr) return;
  ContractDetailsRequest done = std::move(*r);
  EraseRequest(m.req_id);
  if (done.done) done.done(std::move(done.details));
}

void Client::Impl::RequestMatchingSymbols(
    int32_t id, std::string pattern,
    std::function<void(Result<std::vector<protocol::ContractDescription>>)> done) {
  if (!Ready(done)) return;
  protocol::ReqMatchingSymbols request{id, std::move(pattern)};
  if (!EncodeOrFail(request, done)) return;
  requests_.emplace(id, PendingRequest{MatchingSymbolsRequest{std::move(done)}});
}

void Client::Impl::OnSymbolSamples(const protocol::SymbolSamples& m) {
  auto* r = Find<MatchingSymbolsRequest>(m.req_id);
  if (r == nullptr) return;
  MatchingSymbolsRequest done = std::move(*r);
  EraseRequest(m.req_id);
  if (done.done) done.done(m.descriptions);
}

void Client::Impl::RequestHeadTimestamp(int32_t id, protocol::Contract contract,
                                        std::string what_to_show, bool use_rth,
                                        std::function<void(Result<TimePoint>)> done) {
  if (!Ready(done)) return;
  protocol::ReqHeadTimestamp request;
  request.req_id = id;
  request.contract = std::move(contract);
  request.use_rth = use_rth;
  request.what_to_show = std::move(what_to_show);
  request.format_date = 2;
  if (!EncodeOrFail(request, done)) return;
  requests_.emplace(id, PendingRequest{HeadTimestampRequest{std::move(done)}});
}

void Client::Impl::OnHeadTimestamp(const protocol::HeadTimestamp& m) {
  auto* r = Find<HeadTimestampRequest>(m.req_id);
  if (r == nullptr) return;
  HeadTimestampRequest done = std::move(*r);
  EraseRequest(m.req_id);
  Result<int64_t> seconds = protocol::ParseInt64(m.head_timestamp);
  if (!done.done) return;
  if (!seconds.ok()) {
    done.done(ParseError("HEAD_TIMESTAMP: expected epoch seconds, got '" +
                         std::string(m.head_timestamp) + "'"));
    return;
  }
  done.done(FromUnixSeconds(*seconds));
}

void Client::Impl::RequestHistoricalTicks(int32_t id, HistoricalTicksQuery query,
                                          std::function<void(Result<std::vector<Tick>>)> done) {
  if (!Ready(done)) return;
  protocol::ReqHistoricalTicks request;
  request.req_id = id;
  request.contract = query.contract;
  request.start_date_time = query.start_date_time;
  request.end_date_time = query.end_date_time;
  request.number_of_ticks = query.number_of_ticks;
  request.what_to_show = std::string(TickTypeWhatToShow(query.type));
  request.use_rth = query.use_rth;
  request.ignore_size = query.ignore_size;
  if (!EncodeOrFail(request, done)) return;
  requests_.emplace(id, PendingRequest{HistoricalRequest{
                            query.contract.con_id, query.type, {}, std::move(done)}});
}

void Client::Impl::OnHistoricalTicks(const protocol::HistoricalTicks& m) {
  auto* r = Find<HistoricalRequest>(m.req_id);
  if (r == nullptr) return;
  TimePoint now = clock_.Now();
  for (const protocol::HistoricalTick& t : m.ticks) {
    Tick tick = BackfillTick(*r, t.time, now);
    tick.price = t.price;
    // MIDPOINT history carries a size IB always sends as 0; the live MidPoint stream has none.
    // Left unset, a backfilled midpoint is the same record as the live one of the same second
    // (queries reconcile the two on content, size included).
    if (tick.type != TickType::kMidPoint) tick.size = t.size;
    r->ticks.push_back(std::move(tick));
  }
  if (m.done) FinishHistorical(m.req_id);
}

void Client::Impl::OnHistoricalTicksBidAsk(const protocol::HistoricalTicksBidAsk& m) {
  auto* r = Find<HistoricalRequest>(m.req_id);
  if (r == nullptr) return;
  TimePoint now = clock_.Now();
  for (const protocol::HistoricalTickBidAsk& t : m.ticks) {
    Tick tick = BackfillTick(*r, t.time, now);
    tick.bid_price = t.price_bid;
    tick.ask_price = t.price_ask;
    tick.bid_size = t.size_bid;
    tick.ask_size = t.size_ask;
    tick.attributes = static_cast<uint8_t>((t.attrib.bid_past_low ? kAttrBidPastLow : 0) |
                                           (t.attrib.ask_past_high ? kAttrAskPastHigh : 0));
    r->ticks.push_back(std::move(tick));
  }
  if (m.done) FinishHistorical(m.req_id);
}

void Client::Impl::OnHistoricalTicksLast(const protocol::HistoricalTicksLast& m) {
  auto* r = Find<HistoricalRequest>(m.req_id);
  if (r == nullptr) return;
  TimePoint now = clock_.Now();
  for (const protocol::HistoricalTickLast& t : m.ticks) {
    Tick tick = BackfillTick(*r, t.time, now);
    tick.price = t.price;
    tick.size = t.size;
    tick.exchange.assign(t.exchange);
    tick.special_conditions.assign(t.special_conditions);
    tick.attributes = static_cast<uint8_t>((t.attrib.past_limit ? kAttrPastLimit : 0) |
                                           (t.attrib.unreported ? kAttrUnreported : 0));
    r->ticks.push_back(std::move(tick));
  }
  if (m.done) FinishHistorical(m.req_id);
}

Tick Client::Impl::BackfillTick(const HistoricalRequest& r, int64_t time, TimePoint now) {
  Tick tick;
  tick.contract_id = r.contract_id;
  tick.type = r.type;
  tick.source = TickSource::kBackfill;
  tick.exchange_time = FromUnixSeconds(time);
  tick.receive_time = now;
  return tick;
}

void Client::Impl::FinishHistorical(int32_t id) {
  auto* r = Find<HistoricalRequest>(id);
  if (r == nullptr) return;
  HistoricalRequest done = std::move(*r);
  EraseRequest(id);
  if (done.done) done.done(std::move(done.ticks));
}

}  // namespace ibstream::client
