// What the client reports besides request results: connection-level notices, disconnects,
// protocol errors, the session it established. Plain value types, no Asio.
//
// The client reports faithfully and interprets nothing: whether 1100 means "mark a gap" or 2104
// "farm recovered" is the recorder's decision (see reliability/).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace ibstream::client {

// The connection-level codes (ERR_MSG with id -1) a market-data recorder cares about, named.
// docs/IB-LIMITS.md §1. Any other code arrives as kOther with its number kept.
enum class NoticeKind : uint8_t {
  kOther = 0,
  kMaxRateExceeded,           // 100
  kClientIdInUse,             // 326
  kConnectivityLost,          // 1100
  kRestoredDataLost,          // 1101: resubscribe everything
  kRestoredDataMaintained,    // 1102
  kSocketPortReset,           // 1300: reconnect on the new port (in the text)
  kMarketDataFarmBroken,      // 2103
  kMarketDataFarmOk,          // 2104
  kHistoricalFarmBroken,      // 2105
  kHistoricalFarmOk,          // 2106
  kHistoricalFarmInactive,    // 2107
  kMarketDataFarmInactive,    // 2108
  kServerLinkBroken,          // 2110
  kMarketDataFarmConnecting,  // 2119
  kSecDefFarmBroken,          // 2157
  kSecDefFarmOk,              // 2158
  kCompetingSession,          // 10197
};

// The kind of a connection-level code; kOther for codes not listed above.
NoticeKind NoticeKindForCode(int32_t code);
// "connectivity_lost", "market_data_farm_ok", ..., "other" (stable: metric labels, logs).
std::string_view NoticeKindName(NoticeKind kind);

// The farm named in a notice's text: what follows the last ':' ("Market data farm connection
// is OK:usfarm" -> "usfarm"), or for the "...upon demand.ushmds" form what follows "demand.";
// empty when the text names none.
std::string_view FarmNameFromText(std::string_view text);

// One ERR_MSG with id -1 (or an id the client cannot tie to a request).
struct ConnectionNotice {
  NoticeKind kind = NoticeKind::kOther;
  int32_t id = -1;     // -1, or the unknown id the message carried
  int32_t code = 0;    // IB's code, always kept
  std::string text;    // as received (\uXXXX already decoded)
  std::string farm;    // FarmNameFromText(text)
  TimePoint received;  // on the client's clock
};

// Why a connection ended (or never became ready).
enum class DisconnectReason : uint8_t {
  kNone = 0,
  kConnectFailed,    // no TCP connection to any configured port (refused, unreachable)
  kConnectTimeout,   // TCP connect or handshake did not finish within connect_timeout
  kHandshakeFailed,  // bad ack, unsupported server version
  kClientIdInUse,    // error 326: choose another client id
  kEof,              // the peer closed the connection
  kReset,            // connection reset by peer
  kReadError,        // any other read failure
  kWriteError,       // a write failed
  kProbeTimeout,     // the liveness probe's reply did not come in time (half-open connection)
  kProtocolError,    // bytes that are not the protocol (framing or decode error)
  kClosedByUser,     // Disconnect() was called
};

// "eof", "probe_timeout", ... (stable: metric labels, logs).
std::string_view DisconnectReasonName(DisconnectReason reason);

struct DisconnectEvent {
  DisconnectReason reason = DisconnectReason::kNone;
  Status detail;  // a readable explanation, e.g. "Unavailable: connection reset by peer"
  TimePoint when;
};

// One answer to reqCurrentTime (the liveness probe's or RequestCurrentTime's): when the request
// was queued and when the answer arrived on the client's clock, and the gateway's time in it
// (whole seconds). reliability/clock_offset.h turns it into the clock offset it proves.
struct ServerTimeSample {
  TimePoint sent;
  TimePoint received;
  TimePoint server_time;
};

// Bytes from the gateway that could not be framed or decoded. The connection is closed right
// after this event (a DisconnectEvent with kProtocolError follows).
struct ProtocolErrorEvent {
  Status error;
  uint64_t total_errors = 0;  // all framing and decode errors this client has seen
};

// What the handshake established.
struct SessionInfo {
  std::string host;
  uint16_t port = 0;
  int32_t client_id = 0;
  int server_version = 0;
  std::string connection_time;  // TWS's "yyyyMMdd HH:mm:ss <zone>", raw
  std::string accounts;         // MANAGED_ACCTS, raw comma list
  int64_t next_valid_id = 0;    // NEXT_VALID_ID (order ids; request ids are the client's own)
  TimePoint connected_at;       // when the session became ready, on the client's clock
};

// The result of Connect(): OK with the session, or the error and why.
struct ConnectResult {
  Status status;
  DisconnectReason failure = DisconnectReason::kNone;  // kNone when OK
  SessionInfo session;                                 // filled when OK
};

// An error the gateway sent for one request (ERR_MSG with that request's id).
struct RequestError {
  int32_t req_id = 0;
  int32_t code = 0;
  std::string text;
};

}  // namespace ibstream::client
