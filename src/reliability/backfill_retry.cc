#include "reliability/backfill_retry.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "reliability/ib_error_class.h"

namespace ibstream::reliability {

namespace {

constexpr int kIbHistoricalError = 162;
constexpr int kIbNoSecurityDefinition = 200;

BackfillRetryDecision RetryAt(TimePoint at, bool uses_retry, BackfillRetryReason reason) {
  return BackfillRetryDecision{true, at, uses_retry, reason};
}

BackfillRetryDecision GiveUp(BackfillRetryReason reason) {
  return BackfillRetryDecision{false, TimePoint{}, false, reason};
}

bool Contains(const std::string& lower_text, std::string_view part) {
  return lower_text.find(part) != std::string::npos;
}

// What a 162's text says: permanent (no permission, beyond history) or transient (empty).
std::optional<BackfillRetryReason> PermanentHistoricalCause(std::string_view message) {
  std::string text(message);
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (Contains(text, "pacing")) return std::nullopt;
  constexpr std::array<std::string_view, 3> kPermission = {"permission", "not subscribed",
                                                           "subscription"};
  for (std::string_view p : kPermission) {
    if (Contains(text, p)) return BackfillRetryReason::kNoPermission;
  }
  constexpr std::array<std::string_view, 4> kBeyond = {"beyond", "too far back", "older than",
                                                       "too old"};
  for (std::string_view p : kBeyond) {
    if (Contains(text, p)) return BackfillRetryReason::kBeyondHistory;
  }
  return std::nullopt;
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
    case BackfillRetryReason::kError:
      return "error";
    case BackfillRetryReason::kNoPermission:
      return "no_permission";
    case BackfillRetryReason::kBeyondHistory:
      return "beyond_history";
    case BackfillRetryReason::kUnknownContract:
      return "unknown_contract";
  }
  return "unknown";
}

bool IsPermanentBackfillFailureReason(std::string_view ledger_reason) {
  constexpr std::array<BackfillRetryReason, 3> kPermanent = {BackfillRetryReason::kNoPermission,
                                                             BackfillRetryReason::kBeyondHistory,
                                                             BackfillRetryReason::kUnknownContract};
  for (BackfillRetryReason reason : kPermanent) {
    const std::string prefix = std::string(BackfillRetryReasonName(reason)) + ":";
    if (ledger_reason.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

Duration BackfillBackoff(Duration first, int retries, Duration max) {
  Duration delay = first;
  for (int i = 0; i < retries && delay < max; ++i) delay *= 2;
  return std::max(first, std::min(delay, max));
}

BackfillRetryDecision DecideBackfillRetry(const BackfillFailure& failure,
                                          const BackfillRetryOptions& options) {
  const auto backoff = [&](Duration first, BackfillRetryReason reason) {
    return RetryAt(failure.now + BackfillBackoff(first, failure.retries, options.max_backoff), true,
                   reason);
  };
  if (failure.kind == BackfillFailureKind::kTimeout) {
    return backoff(options.after_timeout, BackfillRetryReason::kTimeout);
  }
  if (!failure.ib_code) {
    if (!failure.connected) {
      return RetryAt(failure.now + options.after_disconnect, false,
                     BackfillRetryReason::kDisconnected);
    }
    return backoff(options.after_pacing, BackfillRetryReason::kError);
  }
  const int code = *failure.ib_code;
  if (code == kIbHistoricalError) {
    if (auto permanent = PermanentHistoricalCause(failure.message)) return GiveUp(*permanent);
    return backoff(options.after_pacing, BackfillRetryReason::kPacing);
  }
  if (code == kIbNoSecurityDefinition) return GiveUp(BackfillRetryReason::kUnknownContract);
  if (ClassifyIbError(code) == IbErrorClass::kPermissionDenied) {
    return GiveUp(BackfillRetryReason::kNoPermission);
  }
  return backoff(options.after_pacing, BackfillRetryReason::kError);
}

}  // namespace ibstream::reliability
