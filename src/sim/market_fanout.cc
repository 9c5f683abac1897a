#include "sim/market_fanout.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/time_units.h"
#include "protocol/server_messages.h"

namespace ibstream::sim {
namespace {

// a + b, exactly (sizes of one contract share a scale; mixed scales are rescaled).
Decimal AddSizes(const Decimal& a, const Decimal& b) {
  if (!b.is_set()) return a;
  if (!a.is_set()) return b;
  const int scale = std::max(a.scale(), b.scale());
  auto at = [scale](const Decimal& d) {
    int64_t m = d.mantissa();
    for (int i = d.scale(); i < scale; ++i) m *= 10;
    return m;
  };
  return Decimal::FromParts(at(a) + at(b), scale);
}

bool SameQuote(const MarketEvent& a, const MarketEvent& b) {
  return a.bid == b.bid && a.ask == b.ask && a.bid_size == b.bid_size && a.ask_size == b.ask_size;
}

}  // namespace

std::string ReplayEndedText(const SimContract& c, int64_t end_second) {
  return "Not subscribed to requested market data: the replayed recording of " + c.symbol() +
         " (conId " + std::to_string(c.con_id()) + ") ended at " +
         FormatIsoUtc(FromUnixSeconds(end_second)) + "; no more data will come";
}

MarketFanout::MarketFanout(Options options, const TickGenerator& generator,
                           const FaultState& faults, ClientSessions& sessions,
                           SimCounters& counters)
    : options_(options),
      generator_(generator),
      faults_(faults),
      sessions_(sessions),
      counters_(counters),
      depth_(generator, faults, sessions, counters) {}

Status MarketFanout::Build(const Catalog& catalog, TimePoint start) {
  const int64_t start_second = ToUnixSeconds(start);
  for (const auto& c : catalog.contracts()) {
    auto market = SimMarket::Create(c, start, options_.history_days);
    if (!market.ok()) return market.status();
    auto rt = std::make_unique<MarketRuntime>();
    rt->market = std::move(market).value();
    rt->second = start_second - 1;
    rt->end_second = generator_.RecordedEndSecond(*c).value_or(INT64_MAX);
    by_con_id_[c->con_id()] = rt.get();
    markets_.push_back(std::move(rt));
  }
  return Status::Ok();
}

MarketRuntime* MarketFanout::Find(int32_t con_id) {
  auto it = by_con_id_.find(con_id);
  return it == by_con_id_.end() ? nullptr : it->second;
}

int64_t MarketFanout::Pump(TimePoint now, const SteadyClock& steady, SteadyTimePoint deadline) {
  const int64_t now_second = ToUnixSeconds(now);
  const int64_t now_ns = ToUnixNanos(now);
  // Out of budget, the markets after the one that spent it go first next time, so that all of
  // them fall behind alike.
  bool out_of_budget = false;
  const size_t n = markets_.size();
  for (size_t i = 0; i < n && !out_of_budget; ++i) {
    const size_t index = (pump_first_ + i) % n;
    MarketRuntime& m = *markets_[index];
    while (true) {
      if (m.next < m.events.size()) {
        const MarketEvent& e = m.events[m.next];
        if (m.second * kNanosPerSecond + e.offset_ns > now_ns) break;
        Emit(m, e);
        ++m.next;
        continue;
      }
      const Step step = NextSecond(m, now_second);
      if (step == Step::kCaughtUp) break;
      if (step == Step::kGenerated && steady.Now() >= deadline) {
        out_of_budget = true;
        pump_first_ = (index + 1) % n;
        break;
      }
    }
    // Everything before the next pending event (or the end of the current second) is out.
    const int64_t emitted_to = m.next < m.events.size()
                                   ? m.second * kNanosPerSecond + m.events[m.next].offset_ns - 1
                                   : (m.second + 1) * kNanosPerSecond - 1;
    PublishDue(m, std::min(now_ns, emitted_to));
  }
  return Lag(now);
}

MarketFanout::Step MarketFanout::NextSecond(MarketRuntime& m, int64_t now_second) {
  if (m.second + 1 > now_second) return Step::kCaughtUp;
  ++m.second;
  // Every event before this second has been emitted.
  PublishDue(m, m.second * kNanosPerSecond - 1);
  m.events.clear();
  m.next = 0;
  if (m.second % 3600 == 0) {
    Status st = m.market->ExtendTo(FromUnixSeconds(m.second));
    if (!st.ok() && !options_.quiet) spdlog::error("sim: {}", st.ToString());
  }
  if (m.second >= m.end_second) {
    if (!m.ended) EndMarket(m);
    // Nothing will ever come: no second to generate (hour by hour, so that the calendar keeps
    // being extended).
    m.second = std::max(m.second, std::min(now_second, (m.second / 3600 + 1) * 3600 - 1));
    return Step::kSkipped;
  }
  const TimePoint t = FromUnixSeconds(m.second);
  const SessionPhase phase = m.market->PhaseAt(t);
  if (phase == SessionPhase::kClosed) {
    // Jump to the next open (or to now when the calendar does not know).
    // The session is over: publish its last changes (their grid instant is at the latest this
    // second's start), then the next session starts a new day's volume.
    PublishDue(m, m.second * kNanosPerSecond);
    m.day_volume = Decimal::FromInt(0);
    const calendar::MarketState state = m.market->calendar().StateAt(t);
    int64_t next = now_second;
    if (state.next_open && *state.next_open > t) {
      next =
          std::min(now_second, ToUnixSeconds(*state.next_open + Duration(kNanosPerSecond - 1)) - 1);
    }
    // Cross hour boundaries one at a time so the calendar keeps being extended.
    const int64_t hour_end = (m.second / 3600 + 1) * 3600 - 1;
    m.second = std::max(m.second, std::min(next, hour_end));
    return Step::kSkipped;
  }
  // Nobody can see a second that is over when nobody subscribes and no truth is written: skip it
  // (a clock jumped by days costs nothing). The last second is kept for snapshots.
  if (!truth_ && m.subs.empty() && m.second < now_second - 1 &&
      !depth_.Watches(m.market->contract().con_id())) {
    return Step::kSkipped;
  }
  generator_.GenerateSecond(m.market->contract(), m.second, phase, m.events);
  counters_.events_generated.fetch_add(m.events.size(), std::memory_order_relaxed);
  return Step::kGenerated;
}

int64_t MarketFanout::Lag(TimePoint now) const {
  const int64_t now_second = ToUnixSeconds(now);
  const int64_t now_ns = ToUnixNanos(now);
  int64_t lag = 0;
  for (const auto& m : markets_) {
    const bool pending = m->next < m->events.size() &&
                         m->second * kNanosPerSecond + m->events[m->next].offset_ns <= now_ns;
    if (pending || m->second < now_second) {
      lag = std::max<int64_t>(lag, std::max<int64_t>(now_second - m->second, 1));
    }
  }
  return lag;
}

bool MarketFanout::CanDeliver(const ClientSession& s, const Subscription& sub,
                              const SimContract& c) const {
  if (!s.open || s.half_open || s.close_after_flush) return false;
  return !faults_.WithholdsLiveData(s.client_id, sub, c);
}

void MarketFanout::Emit(MarketRuntime& m, const MarketEvent& e) {
  const SimContract& c = m.market->contract();
  const int64_t event_ns = m.second * kNanosPerSecond + e.offset_ns;
  // A grid instant before this event publishes without it.
  PublishDue(m, event_ns - 1);
  // A recorded event moves the top of book only as a BidAsk or Quote tick, the last trade only
  // as a Last or Trade tick (a MidPoint or AllLast tick repeats what those say).
  const bool top_of_book = e.kind == MarketEvent::Kind::kQuote &&
                           (!e.only || *e.only == TickType::kBidAsk || *e.only == TickType::kQuote);
  const bool reported_trade =
      e.kind == MarketEvent::Kind::kTrade && !e.unreported &&
      (!e.only || *e.only == TickType::kLast || *e.only == TickType::kTrade);
  const bool changes_mkt_data = top_of_book || reported_trade;
  if (changes_mkt_data && !m.publish_pending) {
    m.publish_pending = true;
    m.publish_ns = (event_ns + kMktDataGridNs - 1) / kMktDataGridNs * kMktDataGridNs;
  }
  if (top_of_book) {
    m.has_quote = true;
    m.last_quote = e;
  } else if (reported_trade) {
    m.has_trade = true;
    m.last_trade = e;
    m.last_trade_second = m.second;
    m.day_volume = AddSizes(m.day_volume, e.size);
    m.traded = true;
  }
  const int64_t second = m.second;
  EventTicks(c, second, e, [&](const Tick& t) {
    counters_.ticks_generated.fetch_add(1, std::memory_order_relaxed);
    int delivered = 0;
    for (auto& [session, sub] : m.subs) {
      if (sub->mkt_data || sub->type != t.type || event_ns < sub->since_ns ||
          !CanDeliver(*session, *sub, c)) {
        continue;
      }
      ClientSession& s = *session;
      switch (t.type) {
        case TickType::kQuote:
        case TickType::kTrade:
        case TickType::kDepth:
          continue;  // EventTicks makes tick-by-tick kinds only
        case TickType::kBidAsk: {
          if (sub->ignore_size && sub->last_bid == t.bid_price && sub->last_ask == t.ask_price) {
            continue;
          }
          sub->last_bid = t.bid_price;
          sub->last_ask = t.ask_price;
          protocol::TickByTickBidAsk msg;
          msg.req_id = sub->req_id;
          msg.time = second;
          msg.bid_price = t.bid_price;
          msg.ask_price = t.ask_price;
          msg.bid_size = t.bid_size;
          msg.ask_size = t.ask_size;
          msg.attrib.bid_past_low = (t.attributes & kAttrBidPastLow) != 0;
          msg.attrib.ask_past_high = (t.attributes & kAttrAskPastHigh) != 0;
          Send(s, msg);
          break;
        }
        case TickType::kLast:
        case TickType::kAllLast: {
          protocol::TickByTickLast msg;
          msg.req_id = sub->req_id;
          msg.tick_type = t.type == TickType::kLast ? protocol::TickByTickType::kLast
                                                    : protocol::TickByTickType::kAllLast;
          msg.time = second;
          msg.price = t.price;
          msg.size = t.size;
          msg.attrib.unreported = (t.attributes & kAttrUnreported) != 0;
          msg.attrib.past_limit = (t.attributes & kAttrPastLimit) != 0;
          msg.exchange = t.exchange;
          msg.special_conditions = t.special_conditions;
          Send(s, msg);
          break;
        }
        case TickType::kMidPoint: {
          Send(s, protocol::TickByTickMidPoint{sub->req_id, second, t.price});
          break;
        }
      }
      ++delivered;
      if (s.out.size() > options_.send_buffer_bytes) CheckBackpressure(s);
    }
    counters_.ticks_delivered.fetch_add(static_cast<uint64_t>(delivered),
                                        std::memory_order_relaxed);
    if (truth_) truth_->WriteTick(t, c.symbol(), delivered);
  });
}

void MarketFanout::EndMarket(MarketRuntime& m) {
  m.ended = true;
  // The grid instant of the last changes is at the latest the end (a whole second).
  PublishDue(m, m.end_second * kNanosPerSecond);
  const SimContract& c = m.market->contract();
  const TimePoint at = FromUnixSeconds(m.end_second);
  const std::string text = ReplayEndedText(c, m.end_second);
  for (const ClientSessionPtr& s : sessions_.sessions()) {
    if (!s->open) continue;
    for (auto it = s->subs.begin(); it != s->subs.end();) {
      if (it->second.con_id != c.con_id()) {
        ++it;
        continue;
      }
      SendError(*s, it->first, kReplayEndedCode, text);
      RecordSubscription(
          SubscriptionEvent::kEnd, *s, it->first, c.con_id(),
          it->second.mkt_data ? std::string_view("MktData") : TickTypeIbName(it->second.type), at,
          "replay ended");
      it = s->subs.erase(it);
    }
  }
  depth_.EndContract(c, at, text);
  // Its subscriptions are gone (the other markets' lists still point at live ones).
  m.subs.clear();
  MarkDirty();
}

bool MarketFanout::EndedAt(int32_t con_id, TimePoint now) {
  const MarketRuntime* m = Find(con_id);
  return m != nullptr && (m->ended || ToUnixSeconds(now) >= m->end_second);
}

void MarketFanout::SendEnded(ClientSession& s, int32_t req_id, const SimContract& c) {
  const MarketRuntime* m = Find(c.con_id());
  if (m == nullptr) return;
  SendError(s, req_id, kReplayEndedCode, ReplayEndedText(c, m->end_second));
}

void MarketFanout::PublishDue(MarketRuntime& m, int64_t up_to_ns) {
  if (m.publish_pending && m.publish_ns <= up_to_ns) Publish(m);
}

void MarketFanout::Publish(MarketRuntime& m) {
  m.publish_pending = false;
  const bool quote =
      m.has_quote && (!m.has_published_quote || !SameQuote(m.last_quote, m.published_quote));
  const bool trade = std::exchange(m.traded, false);
  if (quote) {
    m.has_published_quote = true;
    m.published_quote = m.last_quote;
    // Depth moves on the same grid.
    depth_.OnQuote(m.market->contract(), m.last_quote, FromUnixNanos(m.publish_ns));
  }
  if (!quote && !trade) return;
  const SimContract& c = m.market->contract();
  int subscribers = 0;
  for (auto& [session, sub] : m.subs) {
    // A grid instant before the subscription was asked for is not sent to it (it got the
    // current market when it asked).
    if (!sub->mkt_data || m.publish_ns < sub->since_ns || !CanDeliver(*session, *sub, c)) continue;
    if (quote) SendQuote(*session, *sub, m.last_quote);
    if (trade) SendTrade(*session, *sub, m);
    ++subscribers;
    if (session->out.size() > options_.send_buffer_bytes) CheckBackpressure(*session);
  }
  if (truth_ == nullptr) return;
  // One record per kind of this publish: what every reqMktData subscriber was told.
  const TimePoint at = FromUnixNanos(m.publish_ns);
  if (quote) {
    Tick t;
    t.contract_id = c.con_id();
    t.type = TickType::kQuote;
    t.exchange_time = at;  // IB sends no quote time
    t.receive_time = at;
    t.bid_price = m.last_quote.bid;
    t.ask_price = m.last_quote.ask;
    t.bid_size = m.last_quote.bid_size;
    t.ask_size = m.last_quote.ask_size;
    truth_->WriteTick(t, c.symbol(), subscribers);
  }
  if (trade) {
    Tick t;
    t.contract_id = c.con_id();
    t.type = TickType::kTrade;
    t.exchange_time = FromUnixSeconds(m.last_trade_second);
    t.receive_time = at;
    t.price = m.last_trade.price;
    t.size = m.last_trade.size;
    t.volume = m.day_volume;
    truth_->WriteTick(t, c.symbol(), subscribers);
  }
}

void MarketFanout::SendCurrent(ClientSession& s, Subscription& sub, const SimContract& c) {
  MarketRuntime* m = Find(c.con_id());
  if (m == nullptr || !CanDeliver(s, sub, c)) return;
  if (m->has_quote) SendQuote(s, sub, m->last_quote);
  if (m->has_trade) SendTrade(s, sub, *m);
}

void MarketFanout::SendQuote(ClientSession& s, Subscription& sub, const MarketEvent& q) {
  if (q.bid != sub.last_bid) {
    Send(s, protocol::TickPrice{sub.req_id, 1, q.bid, q.bid_size, {}});
  } else if (!(q.bid_size == sub.last_bid_size)) {
    Send(s, protocol::TickSize{sub.req_id, 0, q.bid_size});
  }
  if (q.ask != sub.last_ask) {
    Send(s, protocol::TickPrice{sub.req_id, 2, q.ask, q.ask_size, {}});
  } else if (!(q.ask_size == sub.last_ask_size)) {
    Send(s, protocol::TickSize{sub.req_id, 3, q.ask_size});
  }
  sub.last_bid = q.bid;
  sub.last_ask = q.ask;
  sub.last_bid_size = q.bid_size;
  sub.last_ask_size = q.ask_size;
}

void MarketFanout::SendTrade(ClientSession& s, Subscription& sub, const MarketRuntime& m) {
  const MarketEvent& t = m.last_trade;
  Send(s, protocol::TickPrice{sub.req_id, 4, t.price, t.size, {}});
  Send(s, protocol::TickSize{sub.req_id, 5, t.size});
  Send(s, protocol::TickSize{sub.req_id, 8, m.day_volume});
  const std::string time = std::to_string(m.last_trade_second);
  Send(s, protocol::TickString{sub.req_id, 45, time});
}

void MarketFanout::CheckBackpressure(ClientSession& s) {
  if (std::find(overflowed_.begin(), overflowed_.end(), &s) == overflowed_.end()) {
    overflowed_.push_back(&s);
    // Stop queueing more for it: it is closed after this poll.
    s.close_after_flush = true;
  }
}

void MarketFanout::RecordSubscription(SubscriptionEvent event, const ClientSession& s,
                                      int32_t req_id, int32_t con_id, std::string_view stream,
                                      TimePoint now, std::string_view reason,
                                      std::string_view symbol) {
  if (truth_ == nullptr) return;
  if (symbol.empty()) {
    auto it = by_con_id_.find(con_id);
    if (it != by_con_id_.end()) symbol = it->second->market->contract().symbol();
  }
  truth_->WriteSubscription({event, s.client_id, req_id, con_id, symbol, stream, now, reason});
}

void MarketFanout::RecordSubscriptionsEnd(const ClientSession& s, TimePoint now,
                                          std::string_view reason) {
  if (truth_ == nullptr) return;
  for (const auto& [id, sub] : s.subs) {
    RecordSubscription(SubscriptionEvent::kEnd, s, id, sub.con_id,
                       sub.mkt_data ? std::string_view("MktData") : TickTypeIbName(sub.type), now,
                       reason);
  }
}

void MarketFanout::RebuildIfDirty() {
  if (!subs_dirty_) return;
  subs_dirty_ = false;
  for (auto& m : markets_) m->subs.clear();
  for (const ClientSessionPtr& s : sessions_.sessions()) {
    if (!s->open) continue;
    for (auto& [id, sub] : s->subs) {
      auto it = by_con_id_.find(sub.con_id);
      if (it != by_con_id_.end()) it->second->subs.emplace_back(s.get(), &sub);
    }
  }
}

}  // namespace ibstream::sim
