// GET /v1/book/{conId}: the market-depth book at an instant from the source's stored records.
#include <gtest/gtest.h>

#include <chrono>

#include "http/recorder_api_test_fixture.h"

namespace ibstream::http::book_endpoints_test {
namespace {

using namespace api_test;  // NOLINT: the fixture's names read as the test's own
using namespace std::chrono_literals;

Tick Depth(BookOperation operation, BookSide side, int position, double price, int64_t size,
           Duration after_now_minus_minute) {
  Tick t;
  t.contract_id = kMnq;
  t.type = TickType::kDepth;
  t.book_operation = operation;
  t.book_side = side;
  t.book_position = position;
  t.price = price;
  t.size = size > 0 ? Decimal::FromInt(size) : Decimal::Unset();
  t.exchange_time = kNow - 1min + after_now_minus_minute;
  t.receive_time = t.exchange_time;
  return t;
}

class BookEndpointTest : public RecorderApiTest {
 protected:
  void StoreBook() {
    source_->stored = {
        Depth(BookOperation::kReset, BookSide::kAsk, 0, 0, 0, 0s),
        Depth(BookOperation::kInsert, BookSide::kBid, 0, 23260.0, 4, 1s),
        Depth(BookOperation::kInsert, BookSide::kAsk, 0, 23260.25, 2, 2s),
        Depth(BookOperation::kInsert, BookSide::kBid, 1, 23259.75, 9, 3s),
        Depth(BookOperation::kDelete, BookSide::kBid, 0, 0, 0, 10s),
    };
  }
};

TEST_F(BookEndpointTest, TheBookAtAnInstant) {
  StoreBook();
  auto r = Get("/v1/book/711280073?at=2025-08-11T17:59:05Z");
  ASSERT_EQ(r.status, 200) << r.body;
  const Json j = r.json();
  EXPECT_EQ(j["contract_id"], kMnq);
  EXPECT_EQ(j["at"], "2025-08-11T17:59:05Z");
  EXPECT_EQ(j["restarted"], true);
  EXPECT_EQ(j["complete"], true);
  EXPECT_EQ(j["records"], 4);
  EXPECT_EQ(j["last_update"], "2025-08-11T17:59:03Z");
  ASSERT_EQ(j["bids"].size(), 2u) << r.body;
  EXPECT_EQ(j["bids"][0]["price"], 23260.0);
  EXPECT_EQ(j["bids"][0]["size"], "4");
  EXPECT_EQ(j["bids"][1]["position"], 1);
  EXPECT_EQ(j["bids"][1]["price"], 23259.75);
  ASSERT_EQ(j["asks"].size(), 1u);
  EXPECT_EQ(j["asks"][0]["size"], "2");

  // rows=1 keeps the best row; without `at` the book is the recorder's now (after the delete).
  EXPECT_EQ(Get("/v1/book/711280073?at=2025-08-11T17:59:05Z&rows=1").json()["bids"].size(), 1u);
  const Json now = Get("/v1/book/711280073").json();
  EXPECT_EQ(now["at"], "2025-08-11T18:00:00Z");
  ASSERT_EQ(now["bids"].size(), 1u);
  EXPECT_EQ(now["bids"][0]["price"], 23259.75);
}

TEST_F(BookEndpointTest, BadParametersAndNoRecords) {
  StoreBook();
  ExpectJsonError(Get("/v1/book/abc"), 400);
  ExpectJsonError(Get("/v1/book/711280073?at=yesterday"), 400);
  ExpectJsonError(Get("/v1/book/711280073?rows=-1"), 400);
  ExpectJsonError(Get("/v1/book/711280073?lookback_seconds=0"), 400);
  ExpectJsonError(Get("/v1/book/711280073?at=2025-08-11T17:00:00Z"), 404);
  ExpectJsonError(Get("/v1/book/12345"), 404);
}

TEST_F(BookEndpointTest, ABookWithoutItsRestartInTheWindowIsNotComplete) {
  StoreBook();
  const Json j = Get("/v1/book/711280073?at=2025-08-11T17:59:05Z&lookback_seconds=3").json();
  EXPECT_EQ(j["restarted"], false);
  EXPECT_EQ(j["complete"], false);
}

// A contract left without a depth slot is reported in /v1/status and /metrics.
TEST_F(BookEndpointTest, DepthSlotsInStatusAndMetrics) {
  recorder::RecorderView view = MakeView();
  recorder::DepthView granted;
  granted.contract_id = kMnq;
  granted.symbol = "MNQ";
  granted.granted = true;
  granted.subscribed = true;
  granted.records = 42;
  recorder::DepthView refused;
  refused.contract_id = 495512563;
  refused.symbol = "ES";
  refused.reason = "market depth limit 1 reached";
  view.depth = {granted, refused};
  source_->SetView(view);
  const Json status = Get("/v1/status").json();
  ASSERT_EQ(status["depth"].size(), 2u) << status.dump();
  EXPECT_EQ(status["depth"][0]["records"], 42);
  EXPECT_EQ(status["depth"][1]["granted"], false);
  EXPECT_EQ(status["depth"][1]["reason"], "market depth limit 1 reached");
  const std::string metrics = Get("/metrics").body;
  EXPECT_NE(metrics.find("ibstream_depth_granted{contract_id=\"495512563\",symbol=\"ES\"} 0"),
            std::string::npos)
      << metrics;
  EXPECT_NE(
      metrics.find("ibstream_depth_records_total{contract_id=\"711280073\",symbol=\"MNQ\"} 42"),
      std::string::npos)
      << metrics;
}

}  // namespace
}  // namespace ibstream::http::book_endpoints_test
