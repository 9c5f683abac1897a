// Market depth recorded against the simulated gateway: the depth records stored rebuild, at every
// instant the book changed, the simulator's modelled book (sim/depth_book.h) around the quote it
// published; a lost connection restarts the book and leaves a failed gap (IB has no depth
// history).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>

#include "recorder/depth_recorder.h"
#include "recorder/depth_truth_check.h"
#include "recorder/recorder_sim_fixture.h"
#include "sim/catalog.h"
#include "sim/depth_book.h"
#include "storage/order_book.h"
#include "storage/query.h"
#include "verify/completeness.h"
#include "verify/truth_reader.h"

namespace ibstream::recorder::recorder_depth_test {
namespace {

using namespace std::chrono_literals;
using testing::RecorderSimTest;

// Slow enough that the records stop well within a second (virtual) of the last quote they follow.
constexpr double kSpeed = 5;
constexpr int kRows = 5;

class RecorderDepthTest : public RecorderSimTest {
 protected:
  void SetUp() override {
    configure_ = [](config::Config& config) { config.contracts[0].depth_rows = kRows; };
  }

  size_t StoredDepth() { return Stored({MnqId(), TickType::kDepth}).size(); }

  // The stored depth records of `contract`, read from the store after the recorder stopped.
  std::vector<Tick> ReadDepth(int64_t contract) {
    std::vector<Tick> out;
    const Status st = storage::QueryTicks(
        fs_, data_dir(), {{{contract, TickType::kDepth}}, start_ - 1h, start_ + 24h},
        [&](const Tick& t) {
          out.push_back(t);
          return Status::Ok();
        },
        nullptr);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  // The quotes the simulator published for `contract` (its truth file's Quote records).
  std::vector<Tick> TruthQuotes(int64_t contract) {
    std::vector<Tick> quotes;
    verify::TruthVisitor visitor;
    visitor.on_tick = [&](const verify::TruthTick& t) {
      if (t.tick.contract_id == contract && t.tick.type == TickType::kQuote) {
        quotes.push_back(t.tick);
      }
      return Status::Ok();
    };
    verify::TruthReadStats stats;
    const Status st = verify::ReadTruthFile(truth_path(), visitor, &stats);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return quotes;
  }
};

storage::OrderBook ModelBook(const sim::SimContract& contract, const Tick& quote) {
  sim::DepthQuote q{quote.bid_price, quote.ask_price, quote.bid_size, quote.ask_size};
  const sim::DepthBook model = sim::ModelDepthBook(contract, 7, q, kRows);
  storage::OrderBook out;
  for (const sim::DepthRow& r : model.bids) out.bids.push_back({r.price, r.size, ""});
  for (const sim::DepthRow& r : model.asks) out.asks.push_back({r.price, r.size, ""});
  return out;
}

TEST_F(RecorderDepthTest, TheRecordedBookIsTheSimulatorsModelledBookAtEveryChange) {
  StartAll("2025-08-12T14:00:00Z", kSpeed);
  // The live fan-out (SSE, WebSocket) carries the depth records as they are stored.
  auto published = std::make_shared<std::atomic<uint64_t>>(0);
  TickFanout::Filter depth_only;
  depth_only.types = {TickType::kDepth};
  recorder_->fanout().Subscribe(depth_only, [published](const Tick&, TickOrigin origin) {
    if (origin == TickOrigin::kLive) published->fetch_add(1);
    return true;
  });
  ASSERT_TRUE(WaitFor([&] { return MnqId() != 0 && StoredDepth() >= 200; }))
      << StoredDepth() << " depth records";
  EXPECT_GT(published->load(), 0u);
  const int64_t mnq = MnqId();
  {
    auto view = recorder_->View();
    ASSERT_EQ(view->depth.size(), 1u);
    EXPECT_TRUE(view->depth[0].granted);
    EXPECT_TRUE(view->depth[0].subscribed);
    EXPECT_GT(view->depth[0].records, 0u);
  }
  StopRecorder();
  simulator_->Stop();

  const std::vector<Tick> records = ReadDepth(mnq);
  ASSERT_GE(records.size(), 200u);
  // verify --truth: every update the simulator sent the recorder is stored, in order, and the
  // rebuilt book of the interval is the simulator's (the tail still in flight when the recorder
  // stopped is lost with its connection).
  verify::CompletenessReport report;
  testing::ExpectDepthMatchesTheTruth(fs_, data_dir(), truth_path(), mnq, &report);
  if (HasFatalFailure()) return;
  EXPECT_GT(report.streams[0].expected, 100u);
  EXPECT_TRUE(report.ok()) << verify::DescribeCompleteness(report).front();
  EXPECT_EQ(records.front().book_operation, BookOperation::kReset) << "the book starts empty";
  const std::vector<Tick> quotes = TruthQuotes(mnq);
  ASSERT_FALSE(quotes.empty());
  auto catalog = sim::Catalog::BuiltIn(start_);
  ASSERT_TRUE(catalog.ok());
  const sim::SimContract* contract = catalog->FindByConId(static_cast<int32_t>(mnq));
  ASSERT_NE(contract, nullptr);

  // Every quote the simulator published while the subscription ran moved the book to the model
  // around it: replaying the records in order passes through the modelled book of each such
  // quote, in publishing order. (Quotes within a second of either end are left out: the first
  // may precede the subscription, the last may still have been in flight.)
  const TimePoint first = records.front().receive_time + 1s;
  const TimePoint last = records.back().receive_time - 1s;
  std::vector<storage::OrderBook> expected;
  for (const Tick& q : quotes) {
    if (q.receive_time >= first && q.receive_time <= last) {
      expected.push_back(ModelBook(*contract, q));
    }
  }
  ASSERT_GE(expected.size(), 10u);
  storage::OrderBookBuilder builder;
  size_t matched = 0;
  std::vector<TimePoint> sampled;
  for (size_t i = 0; i < records.size(); ++i) {
    ASSERT_TRUE(builder.Apply(records[i]).ok()) << "record " << i;
    if (matched < expected.size() && builder.book() == expected[matched]) {
      ++matched;
      if (matched % 5 == 1) sampled.push_back(records[i].exchange_time);
    }
  }
  EXPECT_EQ(matched, expected.size()) << "the book never was the model of quote " << matched;

  // `query --book` reads the same book at those instants.
  storage::OrderBookBuilder replay;
  size_t next = 0;
  for (const TimePoint t : sampled) {
    while (next < records.size() && records[next].exchange_time <= t) {
      ASSERT_TRUE(replay.Apply(records[next++]).ok());
    }
    auto book = storage::ReadBookAt(fs_, data_dir(), mnq, t, {});
    ASSERT_TRUE(book.ok()) << book.status().ToString();
    EXPECT_TRUE(book->restarted);
    EXPECT_EQ(book->book, replay.book()) << FormatIsoUtc(t);
  }
}

TEST_F(RecorderDepthTest, ALostConnectionRestartsTheBookAndLeavesAFailedGap) {
  sim::FaultSpec close;
  close.kind = sim::FaultKind::kClose;
  close.at.offset = 30s;
  StartAll("2025-08-12T14:00:00Z", kSpeed, {close});
  ASSERT_TRUE(WaitFor([&] {
    auto view = recorder_->View();
    return !view->depth.empty() && view->depth[0].resets >= 2 && view->depth[0].gaps >= 1;
  })) << "depth was not asked again after the reconnect";
  const int64_t mnq = MnqId();
  ASSERT_TRUE(WaitFor([&] {
    for (const auto view_now = recorder_->View(); const auto& g : view_now->gaps) {
      if (g.stream.type == TickType::kDepth) return true;
    }
    return false;
  }));
  for (const auto view_now = recorder_->View(); const auto& g : view_now->gaps) {
    if (g.stream.type != TickType::kDepth) continue;
    EXPECT_EQ(g.stream.contract_id, mnq);
    EXPECT_EQ(g.state, storage::BackfillState::kFailed);
    EXPECT_EQ(g.reason, kNoHistoryForDepth);
    EXPECT_EQ(g.cause, "disconnect");
    EXPECT_LE(g.start, g.end);
  }
  // A failed depth gap is never retried.
  for (const auto view_now = recorder_->View(); const auto& g : view_now->gaps) {
    if (g.stream.type == TickType::kDepth) {
      EXPECT_FALSE(recorder_->RetryGap(g.id).ok());
    }
  }
  const std::vector<Tick> records = Stored({mnq, TickType::kDepth});
  const auto resets = std::count_if(records.begin(), records.end(), [](const Tick& t) {
    return t.book_operation == BookOperation::kReset;
  });
  EXPECT_GE(resets, 2);
  // Every stored record applies cleanly: the book restarted where the subscription did.
  storage::OrderBookBuilder builder;
  for (const Tick& t : records) EXPECT_TRUE(builder.Apply(t).ok());
}

TEST_F(RecorderDepthTest, AContractBeyondTheDepthAllowanceIsReportedAndRecordsNoDepth) {
  configure_ = [](config::Config& config) {
    config.gateway.market_depth_limit = 0;
    config.contracts[0].depth_rows = kRows;
  };
  StartAll("2025-08-12T14:00:00Z", kSpeed);
  ASSERT_TRUE(WaitFor([&] {
    auto view = recorder_->View();
    return !view->depth.empty() && MnqId() != 0 && !view->contracts[0].streams.empty() &&
           view->contracts[0].streams[0].ticks > 20;
  }));
  auto view = recorder_->View();
  EXPECT_FALSE(view->depth[0].granted);
  EXPECT_EQ(view->depth[0].reason, "market depth limit 0 reached");
  EXPECT_FALSE(view->depth[0].subscribed);
  EXPECT_EQ(StoredDepth(), 0u);
}

}  // namespace
}  // namespace ibstream::recorder::recorder_depth_test
