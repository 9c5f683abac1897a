#include "cli/merge_api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "storage/gap_ledger.h"
#include "storage/inventory.h"
#include "storage/query.h"

namespace ibstream::cli {
namespace {

using Json = nlohmann::json;

Json MergeApiOptionalTime(const std::optional<TimePoint>& t) {
  return t ? Json(FormatIsoUtc(*t)) : Json(nullptr);
}

double MergeApiSeconds(Duration d) { return std::chrono::duration<double>(d).count(); }

// The newest tick of any recorder: what each recorder's lag is measured against.
std::optional<TimePoint> NewestOfRecorders(const cluster::NatsMergeProgress& progress) {
  std::optional<TimePoint> newest;
  for (const cluster::RecorderProgress& r : progress.recorders) {
    if (r.latest && (!newest || *r.latest > *newest)) newest = r.latest;
  }
  return newest;
}

// Seconds `r` is behind the newest recorder; none before it delivered a tick.
std::optional<double> RecorderLag(const cluster::RecorderProgress& r,
                                  const std::optional<TimePoint>& newest) {
  if (!r.latest || !newest) return std::nullopt;
  return MergeApiSeconds(*newest - *r.latest);
}

recorder::TickOrigin OriginOf(const Tick& tick) {
  return tick.source == TickSource::kBackfill ? recorder::TickOrigin::kBackfilled
                                              : recorder::TickOrigin::kLive;
}

}  // namespace

MergeApi::MergeApi(fs::FileSystem* fs, const Clock& clock, MergeApiOptions options)
    : fs_(fs), clock_(clock), options_(std::move(options)), started_at_(clock.Now()) {
  ReadStore();
}

void MergeApi::Attach(cluster::NatsMergeOptions* options) {
  options->on_progress = [this](const cluster::NatsMergeProgress& p) { OnProgress(p); };
  options->after_merge =
      [this, earlier = std::move(options->after_merge)](const merge::MergeReport& report) {
        if (earlier && !earlier(report)) return false;
        OnMerged(report);
        return true;
      };
}

void MergeApi::OnProgress(const cluster::NatsMergeProgress& progress) {
  std::lock_guard lock(mu_);
  progress_ = progress;
}

void MergeApi::OnMerged(const merge::MergeReport& report) {
  {
    std::lock_guard lock(mu_);
    for (const merge::StreamMergeReport& s : report.streams) merged_ticks_[s.stream] += s.ticks;
    merged_total_ += report.ticks;
  }
  ReadStore();
  PublishDecided(report);
}

void MergeApi::ReadStore() {
  std::string error;
  auto state = merge::ReadMergeState(fs_, options_.out);
  if (!state.ok()) error = state.status().ToString();
  std::vector<storage::GapRecord> gaps;
  if (storage::CheckIsStore(fs_, options_.out).ok()) {
    auto read = storage::GapLedger::ReadAll(fs_, options_.out, nullptr);
    if (read.ok()) {
      gaps = std::move(*read);
    } else {
      error = read.status().ToString();
    }
  }
  if (!error.empty()) spdlog::warn("event=merge_api_store_unreadable error=\"{}\"", error);
  std::lock_guard lock(mu_);
  if (state.ok()) state_ = std::move(*state);
  if (error.empty()) gaps_ = std::move(gaps);
  store_error_ = error;
}

// The ticks `report` decided, read back from the merged store (so subscribers get exactly what
// it holds), in exchange-time order across its streams.
void MergeApi::PublishDecided(const merge::MergeReport& report) {
  if (fanout_.subscriber_count() == 0) return;
  std::map<StreamKey, std::pair<TimePoint, TimePoint>> ranges;
  std::optional<TimePoint> from;
  std::optional<TimePoint> to;
  for (const merge::StreamMergeReport& s : report.streams) {
    if (s.ticks == 0) continue;
    ranges[s.stream] = {s.from, s.to};
    from = from ? std::min(*from, s.from) : s.from;
    to = to ? std::max(*to, s.to) : s.to;
  }
  if (ranges.empty()) return;
  std::vector<StreamKey> streams;
  for (const auto& [key, range] : ranges) streams.push_back(key);
  const Status read = storage::QueryTicks(
      fs_, options_.out, {streams, *from, *to},
      [&](const Tick& tick) {
        const auto& [begin, end] = ranges.at(tick.stream());
        if (tick.exchange_time >= begin && tick.exchange_time < end) {
          // Counted before the hand-off: a subscriber that has a tick finds it counted.
          {
            std::lock_guard lock(mu_);
            ++live_ticks_;
          }
          fanout_.Publish(tick, OriginOf(tick));
        }
        return Status::Ok();
      },
      nullptr);
  std::lock_guard lock(mu_);
  if (!read.ok()) {
    ++live_errors_;
    spdlog::warn("event=merge_api_live_read_failed error=\"{}\"", read.ToString());
  }
}

uint64_t MergeApi::live_ticks() const {
  std::lock_guard lock(mu_);
  return live_ticks_;
}

uint64_t MergeApi::live_errors() const {
  std::lock_guard lock(mu_);
  return live_errors_;
}

std::shared_ptr<const recorder::RecorderView> MergeApi::View() const {
  auto view = std::make_shared<recorder::RecorderView>();
  view->now = clock_.Now();
  view->started_at = started_at_;
  view->ready = true;
  view->storage.path = options_.out;
  std::lock_guard lock(mu_);
  view->gateway.connected = progress_.connected;
  view->gateway.state = progress_.connected ? "up" : "down";
  view->gateway.host = options_.nats_url;
  view->counters.ticks_received = progress_.stats.ticks;
  view->counters.ticks_stored = merged_total_;
  view->gaps = gaps_;
  std::set<StreamKey> open_gaps;
  for (const auto& [key, s] : state_.streams) {
    if (s.open_gap_id != 0) open_gaps.insert(key);
  }
  for (const auto& [key, s] : state_.streams) {
    const int64_t contract_id = key.contract_id;  // a lambda may not capture a binding (C++20)
    auto c =
        std::find_if(view->contracts.begin(), view->contracts.end(),
                     [&](const recorder::ContractView& v) { return v.contract_id == contract_id; });
    if (c == view->contracts.end()) {
      recorder::ContractView fresh;
      fresh.contract_id = key.contract_id;
      fresh.description = std::to_string(key.contract_id) + " (merged)";
      fresh.key = "con_" + std::to_string(key.contract_id);
      fresh.resolved = true;
      fresh.status = reliability::HealthStatus::kHealthy;
      view->contracts.push_back(std::move(fresh));
      c = view->contracts.end() - 1;
    }
    c->expected_types.push_back(key.type);
    recorder::StreamView stream;
    stream.key = key;
    stream.route = "merged";
    stream.route_reason = s.source.empty() ? "" : "last second from " + s.source;
    stream.subscribed = true;
    const auto ticks = merged_ticks_.find(key);
    stream.ticks = ticks == merged_ticks_.end() ? 0 : ticks->second;
    if (s.merged_to > TimePoint{})
      stream.last_exchange_time = s.merged_to - std::chrono::seconds(1);
    if (open_gaps.count(key) != 0) {
      stream.interrupted_since = s.open_gap_start;
      stream.interruption_cause = s.open_gap_cause;
      c->status = reliability::HealthStatus::kDegraded;
    }
    c->streams.push_back(std::move(stream));
  }
  view->overall = reliability::HealthStatus::kHealthy;
  for (const recorder::ContractView& c : view->contracts) {
    if (c.status != reliability::HealthStatus::kHealthy) view->overall = c.status;
  }
  return view;
}

std::string MergeApi::StatusJson() const {
  std::lock_guard lock(mu_);
  const cluster::NatsMergeStats& s = progress_.stats;
  const std::optional<TimePoint> newest = NewestOfRecorders(progress_);
  Json sources = Json::array();
  for (const cluster::RecorderProgress& r : progress_.recorders) {
    const std::optional<double> lag = RecorderLag(r, newest);
    sources.push_back({{"recorder_id", r.recorder_id},
                       {"ticks", r.ticks},
                       {"gaps", r.gaps},
                       {"held_ticks", r.held_ticks},
                       {"held_gaps", r.held_gaps},
                       {"latest", MergeApiOptionalTime(r.latest)},
                       {"lag_seconds", lag ? Json(*lag) : Json(nullptr)}});
  }
  Json streams = Json::array();
  for (const auto& [key, st] : state_.streams) {
    const auto ticks = merged_ticks_.find(key);
    streams.push_back({{"contract_id", key.contract_id},
                       {"tick_type", std::string(TickTypeName(key.type))},
                       {"merged_to", FormatIsoUtc(st.merged_to)},
                       {"last_merged_second", FormatIsoUtc(st.merged_to - std::chrono::seconds(1))},
                       {"last_source", st.source},
                       {"ticks_merged", ticks == merged_ticks_.end() ? 0 : ticks->second},
                       {"open_gap_id", st.open_gap_id}});
  }
  Json merge = {{"store", options_.out},
                {"nats", options_.nats_url},
                {"connected", progress_.connected},
                {"messages", s.messages},
                {"ticks_received", s.ticks},
                {"gap_records_received", s.gaps},
                {"bad_messages", s.bad_messages},
                {"fetch_errors", s.fetch_errors},
                {"merges", s.merges},
                {"merges_deferred", s.merges_deferred},
                {"ticks_merged", merged_total_},
                {"acknowledged", s.acknowledged},
                {"merged_gaps", gaps_.size()},
                {"damaged", s.damaged},
                {"merge_end", MergeApiOptionalTime(progress_.merge_end)},
                {"unheard_recorders", progress_.unheard},
                {"waiting_for_unheard", progress_.waiting_for_unheard},
                {"decided_without_unheard", s.decided_without_unheard},
                {"last_error", s.last_error},
                {"store_error", store_error_},
                {"live_ticks_sent", live_ticks_},
                {"sources", std::move(sources)},
                {"streams", std::move(streams)}};
  return Json{{"merge", std::move(merge)}}.dump();
}

void MergeApi::WriteMetrics(http::PrometheusWriter& w) const {
  std::lock_guard lock(mu_);
  const cluster::NatsMergeStats& s = progress_.stats;
  auto counter = [&w](const char* name, const char* help, uint64_t value) {
    w.Family(name, "counter", help);
    w.Sample(static_cast<double>(value));
  };
  w.Family("ibstream_merge_nats_connected", "gauge", "1 while the merge's consumer is connected.");
  w.Sample(progress_.connected ? 1 : 0);
  counter("ibstream_merge_messages_total", "Messages fetched from JetStream.", s.messages);
  counter("ibstream_merge_bad_messages_total", "Messages that did not decode (acknowledged).",
          s.bad_messages);
  counter("ibstream_merge_fetch_errors_total", "Failed connects, fetches and acknowledgments.",
          s.fetch_errors);
  counter("ibstream_merge_runs_total", "Merges written to the merged store.", s.merges);
  counter("ibstream_merge_runs_deferred_total",
          "Merges put off while the consumer had unacknowledged deliveries this run did not hold.",
          s.merges_deferred);
  counter("ibstream_merge_decided_without_unheard_total",
          "Continuous merges that decided seconds without a named recorder never heard from "
          "(after --wait-for-recorders).",
          s.decided_without_unheard);
  w.Family("ibstream_merge_unheard_recorders", "gauge",
           "Recorders named by --recorders that nothing was received from in this run.");
  w.Sample(static_cast<double>(progress_.unheard.size()));
  counter("ibstream_merge_ticks_merged_total", "Ticks written to the merged store by this run.",
          merged_total_);
  counter("ibstream_merge_live_ticks_total", "Merged ticks handed to live subscribers.",
          live_ticks_);
  w.Family("ibstream_merge_gaps", "gauge", "Gap records in the merged store's ledger.");
  w.Sample(static_cast<double>(gaps_.size()));
  w.Family("ibstream_merge_recorder_ticks_total", "counter",
           "Tick messages received, by recorder (deliveries again included).");
  for (const cluster::RecorderProgress& r : progress_.recorders) {
    w.Sample(static_cast<double>(r.ticks), {{"recorder", r.recorder_id}});
  }
  w.Family("ibstream_merge_recorder_lag_seconds", "gauge",
           "Exchange time a recorder's newest tick is behind the newest of any recorder.");
  const std::optional<TimePoint> newest = NewestOfRecorders(progress_);
  for (const cluster::RecorderProgress& r : progress_.recorders) {
    if (auto lag = RecorderLag(r, newest)) w.Sample(*lag, {{"recorder", r.recorder_id}});
  }
  w.Family("ibstream_merge_merged_to_seconds", "gauge",
           "Per stream, the exchange time (Unix seconds) every second before which is decided.");
  for (const auto& [key, st] : state_.streams) {
    w.Sample(static_cast<double>(ToUnixSeconds(st.merged_to)),
             {{"contract_id", std::to_string(key.contract_id)},
              {"tick_type", std::string(TickTypeName(key.type))}});
  }
}

Status MergeApi::Query(const std::vector<StreamKey>& streams, TimePoint from, TimePoint to,
                       const std::function<Status(const Tick&)>& sink,
                       storage::QueryStats* stats) const {
  return storage::QueryTicks(fs_, options_.out, {streams, from, to}, sink, stats);
}

uint64_t MergeApi::Subscribe(recorder::TickFanout::Filter filter,
                             recorder::TickFanout::Consumer consumer) {
  return fanout_.Subscribe(std::move(filter), std::move(consumer));
}

void MergeApi::Unsubscribe(uint64_t id) { fanout_.Unsubscribe(id); }

Status MergeApi::RequestBackfill(const StreamKey&, TimePoint, TimePoint) {
  return FailedPrecondition("a merged store is not backfilled: backfill the recorders");
}

Status MergeApi::RetryGap(uint64_t) {
  return FailedPrecondition("a merged gap is lost by every recorder: nothing to retry here");
}

Result<recorder::ContractChange> MergeApi::Track(std::string_view) {
  return FailedPrecondition("the merge records what the recorders publish: track it there");
}

Result<recorder::ContractChange> MergeApi::Untrack(std::string_view) {
  return FailedPrecondition("the merge records what the recorders publish: untrack it there");
}

Result<std::shared_ptr<const calendar::MarketCalendar>> MergeApi::Calendar(
    int64_t contract_id) const {
  return NotFound("contract " + std::to_string(contract_id) +
                  ": a merged store has no trading hours");
}

}  // namespace ibstream::cli
