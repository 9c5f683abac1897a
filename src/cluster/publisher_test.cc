// The publisher against a real nats-server (JetStream in a temp directory, loopback, a free
// port), started by the test. Without nats-server the tests are skipped, unless CI=true.
#include "cluster/publisher.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <functional>
#include <limits>
#include <set>

#include "cluster/nats_server.h"
#include "cluster/nats_test_fixture.h"
#include "storage/store.h"
#include "storage/test_ticks.h"
#include "storage/tick_codec.h"

namespace ibstream::cluster::publisher_test {
namespace {

using namespace std::chrono_literals;
using storage::testing::kHour0;
using storage::testing::MakeTick;

constexpr int64_t kMnq = 711280073;
constexpr int64_t kAapl = 265598;
constexpr char kStream[] = "IBSTEST";
constexpr char kPrefix[] = "md";
constexpr char kRecorder[] = "rec-a";

class NatsEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { ShutdownNatsLibrary(); }
};
const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new NatsEnvironment);

using testing::WaitForCondition;

class PublisherTest : public testing::NatsServerTest {
 protected:
  // The tests start the server themselves.
  PublisherTest() : NatsServerTest("natspub", /*start_server=*/false) {}

  void SetUp() override {
    NatsServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    OpenStore();
  }

  void TearDown() override {
    publisher_.reset();
    if (store_ != nullptr) store_->Close();
    store_.reset();
    NatsServerTest::TearDown();
  }

  void OpenStore() {
    storage::StoreOptions options;
    options.root = dir_ + "/store";
    options.background_maintenance = false;
    // The manual clock never advances: a batch policy would never sync. `always` syncs every
    // group, as a production `batch` does every 100 ms.
    options.writer.fsync = storage::FsyncPolicy::kAlways;
    options.keep_journals_from = [this] { return FromUnixNanos(keep_from_->load()); };
    auto store = storage::Store::Open(fs::PosixFileSystem(), clock_, options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  PublisherOptions Options() {
    PublisherOptions options;
    options.url = server_->url();
    options.stream = kStream;
    options.subject_prefix = kPrefix;
    options.recorder_id = kRecorder;
    options.store_root = dir_ + "/store";
    options.window = 64;
    options.ack_timeout = 1000ms;
    options.retry_interval = 50ms;
    options.poll_interval = 5ms;
    storage::TickWriter* writer = &store_->writer();
    options.accepted_position = [writer] { return writer->accepted_position(); };
    options.durable_position = [writer] { return writer->durable_position(); };
    storage::GapLedger* ledger = &store_->ledger();
    options.list_gaps = [ledger] { return ledger->List(); };
    options.keep_journals_from = keep_from_;
    return options;
  }

  void StartPublisher() {
    auto publisher = Publisher::Start(fs::PosixFileSystem(), clock_, Options());
    ASSERT_TRUE(publisher.ok()) << publisher.status().ToString();
    publisher_ = std::move(*publisher);
  }

  // Appends `n` ticks (two streams, every fifth backfilled); every Append must be accepted.
  void Append(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t seq = written_.size() + 1;
      Tick tick = MakeTick(seq % 2 ? kMnq : kAapl, seq % 2 ? TickType::kBidAsk : TickType::kLast,
                           kHour0 + static_cast<int64_t>(seq / 50), seq,
                           seq % 5 == 0 ? TickSource::kBackfill : TickSource::kLive);
      auto position = store_->writer().Append(tick);
      ASSERT_TRUE(position.ok()) << position.status().ToString();
      written_.push_back(tick);
    }
  }

  uint64_t Count() {
    auto count = StreamMessageCount();
    return count.ok() ? *count : std::numeric_limits<uint64_t>::max();
  }
  Result<uint64_t> StreamMessageCount() {
    return testing::StreamMessageCount(server_->url(), kStream);
  }

  bool WaitPublished(uint64_t ticks) {
    return WaitForCondition([&] { return publisher_->stats().ticks_published >= ticks; });
  }

  ManualClock clock_{FromUnixSeconds(kHour0 + 10)};
  std::shared_ptr<std::atomic<int64_t>> keep_from_ =
      std::make_shared<std::atomic<int64_t>>(std::numeric_limits<int64_t>::min());
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Publisher> publisher_;
  std::vector<Tick> written_;
};

TEST_F(PublisherTest, PublishesEveryStoredTickOnceWithSubjectsAndIds) {
  ASSERT_TRUE(server_->Start().ok());
  Append(300);
  storage::GapRecord gap;
  gap.stream = StreamKey{kMnq, TickType::kBidAsk};
  gap.start = FromUnixSeconds(kHour0);
  gap.end = FromUnixSeconds(kHour0 + 60);
  gap.cause = "disconnect";
  gap.updated_at = FromUnixSeconds(kHour0 + 61);
  auto gap_id = store_->ledger().Add(gap);
  ASSERT_TRUE(gap_id.ok());
  StartPublisher();
  Event event;
  event.name = "gateway_down";
  event.summary = "gateway 127.0.0.1:4002 unreachable";
  publisher_->PublishEvent(event);
  ASSERT_TRUE(WaitPublished(300)) << publisher_->stats().last_error;
  ASSERT_TRUE(WaitForCondition([&] {
    const PublisherStats s = publisher_->stats();
    return s.gaps_published == 1 && s.events_published == 1;
  }));
  // A backfill changes the gap's state: its new snapshot is published too.
  ASSERT_TRUE(
      store_->ledger()
          .Update(*gap_id, storage::BackfillState::kFilled, "", FromUnixSeconds(kHour0 + 90))
          .ok());
  ASSERT_TRUE(WaitForCondition([&] { return publisher_->stats().gaps_published == 2; }));

  auto messages = testing::ReadStream(server_->url(), kStream);
  ASSERT_TRUE(messages.ok()) << messages.status().ToString();
  ASSERT_EQ(messages->size(), 303u);
  std::vector<DecodedTick> ticks;
  std::set<std::string> ids;
  int gaps = 0;
  int events = 0;
  for (const testing::StoredMessage& m : *messages) {
    EXPECT_TRUE(ids.insert(m.id).second) << "duplicate id " << m.id;
    auto kind = PeekKind(m.data);
    ASSERT_TRUE(kind.ok()) << kind.status().ToString();
    if (*kind == MessageKind::kGap) {
      EXPECT_EQ(m.subject, "md.rec-a.gaps");
      auto decoded = DecodeGapBody(m.data);
      ASSERT_TRUE(decoded.ok());
      EXPECT_EQ(decoded->id, *gap_id);
      EXPECT_EQ(m.id, GapMessageId(kRecorder, *decoded));
      EXPECT_EQ(decoded->state,
                gaps++ == 0 ? storage::BackfillState::kPending : storage::BackfillState::kFilled);
      continue;
    }
    if (*kind == MessageKind::kEvent) {
      EXPECT_EQ(m.subject, "md.rec-a.events");
      auto decoded = DecodeEventBody(m.data);
      ASSERT_TRUE(decoded.ok());
      EXPECT_EQ(decoded->name, "gateway_down");
      EXPECT_EQ(decoded->sequence, 1u);
      ++events;
      continue;
    }
    auto decoded = DecodeTickBody(m.data);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(m.subject, TickSubject(kPrefix, kRecorder,
                                     StreamKey{decoded->tick.contract_id, decoded->tick.type}));
    EXPECT_EQ(m.id, TickMessageId(kRecorder, decoded->position));
    EXPECT_EQ(m.source, decoded->tick.source == TickSource::kLive ? "live" : "backfill");
    ticks.push_back(*decoded);
  }
  EXPECT_EQ(gaps, 2);
  EXPECT_EQ(events, 1);
  ASSERT_EQ(ticks.size(), written_.size());
  for (size_t i = 0; i < ticks.size(); ++i) {
    EXPECT_EQ(ticks[i].position.record, i);  // journal order: the order they were accepted
    EXPECT_TRUE(storage::SameStoredTick(ticks[i].tick, written_[i])) << i;
  }
  const PublisherStats s = publisher_->stats();
  EXPECT_EQ(s.duplicates, 0u);
  EXPECT_EQ(s.cursor.record, 300u);
  EXPECT_EQ(s.lag_ticks, 0u);
}

TEST_F(PublisherTest, CatchesUpFromItsCursorAfterTheServerRestarts) {
  ASSERT_TRUE(server_->Start().ok());
  StartPublisher();
  Append(100);
  ASSERT_TRUE(WaitPublished(100)) << publisher_->stats().last_error;
  server_->Stop();
  // Recording goes on while NATS is down (Append asserts every tick is accepted) ...
  Append(400);
  ASSERT_TRUE(store_->writer().Flush(10s).ok());
  ASSERT_TRUE(WaitForCondition([&] { return publisher_->stats().publish_errors > 0; }));
  EXPECT_LT(publisher_->stats().ticks_published, 500u);
  ASSERT_TRUE(WaitForCondition([&] { return publisher_->stats().lag_ticks > 0; }));
  // ... and the publisher catches up when it returns: every tick stored once.
  ASSERT_TRUE(server_->Start().ok());
  ASSERT_TRUE(WaitPublished(500)) << publisher_->stats().last_error;
  ASSERT_TRUE(WaitForCondition([&] { return Count() == 500; })) << Count();
  EXPECT_TRUE(WaitForCondition([&] { return publisher_->stats().lag_ticks == 0; }));
}

TEST_F(PublisherTest, RepublishingAfterACrashStoresNoDuplicate) {
  ASSERT_TRUE(server_->Start().ok());
  Append(200);
  StartPublisher();
  ASSERT_TRUE(WaitPublished(200)) << publisher_->stats().last_error;
  // A crash before the cursor was saved: the publisher is gone and its cursor file with it.
  publisher_->AbandonForTest();
  publisher_.reset();
  std::filesystem::remove(CursorPath(dir_ + "/store", kRecorder));
  StartPublisher();
  ASSERT_TRUE(WaitPublished(200)) << publisher_->stats().last_error;
  EXPECT_EQ(publisher_->stats().duplicates, 200u) << "JetStream dropped every republished id";
  EXPECT_EQ(Count(), 200u);
  // New ticks after the restart are stored once as well.
  Append(50);
  ASSERT_TRUE(WaitPublished(250));
  EXPECT_TRUE(WaitForCondition([&] { return Count() == 250; })) << Count();
}

TEST_F(PublisherTest, RecordingNeverWaitsForNats) {
  // The server is not running at all: publishing fails, storage accepts every tick.
  StartPublisher();
  Append(5000);
  ASSERT_TRUE(store_->writer().Flush(10s).ok());
  EXPECT_EQ(store_->writer().durable_position(), 5000u);
  EXPECT_EQ(store_->writer().rejected_queue_full(), 0u);
  ASSERT_TRUE(WaitForCondition([&] { return publisher_->stats().publish_errors > 0; }));
  EXPECT_EQ(publisher_->stats().ticks_published, 0u);
  ASSERT_TRUE(WaitForCondition([&] { return publisher_->stats().lag_ticks == 5000; }))
      << publisher_->stats().lag_ticks;
  ASSERT_TRUE(server_->Start().ok());
  ASSERT_TRUE(WaitPublished(5000)) << publisher_->stats().last_error;
  EXPECT_TRUE(WaitForCondition([&] { return Count() == 5000; })) << Count();
}

TEST_F(PublisherTest, ADamagedCursorFileIsAnError) {
  ASSERT_TRUE(fs::CreateDirs(fs::PosixFileSystem(), dir_ + "/store/nats").ok());
  ASSERT_TRUE(fs::WriteFileAtomically(fs::PosixFileSystem(), CursorPath(dir_ + "/store", kRecorder),
                                      "garbage\n")
                  .ok());
  auto publisher = Publisher::Start(fs::PosixFileSystem(), clock_, Options());
  ASSERT_FALSE(publisher.ok());
  EXPECT_EQ(publisher.status().code(), StatusCode::kCorruption);
  EXPECT_FALSE(
      KeepJournalsFromCursor(fs::PosixFileSystem(), CursorPath(dir_ + "/store", kRecorder)).ok());
}

// Market depth is stored in the journal like every kind, so the publisher sends it: each record on
// its stream's own subject (kind `depth`), its book change intact, between the other kinds' ticks
// in journal order.
TEST_F(PublisherTest, PublishesMarketDepthOnItsOwnSubject) {
  ASSERT_TRUE(server_->Start().ok());
  std::vector<Tick> depth;
  for (uint64_t i = 0; i < 40; ++i) {
    Append(1);
    Tick record = MakeTick(kMnq, TickType::kDepth, kHour0 + static_cast<int64_t>(i), i + 1);
    record.book_operation = i == 0 ? BookOperation::kReset : BookOperation::kInsert;
    record.book_side = i % 2 ? BookSide::kBid : BookSide::kAsk;
    record.book_position = static_cast<int32_t>(i % 5);
    record.exchange = i % 3 ? "ARCA" : "";  // L2's market maker
    ASSERT_TRUE(store_->writer().Append(record).ok());
    depth.push_back(record);
  }
  StartPublisher();
  ASSERT_TRUE(WaitPublished(80)) << publisher_->stats().last_error;
  auto messages = testing::ReadStream(server_->url(), kStream);
  ASSERT_TRUE(messages.ok()) << messages.status().ToString();
  ASSERT_EQ(messages->size(), 80u);
  std::vector<Tick> got_depth;
  size_t other = 0;
  for (const testing::StoredMessage& m : *messages) {
    auto decoded = DecodeTickBody(m.data);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    if (decoded->tick.type == TickType::kDepth) {
      EXPECT_EQ(m.subject, "md.rec-a.711280073.depth");
      got_depth.push_back(decoded->tick);
    } else {
      EXPECT_TRUE(storage::SameStoredTick(decoded->tick, written_[other])) << other;
      ++other;
    }
  }
  EXPECT_EQ(other, written_.size());
  ASSERT_EQ(got_depth.size(), depth.size());
  for (size_t i = 0; i < depth.size(); ++i) {
    EXPECT_TRUE(storage::SameStoredTick(got_depth[i], depth[i])) << i;
    EXPECT_EQ(got_depth[i].book_operation, depth[i].book_operation) << i;
    EXPECT_EQ(got_depth[i].book_side, depth[i].book_side) << i;
    EXPECT_EQ(got_depth[i].book_position, depth[i].book_position) << i;
  }
}

}  // namespace
}  // namespace ibstream::cluster::publisher_test
