#include "cli/gap_lines.h"

#include <gtest/gtest.h>

namespace ibstream::cli::gap_lines_test {
namespace {

using Json = nlohmann::json;

Json FilledGap() {
  return Json::parse(R"({"id": 7, "contract_id": 711280073, "tick_type": "bid_ask",
    "start": "2025-08-12T15:01:00Z", "end": "2025-08-12T15:02:00Z", "cause": "disconnect",
    "state": "filled", "reason": "", "fill": {"queued_at": "2025-08-12T15:02:05Z",
    "filled_at": "2025-08-12T15:02:39Z", "time_to_fill_seconds": 34.0, "requests": 12,
    "requests_needed": 11, "pacing_minimum_seconds": 4.0, "ratio_to_minimum": 8.5}})");
}

TEST(GapLinesTest, AFilledGapSaysHowLongItTookAgainstThePacingMinimum) {
  EXPECT_EQ(GapLine(FilledGap()),
            "7  711280073/bid_ask  2025-08-12T15:01:00Z .. 2025-08-12T15:02:00Z  cause=disconnect"
            "  backfill=filled  time_to_fill=34.0s requests=12 needed=11 pacing_minimum=4.0s "
            "ratio=8.50");
}

TEST(GapLinesTest, TheLeastTimeAndItsRoundTripWhenTheRecorderSentThem) {
  Json gap = FilledGap();
  gap["fill"]["pacing_minimum_seconds"] = 0.0;
  gap["fill"]["round_trip_seconds"] = 0.25;
  gap["fill"]["least_time_seconds"] = 2.75;
  gap["fill"]["ratio_to_minimum"] = 34.0 / 2.75;
  EXPECT_EQ(GapFillText(gap["fill"]),
            "time_to_fill=34.0s requests=12 needed=11 pacing_minimum=0.0s round_trip=0.25s "
            "least_time=2.8s ratio=12.36");
}

TEST(GapLinesTest, NoRatioWhenPacingImposedNoWait) {
  Json gap = FilledGap();
  gap["fill"]["ratio_to_minimum"] = nullptr;
  gap["fill"]["pacing_minimum_seconds"] = 0.0;
  EXPECT_EQ(GapFillText(gap["fill"]),
            "time_to_fill=34.0s requests=12 needed=11 pacing_minimum=0.0s ratio=none");
}

TEST(GapLinesTest, AnOpenGapHasNoFillAndKeepsItsReason) {
  Json gap = FilledGap();
  gap["state"] = "pending";
  gap["reason"] = "retry requested";
  gap["fill"] = nullptr;
  EXPECT_EQ(GapLine(gap),
            "7  711280073/bid_ask  2025-08-12T15:01:00Z .. 2025-08-12T15:02:00Z  cause=disconnect"
            "  backfill=pending  reason=retry requested");
}

TEST(GapLinesTest, MistypedFieldsPrintAsEmpty) {
  EXPECT_EQ(GapLine(Json::parse(R"({"id": "x", "fill": 3})")), "0  0/   ..   cause=  backfill=");
  EXPECT_EQ(GapLine(Json::array()), "0  0/   ..   cause=  backfill=");
  EXPECT_EQ(GapFillText(Json("no")), "");
}

}  // namespace
}  // namespace ibstream::cli::gap_lines_test
