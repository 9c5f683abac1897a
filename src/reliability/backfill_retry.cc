#include "reliability/backfill_retry.h"

namespace ibstream::reliability {

namespace {

constexpr int kIbHistoricalPacing = 162;

BackfillRetryDecision RetryAt(TimePoint at, bool uses_retry, BackfillRetryReason reason) {
  return BackfillRetryDecision{true, at, uses_retry, reason};
}

BackfillRetryDecision GiveUp(BackfillRetryReason reason) {
  return BackfillRetryDecision{false, TimePoint{}, false, reason};
}

}  // namespace

std::string_view BackfillRetryReasonName(BackfillRetryReason reason) {
  switch (reason) {
    case BackfillRetryReason::kTimeout:
      return "timeout";
    case BackfillRetryReason::kDisconnected:
      return "disconnected";
    case BackfillRetryReason::kPacing:
      return "pacing";
    case BackfillRetryReason::kRetriesExhausted:
      return "retries_exhausted";
    case BackfillRetryReason::kError:
      return "error";
  }
  return "unknown";
}

BackfillRetryDecision DecideBackfillRetry(const BackfillFailure& failure,
                                          const BackfillRetryOptions& options) {
  if (failure.kind == BackfillFailureKind::kTimeout) {
    return RetryAt(failure.now + options.after_timeout, false, BackfillRetryReason::kTimeout);
  }
  if (!failure.ib_code && !failure.connected) {
    return RetryAt(failure.now + options.after_disconnect, false,
                   BackfillRetryReason::kDisconnected);
  }
  if (failure.ib_code && *failure.ib_code == kIbHistoricalPacing) {
    if (failure.retries < options.max_pacing_retries) {
      return RetryAt(failure.now + options.after_pacing, true, BackfillRetryReason::kPacing);
    }
    return GiveUp(BackfillRetryReason::kRetriesExhausted);
  }
  return GiveUp(BackfillRetryReason::kError);
}

}  // namespace ibstream::reliability
