// When a backfill page that failed is asked again, or whether its gap is given up on. A pure
// decision: the recorder's backfill runner hands it what happened (a timeout, or an error with
// IB's code when there is one), whether the gateway is connected and how many retries the gap
// has used, and carries out the answer.
//
// The rules (with the default options):
//   - a page IB did not answer in time is asked again 15 s later, without limit (IB may never
//     answer while its historical farm is down; the gap stays pending, not failed);
//   - an error without an IB code while the gateway is disconnected is asked again 5 s later
//     (after reconnecting), without using a retry;
//   - error 162 (pacing violation or a transient historical-farm error) is asked again 15 s later,
//     up to 3 times per gap (each one uses a retry; the pacer spaces the requests on top);
//   - anything else gives the gap up: the ledger entry is closed as failed.
#pragma once

#include <optional>
#include <string_view>

#include "common/clock.h"

namespace ibstream::reliability {

struct BackfillRetryOptions {
  // After a page IB did not answer within the request timeout.
  Duration after_timeout = std::chrono::seconds(15);
  // After an error without an IB code while the gateway is disconnected.
  Duration after_disconnect = std::chrono::seconds(5);
  // After IB's error 162.
  Duration after_pacing = std::chrono::seconds(15);
  // How many 162 errors one gap may retry.
  int max_pacing_retries = 3;
};

enum class BackfillFailureKind {
  kTimeout,  // no answer within the request timeout
  kError,    // IB (or the connection) answered with an error
};

struct BackfillFailure {
  BackfillFailureKind kind = BackfillFailureKind::kError;
  std::optional<int> ib_code;  // the IB error code, when the error carries one
  bool connected = true;       // the gateway's connection when the failure is handled
  int retries = 0;             // retries this gap has used so far
  TimePoint now;
};

enum class BackfillRetryReason {
  kTimeout,           // retry: no answer in time
  kDisconnected,      // retry: the connection is down
  kPacing,            // retry: error 162, retries left
  kRetriesExhausted,  // give up: error 162 with no retries left
  kError,             // give up: any other error
};

std::string_view BackfillRetryReasonName(BackfillRetryReason reason);

struct BackfillRetryDecision {
  bool retry = false;       // false: give the gap up (fail its ledger entry)
  TimePoint retry_at;       // when retry: not before this
  bool uses_retry = false;  // when retry: counts against max_pacing_retries
  BackfillRetryReason reason = BackfillRetryReason::kError;

  friend bool operator==(const BackfillRetryDecision&, const BackfillRetryDecision&) = default;
};

BackfillRetryDecision DecideBackfillRetry(const BackfillFailure& failure,
                                          const BackfillRetryOptions& options = {});

}  // namespace ibstream::reliability
