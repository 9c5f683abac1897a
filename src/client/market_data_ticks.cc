#include "client/market_data_ticks.h"

#include <charconv>
#include <string_view>

namespace ibstream::client {

namespace {

// IB's tick types (TWS API "Available Tick Types").
constexpr int32_t kBidSize = 0;
constexpr int32_t kBidPrice = 1;
constexpr int32_t kAskPrice = 2;
constexpr int32_t kAskSize = 3;
constexpr int32_t kLastPrice = 4;
constexpr int32_t kLastSize = 5;
constexpr int32_t kVolume = 8;
constexpr int32_t kLastTimestamp = 45;

std::optional<int64_t> ParseUnixSeconds(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty() || value < 0) return std::nullopt;
  return value;
}

// Every field of `out` that is not set afterwards by Quote or Trade.
void Reset(int64_t contract_id, TickType type, TimePoint received, Tick& out) {
  out.contract_id = contract_id;
  out.type = type;
  out.source = TickSource::kLive;
  out.attributes = 0;
  out.receive_time = received;
  out.sequence = 0;
  out.price = 0;
  out.size = Decimal();
  out.bid_price = 0;
  out.ask_price = 0;
  out.bid_size = Decimal();
  out.ask_size = Decimal();
  out.volume = Decimal();
  out.exchange.clear();
  out.special_conditions.clear();
}

}  // namespace

void MarketDataTicks::Quote(TimePoint received, Tick& out) const {
  Reset(contract_id_, TickType::kQuote, received, out);
  out.exchange_time = received;
  out.bid_price = bid_price_;
  out.ask_price = ask_price_;
  out.bid_size = bid_size_;
  out.ask_size = ask_size_;
}

void MarketDataTicks::Trade(const PendingTrade& t, TimePoint exchange_time, TimePoint received,
                            Tick& out) const {
  Reset(contract_id_, TickType::kTrade, received, out);
  out.exchange_time = exchange_time;
  out.attributes = t.attributes;
  out.price = t.price;
  out.size = t.size;
  out.volume = volume_;
}

bool MarketDataTicks::NewLast(PendingTrade next, TimePoint received, Tick& out) {
  bool emitted = false;
  if (pending_) {
    Trade(*pending_, pending_->received, received, out);
    emitted = true;
  }
  have_last_ = true;
  last_price_ = next.price;
  last_size_ = next.size;
  pending_ = next;
  return emitted;
}

bool MarketDataTicks::OnTickPrice(const protocol::TickPrice& m, TimePoint received, Tick& out) {
  switch (m.tick_type) {
    case kBidPrice:
    case kAskPrice: {
      double& price = m.tick_type == kBidPrice ? bid_price_ : ask_price_;
      Decimal& size = m.tick_type == kBidPrice ? bid_size_ : ask_size_;
      const bool size_changed = m.size.is_set() && !(m.size == size);
      if (price == m.price && !size_changed) return false;
      price = m.price;
      if (m.size.is_set()) size = m.size;
      Quote(received, out);
      return true;
    }
    case kLastPrice: {
      PendingTrade next;
      next.price = m.price;
      next.size = m.size.is_set() ? m.size : last_size_;
      next.attributes = m.attrib.past_limit ? kAttrPastLimit : 0;
      next.received = received;
      return NewLast(next, received, out);
    }
    default:
      return false;
  }
}

bool MarketDataTicks::OnTickSize(const protocol::TickSize& m, TimePoint received, Tick& out) {
  if (!m.size.is_set()) return false;
  switch (m.tick_type) {
    case kBidSize:
    case kAskSize: {
      Decimal& size = m.tick_type == kBidSize ? bid_size_ : ask_size_;
      if (m.size == size) return false;
      size = m.size;
      Quote(received, out);
      return true;
    }
    case kLastSize: {
      if (m.size == last_size_) return false;
      if (!have_last_) {
        last_size_ = m.size;  // no price yet: nothing traded that we could name
        return false;
      }
      PendingTrade next;
      next.price = last_price_;
      next.size = m.size;
      next.received = received;
      return NewLast(next, received, out);
    }
    case kVolume:
      volume_ = m.size;
      return false;
    default:
      return false;
  }
}

bool MarketDataTicks::OnTickString(const protocol::TickString& m, TimePoint received, Tick& out) {
  if (m.tick_type != kLastTimestamp || !have_last_) return false;
  TimePoint exchange_time = received;
  if (auto seconds = ParseUnixSeconds(m.value)) {
    exchange_time = FromUnixSeconds(*seconds);
  } else {
    ++bad_timestamps_;
  }
  PendingTrade trade;
  if (pending_) {
    trade = *pending_;
  } else {
    trade.price = last_price_;
    trade.size = last_size_;
  }
  pending_.reset();
  Trade(trade, exchange_time, received, out);
  return true;
}

}  // namespace ibstream::client
