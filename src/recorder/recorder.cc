#include "recorder/recorder.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <future>
#include <utility>  // before Asio (GCC 12 + Boost 1.74)

#include "client/client.h"
#include "client/event_loop.h"
#include "config/contract_table.h"
#include "recorder/backfill_runner.h"
#include "recorder/contract_registry.h"
#include "recorder/depth_recorder.h"
#include "recorder/loop_context.h"
#include "recorder/options_mapping.h"
#include "recorder/recorder_history.h"
#include "recorder/sealed_hour_check.h"
#include "recorder/stream_router.h"
#include "recorder/stream_session.h"
#include "recorder/view_builder.h"
#include "reliability/reliability_core.h"
#include "storage/store.h"
#include "storage/store_lock.h"

namespace ibstream::recorder {

namespace asio = boost::asio;

namespace {

// Counts what the reliability core decides before handing it to the real sink.
class CountingSink final : public reliability::AlertSink {
 public:
  explicit CountingSink(reliability::AlertSink& next) : next_(next) {}
  void Deliver(std::span<const Alert> group) override {
    for (const Alert& a : group) {
      if (a.state == AlertState::kFiring) ++fired;
    }
    next_.Deliver(group);
  }
  uint64_t fired = 0;

 private:
  reliability::AlertSink& next_;
};

}  // namespace

// The composition: the loop and its timer, storage, the reliability core, and the loop-thread
// parts (contract registry, stream session, backfill runner) that call one another through the
// references wired here. The Impl runs the evaluation loop, turns storage events into gaps,
// publishes views, and carries the public API's calls over to the loop thread.
class Recorder::Impl {
 public:
  Impl(Recorder& owner, RecorderOptions options, const Clock& clock, fs::FileSystem* fs,
       reliability::AlertSink& alerts)
      : options_(std::move(options)),
        clock_(clock),
        fs_(fs),
        sink_(alerts),
        core_(ReliabilityOptionsFrom(options_.config, options_.seed), sink_),
        timer_(loop_.context()),
        ctx_{options_, clock_, core_, counters_, fs_},
        registry_(ctx_, session_, backfill_),
        session_(ctx_, loop_, registry_, backfill_, owner.fanout_, [this] { Evaluate(); }),
        backfill_(ctx_, loop_, registry_, session_, owner.fanout_),
        router_(ctx_, registry_),
        depth_(ctx_, registry_, session_, owner.fanout_),
        sealed_(ctx_, loop_, registry_, backfill_) {
    session_.SetCapacityHandler([this](const StreamKey& key, int code, int active) {
      router_.OnCapacityRefused(key, code, active, clock_.Now());
    });
    view_ = std::make_shared<RecorderView>();
  }

  Status Start() {
    started_at_ = clock_.Now();
    storage::StoreOptions store_options = StoreOptionsFrom(options_.config);
    store_options.keep_journals_from = options_.keep_journals_from;
    store_options.on_corruption = [](const std::string& path, const std::string& what) {
      spdlog::error("event=storage_corruption path={} what=\"{}\"", path, what);
    };
    store_options.writer.on_event = [this](const storage::StorageEvent& e) {
      // Writer thread: hand over to the loop.
      loop_.Post([this, e] { OnStorageEvent(e); });
    };
    // One writer per store, taken before recovery touches anything (storage/store_lock.h).
    auto lock = storage::StoreLock::Acquire(store_options.root);
    if (!lock.ok()) return lock.status();
    store_lock_ = std::move(lock).value();
    auto store = storage::Store::Open(fs_, clock_, store_options);
    if (!store.ok()) return store.status().WithContext("storage at " + store_options.root);
    store_ = std::move(store).value();
    ctx_.store = store_.get();
    const auto& report = store_->recovery_report();
    if (report.files_quarantined > 0 || report.torn_tails_truncated > 0) {
      spdlog::warn(
          "event=storage_recovered torn_tails={} quarantined={} salvaged_records={} "
          "corrupt_bytes={}",
          report.torn_tails_truncated, report.files_quarantined, report.records_salvaged,
          report.corrupt_bytes);
    }
    const storage::LedgerDamage& ledger = store_->ledger_damage();
    if (!ledger.clean()) {
      spdlog::error(
          "event=gap_ledger_damaged corrupt_bytes={} truncated_bytes={} damaged_files={} "
          "quarantined={}",
          ledger.corrupt_bytes, ledger.truncated_bytes, ledger.damaged_files.size(),
          ledger.quarantined.size());
    }
    IBSTREAM_RETURN_IF_ERROR(registry_.Open());
    // Before the loop runs: the ledger's open gaps and the pacer's budget carry over.
    backfill_.Resume(store_->ledger().List(), clock_.Now());
    // The sealed hours' integrity, off the loop (sealed_hour_check.h).
    sealed_.Start(clock_.Now());

    session_.MakeClient(ClientOptionsFrom(options_.config));
    // The first view, before the loop runs: every contract listed from the moment Start returns.
    PublishView(clock_.Now());
    loop_.RunInBackground();
    loop_.Post([this] {
      registry_.LoadAllCachedDetails(clock_.Now());
      Evaluate();
    });
    return Status::Ok();
  }

  void Stop() {
    if (stopped_.exchange(true)) return;
    if (loop_started()) {
      std::promise<void> done;
      auto future = done.get_future();
      loop_.Post([this, &done] {
        ctx_.stopping = true;
        timer_.cancel();
        session_.Shutdown();
        done.set_value();
      });
      future.wait_for(std::chrono::seconds(2));
    }
    if (store_) {
      const Status flushed = store_->writer().Flush(options_.stop_timeout);
      if (!flushed.ok()) spdlog::error("event=stop_flush_failed error=\"{}\"", flushed.ToString());
    }
    loop_.Stop();
    loop_.Join();
    session_.ResetClient();
    registry_.FinishCacheWrites();
    // Close() completes the gap-ledger writes still queued (their completions post to the
    // stopped loop and never run), then stops the writer.
    if (store_) store_->Close();
    store_lock_.Release();
    spdlog::info("event=recorder_stopped");
  }

  std::shared_ptr<const RecorderView> View() const {
    std::lock_guard lock(view_mutex_);
    return view_;
  }

  Status Query(const std::vector<StreamKey>& streams, TimePoint from, TimePoint to,
               const std::function<Status(const Tick&)>& sink, storage::QueryStats* stats) const {
    if (!store_) return FailedPrecondition("storage is not open");
    return store_->Query(storage::QueryRequest{streams, from, to}, sink, stats);
  }

  Status RequestBackfill(const StreamKey& stream, TimePoint from, TimePoint to) {
    if (to <= from) return InvalidArgument("backfill range is empty");
    // Checked against the latest view (any thread); the loop checks again.
    bool tracked = false;
    for (const auto view_now = View(); const auto& c : view_now->contracts) {
      if (c.contract_id != stream.contract_id) continue;
      for (TickType t : c.expected_types) tracked |= t == stream.type;
    }
    if (!tracked) return InvalidArgument("stream " + ToString(stream) + " is not tracked");
    loop_.Post([this, stream, from, to] {
      ContractState* c = registry_.Find(stream.contract_id);
      if (!c) return;
      backfill_.OpenGap(*c, stream, from, to - std::chrono::seconds(1), "requested", clock_.Now());
    });
    return Status::Ok();
  }

  Status RetryGap(uint64_t gap_id) {
    if (!store_) return FailedPrecondition("storage is not open");
    std::optional<storage::GapRecord> gap;
    for (storage::GapRecord& g : store_->ledger().List()) {
      if (g.id == gap_id) gap = std::move(g);
    }
    if (!gap) return NotFound("no gap " + std::to_string(gap_id) + " in the ledger");
    if (gap->state != storage::BackfillState::kFailed &&
        gap->state != storage::BackfillState::kPartial) {
      return FailedPrecondition("gap " + std::to_string(gap_id) + " is " +
                                std::string(storage::BackfillStateName(gap->state)) +
                                ": only a failed or partial gap is retried");
    }
    bool tracked = false;
    for (const auto view_now = View(); const auto& c : view_now->contracts) {
      if (c.contract_id != gap->stream.contract_id) continue;
      for (TickType t : c.expected_types) tracked |= t == gap->stream.type;
    }
    if (!tracked) {
      return InvalidArgument("stream " + ToString(gap->stream) + " of gap " +
                             std::to_string(gap_id) + " is not tracked");
    }
    loop_.Post([this, gap = *gap] { backfill_.Retry(gap, clock_.Now()); });
    return Status::Ok();
  }

  // The run-time contract list is written here, on the caller's thread, between the loop's check
  // of the change and the loop's applying it; change_mu_ takes one change at a time through the
  // three steps. A failed write returns its error with nothing changed.
  Result<ContractChange> Track(std::string_view contract_toml) {
    auto contract =
        config::ParseContractTable(contract_toml, options_.config.reliability, "contract");
    if (!contract.ok()) return contract.status();
    if (!contract->enabled) return InvalidArgument("enabled = false: nothing to track");
    std::lock_guard change_lock(change_mu_);
    auto prepared = OnLoop<RuntimeChange>(
        [this, contract = *contract, text = std::string(contract_toml)]() -> Result<RuntimeChange> {
          return registry_.PrepareTrack(contract, text, clock_.Now());
        });
    if (!prepared.ok()) return prepared.status();
    if (prepared->save) IBSTREAM_RETURN_IF_ERROR(registry_.SaveRuntimeList(prepared->list));
    return OnLoop<ContractChange>(
        [this, contract = *contract,
         change = std::move(prepared).value()]() mutable -> Result<ContractChange> {
          const TimePoint now = clock_.Now();
          ContractChange done = registry_.CommitTrack(contract, std::move(change), now);
          PublishView(now);
          return done;
        });
  }

  Result<ContractChange> Untrack(std::string_view id) {
    std::lock_guard change_lock(change_mu_);
    auto prepared = OnLoop<RuntimeChange>([this, id = std::string(id)]() -> Result<RuntimeChange> {
      return registry_.PrepareUntrack(id, clock_.Now());
    });
    if (!prepared.ok()) return prepared.status();
    if (prepared->save) IBSTREAM_RETURN_IF_ERROR(registry_.SaveRuntimeList(prepared->list));
    return OnLoop<ContractChange>(
        [this, change = std::move(prepared).value()]() mutable -> Result<ContractChange> {
          const TimePoint now = clock_.Now();
          auto done = registry_.CommitUntrack(std::move(change), now);
          if (done.ok()) PublishView(now);
          return done;
        });
  }

  Result<ReloadSummary> ReloadContracts(std::vector<config::ContractConfig> configured) {
    std::lock_guard change_lock(change_mu_);
    auto prepared = OnLoop<RuntimeChange>([this, configured]() -> Result<RuntimeChange> {
      return registry_.PrepareReload(configured);
    });
    if (!prepared.ok()) return prepared.status();
    if (prepared->save) IBSTREAM_RETURN_IF_ERROR(registry_.SaveRuntimeList(prepared->list));
    return OnLoop<ReloadSummary>(
        [this, configured = std::move(configured),
         change = std::move(prepared).value()]() mutable -> Result<ReloadSummary> {
          const TimePoint now = clock_.Now();
          ReloadSummary summary =
              registry_.CommitReload(std::move(configured), std::move(change), now);
          PublishView(now);
          return summary;
        });
  }

  const std::string& storage_root() const { return options_.config.storage.path; }
  storage::Store* store() const { return store_.get(); }

 private:
  using RuntimeChange = ContractRegistry::RuntimeChange;

  // Runs `work` on the loop thread and waits for its result (HTTP and signal threads change the
  // contract list this way: the loop alone touches the recorder's state).
  template <typename T>
  Result<T> OnLoop(std::function<Result<T>()> work) {
    if (!loop_started() || stopped_) return Unavailable("the recorder is not running");
    auto promise = std::make_shared<std::promise<Result<T>>>();
    auto future = promise->get_future();
    loop_.Post([promise, work = std::move(work)] { promise->set_value(work()); });
    if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      return Unavailable("the recorder did not answer within 10 s");
    }
    return future.get();
  }

  bool loop_started() const { return session_.client() != nullptr; }

  void ScheduleEvaluate() {
    if (ctx_.stopping) return;
    timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        clock_.ToRealDuration(options_.evaluate_interval)));
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec && !ctx_.stopping) Evaluate();
    });
  }

  // Once per evaluate_interval, and at once when a connection comes up.
  void Evaluate() {
    TimePoint now = clock_.Now();
    registry_.UpdateMarketsAndResolve(now, session_.connected());
    router_.Replan(now);
    // A new stream looks up its last stored tick: the subscriptions below (and the time each
    // stream owes data from) take the time after that.
    now = clock_.Now();
    // Health follows the writer: storage_error holds as long as writing is suspended.
    if (store_) core_.OnStorageSuspended(store_->writer().suspended(), last_storage_error_);
    const reliability::Decisions decisions = core_.Evaluate(now);
    for (const auto& action : decisions.actions) session_.Execute(action, now);
    depth_.Evaluate(now);
    for (const auto& e : decisions.breaker_events) {
      spdlog::warn("event=breaker target={} from={} to={}", reliability::ToString(e.target),
                   reliability::BreakerStateName(e.transition.from),
                   reliability::BreakerStateName(e.transition.to));
    }
    sealed_.Step(now);
    backfill_.Step(now);
    PublishView(now);
    ScheduleEvaluate();
  }

  void OnStorageEvent(const storage::StorageEvent& e) {
    const TimePoint now = clock_.Now();
    switch (e.kind) {
      case storage::StorageEvent::Kind::kWriteFailed:
        spdlog::error("event=storage_write_failed cause=\"{}\" lost_spans={}", e.cause.ToString(),
                      e.lost.size());
        core_.OnStorageError(e.cause.message(), now);
        last_storage_error_ = e.cause.message();
        for (const auto& span : e.lost) {
          ContractState* c = registry_.Find(span.stream.contract_id);
          if (c) {
            backfill_.OpenGap(*c, span.stream, span.first_exchange_time, span.last_exchange_time,
                              "storage_error", now);
          }
        }
        break;
      case storage::StorageEvent::Kind::kResumed:
        spdlog::info("event=storage_resumed");
        backfill_.OnStorageResumed(now);
        break;
      case storage::StorageEvent::Kind::kLowSpace:
        low_space_ = true;
        available_bytes_ = e.available_bytes;
        spdlog::warn("event=disk_low available_bytes={} total_bytes={}", e.available_bytes,
                     e.total_bytes);
        core_.OnDiskSpace(e.available_bytes, e.total_bytes);
        break;
      case storage::StorageEvent::Kind::kSpaceOk:
        low_space_ = false;
        available_bytes_ = e.available_bytes;
        core_.OnDiskSpace(e.available_bytes, e.total_bytes);
        break;
      case storage::StorageEvent::Kind::kSpace:
        available_bytes_ = e.available_bytes;
        core_.OnDiskSpace(e.available_bytes, e.total_bytes);
        break;
      case storage::StorageEvent::Kind::kRotated:
        spdlog::info("event=hour_sealed hour={}", FormatIsoUtc(e.hour));
        break;
    }
  }

  void PublishView(TimePoint now) {
    auto view = BuildView(
        ViewInputs{now, started_at_, low_space_, available_bytes_, sink_.fired, depth_.Statuses()},
        ctx_, registry_, session_, router_);
    history_.Observe(*view);
    view->history = history_.Snapshot();
    std::lock_guard lock(view_mutex_);
    view_ = std::move(view);
  }

  RecorderOptions options_;
  const Clock& clock_;
  fs::FileSystem* fs_;
  CountingSink sink_;
  reliability::ReliabilityCore core_;
  client::EventLoop loop_;
  asio::steady_timer timer_;
  storage::StoreLock store_lock_;  // held from Start to Stop
  std::unique_ptr<storage::Store> store_;
  RecorderCounters counters_;
  LoopContext ctx_;
  // The loop-thread parts. Each is handed references to the others here; the references bound
  // before a part is constructed are used only once the recorder runs.
  ContractRegistry registry_;
  StreamSession session_;
  BackfillRunner backfill_;
  StreamRouter router_;
  DepthRecorder depth_;
  SealedHourCheck sealed_;

  std::atomic<bool> stopped_{false};
  std::mutex change_mu_;  // one run-time contract change at a time (Track, Untrack, Reload)
  TimePoint started_at_;
  bool low_space_ = false;
  uint64_t available_bytes_ = 0;
  std::string last_storage_error_;  // the cause of the last write failure
  // What the published views said over the last hours (the dashboard's plots); loop thread.
  RecorderHistory history_;

  mutable std::mutex view_mutex_;
  std::shared_ptr<const RecorderView> view_;  // guarded by view_mutex_
};

Recorder::Recorder(RecorderOptions options, const Clock& clock, fs::FileSystem* fs,
                   reliability::AlertSink& alerts)
    : clock_(clock), impl_(std::make_unique<Impl>(*this, std::move(options), clock, fs, alerts)) {}

Recorder::~Recorder() { Stop(); }

Status Recorder::Start() { return impl_->Start(); }
void Recorder::Stop() { impl_->Stop(); }
std::shared_ptr<const RecorderView> Recorder::View() const { return impl_->View(); }
Status Recorder::Query(const std::vector<StreamKey>& streams, TimePoint from, TimePoint to,
                       const std::function<Status(const Tick&)>& sink,
                       storage::QueryStats* stats) const {
  return impl_->Query(streams, from, to, sink, stats);
}
Status Recorder::RequestBackfill(const StreamKey& stream, TimePoint from, TimePoint to) {
  return impl_->RequestBackfill(stream, from, to);
}
Status Recorder::RetryGap(uint64_t gap_id) { return impl_->RetryGap(gap_id); }
Result<ContractChange> Recorder::Track(std::string_view contract_toml) {
  return impl_->Track(contract_toml);
}
Result<ContractChange> Recorder::Untrack(std::string_view id) { return impl_->Untrack(id); }
Result<ReloadSummary> Recorder::ReloadContracts(std::vector<config::ContractConfig> configured) {
  return impl_->ReloadContracts(std::move(configured));
}
const std::string& Recorder::storage_root() const { return impl_->storage_root(); }

storage::Store* Recorder::store() const { return impl_->store(); }

}  // namespace ibstream::recorder
