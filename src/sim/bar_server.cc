#include "sim/bar_server.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "calendar/time_zone.h"
#include "protocol/server_messages.h"
#include "sim/historical_answers.h"

namespace ibstream::sim {
namespace {

constexpr int64_t kDaySeconds = 86400;
constexpr int64_t kNanos = 1'000'000'000;
// A subscription that fell further behind the clock than this (a long clock jump) resumes at
// the clock instead of replaying every 5 s step.
constexpr int64_t kMaxCatchUpSeconds = 3600;

std::string Validation(std::string_view code, std::string_view cause) {
  return fmt::format("Error validating request.-'{}' : cause - {}", code, cause);
}

const calendar::TimeZone& ZoneOf(const SimContract& c) { return c.sessions->zone(); }

// Start (Unix seconds) of the bar of `bar_seconds` holding `second`: aligned from local midnight.
int64_t BucketStart(const calendar::TimeZone& zone, int64_t second, int64_t bar_seconds) {
  const int64_t local =
      ToUnixSeconds(TimePoint(zone.ToLocal(FromUnixSeconds(second)).time_since_epoch()));
  const int64_t offset = ((local % bar_seconds) + bar_seconds) % bar_seconds;
  return second - offset;
}

// "20250811 10:12:00 US/Central" in the contract's zone.
std::string LocalText(const calendar::TimeZone& zone, int64_t second) {
  return date::format("%Y%m%d %H:%M:%S", zone.ToLocal(FromUnixSeconds(second))) + " " + zone.id();
}

std::string BarDate(const calendar::TimeZone& zone, int64_t start, int64_t bar_seconds,
                    int32_t format_date) {
  if (bar_seconds >= kDaySeconds) {
    return date::format("%Y%m%d", zone.ToLocal(FromUnixSeconds(start)));
  }
  return format_date == 2 ? std::to_string(start) : LocalText(zone, start);
}

struct BuiltBar {
  std::string date;
  BarValues values;
};

// Bars of `bar_seconds` over the trading seconds of [from, to), skipping closed time.
std::vector<BuiltBar> BuildBars(const SimMarket& market, const TickGenerator& generator,
                                BarKind kind, int64_t bar_seconds, bool use_rth,
                                int32_t format_date, int64_t from, int64_t to) {
  std::vector<BuiltBar> bars;
  const calendar::TimeZone& zone = ZoneOf(market.contract());
  const auto& sessions = market.calendar().trading_sessions();
  BarAccumulator acc(kind);
  int64_t bucket = 0;
  bool have_bucket = false;
  const auto flush = [&] {
    if (!have_bucket) return;
    const int64_t end = std::min(bucket + bar_seconds, to);
    if (auto v = acc.Finish(FromUnixSeconds(end))) {
      bars.push_back({BarDate(zone, bucket, bar_seconds, format_date), *v});
    }
  };
  std::vector<Tick> ticks;
  int64_t s = from;
  while (s < to) {
    const TimePoint t = FromUnixSeconds(s);
    auto it =
        std::upper_bound(sessions.begin(), sessions.end(), t,
                         [](TimePoint v, const calendar::TimeSpan& span) { return v < span.end; });
    if (it == sessions.end()) break;
    if (t < it->start) {
      s = ToUnixSeconds(it->start + Duration(kNanos - 1));
      continue;
    }
    const int64_t b = BucketStart(zone, s, bar_seconds);
    if (!have_bucket || b != bucket) {
      flush();
      bucket = b;
      have_bucket = true;
    }
    ticks.clear();
    market.SecondTicks(generator, s, BarSourceType(kind), use_rth, ticks);
    for (const Tick& tick : ticks) acc.Add(tick);
    ++s;
  }
  flush();
  return bars;
}

// Adds the ticks of the seconds [from, to) to `acc`.
void AddSeconds(const SimMarket& market, const TickGenerator& generator, BarKind kind, bool use_rth,
                int64_t from, int64_t to, BarAccumulator& acc) {
  std::vector<Tick> ticks;
  for (int64_t s = from; s < to; ++s) {
    ticks.clear();
    market.SecondTicks(generator, s, BarSourceType(kind), use_rth, ticks);
    for (const Tick& tick : ticks) acc.Add(tick);
  }
}

protocol::Bar WireBar(const BuiltBar& b) {
  protocol::Bar w;
  w.date = b.date;
  w.open = b.values.open;
  w.high = b.values.high;
  w.low = b.values.low;
  w.close = b.values.close;
  w.volume = b.values.volume;
  w.wap = b.values.wap;
  w.bar_count = b.values.count;
  return w;
}

}  // namespace

bool BarServer::RefuseDuplicate(ClientSession& s, int32_t req_id) {
  if (subs_.count({s.id, req_id}) == 0) return false;
  SendError(s, req_id, 322, "Error processing request.-'bQ' : cause - Duplicate ticker id");
  return true;
}

void BarServer::AnswerHistoricalData(ClientSession& s, const protocol::ReqHistoricalData& r,
                                     const SimContract& c) {
  const auto refuse = [&](int32_t code, const std::string& text) {
    counters_.Add(&SimulatorStats::bar_request_errors);
    SendError(s, r.req_id, code, text);
  };
  const std::optional<BarKind> kind = BarKindFromWhatToShow(r.what_to_show);
  if (!kind) return refuse(321, Validation("bP", "Unknown data type " + r.what_to_show));
  const Result<int64_t> bar_seconds = ParseBarSize(r.bar_size_setting);
  if (!bar_seconds.ok()) {
    return refuse(321, Validation("bP", "Historical data " + bar_seconds.status().message()));
  }
  const Result<int64_t> duration = ParseBarDuration(r.duration);
  if (!duration.ok()) {
    return refuse(321, Validation("bP", "Historical data " + duration.status().message()));
  }
  if (r.format_date != 1 && r.format_date != 2) {
    return refuse(321, Validation("bP", "formatDate must be 1 or 2"));
  }
  if (r.keep_up_to_date && !r.end_date_time.empty()) {
    return refuse(321, Validation("bP", "End date not supported with live updates"));
  }
  if (!StepSizeAllowed(*bar_seconds, *duration)) {
    return refuse(162, "Historical Market Data Service error message:Time length exceed max.");
  }
  const auto fail = [&](const std::string& detail) {
    SendError(s, r.req_id, 162, "Historical Market Data Service error message:" + detail);
  };
  if (faults_.HistoricalFarmDown()) return fail("HMDS server disconnect occurred");
  if (r.keep_up_to_date && RefuseDuplicate(s, r.req_id)) return;
  const TimePoint now = clock_.Now();
  if (faults_.pacing > 0) {
    counters_.Add(&SimulatorStats::pacing_violations);
    return fail("Historical data request pacing violation");
  }
  HistoricalRequestKey key;
  key.contract_key = fmt::format("{}|{}|{}", c.con_id(), r.contract.exchange, r.what_to_show);
  key.identity = fmt::format("bars|{}|{}|{}|{}|{}|{}|{}|{}", key.contract_key, r.end_date_time,
                             r.bar_size_setting, r.duration, r.use_rth, r.format_date,
                             r.keep_up_to_date, s.client_id);
  key.weight = *kind == BarKind::kBidAsk ? 2 : 1;
  if (auto violation = pacer_.Admit(key, now)) {
    counters_.Add(&SimulatorStats::pacing_violations);
    return fail(*violation);
  }
  const int64_t now_second = ToUnixSeconds(now);  // the current second is incomplete
  int64_t end = now_second;
  if (!r.end_date_time.empty()) {
    Result<TimePoint> when = ParseIbDateTime(r.end_date_time);
    if (!when.ok()) return refuse(321, Validation("bP", when.status().message()));
    end = std::min(end, ToUnixSeconds(*when));
  }
  const int64_t start = end - *duration;
  const MarketRuntime* m = markets_.Find(c.con_id());
  if (m == nullptr) return fail("No market data permissions");
  const SimMarket& market = *m->market;
  const std::vector<BuiltBar> bars =
      BuildBars(market, generator_, *kind, *bar_seconds, r.use_rth, r.format_date, start, end);
  std::vector<protocol::Bar> wire;
  wire.reserve(bars.size());
  for (const BuiltBar& b : bars) wire.push_back(WireBar(b));
  const calendar::TimeZone& zone = ZoneOf(c);
  const std::string start_text = LocalText(zone, start);
  const std::string end_text = LocalText(zone, end);
  Send(s, protocol::HistoricalData{r.req_id, start_text, end_text, wire});
  if (!r.keep_up_to_date) return;
  Subscription sub;
  sub.con_id = c.con_id();
  sub.kind = *kind;
  sub.use_rth = r.use_rth;
  sub.bar_seconds = *bar_seconds;
  sub.format_date = r.format_date;
  sub.next_boundary = (now_second / kRealTimeBarSeconds + 1) * kRealTimeBarSeconds;
  subs_[{s.id, r.req_id}] = sub;
}

void BarServer::StartRealTimeBars(ClientSession& s, const protocol::ReqRealTimeBars& r,
                                  const SimContract& c) {
  const auto refuse = [&](const std::string& cause) {
    counters_.Add(&SimulatorStats::bar_request_errors);
    SendError(s, r.req_id, 321, Validation("bR", cause));
  };
  const std::optional<BarKind> kind = BarKindFromWhatToShow(r.what_to_show);
  if (!kind || *kind == BarKind::kBidAsk) return refuse("Unknown data type " + r.what_to_show);
  if (r.bar_size != kRealTimeBarSeconds) return refuse("Invalid bar size");
  if (RefuseDuplicate(s, r.req_id)) return;
  Subscription sub;
  sub.con_id = c.con_id();
  sub.kind = *kind;
  sub.real_time = true;
  sub.use_rth = r.use_rth;
  const int64_t now_second = ToUnixSeconds(clock_.Now());
  sub.next_boundary = (now_second / kRealTimeBarSeconds + 1) * kRealTimeBarSeconds;
  subs_[{s.id, r.req_id}] = sub;
}

void BarServer::Cancel(ClientSession& s, int32_t req_id) { subs_.erase({s.id, req_id}); }

void BarServer::Poll(TimePoint now) {
  if (subs_.empty()) return;
  const int64_t now_second = ToUnixSeconds(now);
  for (auto it = subs_.begin(); it != subs_.end();) {
    ClientSession* session = nullptr;
    for (const ClientSessionPtr& p : sessions_.sessions()) {
      if (p->id == it->first.first && p->open) session = p.get();
    }
    if (session == nullptr) {
      it = subs_.erase(it);
      continue;
    }
    SendDue(*session, it->first.second, it->second, now_second);
    ++it;
  }
}

void BarServer::SendDue(ClientSession& s, int32_t req_id, Subscription& sub, int64_t now_second) {
  const MarketRuntime* m = markets_.Find(sub.con_id);
  if (m == nullptr) return;
  const SimMarket& market = *m->market;
  if (now_second - sub.next_boundary > kMaxCatchUpSeconds) {
    sub.next_boundary = now_second / kRealTimeBarSeconds * kRealTimeBarSeconds;
  }
  const calendar::TimeZone& zone = ZoneOf(market.contract());
  for (; sub.next_boundary <= now_second; sub.next_boundary += kRealTimeBarSeconds) {
    const int64_t boundary = sub.next_boundary;
    if (sub.real_time) {
      const int64_t start = boundary - kRealTimeBarSeconds;
      const auto bars = BuildBars(market, generator_, sub.kind, kRealTimeBarSeconds, sub.use_rth, 2,
                                  start, boundary);
      if (bars.empty()) continue;
      const BarValues& v = bars.back().values;
      Send(s, protocol::RealTimeBar{req_id, start, v.open, v.high, v.low, v.close, v.volume, v.wap,
                                    v.count});
      continue;
    }
    // keepUpToDate: the bar in progress, from its start up to this instant.
    const int64_t bucket = BucketStart(zone, boundary - 1, sub.bar_seconds);
    if (bucket != sub.bucket) {
      sub.in_progress = BarAccumulator(sub.kind);
      sub.bucket = bucket;
      sub.filled_to = bucket;
    }
    AddSeconds(market, generator_, sub.kind, sub.use_rth, sub.filled_to, boundary, sub.in_progress);
    sub.filled_to = boundary;
    const std::optional<BarValues> v = sub.in_progress.Peek(FromUnixSeconds(boundary));
    if (!v) continue;
    Send(s, protocol::HistoricalDataUpdate{
                req_id, WireBar({BarDate(zone, bucket, sub.bar_seconds, sub.format_date), *v})});
  }
}

}  // namespace ibstream::sim
