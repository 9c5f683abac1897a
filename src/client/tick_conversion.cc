// Live tick-by-tick messages to domain Ticks.
#include "client/tick_conversion.h"

namespace ibstream::client {

void ToTick(const protocol::TickByTickBidAsk& in, int64_t contract_id, TimePoint received,
            Tick& out) {
  out.contract_id = contract_id;
  out.type = TickType::kBidAsk;
  out.source = TickSource::kLive;
  out.attributes = static_cast<uint8_t>((in.attrib.bid_past_low ? kAttrBidPastLow : 0) |
                                        (in.attrib.ask_past_high ? kAttrAskPastHigh : 0));
  out.exchange_time = FromUnixSeconds(in.time);
  out.receive_time = received;
  out.sequence = 0;
  out.price = 0;
  out.size = Decimal();
  out.bid_price = in.bid_price;
  out.ask_price = in.ask_price;
  out.bid_size = in.bid_size;
  out.ask_size = in.ask_size;
  out.exchange.clear();
  out.special_conditions.clear();
}

void ToTick(const protocol::TickByTickLast& in, int64_t contract_id, TimePoint received,
            Tick& out) {
  out.contract_id = contract_id;
  out.type =
      in.tick_type == protocol::TickByTickType::kAllLast ? TickType::kAllLast : TickType::kLast;
  out.source = TickSource::kLive;
  out.attributes = static_cast<uint8_t>((in.attrib.past_limit ? kAttrPastLimit : 0) |
                                        (in.attrib.unreported ? kAttrUnreported : 0));
  out.exchange_time = FromUnixSeconds(in.time);
  out.receive_time = received;
  out.sequence = 0;
  out.price = in.price;
  out.size = in.size;
  out.bid_price = 0;
  out.ask_price = 0;
  out.bid_size = Decimal();
  out.ask_size = Decimal();
  out.exchange.assign(in.exchange);
  out.special_conditions.assign(in.special_conditions);
}

void ToTick(const protocol::TickByTickMidPoint& in, int64_t contract_id, TimePoint received,
            Tick& out) {
  out.contract_id = contract_id;
  out.type = TickType::kMidPoint;
  out.source = TickSource::kLive;
  out.attributes = 0;
  out.exchange_time = FromUnixSeconds(in.time);
  out.receive_time = received;
  out.sequence = 0;
  out.price = in.mid_point;
  out.size = Decimal();
  out.bid_price = 0;
  out.ask_price = 0;
  out.bid_size = Decimal();
  out.ask_size = Decimal();
  out.exchange.clear();
  out.special_conditions.clear();
}

}  // namespace ibstream::client
