#include "verify/depth_completeness.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "storage/order_book.h"

namespace ibstream::verify {
namespace {

// The truth's name of a reqMktDepth request's stream (sim/truth_writer.h).
constexpr std::string_view kDepthStream = "MktDepth";
// How far around the subscriptions the store is read: the recorder's clock may differ a little
// from the simulator's.
constexpr Duration kDepthQueryMargin = std::chrono::minutes(1);

// The store's records of one contract between two reset records.
struct StoredDepthInterval {
  TimePoint reset_time;
  std::vector<Tick> records;     // resets excluded
  std::optional<size_t> paired;  // index into the subscriptions
  size_t prefix = 0;             // records matching the paired subscription's updates, in order
};

size_t DepthCommonPrefix(const std::vector<Tick>& stored, const std::vector<Tick>& sent) {
  size_t n = 0;
  while (n < stored.size() && n < sent.size() && SameDepthUpdate(stored[n], sent[n])) ++n;
  return n;
}

Duration DepthDistance(TimePoint a, TimePoint b) { return a < b ? b - a : a - b; }

// Pairs each interval with the unpaired subscription whose updates it reproduces the longest
// prefix of (ties: the start nearest the interval's reset). Intervals that stored nothing pair
// with nothing.
void PairDepthIntervals(std::vector<StoredDepthInterval>& intervals,
                        const std::vector<TruthDepthSubscription>& subs,
                        const std::vector<size_t>& of_contract) {
  std::vector<bool> taken(subs.size(), false);
  for (StoredDepthInterval& interval : intervals) {
    if (interval.records.empty()) continue;
    std::optional<size_t> best;
    size_t best_prefix = 0;
    for (size_t i : of_contract) {
      if (taken[i]) continue;
      const size_t prefix = DepthCommonPrefix(interval.records, subs[i].updates);
      if (prefix == 0) continue;
      if (!best || prefix > best_prefix ||
          (prefix == best_prefix && DepthDistance(subs[i].start, interval.reset_time) <
                                        DepthDistance(subs[*best].start, interval.reset_time))) {
        best = i;
        best_prefix = prefix;
      }
    }
    if (!best) continue;
    taken[*best] = true;
    interval.paired = best;
    interval.prefix = best_prefix;
  }
}

Result<std::vector<StoredDepthInterval>> ReadDepthIntervals(
    fs::FileSystem* fs, const std::string& root, int32_t con_id, TimePoint from, TimePoint to,
    std::vector<storage::SkippedData>* skipped) {
  std::vector<StoredDepthInterval> intervals;
  storage::QueryRequest request{{StreamKey{con_id, TickType::kDepth}}, from, to};
  storage::QueryStats stats;
  IBSTREAM_RETURN_IF_ERROR(storage::QueryTicks(
      fs, root, request,
      [&](const Tick& t) {
        if (t.book_operation == BookOperation::kReset || intervals.empty()) {
          intervals.emplace_back();
          intervals.back().reset_time = t.exchange_time;
        }
        if (t.book_operation != BookOperation::kReset) intervals.back().records.push_back(t);
        return Status::Ok();
      },
      &stats));
  for (storage::SkippedData& skip : stats.skipped) {
    const bool known = std::any_of(skipped->begin(), skipped->end(),
                                   [&](const auto& k) { return k.path == skip.path; });
    if (!known) skipped->push_back(std::move(skip));
  }
  return intervals;
}

// The book the simulator's updates build.
storage::OrderBook SentDepthBook(const std::vector<Tick>& updates) {
  storage::OrderBookBuilder builder;
  for (const Tick& t : updates) (void)builder.Apply(t);  // a misfit is the simulator's bug
  return builder.book();
}

}  // namespace

void TruthDepthCollector::OnSubscription(const TruthSubscription& sub) {
  if (sub.stream != kDepthStream) return;
  if (sub.event == TruthSubscription::Event::kStart) {
    TruthDepthSubscription d;
    d.client_id = sub.client_id;
    d.req_id = sub.req_id;
    d.con_id = sub.con_id;
    d.symbol = sub.symbol;
    d.start = sub.time;
    subs_.push_back(std::move(d));
    return;
  }
  if (sub.event != TruthSubscription::Event::kEnd) return;
  for (auto it = subs_.rbegin(); it != subs_.rend(); ++it) {
    if (it->client_id != sub.client_id || it->req_id != sub.req_id || it->ended) continue;
    it->ended = true;
    it->dropped = sub.reason != "cancel";
    return;
  }
}

void TruthDepthCollector::OnTick(const TruthTick& tick) {
  if (tick.tick.type != TickType::kDepth) return;
  // The subscription currently open under these ids (the latest started).
  for (auto it = subs_.rbegin(); it != subs_.rend(); ++it) {
    if (it->client_id != tick.client_id || it->req_id != tick.req_id) continue;
    if (!it->ended) it->updates.push_back(tick.tick);
    return;
  }
}

bool SameDepthUpdate(const Tick& a, const Tick& b) {
  return a.book_operation == b.book_operation && a.book_side == b.book_side &&
         a.book_position == b.book_position && a.price == b.price && a.size == b.size &&
         a.exchange == b.exchange;
}

Result<std::vector<StreamCompleteness>> JudgeDepth(fs::FileSystem* fs, const std::string& root,
                                                   std::vector<TruthDepthSubscription> subs,
                                                   const std::set<StreamKey>& wanted,
                                                   TimePoint stop,
                                                   std::vector<storage::SkippedData>* skipped) {
  const TimePoint owed_before = FromUnixSeconds(ToUnixSeconds(stop));
  std::map<int32_t, std::vector<size_t>> by_contract;
  for (size_t i = 0; i < subs.size(); ++i) {
    const StreamKey key{subs[i].con_id, TickType::kDepth};
    if (wanted.empty() || wanted.count(key) > 0) by_contract[subs[i].con_id].push_back(i);
  }
  std::vector<StreamCompleteness> out;
  for (const auto& [con_id, of_contract] : by_contract) {
    StreamCompleteness s;
    s.stream = StreamKey{con_id, TickType::kDepth};
    s.by_sequence = true;
    s.symbol = subs[of_contract.front()].symbol;
    s.first_ask = subs[of_contract.front()].start;
    s.from = FromUnixSeconds(ToUnixSeconds(*s.first_ask));
    s.to = std::max(owed_before, s.from);
    auto intervals = ReadDepthIntervals(fs, root, con_id, s.from - kDepthQueryMargin,
                                        stop + kDepthQueryMargin, skipped);
    if (!intervals.ok()) return intervals.status();
    PairDepthIntervals(*intervals, subs, of_contract);
    std::set<int32_t> recorder_clients;
    std::vector<const StoredDepthInterval*> interval_of(subs.size(), nullptr);
    for (const StoredDepthInterval& interval : *intervals) {
      s.stored += interval.records.size();
      s.stored_live += interval.records.size();
      if (!interval.paired) {
        s.extra += interval.records.size();
        continue;
      }
      s.extra += interval.records.size() - interval.prefix;
      recorder_clients.insert(subs[*interval.paired].client_id);
      interval_of[*interval.paired] = &interval;
    }
    for (size_t i : of_contract) {
      const TruthDepthSubscription& sub = subs[i];
      if (!recorder_clients.empty() && recorder_clients.count(sub.client_id) == 0) continue;
      const auto owed = static_cast<uint64_t>(
          std::count_if(sub.updates.begin(), sub.updates.end(),
                        [&](const Tick& t) { return t.receive_time < owed_before; }));
      const StoredDepthInterval* interval = interval_of[i];
      const uint64_t matched = std::min<uint64_t>(owed, interval ? interval->prefix : 0);
      s.expected += owed;
      s.delivered += owed;
      s.matched += matched;
      s.matched_live += matched;
      if (matched < owed) {
        if (sub.dropped) s.lost += owed - matched;
        if (s.first_missing_seconds.size() < 5) {
          s.first_missing_seconds.push_back(
              FromUnixSeconds(ToUnixSeconds(sub.updates[matched].receive_time)));
        }
      }
      // The book at the end of an interval that stored everything its subscription was sent.
      if (interval == nullptr || interval->prefix != sub.updates.size() ||
          interval->records.size() != sub.updates.size() || sub.updates.empty()) {
        continue;
      }
      ++s.books_checked;
      auto book = storage::ReadBookAt(fs, root, con_id, interval->records.back().exchange_time,
                                      storage::BookAtOptions{});
      if (!book.ok()) return book.status();
      if (!(book->book == SentDepthBook(sub.updates))) ++s.books_differ;
    }
    s.missing = s.expected - s.matched;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace ibstream::verify
