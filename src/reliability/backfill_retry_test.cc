#include "reliability/backfill_retry.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace ibstream::reliability::backfill_retry_test {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr TimePoint kNow = TimePoint{} + std::chrono::hours(480000);

constexpr std::string_view kPacingText =
    "Historical Market Data Service error message:Historical data request pacing violation";
constexpr std::string_view kFarmDownText =
    "Historical Market Data Service error message:HMDS server disconnect occurred";
constexpr std::string_view kNoDataText =
    "Historical Market Data Service error message:HMDS query returned no data";
constexpr std::string_view kPermissionText =
    "Historical Market Data Service error message:No market data permissions for CME FUT";
constexpr std::string_view kBeyondText =
    "Historical Market Data Service error message:Requested data is beyond the history kept";

struct Row {
  BackfillFailureKind kind;
  std::optional<int> code;
  std::string_view message;
  bool connected;
  int retries;
  // Expected:
  bool retry;
  Duration after;  // retry_at - now, when retry
  bool uses_retry;
  BackfillRetryReason reason;
};

std::string Describe(const Row& r) {
  return std::string(r.kind == BackfillFailureKind::kTimeout ? "timeout" : "error") +
         " code=" + (r.code ? std::to_string(*r.code) : "none") + " text=\"" +
         std::string(r.message) + "\" connected=" + (r.connected ? "yes" : "no") +
         " retries=" + std::to_string(r.retries);
}

void Check(const std::vector<Row>& table, const BackfillRetryOptions& options) {
  for (const Row& r : table) {
    const BackfillRetryDecision d = DecideBackfillRetry(
        BackfillFailure{r.kind, r.code, r.connected, r.retries, kNow, r.message}, options);
    SCOPED_TRACE(Describe(r));
    EXPECT_EQ(d.retry, r.retry);
    EXPECT_EQ(d.reason, r.reason);
    EXPECT_EQ(d.uses_retry, r.uses_retry);
    if (r.retry) {
      EXPECT_EQ(d.retry_at, kNow + r.after);
    } else {
      EXPECT_EQ(d.retry_at, TimePoint{});
    }
  }
}

TEST(BackfillRetryTest, DefaultPolicyTable) {
  using K = BackfillFailureKind;
  using R = BackfillRetryReason;
  const Duration zero{};
  const std::string_view none;
  const std::vector<Row> table = {
      // A timeout is asked again after a backoff from 15 s, doubling per retry in a row, up to
      // IB's 10-minute pacing window, and never given up.
      {K::kTimeout, std::nullopt, none, true, 0, true, seconds(15), true, R::kTimeout},
      {K::kTimeout, std::nullopt, none, false, 0, true, seconds(15), true, R::kTimeout},
      {K::kTimeout, std::nullopt, none, true, 1, true, seconds(30), true, R::kTimeout},
      {K::kTimeout, std::nullopt, none, true, 3, true, seconds(120), true, R::kTimeout},
      {K::kTimeout, std::nullopt, none, false, 5, true, seconds(480), true, R::kTimeout},
      {K::kTimeout, std::nullopt, none, true, 6, true, minutes(10), true, R::kTimeout},
      {K::kTimeout, 162, kPermissionText, true, 3, true, seconds(120), true, R::kTimeout},
      {K::kTimeout, std::nullopt, none, true, 1000, true, minutes(10), true, R::kTimeout},
      // No code while disconnected: 5 s, no retry used, however many were used before.
      {K::kError, std::nullopt, none, false, 0, true, seconds(5), false, R::kDisconnected},
      {K::kError, std::nullopt, none, false, 3, true, seconds(5), false, R::kDisconnected},
      {K::kError, std::nullopt, none, false, 10, true, seconds(5), false, R::kDisconnected},
      // No code while connected: retried with backoff.
      {K::kError, std::nullopt, none, true, 0, true, seconds(15), true, R::kError},
      {K::kError, std::nullopt, none, true, 3, true, seconds(120), true, R::kError},
      // 162 pacing, farm down, no data, no text: retried with backoff, without limit.
      {K::kError, 162, kPacingText, true, 0, true, seconds(15), true, R::kPacing},
      {K::kError, 162, kPacingText, true, 1, true, seconds(30), true, R::kPacing},
      {K::kError, 162, kPacingText, true, 2, true, seconds(60), true, R::kPacing},
      {K::kError, 162, kPacingText, true, 3, true, seconds(120), true, R::kPacing},
      {K::kError, 162, kPacingText, true, 4, true, seconds(240), true, R::kPacing},
      {K::kError, 162, kPacingText, true, 10, true, minutes(10), true, R::kPacing},
      {K::kError, 162, kPacingText, false, 3, true, seconds(120), true, R::kPacing},
      {K::kError, 162, kFarmDownText, true, 0, true, seconds(15), true, R::kPacing},
      {K::kError, 162, kFarmDownText, false, 7, true, minutes(10), true, R::kPacing},
      {K::kError, 162, kNoDataText, true, 0, true, seconds(15), true, R::kPacing},
      {K::kError, 162, none, true, 2, true, seconds(60), true, R::kPacing},
      // 162 naming missing permissions or data beyond IB's history: given up, with the reason.
      {K::kError, 162, kPermissionText, true, 0, false, zero, false, R::kNoPermission},
      {K::kError, 162, kPermissionText, false, 5, false, zero, false, R::kNoPermission},
      {K::kError, 162, "HMDS: Not Subscribed", true, 0, false, zero, false, R::kNoPermission},
      {K::kError, 162, kBeyondText, true, 0, false, zero, false, R::kBeyondHistory},
      {K::kError, 162, "data TOO OLD", true, 2, false, zero, false, R::kBeyondHistory},
      // Pacing wins over a word that would read as permanent.
      {K::kError, 162, "pacing violation beyond limit", true, 0, true, seconds(15), true,
       R::kPacing},
      // Permission codes and an unknown contract: given up.
      {K::kError, 354, none, true, 0, false, zero, false, R::kNoPermission},
      {K::kError, 10089, none, true, 0, false, zero, false, R::kNoPermission},
      {K::kError, 10168, none, false, 0, false, zero, false, R::kNoPermission},
      {K::kError, 10186, none, true, 0, false, zero, false, R::kNoPermission},
      {K::kError, 10189, none, true, 0, false, zero, false, R::kNoPermission},
      {K::kError, 200, none, true, 0, false, zero, false, R::kUnknownContract},
      {K::kError, 200, none, false, 0, false, zero, false, R::kUnknownContract},
      // Any other code is transient: retried with backoff.
      {K::kError, 165, none, true, 0, true, seconds(15), true, R::kError},
      {K::kError, 366, none, true, 1, true, seconds(30), true, R::kError},
      {K::kError, 366, none, false, 0, true, seconds(15), true, R::kError},
      {K::kError, 504, none, false, 2, true, seconds(60), true, R::kError},
      {K::kError, 10187, none, true, 0, true, seconds(15), true, R::kError},
      {K::kError, 0, none, true, 9, true, minutes(10), true, R::kError},
  };
  Check(table, BackfillRetryOptions{});
}

TEST(BackfillRetryTest, OptionsReplaceTheDefaults) {
  using K = BackfillFailureKind;
  using R = BackfillRetryReason;
  BackfillRetryOptions options;
  options.after_timeout = seconds(30);
  options.after_disconnect = seconds(2);
  options.after_pacing = seconds(60);
  options.max_backoff = seconds(100);
  const Duration zero{};
  const std::string_view none;
  const std::vector<Row> table = {
      {K::kTimeout, std::nullopt, none, true, 0, true, seconds(30), true, R::kTimeout},
      {K::kTimeout, std::nullopt, none, true, 1, true, seconds(60), true, R::kTimeout},
      {K::kTimeout, std::nullopt, none, true, 2, true, seconds(100), true, R::kTimeout},
      {K::kError, std::nullopt, none, false, 0, true, seconds(2), false, R::kDisconnected},
      {K::kError, 162, kPacingText, true, 0, true, seconds(60), true, R::kPacing},
      {K::kError, 162, kPacingText, true, 1, true, seconds(100), true, R::kPacing},
      {K::kError, 162, kPacingText, true, 50, true, seconds(100), true, R::kPacing},
      {K::kError, 200, none, true, 0, false, zero, false, R::kUnknownContract},
  };
  Check(table, options);
}

TEST(BackfillRetryTest, BackoffDoublesUpToTheMaximumAndNeverOverflows) {
  EXPECT_EQ(BackfillBackoff(seconds(15), 0, minutes(10)), seconds(15));
  EXPECT_EQ(BackfillBackoff(seconds(15), 5, minutes(10)), seconds(480));
  EXPECT_EQ(BackfillBackoff(seconds(15), 6, minutes(10)), minutes(10));
  EXPECT_EQ(BackfillBackoff(seconds(15), 1 << 30, minutes(10)), minutes(10));
  EXPECT_EQ(BackfillBackoff(seconds(15), -3, minutes(10)), seconds(15));
  // A first step longer than the maximum is kept.
  EXPECT_EQ(BackfillBackoff(minutes(20), 3, minutes(10)), minutes(20));
}

TEST(BackfillRetryTest, ReasonNames) {
  EXPECT_EQ(BackfillRetryReasonName(BackfillRetryReason::kTimeout), "timeout");
  EXPECT_EQ(BackfillRetryReasonName(BackfillRetryReason::kDisconnected), "disconnected");
  EXPECT_EQ(BackfillRetryReasonName(BackfillRetryReason::kPacing), "pacing");
  EXPECT_EQ(BackfillRetryReasonName(BackfillRetryReason::kError), "error");
  EXPECT_EQ(BackfillRetryReasonName(BackfillRetryReason::kNoPermission), "no_permission");
  EXPECT_EQ(BackfillRetryReasonName(BackfillRetryReason::kBeyondHistory), "beyond_history");
  EXPECT_EQ(BackfillRetryReasonName(BackfillRetryReason::kUnknownContract), "unknown_contract");
}

TEST(BackfillRetryTest, PermanentFailureReasonsAreTheGiveUpNamesWithAColon) {
  struct ReasonRow {
    std::string_view reason;
    bool permanent;
  };
  const std::vector<ReasonRow> table = {
      {"no_permission: IB error 354", true},
      {"beyond_history: HMDS query returned no data, too far back", true},
      {"unknown_contract: IB error 200", true},
      {"pacing: IB error 162 pacing violation", false},
      {"timeout: no answer to a history request", false},
      {"history has no ticks from 2025-08-12T15:00:00Z to the end of the gap", false},
      {"contract no longer tracked", false},
      {"backfill disabled", false},
      {"no_permission", false},  // a bare name is not what the runner writes
      {"", false},
  };
  for (const ReasonRow& row : table) {
    EXPECT_EQ(IsPermanentBackfillFailureReason(row.reason), row.permanent) << row.reason;
  }
}

}  // namespace
}  // namespace ibstream::reliability::backfill_retry_test
