#include "cluster/tail_dedup.h"

#include <algorithm>

namespace ibstream::cluster {
namespace {

int64_t SecondOf(const Tick& t) {
  return std::chrono::floor<std::chrono::seconds>(t.exchange_time).time_since_epoch().count();
}

}  // namespace

void TailDedup::Pass(StreamTail& s, const std::string& recorder, const Tick& tick,
                     std::vector<Tick>* out) {
  auto [it, fresh] = s.printed.try_emplace(SecondOf(tick), recorder);
  if (fresh || it->second == recorder) out->push_back(tick);
}

std::vector<Tick> TailDedup::OfferDepth(const std::string& recorder, const Tick& tick) {
  std::vector<Tick> out;
  auto [it, fresh] = depth_.try_emplace(tick.stream());
  DepthTail& d = it->second;
  if (fresh) d.owner = recorder;
  storage::OrderBookBuilder& book = d.books[recorder];
  // A record that does not fit its book is counted there; the book stays as it was.
  book.Apply(tick).IgnoreError();
  if (recorder == d.owner) {
    out.push_back(tick);
    d.owner_last = std::max(d.owner_last, tick.exchange_time);
    return out;
  }
  if (!book.restarted() || tick.exchange_time - d.owner_last < switch_after_) return out;
  // The owner has printed nothing for switch_after: follow this recorder, from its whole book.
  d.owner = recorder;
  d.owner_last = tick.exchange_time;
  Tick row = tick;
  row.book_operation = BookOperation::kReset;
  row.book_position = 0;
  row.price = 0;
  row.size = Decimal();
  row.exchange.clear();
  row.sequence = 0;
  out.push_back(row);
  row.book_operation = BookOperation::kInsert;
  for (const BookSide side : {BookSide::kAsk, BookSide::kBid}) {
    const auto& rows = side == BookSide::kAsk ? book.book().asks : book.book().bids;
    for (size_t i = 0; i < rows.size(); ++i) {
      row.book_side = side;
      row.book_position = static_cast<int32_t>(i);
      row.price = rows[i].price;
      row.size = rows[i].size;
      row.exchange = rows[i].market_maker;
      out.push_back(row);
    }
  }
  return out;
}

std::vector<Tick> TailDedup::Offer(const std::string& recorder, const Tick& tick) {
  if (tick.type == TickType::kDepth) return OfferDepth(recorder, tick);
  std::vector<Tick> out;
  auto [it, fresh] = streams_.try_emplace(tick.stream());
  StreamTail& s = it->second;
  if (fresh) s.owner = recorder;
  s.newest = std::max(s.newest, ToUnixNanos(tick.exchange_time));
  if (recorder == s.owner) {
    Pass(s, recorder, tick, &out);
  } else if (s.printed.count(SecondOf(tick)) == 0) {
    s.held.push_back(HeldTick{recorder, tick});
  }
  std::erase_if(s.held, [&](const HeldTick& h) { return s.printed.count(SecondOf(h.tick)) > 0; });
  Release(s, &out);
  // Seconds far behind the newest are not offered again by a recorder that keeps up.
  const int64_t window = 10 * std::max<int64_t>(switch_after_.count(), 1'000'000'000);
  const int64_t keep_from = (s.newest - window) / 1'000'000'000;
  s.printed.erase(s.printed.begin(), s.printed.lower_bound(keep_from));
  return out;
}

void TailDedup::Release(StreamTail& s, std::vector<Tick>* out) {
  while (!s.held.empty()) {
    const HeldTick& first = s.held.front();
    if (s.newest - ToUnixNanos(first.tick.exchange_time) < switch_after_.count()) return;
    // The owner has had time to deliver this second and did not: follow this recorder.
    s.owner = first.recorder;
    std::vector<HeldTick> rest;
    for (HeldTick& h : s.held) {
      if (h.recorder == s.owner) {
        Pass(s, s.owner, h.tick, out);
      } else {
        rest.push_back(std::move(h));
      }
    }
    s.held = std::move(rest);
    std::erase_if(s.held, [&](const HeldTick& h) { return s.printed.count(SecondOf(h.tick)) > 0; });
  }
}

size_t TailDedup::held() const {
  size_t n = 0;
  for (const auto& [key, s] : streams_) n += s.held.size();
  return n;
}

}  // namespace ibstream::cluster
