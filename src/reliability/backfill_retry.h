// When a backfill page that failed is asked again, or whether its gap is given up on. A pure
// decision: the recorder's backfill runner hands it what happened (a timeout, or an error with
// IB's code and text when there is one), whether the gateway is connected and how many retries
// in a row the gap has used, and carries out the answer.
//
// Backfill never gives up while IB may still serve the data. The rules (default options):
//   - a page IB did not answer in time, error 162 (a pacing violation, the historical farm down
//     or any other transient HMDS answer), and any error not listed below are asked again after
//     a backoff that doubles with each retry in a row, from 15 s up to IB's 10-minute pacing
//     window, without limit (each one uses a retry: the backoff grows; the pacer spaces the
//     requests on top);
//   - an error without an IB code while the gateway is disconnected is asked again 5 s later
//     (after reconnecting), without using a retry;
//   - only permanent causes give the gap up (its ledger entry is closed as failed, the reason
//     named): no permission for the data (354, 10089, 10168, 10186, 10189, or a 162 whose text
//     names missing permissions or subscriptions), data beyond IB's history (a 162 whose text says
//     so), an unknown contract (200).
// IB's error 162 covers every historical failure; its text is the only way to tell a permanent
// one from a transient one, so that one code is read by its text.
#pragma once

#include <optional>
#include <string_view>

#include "common/clock.h"

namespace ibstream::reliability {

struct BackfillRetryOptions {
  // First backoff after a page IB did not answer within the request timeout.
  Duration after_timeout = std::chrono::seconds(15);
  // After an error without an IB code while the gateway is disconnected (no backoff).
  Duration after_disconnect = std::chrono::seconds(5);
  // First backoff after error 162 or another transient error.
  Duration after_pacing = std::chrono::seconds(15);
  // The longest backoff: IB's pacing window (60 requests per 10 minutes).
  Duration max_backoff = std::chrono::minutes(10);
};

enum class BackfillFailureKind {
  kTimeout,  // no answer within the request timeout
  kError,    // IB (or the connection) answered with an error
};

struct BackfillFailure {
  BackfillFailureKind kind = BackfillFailureKind::kError;
  std::optional<int> ib_code;  // the IB error code, when the error carries one
  bool connected = true;       // the gateway's connection when the failure is handled
  int retries = 0;             // retries in a row this gap has used so far
  TimePoint now;
  std::string_view message;  // IB's error text (read for 162 only); may be empty
};

enum class BackfillRetryReason {
  kTimeout,          // retry: no answer in time
  kDisconnected,     // retry: the connection is down
  kPacing,           // retry: error 162 (pacing violation, historical farm down, ...)
  kError,            // retry: any other error, none known to be permanent
  kNoPermission,     // give up: no permission or subscription for this data
  kBeyondHistory,    // give up: IB keeps no history that far back
  kUnknownContract,  // give up: IB does not know the contract (200)
};

std::string_view BackfillRetryReasonName(BackfillRetryReason reason);

struct BackfillRetryDecision {
  bool retry = false;       // false: give the gap up (fail its ledger entry)
  TimePoint retry_at;       // when retry: not before this
  bool uses_retry = false;  // when retry: counts as a retry in a row (the backoff grows)
  BackfillRetryReason reason = BackfillRetryReason::kError;

  friend bool operator==(const BackfillRetryDecision&, const BackfillRetryDecision&) = default;
};

BackfillRetryDecision DecideBackfillRetry(const BackfillFailure& failure,
                                          const BackfillRetryOptions& options = {});

// Whether a gap's ledger reason (failed) records a permanent cause: it starts with the name of a
// give-up reason and a colon ("no_permission: ...", "beyond_history: ...", "unknown_contract:
// ..."), as the backfill runner writes it. Any other failed gap may still be fetched.
bool IsPermanentBackfillFailureReason(std::string_view ledger_reason);

// `first` doubled `retries` times, at most `max` (and never less than `first`).
Duration BackfillBackoff(Duration first, int retries, Duration max);

}  // namespace ibstream::reliability
