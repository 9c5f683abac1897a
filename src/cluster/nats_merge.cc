#include "cluster/nats_merge.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <thread>
#include <utility>

#include "cluster/jetstream_consumer.h"
#include "cluster/nats_merge_source.h"
#include "cluster/wire.h"
#include "merge/merge_state.h"

namespace ibstream::cluster {
namespace {

class NatsMergeLoop {
 public:
  NatsMergeLoop(fs::FileSystem* fs, const Clock& clock, const NatsMergeOptions& options,
                const std::atomic<bool>& stop)
      : fs_(fs), clock_(clock), options_(options), stop_(stop) {}

  Result<NatsMergeStats> Run() {
    IBSTREAM_RETURN_IF_ERROR(CheckOptions());
    ConsumerOptions consumer_options;
    consumer_options.url = options_.url;
    consumer_options.credentials_file = options_.credentials_file;
    consumer_options.stream = options_.stream;
    consumer_options.filter_subject = StreamSubjects(options_.subject_prefix);
    consumer_options.durable = options_.durable;
    consumer_options.ack_wait = options_.ack_wait;
    consumer_ = std::make_unique<JetStreamConsumer>(std::move(consumer_options));
    auto state = merge::ReadMergeState(fs_, options_.out);
    if (!state.ok()) return state.status().WithContext("merged store " + options_.out);
    state_ = std::move(*state);

    last_contact_ = options_.steady_clock->Now();
    while (!stop_.load()) {
      Report();  // what the previous round merged
      if (!consumer_->subscribed()) {
        const Status connected = consumer_->Connect();
        if (!connected.ok()) {
          NoteError(connected);
          Report();
          IBSTREAM_RETURN_IF_ERROR(CheckReachable());
          Pause();
          continue;
        }
      }
      auto batch = consumer_->Fetch(options_.batch, options_.fetch_wait);
      if (!batch.ok()) {
        NoteError(batch.status());
        Report();
        IBSTREAM_RETURN_IF_ERROR(CheckReachable());
        Pause();
        continue;
      }
      if (consumer_->connected()) {
        last_contact_ = options_.steady_clock->Now();
      } else {
        // Lost mid-run: libnats reconnects on its own, and a fetch meanwhile just times out.
        IBSTREAM_RETURN_IF_ERROR(CheckReachable());
      }
      // No message within the wait while connected: the consumer has nothing more for now.
      const bool drained = batch->empty() && consumer_->connected();
      for (FetchedMessage& message : *batch) Take(message);
      AckNow();
      Report();
      const bool full = HeldTicks() >= options_.merge_every;
      if (options_.until_caught_up) {
        if (drained) {
          if (DeliveriesElsewhere(/*everything=*/true)) continue;
          auto merged = MergeOnce(std::nullopt, /*everything=*/true);
          if (!merged.ok()) return merged.status();
          if (!*merged || NothingOutstanding()) break;
          continue;
        }
        if (full && !DeliveriesElsewhere(false)) {
          auto merged = MergeOnce(End(), false);
          if (!merged.ok()) return merged.status();
          if (!*merged) break;
        }
        continue;
      }
      const std::optional<TimePoint> end = End();
      if (end && !Unheard().empty()) NoteDecidingWithoutUnheard();
      const bool due = end && (!last_end_ || *end >= *last_end_ + options_.merge_interval);
      if ((full || (due && (drained || batch->size() < static_cast<size_t>(options_.batch)))) &&
          !DeliveriesElsewhere(false)) {
        last_end_ = end;
        const bool without_unheard = !Unheard().empty();
        auto merged = MergeOnce(end, false);
        if (!merged.ok()) return merged.status();
        if (without_unheard) ++stats_.decided_without_unheard;
        if (!*merged) break;
      }
    }
    HandBack();
    consumer_->Close();
    return stats_;
  }

 private:
  // The consumer has nothing undelivered and nothing delivered but not acknowledged (a killed
  // run's deliveries come back after the ack wait).
  bool NothingOutstanding() {
    auto pending = consumer_->PendingCounts();
    if (!pending.ok()) {
      NoteError(pending.status());
      return false;
    }
    return pending->undelivered == 0 && pending->unacknowledged == 0;
  }

  // Whether the consumer has deliveries out that this run does not hold (or, for a merge of
  // `everything`, messages not yet delivered): deliveries to a run that stopped or was killed
  // (what its subscription had received and it had not fetched is not handed back), or lost with
  // a connection. They come back after the ack wait, older than what is held; a merge now would
  // decide their seconds without them and drop them when they come (a tick lost for good), so it
  // waits. Counted (merges_deferred) and logged once per run.
  bool DeliveriesElsewhere(bool everything) {
    auto pending = consumer_->PendingCounts();
    if (!pending.ok()) {
      NoteError(pending.status());
      return true;
    }
    std::set<uint64_t> held;
    uint64_t unnumbered = 0;
    for (const auto& [name, source] : sources_) {
      source->ForEachReply([&](const std::string& reply) {
        const std::optional<uint64_t> sequence = AckStreamSequence(reply);
        if (sequence) {
          held.insert(*sequence);
        } else {
          ++unnumbered;
        }
      });
    }
    const uint64_t elsewhere =
        pending->unacknowledged -
        std::min<uint64_t>(pending->unacknowledged, held.size() + unnumbered);
    if (elsewhere == 0 && (!everything || pending->undelivered == 0)) return false;
    ++stats_.merges_deferred;
    if (!noted_deferred_) {
      noted_deferred_ = true;
      spdlog::info(
          "event=nats_merge_deferred unacknowledged_elsewhere={} undelivered={} reason=\"waiting "
          "for deliveries this run does not hold to come back\"",
          elsewhere, pending->undelivered);
    }
    return true;
  }

  // On a stop: what is held and not merged is delivered again at once to the next run.
  void HandBack() {
    if (stopped_before_acks_) return;  // as in a crash: nothing is sent
    std::vector<std::string> replies;
    for (auto& [name, source] : sources_) {
      for (std::string& reply : source->TakeAll()) replies.push_back(std::move(reply));
    }
    if (!consumer_->Nak(replies).ok()) {
      spdlog::warn("event=nats_merge_hand_back_failed deliveries={}", replies.size());
    }
  }

  Status CheckOptions() const {
    if (options_.out.empty()) return InvalidArgument("no merged store given (--out)");
    if (options_.url.empty()) return InvalidArgument("no NATS server given (--nats)");
    if (!ValidSubjectPrefix(options_.subject_prefix)) {
      return InvalidArgument("bad subject prefix '" + options_.subject_prefix + "'");
    }
    for (const std::string& id : options_.recorders) {
      if (!ValidRecorderId(id)) return InvalidArgument("bad recorder id '" + id + "'");
    }
    if (options_.durable.empty() || options_.durable.find_first_of(". *>") != std::string::npos) {
      return InvalidArgument("bad consumer name '" + options_.durable + "'");
    }
    if (options_.batch <= 0) return InvalidArgument("batch must be positive");
    return Status::Ok();
  }

  // With until_caught_up and a bound: Unavailable once NATS has been unreachable that long.
  Status CheckReachable() {
    if (!options_.until_caught_up || !options_.unreachable_timeout) return Status::Ok();
    const auto silent = options_.steady_clock->Now() - last_contact_;
    if (silent < *options_.unreachable_timeout) return Status::Ok();
    consumer_->Close();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(silent).count();
    const std::string why = stats_.last_error.empty() ? "connection lost" : stats_.last_error;
    return Unavailable("NATS at " + options_.url + " unreachable for " + std::to_string(ms) +
                       " ms (last error: " + why + ")");
  }

  // The progress so far, to options_.on_progress.
  void Report() {
    if (!options_.on_progress) return;
    NatsMergeProgress progress;
    progress.stats = stats_;
    progress.connected = consumer_->connected();
    for (const auto& [name, source] : sources_) {
      RecorderProgress r;
      r.recorder_id = name;
      const auto counted = received_.find(name);
      if (counted != received_.end()) {
        r.ticks = counted->second.first;
        r.gaps = counted->second.second;
      }
      r.held_ticks = source->buffered_ticks();
      r.held_gaps = source->buffered_gaps();
      r.latest = source->latest();
      r.settled_latest = source->settled_latest();
      progress.recorders.push_back(std::move(r));
    }
    progress.merge_end = End();
    progress.unheard = Unheard();
    progress.waiting_for_unheard = WaitingForUnheard();
    options_.on_progress(progress);
  }

  void NoteError(const Status& status) {
    ++stats_.fetch_errors;
    if (stats_.last_error != status.message()) {
      spdlog::warn("event=nats_merge_error error=\"{}\"", status.message());
    }
    stats_.last_error = status.message();
  }

  void Pause() {
    auto left = options_.retry_interval;
    while (left.count() > 0 && !stop_.load()) {
      const auto step = std::min(left, std::chrono::milliseconds(50));
      std::this_thread::sleep_for(step);
      left -= step;
    }
  }

  void Bad(const FetchedMessage& message, const Status& status) {
    ++stats_.bad_messages;
    spdlog::warn("event=nats_merge_bad_message subject={} bytes={} error=\"{}\"", message.subject,
                 message.data.size(), status.message());
    ack_now_.push_back(message.reply);
  }

  // Depth is not merged (merge/merger.h): acknowledged at once, never held.
  void SkipDepth(const FetchedMessage& message) {
    if (stats_.depth_skipped++ == 0) {
      spdlog::info(
          "event=nats_merge_depth_skipped subject={} reason=\"market depth is not merged\"",
          message.subject);
    }
    ack_now_.push_back(message.reply);
  }

  void Take(FetchedMessage& message) {
    ++stats_.messages;
    auto parsed = ParseSubject(options_.subject_prefix, message.subject);
    if (!parsed.ok()) return Bad(message, parsed.status());
    const auto& wanted = options_.recorders;
    if (!wanted.empty() &&
        std::find(wanted.begin(), wanted.end(), parsed->recorder_id) == wanted.end()) {
      ++stats_.ignored;
      ack_now_.push_back(message.reply);
      return;
    }
    switch (parsed->kind) {
      case MessageKind::kTick: {
        auto tick = DecodeTickBody(message.data);
        if (!tick.ok()) return Bad(message, tick.status());
        if (tick->tick.stream() != parsed->stream) {
          return Bad(message, Corruption("tick of " + ToString(tick->tick.stream()) +
                                         " on the subject of another stream"));
        }
        if (parsed->stream.type == TickType::kDepth) return SkipDepth(message);
        ++stats_.ticks;
        ++received_[parsed->recorder_id].first;
        if (!first_heard_) first_heard_ = options_.steady_clock->Now();
        Source(parsed->recorder_id).AddTick(*tick, std::move(message.reply));
        return;
      }
      case MessageKind::kGap: {
        auto gap = DecodeGapBody(message.data);
        if (!gap.ok()) return Bad(message, gap.status());
        if (gap->stream.type == TickType::kDepth) return SkipDepth(message);
        ++stats_.gaps;
        ++received_[parsed->recorder_id].second;
        if (!first_heard_) first_heard_ = options_.steady_clock->Now();
        Source(parsed->recorder_id).AddGap(*gap, std::move(message.reply));
        return;
      }
      case MessageKind::kEvent:
        ++stats_.events;
        ack_now_.push_back(message.reply);
        return;
    }
  }

  BufferedSource& Source(const std::string& recorder) {
    auto it = sources_.find(recorder);
    if (it == sources_.end()) {
      it =
          sources_.emplace(recorder, std::make_unique<BufferedSource>(recorder, options_.hold_back))
              .first;
    }
    return *it->second;
  }

  size_t HeldTicks() const {
    size_t n = 0;
    for (const auto& [name, source] : sources_) n += source->buffered_ticks();
    return n;
  }

  // The recorders named in options_.recorders that nothing was received from in this run.
  std::vector<std::string> Unheard() const {
    std::vector<std::string> out;
    for (const std::string& id : options_.recorders) {
      if (sources_.count(id) == 0) out.push_back(id);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  // A continuous merge decides nothing while a named recorder is unheard, for unheard_wait after
  // the first message of any recorder: started while one recorder's publisher is behind (or
  // its messages have not reached this merge yet), the merge would otherwise decide seconds from
  // the others alone, and a hole of theirs that recorder covered would become a merged gap.
  bool WaitingForUnheard() const {
    if (options_.until_caught_up || !first_heard_ || Unheard().empty()) return false;
    return options_.steady_clock->Now() - *first_heard_ < options_.unheard_wait;
  }

  // Logged once per run: the wait is over and seconds are decided without those recorders.
  void NoteDecidingWithoutUnheard() {
    if (noted_unheard_) return;
    noted_unheard_ = true;
    std::string names;
    for (const std::string& id : Unheard()) names += (names.empty() ? "" : ",") + id;
    spdlog::warn(
        "event=nats_merge_deciding_without recorders={} waited_ms={} reason=\"nothing received "
        "from them in this run\"",
        names, options_.unheard_wait.count());
  }

  std::optional<TimePoint> End() const {
    if (WaitingForUnheard()) return std::nullopt;
    std::vector<std::optional<TimePoint>> latest;
    for (const auto& [name, source] : sources_) latest.push_back(source->settled_latest());
    return ChooseMergeEnd(latest, options_.hold_back, options_.max_lag);
  }

  void AckNow() {
    std::erase(ack_now_, std::string());
    if (ack_now_.empty()) return;
    const Status acked = consumer_->Ack(ack_now_);
    if (acked.ok()) {
      stats_.acknowledged += ack_now_.size();
    } else {
      NoteError(acked);  // delivered again later, and acknowledged then
    }
    ack_now_.clear();
  }

  // One merge of what is held, up to `end` (or everything), then the acknowledgments of what it
  // decided. False: after_merge asked to stop before the acknowledgments.
  Result<bool> MergeOnce(std::optional<TimePoint> end, bool everything) {
    size_t held = 0;
    for (const auto& [name, source] : sources_) {
      held += source->buffered_ticks() + source->buffered_gaps();
    }
    if (held == 0 || (!everything && !end)) return true;
    std::vector<merge::MergeSource*> sources;
    for (auto& [name, source] : sources_) {
      source->SetDecidedPoints(state_);
      sources.push_back(source.get());
    }
    merge::MergeOptions merge_options;
    merge_options.out = options_.out;
    if (!everything) merge_options.end = end;
    merge_options.zstd_level = options_.zstd_level;
    auto report = merge::MergeStores(fs_, clock_, sources, merge_options);
    if (!report.ok()) return report.status();
    ++stats_.merges;
    stats_.merged_ticks += report->ticks;
    stats_.damaged = stats_.damaged || report->damaged();
    if (options_.after_merge && !options_.after_merge(*report)) {
      stopped_before_acks_ = true;
      return false;
    }
    auto state = merge::ReadMergeState(fs_, options_.out);
    if (!state.ok()) return state.status().WithContext("merged store " + options_.out);
    state_ = std::move(*state);
    for (auto& [name, source] : sources_) {
      // After a merge of everything held, all of it is decided.
      for (std::string& reply : everything ? source->TakeAll() : source->TakeDecided(state_)) {
        ack_now_.push_back(std::move(reply));
      }
    }
    AckNow();
    return true;
  }

  fs::FileSystem* fs_;
  const Clock& clock_;
  const NatsMergeOptions& options_;
  const std::atomic<bool>& stop_;
  std::unique_ptr<JetStreamConsumer> consumer_;
  std::map<std::string, std::unique_ptr<BufferedSource>> sources_;  // by recorder id
  merge::MergeState state_;
  std::vector<std::string> ack_now_;
  NatsMergeStats stats_;
  bool stopped_before_acks_ = false;
  std::optional<TimePoint> last_end_;                              // of the last continuous merge
  std::map<std::string, std::pair<uint64_t, uint64_t>> received_;  // ticks, gaps by recorder
  SteadyTimePoint last_contact_;                // the last successful connect or fetch
  std::optional<SteadyTimePoint> first_heard_;  // the first tick or gap record of any recorder
  bool noted_unheard_ = false;
  bool noted_deferred_ = false;
};

}  // namespace

Result<NatsMergeStats> RunNatsMerge(fs::FileSystem* fs, const Clock& clock,
                                    const NatsMergeOptions& options,
                                    const std::atomic<bool>& stop) {
  NatsMergeLoop loop(fs, clock, options, stop);
  return loop.Run();
}

}  // namespace ibstream::cluster
