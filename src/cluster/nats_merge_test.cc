// `ibstream merge --nats` against a real nats-server (JetStream in a temp directory, loopback, a
// free port) started by the test; two recorders' stores published by the real publisher. Without
// nats-server the tests are skipped, unless CI=true.
#include "cluster/nats_merge.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <set>
#include <thread>

#include "cluster/jetstream_consumer.h"
#include "cluster/jetstream_link.h"
#include "cluster/nats_connect.h"
#include "cluster/nats_server.h"
#include "cluster/nats_test_fixture.h"
#include "cluster/publisher.h"
#include "merge/merge_state.h"
#include "storage/query.h"
#include "storage/store.h"
#include "storage/test_ticks.h"

namespace ibstream::cluster::nats_merge_test {
namespace {

using namespace std::chrono_literals;
using storage::testing::MakeTick;

constexpr int64_t kNmT0 = 1755770400;  // 2025-08-21T10:00:00Z
constexpr int64_t kNmContract = 711202509;
const StreamKey kNmQuotes{kNmContract, TickType::kBidAsk};
const StreamKey kNmTrades{kNmContract, TickType::kLast};
const StreamKey kNmDepth{kNmContract, TickType::kDepth};
constexpr char kNmStream[] = "IBSMERGE";
constexpr char kNmPrefix[] = "md";

class NatsMergeEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { ShutdownNatsLibrary(); }
};
const auto* const kNmEnvironment = ::testing::AddGlobalTestEnvironment(new NatsMergeEnvironment);

TimePoint NmAt(int64_t seconds) { return FromUnixSeconds(kNmT0 + seconds); }

// The truth: per stream, 2 ticks in every second of [from, to) (relative to kNmT0); sequences are
// unique per stream and second, so every recorder's copy of a tick is the same tick.
std::vector<Tick> NmTruth(int64_t from, int64_t to) {
  std::vector<Tick> ticks;
  for (const StreamKey& key : {kNmQuotes, kNmTrades}) {
    for (int64_t s = from; s < to; ++s) {
      for (uint64_t i = 0; i < 2; ++i) {
        ticks.push_back(
            MakeTick(key.contract_id, key.type, kNmT0 + s, static_cast<uint64_t>(s) * 2 + i + 1));
      }
    }
  }
  return ticks;
}

struct NmHole {
  int64_t from;
  int64_t to;
};

class NatsMergeTest : public testing::NatsServerTest {
 protected:
  NatsMergeTest() : NatsServerTest("natsmerge") {}

  // Records the truth's ticks of [from, to) into recorder `name`'s store, except the holes (each
  // a pending "disconnect" gap of both streams), and publishes them with the real publisher,
  // from its cursor (what an earlier call published is not published again). With `depth`, also
  // one market-depth record per second (a reset first) and a failed depth gap per hole.
  void Record(const std::string& name, int64_t from, int64_t to, const std::vector<NmHole>& holes,
              bool depth = false) {
    const std::string root = dir_ + "/" + name;
    uint64_t stored = 0;
    uint64_t depth_stored = 0;
    {
      storage::StoreOptions options;
      options.root = root;
      options.background_maintenance = false;
      auto store = storage::Store::Open(fs::PosixFileSystem(), clock_, options);
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      // In time order, both streams interleaved, as a recorder's journal holds them (a merge
      // that fetches part of them sees the recorder's streams reach the same second).
      std::vector<Tick> ticks = NmTruth(from, to);
      std::stable_sort(ticks.begin(), ticks.end(), [](const Tick& x, const Tick& y) {
        return x.exchange_time < y.exchange_time;
      });
      for (const Tick& tick : ticks) {
        bool lost = false;
        for (const NmHole& h : holes) {
          lost = lost || (tick.exchange_time >= NmAt(h.from) && tick.exchange_time < NmAt(h.to));
        }
        if (lost) continue;
        ASSERT_TRUE((*store)->writer().Append(tick).ok());
        ++stored;
      }
      for (int64_t s = from; depth && s < to; ++s) {
        bool lost = false;
        for (const NmHole& h : holes) lost = lost || (s >= h.from && s < h.to);
        if (lost) continue;
        Tick record =
            MakeTick(kNmContract, TickType::kDepth, kNmT0 + s, static_cast<uint64_t>(s) + 1);
        record.book_operation = s == from ? BookOperation::kReset : BookOperation::kUpdate;
        record.book_side = s % 2 ? BookSide::kBid : BookSide::kAsk;
        ASSERT_TRUE((*store)->writer().Append(record).ok());
        ++depth_stored;
      }
      for (const NmHole& h : holes) {
        for (const StreamKey& key : {kNmQuotes, kNmTrades}) {
          storage::GapRecord gap;
          gap.stream = key;
          gap.start = NmAt(h.from);
          gap.end = NmAt(h.to);
          gap.cause = "disconnect";
          gap.reason = "gateway restarted";
          gap.updated_at = clock_.Now();
          ASSERT_TRUE((*store)->ledger().Add(gap).ok());
        }
        if (depth) {
          storage::GapRecord gap;
          gap.stream = kNmDepth;
          gap.start = NmAt(h.from);
          gap.end = NmAt(h.to);
          gap.cause = "disconnect";
          gap.state = storage::BackfillState::kFailed;
          gap.reason = "no_history_for_depth";
          gap.updated_at = clock_.Now();
          ASSERT_TRUE((*store)->ledger().Add(gap).ok());
        }
      }
      (*store)->Close();
    }
    published_[name] += stored;
    depth_published_[name] += depth_stored + (depth ? holes.size() : 0);
    gaps_[name] += holes.size() * 2;
    const uint64_t gaps_stored = holes.size() * (depth ? 3 : 2);
    stored += depth_stored;
    PublisherOptions options;
    options.url = server_->url();
    options.stream = kNmStream;
    options.subject_prefix = kNmPrefix;
    options.recorder_id = name;
    options.store_root = root;
    options.ack_timeout = 1000ms;
    options.retry_interval = 50ms;
    options.poll_interval = 5ms;
    options.list_gaps = [root] {
      auto gaps = storage::GapLedger::ReadAll(fs::PosixFileSystem(), root, nullptr);
      return gaps.ok() ? *gaps : std::vector<storage::GapRecord>{};
    };
    auto publisher = Publisher::Start(fs::PosixFileSystem(), clock_, options);
    ASSERT_TRUE(publisher.ok()) << publisher.status().ToString();
    const uint64_t ticks = published_[name] - stored;
    ASSERT_TRUE(testing::WaitForCondition([&] {
      const PublisherStats s = (*publisher)->stats();
      return s.ticks_published >= stored && s.gaps_published >= gaps_stored;
    })) << (*publisher)->stats().last_error
        << " (" << ticks << " before)";
    (*publisher)->Stop();
  }

  NatsMergeOptions Options() {
    NatsMergeOptions options;
    options.url = server_->url();
    options.stream = kNmStream;
    options.subject_prefix = kNmPrefix;
    options.durable = "merge-test";
    options.out = dir_ + "/merged";
    options.until_caught_up = true;
    options.batch = 200;
    options.fetch_wait = 300ms;
    options.retry_interval = 50ms;
    options.ack_wait = 2s;  // a killed merge's deliveries come back after it
    return options;
  }

  // A publishing link and a pull consumer (durable `durable`) on the test's stream.
  LinkOptions TestLinkOptions() const {
    LinkOptions options;
    options.url = server_->url();
    options.stream = kNmStream;
    options.stream_subjects = StreamSubjects(kNmPrefix);
    return options;
  }
  ConsumerOptions TestConsumerOptions(const std::string& durable) const {
    ConsumerOptions options;
    options.url = server_->url();
    options.stream = kNmStream;
    options.filter_subject = StreamSubjects(kNmPrefix);
    options.durable = durable;
    return options;
  }

  Result<NatsMergeStats> Merge(const NatsMergeOptions& options) {
    std::atomic<bool> stop{false};
    return RunNatsMerge(fs::PosixFileSystem(), clock_, options, stop);
  }

  std::vector<Tick> Merged() {
    storage::QueryRequest request;
    request.streams = {kNmQuotes, kNmTrades};
    request.from = NmAt(-3600);
    request.to = NmAt(3600);
    std::vector<Tick> ticks;
    storage::QueryStats stats;
    EXPECT_TRUE(storage::QueryTicks(
                    fs::PosixFileSystem(), dir_ + "/merged", request,
                    [&](const Tick& t) {
                      ticks.push_back(t);
                      return Status::Ok();
                    },
                    &stats)
                    .ok());
    EXPECT_TRUE(stats.complete());
    return ticks;
  }

  std::vector<storage::GapRecord> MergedGaps() {
    auto gaps = storage::GapLedger::ReadAll(fs::PosixFileSystem(), dir_ + "/merged", nullptr);
    EXPECT_TRUE(gaps.ok());
    return gaps.ok() ? *gaps : std::vector<storage::GapRecord>{};
  }

  // The merged store holds exactly the truth's ticks of [from, to), each once.
  void ExpectMergedTruth(int64_t from, int64_t to) {
    const std::vector<Tick> merged = Merged();
    const std::vector<Tick> truth = NmTruth(from, to);
    ASSERT_EQ(merged.size(), truth.size());
    for (const StreamKey& key : {kNmQuotes, kNmTrades}) {
      std::vector<uint64_t> got;
      std::vector<uint64_t> want;
      for (const Tick& t : merged) {
        if (t.stream() == key) got.push_back(t.sequence);
      }
      for (const Tick& t : truth) {
        if (t.stream() == key) want.push_back(t.sequence);
      }
      EXPECT_EQ(got, want) << ToString(key);
    }
  }

  ManualClock clock_{NmAt(7200)};
  std::map<std::string, uint64_t> published_;
  std::map<std::string, uint64_t> gaps_;
  std::map<std::string, uint64_t> depth_published_;  // depth records and depth gap records
};

// Depth flows through the publisher like every kind (its own subject, kind `depth`); the merge
// refuses it: every depth message is acknowledged at once and counted, nothing of it reaches the
// merged store, and the other streams merge exactly as they do without depth.
TEST_F(NatsMergeTest, MarketDepthIsAcknowledgedAndNotMerged) {
  Record("a", 0, 120, {{40, 60}}, /*depth=*/true);
  Record("b", 0, 120, {{80, 90}}, /*depth=*/true);
  auto stats = Merge(Options());
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->depth_skipped, depth_published_["a"] + depth_published_["b"]);
  EXPECT_EQ(stats->ticks, published_["a"] + published_["b"]);
  EXPECT_EQ(stats->gaps, 4u);
  EXPECT_EQ(stats->bad_messages, 0u);
  EXPECT_EQ(stats->acknowledged, stats->messages) << "depth messages are acknowledged too";
  ExpectMergedTruth(0, 120);
  EXPECT_TRUE(MergedGaps().empty());
  storage::QueryRequest request;
  request.streams = {kNmDepth};
  request.from = NmAt(-3600);
  request.to = NmAt(3600);
  size_t depth_records = 0;
  ASSERT_TRUE(storage::QueryTicks(
                  fs::PosixFileSystem(), dir_ + "/merged", request,
                  [&](const Tick&) {
                    ++depth_records;
                    return Status::Ok();
                  },
                  nullptr)
                  .ok());
  EXPECT_EQ(depth_records, 0u);
  auto state = merge::ReadMergeState(fs::PosixFileSystem(), dir_ + "/merged");
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->streams.count(kNmDepth), 0u);
  // Nothing is left to deliver.
  auto again = Merge(Options());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->messages, 0u);
}

TEST_F(NatsMergeTest, TwoRecordersWithDifferentHolesMergeIntoTheCompleteStore) {
  Record("a", 0, 300, {{100, 130}});
  Record("b", 0, 300, {{200, 210}});
  auto stats = Merge(Options());
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->ticks, published_["a"] + published_["b"]);
  EXPECT_EQ(stats->gaps, 4u);
  EXPECT_EQ(stats->bad_messages, 0u);
  EXPECT_EQ(stats->merged_ticks, NmTruth(0, 300).size());
  EXPECT_EQ(stats->acknowledged, stats->messages) << "everything merged is acknowledged";
  ExpectMergedTruth(0, 300);
  EXPECT_TRUE(MergedGaps().empty());
  // Nothing is left to deliver: a second run merges nothing.
  auto again = Merge(Options());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->messages, 0u);
  ExpectMergedTruth(0, 300);
}

TEST_F(NatsMergeTest, ASecondLostByEveryRecorderIsAMergedGapNamingThem) {
  Record("a", 0, 60, {{20, 30}});
  Record("b", 0, 60, {{25, 40}});
  auto stats = Merge(Options());
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  const std::vector<storage::GapRecord> gaps = MergedGaps();
  ASSERT_EQ(gaps.size(), 2u);  // one per stream
  for (const storage::GapRecord& gap : gaps) {
    EXPECT_EQ(gap.start, NmAt(25));
    EXPECT_EQ(gap.end, NmAt(30));
    EXPECT_NE(gap.reason.find("a (disconnect"), std::string::npos) << gap.reason;
    EXPECT_NE(gap.reason.find("b (disconnect"), std::string::npos) << gap.reason;
  }
  EXPECT_EQ(Merged().size(), NmTruth(0, 60).size() - NmTruth(25, 30).size());
}

TEST_F(NatsMergeTest, AMergeKilledBeforeItsAcksResumesWithoutLossOrDuplicates) {
  Record("a", 0, 150, {{100, 130}});
  Record("b", 0, 150, {});
  NatsMergeOptions killed = Options();
  killed.after_merge = [](const merge::MergeReport&) { return false; };
  auto first = Merge(killed);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->acknowledged, 0u);
  EXPECT_EQ(first->merged_ticks, NmTruth(0, 150).size());
  // Every message is delivered again; the merged state says those seconds are decided.
  auto second = Merge(Options());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->messages, first->messages);
  EXPECT_EQ(second->merged_ticks, 0u);
  EXPECT_EQ(second->acknowledged, second->messages);
  ExpectMergedTruth(0, 150);
  // The recorders go on (b loses a window now); the merge continues where it stopped.
  Record("a", 150, 300, {});
  Record("b", 150, 300, {{200, 250}});
  auto third = Merge(Options());
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(third->merged_ticks, NmTruth(150, 300).size());
  ExpectMergedTruth(0, 300);
  EXPECT_TRUE(MergedGaps().empty());
}

TEST_F(NatsMergeTest, BadMessagesAreCountedAcknowledgedAndSkipped) {
  Record("a", 0, 30, {});
  JetStreamLink link(TestLinkOptions());
  ASSERT_TRUE(link.Connect().ok());
  uint64_t duplicates = 0;
  ASSERT_TRUE(
      link.PublishAll({{TickSubject(kNmPrefix, "a", kNmQuotes), "bad-1", "garbage", "live"},
                       {"md.a.not-a-conid.bid_ask", "bad-2", "garbage", nullptr},
                       {GapsSubject(kNmPrefix, "a"), "bad-3", std::string(3, '\1'), nullptr}},
                      &duplicates)
          .ok());
  auto stats = Merge(Options());
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->bad_messages, 3u);
  ExpectMergedTruth(0, 30);
  // They were acknowledged: never delivered again.
  auto again = Merge(Options());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->messages, 0u);
}

TEST_F(NatsMergeTest, ContinuousMergeReconnectsAfterTheServerRestartsAndCatchesUp) {
  Record("a", 0, 100, {{40, 60}});
  Record("b", 0, 100, {});
  NatsMergeOptions options = Options();
  options.until_caught_up = false;
  options.hold_back = 0s;
  // A merge whenever the end moves: the last seconds are decided even when an earlier merge
  // (of part of a recorder's messages) went almost as far.
  options.merge_interval = 1s;
  std::atomic<uint64_t> merged{0};
  options.after_merge = [&](const merge::MergeReport& report) {
    merged += report.ticks;
    return true;
  };
  std::atomic<bool> stop{false};
  Result<NatsMergeStats> result = Unavailable("not run");
  std::thread merger([&] { result = RunNatsMerge(fs::PosixFileSystem(), clock_, options, stop); });
  // Continuously it stops short of the newest second (a recorder may still send ticks of it).
  EXPECT_TRUE(testing::WaitForCondition([&] { return merged.load() == NmTruth(0, 99).size(); }))
      << merged.load();
  server_->Stop();
  ASSERT_TRUE(server_->Start().ok());
  Record("a", 100, 200, {});
  Record("b", 100, 200, {{150, 170}});
  EXPECT_TRUE(testing::WaitForCondition([&] { return merged.load() == NmTruth(0, 199).size(); }))
      << merged.load();
  stop = true;
  merger.join();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  // What the continuous merge held back is merged by a run until caught up.
  auto last = Merge(Options());
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  ExpectMergedTruth(0, 200);
  EXPECT_TRUE(MergedGaps().empty());
}

// A merge that stopped with deliveries it had not taken yet (its subscription held them, or the
// connection lost them): the server delivers them again only after the ack wait, older than what
// a later run receives first. That run waits for them instead of deciding their seconds without
// them: every tick once, none dropped as already decided.
TEST_F(NatsMergeTest, DeliveriesOfAStoppedMergeAreWaitedForNotDecidedWithout) {
  Record("a", 0, 100, {});
  NatsMergeOptions options = Options();
  options.ack_wait = 4s;
  {
    ConsumerOptions consumer_options = TestConsumerOptions(options.durable);
    consumer_options.ack_wait = options.ack_wait;
    JetStreamConsumer stopped(consumer_options);
    ASSERT_TRUE(stopped.Connect().ok());
    auto fetched = stopped.Fetch(100, 5000ms);
    ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
    ASSERT_GE(fetched->size(), 20u);
    // The first ten handed back (delivered again at once); the others left with the server.
    std::vector<std::string> handed_back;
    for (size_t i = 0; i < 10; ++i) handed_back.push_back((*fetched)[i].reply);
    ASSERT_TRUE(stopped.Nak(handed_back).ok());
    ASSERT_TRUE(AckStreamSequence((*fetched)[0].reply).has_value()) << (*fetched)[0].reply;
  }
  auto stats = Merge(options);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_GE(stats->merges_deferred, 1u);
  ExpectMergedTruth(0, 100);
  EXPECT_TRUE(MergedGaps().empty());
}

// The consumer's subscription already holds 150 deliveries (of a pull request answered after
// its fetch returned) and another request is still open on the server when a fetch of 151 asks
// for more: libnats 3.4's fetch alone would read all 101 that come after into its array of 151
// (a heap overrun). Every fetch returns at most its batch, and every message arrives once.
TEST_F(NatsMergeTest, AFetchTakesWhatTheSubscriptionHoldsWithinItsBatch) {
  JetStreamLink link(TestLinkOptions());
  ASSERT_TRUE(link.Connect().ok());
  auto publish = [&](int from, int to) {
    std::vector<OutMessage> messages;
    for (int i = from; i < to; ++i) {
      messages.push_back(
          {std::string(kNmPrefix) + ".x", "m-" + std::to_string(i), std::to_string(i), nullptr});
    }
    uint64_t duplicates = 0;
    ASSERT_TRUE(link.PublishAll(messages, &duplicates).ok());
  };
  publish(0, 150);
  const ConsumerOptions consumer_options = TestConsumerOptions("fetch-test");
  JetStreamConsumer consumer(consumer_options);
  ASSERT_TRUE(consumer.Connect().ok());
  auto requester = ConnectNats({server_->url(), "fetch-test", 5000ms, ""});
  ASSERT_TRUE(requester.ok()) << requester.status().ToString();
  const std::string next = std::string("$JS.API.CONSUMER.MSG.NEXT.") + kNmStream + ".fetch-test";
  ASSERT_EQ(natsConnection_PublishRequestString(*requester, next.c_str(), consumer.inbox().c_str(),
                                                "{\"batch\":150}"),
            NATS_OK);
  ASSERT_EQ(natsConnection_PublishRequestString(*requester, next.c_str(), consumer.inbox().c_str(),
                                                "{\"batch\":100,\"expires\":30000000000}"),
            NATS_OK);
  ASSERT_EQ(natsConnection_Flush(*requester), NATS_OK);
  std::set<std::string> received;
  size_t deliveries = 0;
  auto fetch = [&](std::chrono::milliseconds wait) {
    auto fetched = consumer.Fetch(151, wait);
    ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
    ASSERT_LE(fetched->size(), 151u);
    for (const FetchedMessage& m : *fetched) received.insert(m.data);
    deliveries += fetched->size();
    std::vector<std::string> replies;
    for (const FetchedMessage& m : *fetched) replies.push_back(m.reply);
    ASSERT_TRUE(consumer.Ack(replies).ok());
  };
  // The server has delivered the 150 to the subscription; the other 100 come while the first
  // fetch waits (the open request takes them first, the fetch's own request one more).
  ASSERT_TRUE(testing::WaitForCondition([&] {
    auto pending = consumer.PendingCounts();
    return pending.ok() && pending->unacknowledged == 150;
  }));
  std::thread later([&] {
    std::this_thread::sleep_for(300ms);
    publish(150, 250);
  });
  fetch(1500ms);
  ASSERT_TRUE(testing::WaitForCondition([&] {
    fetch(100ms);
    return received.size() >= 250 || ::testing::Test::HasFatalFailure();
  }));
  later.join();
  EXPECT_EQ(received.size(), 250u);
  EXPECT_EQ(deliveries, 250u);
  natsConnection_Destroy(*requester);
}

TEST(NatsMergeAckSubjectTest, TheStreamSequenceOfAnAcknowledgmentSubject) {
  EXPECT_EQ(AckStreamSequence("$JS.ACK.IBSMERGE.merge-test.1.42.7.1755770400000000000.3"), 42u);
  EXPECT_EQ(AckStreamSequence("$JS.ACK.hub.ACCHASH.IBSMERGE.merge-test.2.43.8.1755770400.0.tok"),
            43u);
  EXPECT_EQ(AckStreamSequence("$JS.ACK.IBSMERGE.merge-test.1.x.7.1.3"), std::nullopt);
  EXPECT_EQ(AckStreamSequence("_INBOX.abc"), std::nullopt);
  EXPECT_EQ(AckStreamSequence(""), std::nullopt);
}

// A continuous merge told of recorders a and b has heard only a (b's publisher is behind): it
// decides nothing until b's messages arrive, so a's hole, which b covered, is no merged gap.
TEST_F(NatsMergeTest, ContinuousMergeWaitsForANamedRecorderItHasNotHeardFrom) {
  Record("a", 0, 100, {{40, 60}});
  NatsMergeOptions options = Options();
  options.until_caught_up = false;
  options.hold_back = 0s;
  // A merge whenever the end moves: the last seconds are decided even when an earlier merge
  // (of part of a recorder's messages) went almost as far.
  options.merge_interval = 1s;
  options.fetch_wait = 50ms;
  options.recorders = {"a", "b"};
  ManualSteadyClock steady;  // never advanced: the wait for b does not run out
  options.steady_clock = &steady;
  std::atomic<uint64_t> merged{0};
  options.after_merge = [&](const merge::MergeReport& report) {
    merged += report.ticks;
    return true;
  };
  std::atomic<int> rounds_with_all_of_a{0};
  std::atomic<bool> waiting{false};
  const uint64_t a_messages = published_["a"] + gaps_["a"];
  options.on_progress = [&](const NatsMergeProgress& progress) {
    if (progress.stats.messages >= a_messages) ++rounds_with_all_of_a;
    waiting = progress.waiting_for_unheard && progress.unheard == std::vector<std::string>{"b"};
  };
  std::atomic<bool> stop{false};
  Result<NatsMergeStats> result = Unavailable("not run");
  std::thread merger([&] { result = RunNatsMerge(fs::PosixFileSystem(), clock_, options, stop); });
  // Every message of a fetched, several rounds gone by: nothing decided from a alone.
  EXPECT_TRUE(testing::WaitForCondition([&] { return rounds_with_all_of_a.load() >= 10; }));
  EXPECT_EQ(merged.load(), 0u);
  EXPECT_TRUE(waiting.load());
  Record("b", 0, 100, {});
  EXPECT_TRUE(testing::WaitForCondition([&] { return merged.load() == NmTruth(0, 99).size(); }))
      << merged.load();
  stop = true;
  merger.join();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->decided_without_unheard, 0u);
  EXPECT_TRUE(MergedGaps().empty());
  ExpectMergedTruth(0, 99);  // a's hole from b: every tick of what was decided, once
}

// The wait for an unheard recorder is bounded: once unheard_wait has passed on the steady clock,
// the merge decides with the recorders it has (a's hole becomes a merged gap) and counts it.
TEST_F(NatsMergeTest, ContinuousMergeDecidesWithoutAnUnheardRecorderAfterTheWait) {
  Record("a", 0, 100, {{40, 60}});
  NatsMergeOptions options = Options();
  options.until_caught_up = false;
  options.hold_back = 0s;
  // A merge whenever the end moves: the last seconds are decided even when an earlier merge
  // (of part of a recorder's messages) went almost as far.
  options.merge_interval = 1s;
  options.fetch_wait = 50ms;
  options.recorders = {"a", "b"};
  options.unheard_wait = 2000ms;
  ManualSteadyClock steady;
  options.steady_clock = &steady;
  std::atomic<uint64_t> merged{0};
  std::atomic<bool> merged_early{false};
  options.after_merge = [&](const merge::MergeReport& report) {
    merged += report.ticks;
    return true;
  };
  const uint64_t a_messages = published_["a"] + gaps_["a"];
  std::atomic<int64_t> advanced_ms{0};
  options.on_progress = [&](const NatsMergeProgress& progress) {
    if (progress.stats.messages < a_messages) return;
    if (progress.stats.merges > 0 && advanced_ms.load() < 2000) merged_early = true;
    steady.Advance(250ms);
    advanced_ms += 250;
  };
  std::atomic<bool> stop{false};
  Result<NatsMergeStats> result = Unavailable("not run");
  std::thread merger([&] { result = RunNatsMerge(fs::PosixFileSystem(), clock_, options, stop); });
  EXPECT_TRUE(testing::WaitForCondition([&] {
    return merged.load() == NmTruth(0, 99).size() - NmTruth(40, 60).size();
  })) << merged.load();
  stop = true;
  merger.join();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_FALSE(merged_early.load());
  EXPECT_GE(result->decided_without_unheard, 1u);
  const std::vector<storage::GapRecord> gaps = MergedGaps();
  ASSERT_EQ(gaps.size(), 2u);  // a's hole, one per stream: nobody else covered it
  EXPECT_EQ(gaps[0].start, NmAt(40));
}

// NATS lost in the middle of an --until-caught-up run (the server stopped after the first fetch):
// libnats reconnects on its own and fetches just time out, but the bound still holds.
TEST_F(NatsMergeTest, UntilCaughtUpGivesUpWhenNatsIsLostMidRun) {
  Record("a", 0, 5, {});
  NatsMergeOptions options = Options();
  options.fetch_wait = 50ms;
  ManualSteadyClock steady;
  options.unreachable_timeout = 1000ms;
  options.steady_clock = &steady;
  bool server_stopped = false;
  options.on_progress = [&](const NatsMergeProgress& progress) {
    if (progress.connected && progress.stats.messages > 0 && !server_stopped) {
      server_->Stop();
      server_stopped = true;
    }
    steady.Advance(300ms);
  };
  std::atomic<bool> stop{false};
  Result<NatsMergeStats> result = Unavailable("not run");
  std::thread merger([&] { result = RunNatsMerge(fs::PosixFileSystem(), clock_, options, stop); });
  // Without the bound the merge would wait for NATS until stopped: stop it after 30 s so the
  // test fails instead of hanging.
  std::thread watchdog([&] {
    testing::WaitForCondition([&] { return stop.load(); }, 30s);
    stop = true;
  });
  merger.join();
  stop = true;
  watchdog.join();
  EXPECT_TRUE(server_stopped);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(result.status().message().find("unreachable for"), std::string::npos)
      << result.status().ToString();
}

// --until-caught-up with NATS unreachable (nothing listens on port 1): it gives up once no
// connect has succeeded for unreachable_timeout on its steady clock, with Unavailable naming the
// server; without the bound it would retry until stopped.
TEST(NatsMergeUnreachableTest, UntilCaughtUpGivesUpAfterTheTimeout) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "natsmerge-down-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  ManualSteadyClock steady;
  ManualClock clock(NmAt(3600));
  NatsMergeOptions options;
  options.url = "nats://127.0.0.1:1";
  options.out = tmpl + "/merged";
  options.until_caught_up = true;
  options.retry_interval = 1ms;
  options.unreachable_timeout = 1000ms;
  options.steady_clock = &steady;
  int reports = 0;
  options.on_progress = [&](const NatsMergeProgress& progress) {
    EXPECT_FALSE(progress.connected);
    ++reports;
    steady.Advance(300ms);
  };
  std::atomic<bool> stop{false};
  auto merged = RunNatsMerge(fs::PosixFileSystem(), clock, options, stop);
  std::filesystem::remove_all(tmpl);
  ASSERT_FALSE(merged.ok());
  EXPECT_EQ(merged.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(merged.status().message().find("NATS at nats://127.0.0.1:1 unreachable for 1200 ms"),
            std::string::npos)
      << merged.status().ToString();
  // Progress is reported at each round's start and after each failed connect, 300 ms apart
  // here: the second failed connect is 1200 ms after the start.
  EXPECT_EQ(reports, 4);
}

}  // namespace
}  // namespace ibstream::cluster::nats_merge_test
