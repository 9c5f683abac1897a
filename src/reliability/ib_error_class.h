// What an IB error or status code means for data flow, keyed on the code, never on the text
// (texts vary between TWS builds). Source: docs/IB-LIMITS.md §1.
#pragma once

#include <string_view>

namespace ibstream::reliability {

enum class IbErrorClass {
  // 1100, 2110: the gateway lost its link to IB; the API socket stays up, no data flows.
  kIbLinkLost,
  // 1101: link restored, subscriptions dropped: every stream must be requested again.
  kIbLinkRestoredDataLost,
  // 1102: link restored, subscriptions kept: verify that data flows again.
  kIbLinkRestoredDataKept,
  // 1300, 502, 504, 507, 509: the API socket is gone or unusable; reconnect.
  kSocketLost,
  // 326: client id in use; the gateway drops the connection (reconnect with another id).
  kClientIdInUse,
  // 2103: a market-data farm is down; its streams go silent until 2104.
  kFarmDown,
  // 2104: a market-data farm is OK (normal at connect; after 2103 it means "recovered").
  kFarmOk,
  // 10197: no market data during a competing session (the same user logged in elsewhere).
  kCompetingSession,
  // 354, 10089, 10168, 10186, 10189: no permission for this data; terminal for the request.
  kPermissionDenied,
  // 10190, 101, 309: a capacity signal, not a permission failure: the tick-by-tick allowance, the
  // market-data lines or the market-depth allowance is used up. Terminal for the request (IB
  // will not serve it), but not for the stream: the stream planner (stream_plan.h) moves it onto
  // the reqMktData fallback; it is never retried as such nor reconnected.
  kLimitReached,
  // 10167, 10090, 10091: delayed or partial data; not terminal, data keeps flowing.
  kAdvisory,
  // 322, 102, 200: the request was rejected (often a duplicate request id); request again.
  kRequestRejected,
  // 100: more than 50 messages per second were sent.
  kPacing,
  // 162, 165, 366, 2105-2107: historical data (backfill) matters, not live streams.
  kHistorical,
  // 2108, 2119, 2157, 2158, 300 and other notices with no effect on live data.
  kInformational,
  // Anything not listed: logged and counted, never acted upon.
  kUnknown,
};

IbErrorClass ClassifyIbError(int code);

// "ib_link_lost", "permission_denied", ...
std::string_view IbErrorClassName(IbErrorClass error_class);

// True for classes that end the request: IB will not serve it, so it should be cancelled, and
// repeating it soon would only repeat the answer.
constexpr bool IsTerminalForRequest(IbErrorClass error_class) {
  return error_class == IbErrorClass::kPermissionDenied ||
         error_class == IbErrorClass::kLimitReached;
}

// True for the capacity signals (10190, 101, 309): re-plan the stream, do not alert as a refusal.
constexpr bool IsCapacitySignal(IbErrorClass error_class) {
  return error_class == IbErrorClass::kLimitReached;
}

}  // namespace ibstream::reliability
