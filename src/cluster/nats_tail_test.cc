// `ibstream tail` over the wire: two recorders publish the same contract, one of them with a
// hole, to a nats-server started by the test; the tail sees every tick of the truth once.
#include "cluster/nats_tail.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cluster/jetstream_link.h"
#include "cluster/nats_server.h"
#include "cluster/nats_test_fixture.h"
#include "cluster/publisher.h"
#include "storage/order_book.h"
#include "storage/test_ticks.h"
#include "storage/tick_codec.h"

namespace ibstream::cluster::nats_tail_test {
namespace {

using namespace std::chrono_literals;
using storage::testing::MakeTick;

constexpr int64_t kNtT0 = 1755770400;
constexpr int64_t kNtContract = 711202509;
constexpr int64_t kNtOther = 265598;
constexpr char kNtStream[] = "IBSTAIL";
constexpr char kNtPrefix[] = "md";

class NatsTailTest : public testing::NatsServerTest {
 protected:
  NatsTailTest() : NatsServerTest("natstail") {}

  void SetUp() override {
    NatsServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    LinkOptions options;
    options.url = server_->url();
    options.stream = kNtStream;
    options.stream_subjects = StreamSubjects(kNtPrefix);
    link_ = std::make_unique<JetStreamLink>(options);
    ASSERT_TRUE(link_->Connect().ok());
  }

  void TearDown() override {
    link_.reset();
    NatsServerTest::TearDown();
  }

  // Publishes `ticks` as `recorder` published them (wire.h), under journal positions of the hour
  // `hour_ns` (distinct per call) from record 0.
  void PublishTicks(const std::string& recorder, const std::vector<Tick>& ticks, int64_t hour_ns) {
    std::vector<OutMessage> messages;
    uint64_t record = 0;
    for (const Tick& tick : ticks) {
      JournalPosition position;
      position.record = record++;
      position.hour_ns = hour_ns;
      std::string encoded;
      storage::AppendTick(tick, &encoded);
      messages.push_back(OutMessage{TickSubject(kNtPrefix, recorder, tick.stream()),
                                    TickMessageId(recorder, position),
                                    EncodeTickBody(position, encoded), "live"});
    }
    uint64_t duplicates = 0;
    ASSERT_TRUE(link_->PublishAll(messages, &duplicates).ok());
  }

  // Publishes `recorder`'s copies of the ticks of seconds [from, to) of `contract` (2 per second
  // and kind).
  void Publish(const std::string& recorder, int64_t contract, int64_t from, int64_t to) {
    std::vector<Tick> ticks;
    for (int64_t s = from; s < to; ++s) {
      for (TickType type : {TickType::kBidAsk, TickType::kLast}) {
        for (uint64_t i = 0; i < 2; ++i) {
          ticks.push_back(
              MakeTick(contract, type, kNtT0 + s, static_cast<uint64_t>(s) * 2 + i + 1));
        }
      }
    }
    PublishTicks(recorder, ticks, from);
  }

  // Publishes `recorder`'s market-depth records of seconds [from, to): at second 0 a reset and a
  // one-row book, then each second both rows updated to prices that name the second.
  void PublishDepth(const std::string& recorder, int64_t from, int64_t to) {
    std::vector<Tick> records;
    for (int64_t s = from; s < to; ++s) {
      Tick t = MakeTick(kNtContract, TickType::kDepth, kNtT0 + s, static_cast<uint64_t>(s) + 1);
      t.size = Decimal::FromInt(1);
      if (s == 0) {
        t.book_operation = BookOperation::kReset;
        records.push_back(t);
      }
      t.book_operation = s == 0 ? BookOperation::kInsert : BookOperation::kUpdate;
      for (const BookSide side : {BookSide::kBid, BookSide::kAsk}) {
        t.book_side = side;
        t.price = 100 + static_cast<double>(s) + (side == BookSide::kAsk ? 0.5 : 0);
        records.push_back(t);
      }
    }
    PublishTicks(recorder, records, from);
  }

  // A running tail of kNtContract, collecting what it prints.
  struct TailRun {
    std::mutex mu;
    std::condition_variable cv;
    bool ready = false;
    std::vector<std::pair<std::string, Tick>> printed;  // (recorder, tick)
    std::atomic<bool> stop{false};
    Result<NatsTailStats> result = Unavailable("not run");
    std::thread thread;

    // Waits (60 s at most) until `done` holds, called under the lock.
    bool Wait(const std::function<bool()>& done) {
      std::unique_lock lock(mu);
      return cv.wait_for(lock, 60s, done);
    }
    size_t PrintedCount() {
      std::lock_guard lock(mu);
      return printed.size();
    }
    // Stops the tail; `printed` and `result` are then the test's alone.
    void Stop() {
      stop = true;
      if (thread.joinable()) thread.join();
    }
    ~TailRun() { Stop(); }
  };

  // Tails kNtContract's `type` ticks, following another recorder after 3 s of silence.
  std::unique_ptr<TailRun> StartTail(TickType type) {
    auto run = std::make_unique<TailRun>();
    TailRun* r = run.get();
    NatsTailOptions options;
    options.url = server_->url();
    options.stream = kNtStream;
    options.subject_prefix = kNtPrefix;
    options.contract_id = kNtContract;
    options.types = {type};
    options.switch_after = 3s;
    options.fetch_wait = 100ms;
    options.on_ready = [r] {
      std::lock_guard lock(r->mu);
      r->ready = true;
      r->cv.notify_all();
    };
    options.on_tick = [r](const std::string& recorder, const Tick& tick) {
      std::lock_guard lock(r->mu);
      r->printed.emplace_back(recorder, tick);
      r->cv.notify_all();
      return true;
    };
    r->thread = std::thread([r, options] { r->result = RunNatsTail(options, r->stop); });
    return run;
  }

  std::unique_ptr<JetStreamLink> link_;
};

TEST_F(NatsTailTest, PrintsEachTickOnceAcrossTwoRecorders) {
  const auto tail = StartTail(TickType::kBidAsk);
  ASSERT_TRUE(tail->Wait([&] { return tail->ready; }));
  // a records [0, 20) and [30, 60) (it lost [20, 30)); b records [0, 60); seconds interleave as
  // live recorders' would, a a little ahead.
  Publish("a", kNtContract, 0, 10);
  Publish("b", kNtContract, 0, 10);
  Publish("a", kNtContract, 10, 20);
  Publish("a", kNtOther, 10, 20);  // another contract: not tailed
  Publish("b", kNtContract, 10, 30);
  Publish("a", kNtContract, 30, 60);
  Publish("b", kNtContract, 30, 60);
  const size_t want = 60 * 2;  // every bid_ask tick of [0, 60)
  EXPECT_TRUE(tail->Wait([&] { return tail->printed.size() >= want; })) << tail->PrintedCount();
  tail->Stop();
  ASSERT_TRUE(tail->result.ok()) << tail->result.status().ToString();
  std::vector<uint64_t> sequences;
  for (const auto& [recorder, tick] : tail->printed) {
    EXPECT_EQ(tick.contract_id, kNtContract);
    EXPECT_EQ(tick.type, TickType::kBidAsk);
    sequences.push_back(tick.sequence);
    const int64_t second = ToUnixSeconds(tick.exchange_time) - kNtT0;
    if (second >= 20 && second < 30) {
      EXPECT_EQ(recorder, "b") << "a lost it";
    }
  }
  std::vector<uint64_t> expected;
  for (uint64_t s = 0; s < 60; ++s) {
    for (uint64_t i = 0; i < 2; ++i) expected.push_back(s * 2 + i + 1);
  }
  EXPECT_EQ(sequences, expected) << "each tick once, in order";
  EXPECT_GT(tail->result->copies, 0u);
}

// Market depth over NATS: one recorder's book at a time. a delivers [0, 20) and stops; b, which
// delivered the same market all along, is followed from its whole book once a has been silent 3 s.
TEST_F(NatsTailTest, DepthPrintsOneRecordersBookAndSwitchesWithItsWholeBook) {
  const auto tail = StartTail(TickType::kDepth);
  ASSERT_TRUE(tail->Wait([&] { return tail->ready; }));
  PublishDepth("a", 0, 20);
  PublishDepth("b", 0, 40);
  EXPECT_TRUE(tail->Wait([&] {
    return !tail->printed.empty() &&
           tail->printed.back().second.exchange_time == FromUnixSeconds(kNtT0 + 39);
  })) << tail->PrintedCount();
  tail->Stop();
  ASSERT_TRUE(tail->result.ok()) << tail->result.status().ToString();
  const auto& printed = tail->printed;
  // a's 20 seconds (a reset and 2 records each); at b's first record of second 22 (3 s after a's
  // last) b's reset and its two rows, then b's other record of second 22 and those of 23 to 39.
  ASSERT_EQ(printed.size(), 1 + 20 * 2 + 1 + 2 + 1 + 17 * 2u);
  size_t switched_at = 0;
  for (size_t i = 0; i < printed.size(); ++i) {
    if (printed[i].first == "b" && switched_at == 0) switched_at = i;
    if (switched_at != 0) {
      EXPECT_EQ(printed[i].first, "b") << i;
    }
  }
  ASSERT_EQ(switched_at, 41u);
  EXPECT_EQ(printed[41].second.book_operation, BookOperation::kReset);
  EXPECT_EQ(printed[41].second.exchange_time, FromUnixSeconds(kNtT0 + 22));
  storage::OrderBookBuilder reader;
  for (const auto& [recorder, tick] : printed) {
    ASSERT_TRUE(reader.Apply(tick).ok());
  }
  ASSERT_EQ(reader.book().bids.size(), 1u);
  ASSERT_EQ(reader.book().asks.size(), 1u);
  EXPECT_EQ(reader.book().bids[0].price, 139);
  EXPECT_EQ(reader.book().asks[0].price, 139.5);
}

}  // namespace
}  // namespace ibstream::cluster::nats_tail_test
