#include "reliability/backfill_retry.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace ibstream::reliability {
namespace {

using std::chrono::seconds;

constexpr TimePoint kNow = TimePoint{} + std::chrono::hours(480000);

struct Row {
  BackfillFailureKind kind;
  std::optional<int> code;
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
         " code=" + (r.code ? std::to_string(*r.code) : "none") +
         " connected=" + (r.connected ? "yes" : "no") + " retries=" + std::to_string(r.retries);
}

void Check(const std::vector<Row>& table, const BackfillRetryOptions& options) {
  for (const Row& r : table) {
    const BackfillRetryDecision d =
        DecideBackfillRetry(BackfillFailure{r.kind, r.code, r.connected, r.retries, kNow}, options);
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
  const std::vector<Row> table = {
      // A timeout is always asked again 15 s later, whatever else is true, and uses no retry.
      {K::kTimeout, std::nullopt, true, 0, true, seconds(15), false, R::kTimeout},
      {K::kTimeout, std::nullopt, false, 0, true, seconds(15), false, R::kTimeout},
      {K::kTimeout, std::nullopt, true, 3, true, seconds(15), false, R::kTimeout},
      {K::kTimeout, std::nullopt, false, 7, true, seconds(15), false, R::kTimeout},
      {K::kTimeout, 162, true, 3, true, seconds(15), false, R::kTimeout},
      {K::kTimeout, 200, false, 0, true, seconds(15), false, R::kTimeout},
      // No code while disconnected: 5 s, no retry used, however many were used before.
      {K::kError, std::nullopt, false, 0, true, seconds(5), false, R::kDisconnected},
      {K::kError, std::nullopt, false, 3, true, seconds(5), false, R::kDisconnected},
      {K::kError, std::nullopt, false, 10, true, seconds(5), false, R::kDisconnected},
      // No code while connected: given up.
      {K::kError, std::nullopt, true, 0, false, zero, false, R::kError},
      {K::kError, std::nullopt, true, 3, false, zero, false, R::kError},
      // 162: three retries 15 s apart (connected or not), then given up.
      {K::kError, 162, true, 0, true, seconds(15), true, R::kPacing},
      {K::kError, 162, true, 1, true, seconds(15), true, R::kPacing},
      {K::kError, 162, true, 2, true, seconds(15), true, R::kPacing},
      {K::kError, 162, true, 3, false, zero, false, R::kRetriesExhausted},
      {K::kError, 162, true, 4, false, zero, false, R::kRetriesExhausted},
      {K::kError, 162, false, 0, true, seconds(15), true, R::kPacing},
      {K::kError, 162, false, 2, true, seconds(15), true, R::kPacing},
      {K::kError, 162, false, 3, false, zero, false, R::kRetriesExhausted},
      // Any other code is given up at once, connected or not.
      {K::kError, 200, true, 0, false, zero, false, R::kError},
      {K::kError, 200, false, 0, false, zero, false, R::kError},
      {K::kError, 165, true, 0, false, zero, false, R::kError},
      {K::kError, 366, true, 1, false, zero, false, R::kError},
      {K::kError, 366, false, 0, false, zero, false, R::kError},
      {K::kError, 10187, true, 0, false, zero, false, R::kError},
      {K::kError, 0, true, 0, false, zero, false, R::kError},
      {K::kError, 0, false, 0, false, zero, false, R::kError},
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
  options.max_pacing_retries = 1;
  const Duration zero{};
  const std::vector<Row> table = {
      {K::kTimeout, std::nullopt, true, 0, true, seconds(30), false, R::kTimeout},
      {K::kError, std::nullopt, false, 0, true, seconds(2), false, R::kDisconnected},
      {K::kError, 162, true, 0, true, seconds(60), true, R::kPacing},
      {K::kError, 162, true, 1, false, zero, false, R::kRetriesExhausted},
      {K::kError, 200, true, 0, false, zero, false, R::kError},
  };
  Check(table, options);

  options.max_pacing_retries = 0;
  Check({{K::kError, 162, true, 0, false, zero, false, R::kRetriesExhausted}}, options);
}

TEST(BackfillRetryTest, ReasonNames) {
  EXPECT_EQ(BackfillRetryReasonName(BackfillRetryReason::kTimeout), "timeout");
  EXPECT_EQ(BackfillRetryReasonName(BackfillRetryReason::kDisconnected), "disconnected");
  EXPECT_EQ(BackfillRetryReasonName(BackfillRetryReason::kPacing), "pacing");
  EXPECT_EQ(BackfillRetryReasonName(BackfillRetryReason::kRetriesExhausted), "retries_exhausted");
  EXPECT_EQ(BackfillRetryReasonName(BackfillRetryReason::kError), "error");
}

}  // namespace
}  // namespace ibstream::reliability
