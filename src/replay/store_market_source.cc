#include "replay/store_market_source.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/time_units.h"
#include "storage/layout.h"
#include "storage/query.h"

namespace ibstream::replay {
namespace {

constexpr int64_t kHourSeconds = storage::kNanosPerHour / kNanosPerSecond;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

bool Has(const std::map<StreamKey, storage::StreamExtent>& streams, int64_t contract,
         TickType type) {
  return streams.count(StreamKey{contract, type}) != 0;
}

}  // namespace

Result<std::shared_ptr<StoreMarketSource>> StoreMarketSource::Open(fs::FileSystem* fs,
                                                                   ReplayOptions options) {
  if (!(options.start < options.end)) {
    return InvalidArgument("replay window is empty: the start must be before the end");
  }
  Result<storage::StoreInventory> inventory = storage::ReadInventory(fs, options.store);
  if (!inventory.ok()) return inventory.status();
  std::shared_ptr<StoreMarketSource> source(new StoreMarketSource(fs, std::move(options)));
  const ReplayOptions& o = source->options_;
  std::set<int64_t> held;
  bool any = false;
  TimePoint held_first, held_last;  // the selected contracts' data, whatever the window
  for (const auto& [key, extent] : inventory->streams) {
    held.insert(key.contract_id);
    if (!o.contracts.empty() &&
        std::find(o.contracts.begin(), o.contracts.end(), key.contract_id) == o.contracts.end()) {
      continue;
    }
    source->streams_[key] = extent;
    if (!any || extent.first < held_first) held_first = extent.first;
    if (!any || extent.last > held_last) held_last = extent.last;
    const TimePoint first = std::max(extent.first, o.start);
    const TimePoint last = std::min(extent.last, o.end);
    if (!any || first < source->first_) source->first_ = first;
    if (!any || last > source->last_) source->last_ = last;
    any = true;
    if (source->contracts_.empty() || source->contracts_.back() != key.contract_id) {
      source->contracts_.push_back(key.contract_id);
    }
  }
  if (!any) {
    std::string what;
    for (const int64_t id : held) what += (what.empty() ? "" : ", ") + std::to_string(id);
    return NotFound("no recorded data to replay in " + o.store +
                    (held.empty()
                         ? ": the store holds no readable ticks (`ibstream verify --data " +
                               o.store + "` reports damaged files)"
                         : " for the selected contracts; it holds conIds " + what));
  }
  if (source->last_ < source->first_) {
    return NotFound("no recorded data to replay in " + o.store +
                    " inside the selected window; the selected contracts have data from " +
                    FormatIsoUtc(held_first) + " to " + FormatIsoUtc(held_last));
  }
  return source;
}

void StoreMarketSource::EventsOf(const sim::SimContract& contract, int64_t second,
                                 sim::SessionPhase /*phase*/,
                                 std::vector<sim::MarketEvent>& out) const {
  const TimePoint t = FromUnixSeconds(second);
  // A second overlapping the window (the window's bounds may fall inside a second).
  if (t + std::chrono::seconds(1) <= first_ || t > last_) return;
  const int64_t id = contract.con_id();
  if (!std::binary_search(contracts_.begin(), contracts_.end(), id)) return;
  std::lock_guard lock(mu_);
  const int64_t hour_start = FloorDiv(second, kHourSeconds) * kHourSeconds;
  const Hour& hour = HourOf(id, hour_start);
  const auto& events = hour.seconds[static_cast<size_t>(second - hour_start)];
  out.insert(out.end(), events.begin(), events.end());
}

const StoreMarketSource::Hour& StoreMarketSource::HourOf(int64_t contract,
                                                         int64_t hour_start) const {
  const auto key = std::make_pair(contract, hour_start);
  auto it = hours_.find(key);
  if (it == hours_.end()) {
    if (hours_.size() >= std::max<size_t>(options_.cached_hours, 1)) {
      auto oldest = std::min_element(
          hours_.begin(), hours_.end(),
          [](const auto& a, const auto& b) { return a.second.last_use < b.second.last_use; });
      hours_.erase(oldest);
    }
    it = hours_.emplace(key, Hour{}).first;
    Load(contract, hour_start, it->second);
  }
  it->second.last_use = ++uses_;
  return it->second;
}

std::vector<StreamKey> StoreMarketSource::ServedStreams(int64_t contract) const {
  std::vector<StreamKey> out;
  for (const auto& [key, extent] : streams_) {
    if (key.contract_id != contract) continue;
    // The fallback kinds only where no tick-by-tick stream says the same.
    if (key.type == TickType::kQuote && Has(streams_, contract, TickType::kBidAsk)) continue;
    if (key.type == TickType::kTrade && Has(streams_, contract, TickType::kLast)) continue;
    // Depth is served from the simulator's modelled book, not replayed (not a market event).
    if (key.type == TickType::kDepth) continue;
    out.push_back(key);
  }
  return out;
}

std::optional<TimePoint> StoreMarketSource::EdgeTick(int64_t contract,
                                                     const std::vector<TickType>& kinds,
                                                     bool last) const {
  storage::QueryRequest request;
  TimePoint lo = TimePoint::max();
  TimePoint hi = TimePoint::min();
  for (const StreamKey& key : ServedStreams(contract)) {
    if (std::find(kinds.begin(), kinds.end(), key.type) == kinds.end()) continue;
    const storage::StreamExtent& extent = streams_.at(key);
    request.streams.push_back(key);
    lo = std::min(lo, extent.first);
    hi = std::max(hi, extent.last);
  }
  if (request.streams.empty()) return std::nullopt;
  // A journal's extent is its ticks' (the last one included), a closed file's its whole hour.
  const TimePoint from = std::max(lo, options_.start);
  const TimePoint to = hi < options_.end ? hi + Duration(1) : options_.end;
  if (!(from < to)) return std::nullopt;
  const int64_t first_hour = FloorDiv(ToUnixNanos(from), kNanosPerSecond * kHourSeconds);
  const int64_t last_hour = FloorDiv(ToUnixNanos(to) - 1, kNanosPerSecond * kHourSeconds);
  for (int64_t i = 0; i <= last_hour - first_hour; ++i) {
    const int64_t hour = last ? last_hour - i : first_hour + i;
    const TimePoint hour_start = FromUnixSeconds(hour * kHourSeconds);
    request.from = std::max(hour_start, from);
    request.to = std::min(hour_start + std::chrono::hours(1), to);
    std::optional<TimePoint> edge;
    storage::QueryStats ignored;  // damage is reported when the hour is served (Load)
    const Status st = storage::QueryTicks(
        fs_, options_.store, request,
        [&](const Tick& t) {
          if (!edge || (last ? t.exchange_time > *edge : t.exchange_time < *edge)) {
            edge = t.exchange_time;
          }
          return Status::Ok();
        },
        &ignored);
    if (st.ok() && edge) return edge;
  }
  return std::nullopt;
}

std::optional<TimePoint> StoreMarketSource::FirstTickOf(const sim::SimContract& contract,
                                                        const std::vector<TickType>& kinds) const {
  return EdgeTick(contract.con_id(), kinds, /*last=*/false);
}

std::optional<int64_t> StoreMarketSource::EndSecondOf(const sim::SimContract& contract) const {
  static const std::vector<TickType> kServed = {TickType::kBidAsk,  TickType::kLast,
                                                TickType::kAllLast, TickType::kMidPoint,
                                                TickType::kQuote,   TickType::kTrade};
  const std::optional<TimePoint> last = EdgeTick(contract.con_id(), kServed, /*last=*/true);
  if (!last) return FloorDiv(ToUnixNanos(first_), kNanosPerSecond);
  return FloorDiv(ToUnixNanos(*last), kNanosPerSecond) + 1;
}

void StoreMarketSource::Load(int64_t contract, int64_t hour_start, Hour& hour) const {
  hour.seconds.assign(kHourSeconds, {});
  storage::QueryRequest request;
  request.streams = ServedStreams(contract);
  request.from = std::max(FromUnixSeconds(hour_start), options_.start);
  request.to = std::min(FromUnixSeconds(hour_start + kHourSeconds), options_.end);
  ++stats_.hours_loaded;
  if (request.streams.empty() || !(request.from < request.to)) return;
  storage::QueryStats query_stats;
  std::vector<int32_t> last_offset(kHourSeconds, 0);
  const Status st = storage::QueryTicks(
      fs_, options_.store, request,
      [&](const Tick& t) {
        const int64_t second = FloorDiv(ToUnixNanos(t.exchange_time), kNanosPerSecond);
        const int64_t index = second - hour_start;
        if (index < 0 || index >= kHourSeconds) return Status::Ok();  // never: the query's range
        sim::MarketEvent e = EventOf(t, second);
        int32_t& floor = last_offset[static_cast<size_t>(index)];
        e.offset_ns = std::max(e.offset_ns, floor);  // delivery order = stored order
        floor = e.offset_ns;
        hour.seconds[static_cast<size_t>(index)].push_back(e);
        ++stats_.ticks_loaded;
        return Status::Ok();
      },
      &query_stats);
  if (!st.ok()) {
    ++stats_.query_errors;
    spdlog::error("event=replay_query_failed store={} con_id={} hour={} error=\"{}\"",
                  options_.store, contract, FormatIsoUtc(FromUnixSeconds(hour_start)),
                  st.ToString());
  }
  for (const storage::SkippedData& skipped : query_stats.skipped) {
    if (!damaged_reported_.insert(skipped.path + "|" + skipped.reason).second) continue;
    ++stats_.damaged_pieces;
    stats_.skipped_bytes += skipped.bytes;
    spdlog::warn("event=replay_damaged_data path={} bytes={} reason=\"{}\" (replayed as a gap)",
                 skipped.path, skipped.bytes, skipped.reason);
  }
}

sim::MarketEvent StoreMarketSource::EventOf(const Tick& t, int64_t second) const {
  sim::MarketEvent e;
  // Comparisons first: a stored receive time is untrusted and may be anywhere.
  const TimePoint second_start = FromUnixSeconds(second);
  if (t.receive_time <= second_start) {
    e.offset_ns = 0;
  } else if (t.receive_time >= second_start + std::chrono::seconds(1)) {
    e.offset_ns = static_cast<int32_t>(kNanosPerSecond - 1);
  } else {
    e.offset_ns = static_cast<int32_t>((t.receive_time - second_start).count());
  }
  e.only = t.type;
  e.attributes = t.attributes;
  switch (t.type) {
    case TickType::kBidAsk:
    case TickType::kQuote:
      e.kind = sim::MarketEvent::Kind::kQuote;
      e.bid = t.bid_price;
      e.ask = t.ask_price;
      e.bid_size = t.bid_size;
      e.ask_size = t.ask_size;
      e.midpoint_changed = false;
      break;
    case TickType::kMidPoint:
      e.kind = sim::MarketEvent::Kind::kQuote;
      e.price = t.price;
      e.bid = t.price;
      e.ask = t.price;
      break;
    case TickType::kLast:
    case TickType::kAllLast:
    case TickType::kTrade:
      e.kind = sim::MarketEvent::Kind::kTrade;
      e.price = t.price;
      e.size = t.size;
      e.unreported = (t.attributes & kAttrUnreported) != 0;
      if (!t.exchange.empty()) e.exchange = Intern(t.exchange);
      if (!t.special_conditions.empty()) e.special_conditions = Intern(t.special_conditions);
      break;
    case TickType::kDepth:  // never queried (Load)
      break;
  }
  return e;
}

const std::string* StoreMarketSource::Intern(const std::string& text) const {
  return &*strings_.insert(text).first;
}

ReplayStats StoreMarketSource::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace ibstream::replay
