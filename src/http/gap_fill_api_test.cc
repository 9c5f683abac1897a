// How gaps were filled, where an operator looks: each filled gap's time to fill against IB's
// pacing minimum in GET /v1/gaps, the histograms and the ledger's refused adds in /metrics and
// /v1/status.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "http/recorder_api_test_fixture.h"

namespace ibstream::http::gap_fill_api_test {
namespace {

using namespace api_test;  // NOLINT: the fixture's names read as the test's own
using namespace std::chrono_literals;

// The fixture's view with gap 2 (filled) filled in 90 s by 12 requests, 11 of them needed
// (pacing minimum 4 s), and two quicker gaps observed in the histograms.
recorder::RecorderView ViewWithFills() {
  recorder::RecorderView view = MakeView();
  reliability::GapFillTiming fill;
  fill.queued_at = kNow - 20min;
  fill.filled_at = kNow - 20min + 90s;
  fill.requests = 12;
  fill.requests_needed = 11;
  fill.pacing_minimum = reliability::MinimumPacedDuration({}, 11, false);
  view.gap_fills[2] = fill;
  view.counters.fill_time.Observe(fill);
  reliability::GapFillTiming quick;
  quick.filled_at = quick.queued_at + 3s;
  view.counters.fill_time.Observe(quick);
  view.counters.gap_ledger_adds_refused = 3;
  return view;
}

TEST_F(RecorderApiTest, AFilledGapSaysHowLongItTookAgainstThePacingMinimum) {
  source_->SetView(ViewWithFills());
  const Json j = Get("/v1/gaps").json();
  ASSERT_EQ(j["gaps"].size(), 2u) << j.dump();
  EXPECT_TRUE(j["gaps"][0]["fill"].is_null()) << "a pending gap has no fill yet";
  const Json& fill = j["gaps"][1]["fill"];
  ExpectKeys(fill, {"queued_at", "filled_at", "time_to_fill_seconds", "requests", "requests_needed",
                    "pacing_minimum_seconds", "round_trip_seconds", "least_time_seconds",
                    "ratio_to_minimum"});
  EXPECT_EQ(fill["queued_at"], FormatIsoUtc(kNow - 20min));
  EXPECT_EQ(fill["time_to_fill_seconds"], 90.0);
  EXPECT_EQ(fill["requests"], 12);
  EXPECT_EQ(fill["requests_needed"], 11);
  EXPECT_EQ(fill["pacing_minimum_seconds"], 4.0);
  EXPECT_EQ(fill["ratio_to_minimum"], 22.5);
}

// After a restart the recorder's memory has no timing; the ledger's snapshot of the gap does.
TEST_F(RecorderApiTest, AFillTheLedgerKeptIsShownWithoutTheRecordersMemoryOfIt) {
  recorder::RecorderView view = MakeView();
  ASSERT_EQ(view.gaps[1].state, storage::BackfillState::kFilled);
  storage::GapFill fill;
  fill.queued_at = kNow - 10min;
  fill.filled_at = kNow - 10min + 6s;
  fill.requests = fill.requests_needed = 3;
  fill.round_trip = 500ms;
  view.gaps[1].fill = fill;
  view.gaps[0].fill = fill;  // a pending gap's stale fill is never shown
  source_->SetView(view);
  const Json j = Get("/v1/gaps").json();
  ASSERT_EQ(j["gaps"].size(), 2u) << j.dump();
  EXPECT_TRUE(j["gaps"][0]["fill"].is_null());
  const Json& shown = j["gaps"][1]["fill"];
  EXPECT_EQ(shown["time_to_fill_seconds"], 6.0);
  EXPECT_EQ(shown["requests_needed"], 3);
  EXPECT_EQ(shown["pacing_minimum_seconds"], 0.0);
  EXPECT_EQ(shown["round_trip_seconds"], 0.5);
  EXPECT_EQ(shown["least_time_seconds"], 1.5);
  EXPECT_EQ(shown["ratio_to_minimum"], 4.0) << "3 pages: 6 s against 3 round trips";
}

TEST_F(RecorderApiTest, ARatioIsNullWhenNothingWasMeasured) {
  recorder::RecorderView view = MakeView();
  reliability::GapFillTiming fill;
  fill.queued_at = kNow - 10min;
  fill.filled_at = kNow - 10min + 2s;
  fill.requests = fill.requests_needed = 1;
  view.gap_fills[2] = fill;
  source_->SetView(view);
  const Json j = Get("/v1/gaps?state=filled").json();
  ASSERT_EQ(j["gaps"].size(), 1u) << j.dump();
  EXPECT_EQ(j["gaps"][0]["fill"]["pacing_minimum_seconds"], 0.0);
  EXPECT_TRUE(j["gaps"][0]["fill"]["ratio_to_minimum"].is_null());
}

TEST_F(RecorderApiTest, MetricsHaveTheTimeToFillHistogramsAndTheRefusedLedgerAdds) {
  source_->SetView(ViewWithFills());
  const auto r = Get("/metrics");
  ASSERT_EQ(r.status, 200);
  for (const char* line : {
           "# TYPE ibstream_gap_time_to_fill_seconds histogram",
           "ibstream_gap_time_to_fill_seconds_bucket{le=\"1\"} 0",
           "ibstream_gap_time_to_fill_seconds_bucket{le=\"5\"} 1",
           "ibstream_gap_time_to_fill_seconds_bucket{le=\"300\"} 2",
           "ibstream_gap_time_to_fill_seconds_bucket{le=\"+Inf\"} 2",
           "ibstream_gap_time_to_fill_seconds_sum 93",
           "ibstream_gap_time_to_fill_seconds_count 2",
           "# TYPE ibstream_gap_time_to_fill_ratio histogram",
           "ibstream_gap_time_to_fill_ratio_bucket{le=\"10\"} 0",
           "ibstream_gap_time_to_fill_ratio_bucket{le=\"30\"} 1",
           "ibstream_gap_time_to_fill_ratio_sum 22.5",
           "ibstream_gap_time_to_fill_ratio_count 1",
           "ibstream_gap_ledger_adds_refused_total 3",
       }) {
    EXPECT_NE(r.body.find(std::string(line) + "\n"), std::string::npos) << line;
  }
}

TEST_F(RecorderApiTest, StatusCountsTheRefusedLedgerAdds) {
  source_->SetView(ViewWithFills());
  const Json j = Get("/v1/status").json();
  EXPECT_EQ(j["counters"]["gap_ledger_adds_refused"], 3) << j["counters"].dump();
}

}  // namespace
}  // namespace ibstream::http::gap_fill_api_test
