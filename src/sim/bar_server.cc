#include "sim/bar_server.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "calendar/time_zone.h"
#include "common/time_units.h"
#include "protocol/server_messages.h"
#include "sim/historical_answers.h"

namespace ibstream::sim {
namespace {

constexpr int64_t kDaySeconds = 86400;
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

void FlushBar(const calendar::TimeZone& zone, BarJob& job) {
  if (!job.have_bucket) return;
  const int64_t end = std::min(job.bucket + job.bar_seconds, job.end);
  if (auto v = job.acc.Finish(FromUnixSeconds(end))) {
    job.bars.push_back({BarDate(zone, job.bucket, job.bar_seconds, job.format_date), *v});
  }
  job.have_bucket = false;
}

// Scans `job`'s window on from its cursor, at most `budget` trading seconds (closed time is
// skipped at no cost); true when the window is done and every bar built.
bool ScanBars(const SimMarket& market, const TickGenerator& generator, BarJob& job,
              int64_t budget) {
  const calendar::TimeZone& zone = ZoneOf(market.contract());
  const auto& sessions = market.calendar().trading_sessions();
  std::vector<Tick> ticks;
  int64_t scanned = 0;
  while (job.cursor < job.end) {
    if (scanned >= budget) return false;
    const TimePoint t = FromUnixSeconds(job.cursor);
    auto it =
        std::upper_bound(sessions.begin(), sessions.end(), t,
                         [](TimePoint v, const calendar::TimeSpan& span) { return v < span.end; });
    if (it == sessions.end()) break;
    if (t < it->start) {
      job.cursor = ToUnixSeconds(it->start + Duration(kNanosPerSecond - 1));
      continue;
    }
    const int64_t b = BucketStart(zone, job.cursor, job.bar_seconds);
    if (!job.have_bucket || b != job.bucket) {
      FlushBar(zone, job);
      job.bucket = b;
      job.have_bucket = true;
    }
    ticks.clear();
    market.SecondTicks(generator, job.cursor, BarSourceType(job.kind), job.use_rth, ticks);
    for (const Tick& tick : ticks) job.acc.Add(tick);
    ++job.cursor;
    ++scanned;
  }
  job.cursor = job.end;
  FlushBar(zone, job);
  return true;
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
  const bool pending = std::any_of(jobs_.begin(), jobs_.end(), [&](const BarJob& j) {
    return j.session_id == s.id && j.req_id == req_id;
  });
  if (subs_.count({s.id, req_id}) == 0 && !pending) return false;
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
  const TimePoint now = clock_.Now();
  const int64_t now_second = ToUnixSeconds(now);  // the current second is incomplete
  int64_t end = now_second;
  if (!r.end_date_time.empty()) {
    Result<TimePoint> when = ParseIbDateTime(r.end_date_time);
    if (!when.ok()) return refuse(321, Validation("bP", when.status().message()));
    end = std::min(end, ToUnixSeconds(*when));
  }
  if (faults_.HistoricalFarmDown()) return fail("HMDS server disconnect occurred");
  if (RefuseDuplicate(s, r.req_id)) return;
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
  const int64_t start = end - *duration;
  const MarketRuntime* m = markets_.Find(c.con_id());
  if (m == nullptr) return fail("No market data permissions");
  BarJob job;
  job.session_id = s.id;
  job.req_id = r.req_id;
  job.con_id = c.con_id();
  job.kind = *kind;
  job.bar_seconds = *bar_seconds;
  job.use_rth = r.use_rth;
  job.format_date = r.format_date;
  job.keep_up_to_date = r.keep_up_to_date;
  job.start = start;
  job.end = end;
  job.cursor = start;
  job.acc = BarAccumulator(*kind);
  if (ScanBars(*m->market, generator_, job, kBarScanBudgetSeconds)) {
    Finish(s, job);
  } else {
    jobs_.push_back(std::move(job));
  }
}

void BarServer::Finish(ClientSession& s, const BarJob& job) {
  std::vector<protocol::Bar> wire;
  wire.reserve(job.bars.size());
  for (const BuiltBar& b : job.bars) wire.push_back(WireBar(b));
  const MarketRuntime* m = markets_.Find(job.con_id);
  const calendar::TimeZone& zone = ZoneOf(m->market->contract());
  const std::string start_text = LocalText(zone, job.start);
  const std::string end_text = LocalText(zone, job.end);
  Send(s, protocol::HistoricalData{job.req_id, start_text, end_text, wire});
  if (!job.keep_up_to_date) return;
  Subscription sub;
  sub.con_id = job.con_id;
  sub.kind = job.kind;
  sub.use_rth = job.use_rth;
  sub.bar_seconds = job.bar_seconds;
  sub.format_date = job.format_date;
  sub.next_boundary = (job.end / kRealTimeBarSeconds + 1) * kRealTimeBarSeconds;
  if (EndIfOver(s, job.req_id, sub)) return;
  subs_[{s.id, job.req_id}] = sub;
}

bool BarServer::EndIfOver(ClientSession& s, int32_t req_id, const Subscription& sub) {
  const MarketRuntime* m = markets_.Find(sub.con_id);
  // Every update or bar still to come would start at or after the recording's end.
  if (m == nullptr || sub.next_boundary - kRealTimeBarSeconds < m->end_second) return false;
  markets_.SendEnded(s, req_id, m->market->contract());
  return true;
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
  if (EndIfOver(s, r.req_id, sub)) return;
  subs_[{s.id, r.req_id}] = sub;
}

void BarServer::Cancel(ClientSession& s, int32_t req_id) {
  subs_.erase({s.id, req_id});
  std::erase_if(jobs_, [&](const BarJob& j) { return j.session_id == s.id && j.req_id == req_id; });
}

ClientSession* BarServer::OpenSession(uint64_t id) const {
  for (const ClientSessionPtr& p : sessions_.sessions()) {
    if (p->id == id && p->open) return p.get();
  }
  return nullptr;
}

void BarServer::Poll(TimePoint now, bool bounded) {
  int64_t budget = bounded ? kBarScanBudgetSeconds : INT64_MAX;
  while (!jobs_.empty() && budget > 0) {
    BarJob& job = jobs_.front();
    ClientSession* session = OpenSession(job.session_id);
    const MarketRuntime* m = markets_.Find(job.con_id);
    if (session == nullptr || m == nullptr) {
      jobs_.erase(jobs_.begin());
      continue;
    }
    const int64_t before = job.cursor;
    const bool done = ScanBars(*m->market, generator_, job, budget);
    budget -= std::max<int64_t>(1, job.cursor - before);
    if (!done) break;
    Finish(*session, job);
    jobs_.erase(jobs_.begin());
  }
  if (subs_.empty()) return;
  const int64_t now_second = ToUnixSeconds(now);
  for (auto it = subs_.begin(); it != subs_.end();) {
    ClientSession* session = OpenSession(it->first.first);
    if (session == nullptr) {
      it = subs_.erase(it);
      continue;
    }
    SendDue(*session, it->first.second, it->second, now_second);
    if (EndIfOver(*session, it->first.second, it->second)) {
      it = subs_.erase(it);
      continue;
    }
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
      BarAccumulator acc(sub.kind);
      AddSeconds(market, generator_, sub.kind, sub.use_rth, start, boundary, acc);
      const std::optional<BarValues> v = acc.Finish(FromUnixSeconds(boundary));
      if (!v) continue;
      Send(s, protocol::RealTimeBar{req_id, start, v->open, v->high, v->low, v->close, v->volume,
                                    v->wap, v->count});
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
    const BuiltBar bar{BarDate(zone, bucket, sub.bar_seconds, sub.format_date), *v};
    Send(s, protocol::HistoricalDataUpdate{req_id, WireBar(bar)});
  }
}

}  // namespace ibstream::sim
