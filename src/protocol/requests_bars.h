// Bar requests, client -> server: reqHistoricalData / cancelHistoricalData and reqRealTimeBars /
// cancelRealTimeBars (docs/PROTOCOL.md §3). Included by requests.h, whose ClientRequest variant
// holds them; their encoders and decoders live in requests_bars.cc. Same rules as requests.h:
// layouts of server versions 176..187, encoders refuse non-printable text naming the field.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "protocol/contract.h"

namespace ibstream::protocol {

class FieldReader;

// REQ_HISTORICAL_DATA (20): `20, reqId, C13, endDateTime, barSizeSetting, durationStr, useRTH,
// whatToShow, formatDate, [BAG: legCount, {conId, ratio, action, exchange} x legCount],
// keepUpToDate, chartOptions` (no version field in our range).
struct ReqHistoricalData {
  int32_t req_id = 0;
  Contract contract;                 // C13 (with includeExpired)
  std::vector<ComboLeg> combo_legs;  // only for secType "BAG"
  std::string end_date_time;         // "" (now) or "20250811 09:30:00 US/Central"
  std::string bar_size_setting;      // "1 secs", "5 secs", ..., "1 min", "1 hour", "1 day"
  std::string duration;              // "1800 S", "2 D", "1 W", "1 M", "1 Y"
  bool use_rth = false;
  std::string what_to_show;  // TRADES, MIDPOINT, BID, ASK, BID_ASK, ...
  int32_t format_date = 1;   // 1 local-time string, 2 epoch seconds
  bool keep_up_to_date = false;
  std::string chart_options;  // "tag=value;..." (normally empty)
  friend bool operator==(const ReqHistoricalData&, const ReqHistoricalData&) = default;
};

// CANCEL_HISTORICAL_DATA (25): `25, 1, reqId`.
struct CancelHistoricalData {
  int32_t req_id = 0;
  friend bool operator==(const CancelHistoricalData&, const CancelHistoricalData&) = default;
};

// REQ_REAL_TIME_BARS (50): `50, 3, reqId, C12, barSize, whatToShow, useRTH,
// realTimeBarsOptions`.
struct ReqRealTimeBars {
  int32_t req_id = 0;
  Contract contract;         // C12 (no includeExpired)
  int32_t bar_size = 5;      // IB serves 5 (seconds) only
  std::string what_to_show;  // TRADES, MIDPOINT, BID, ASK
  bool use_rth = false;
  std::string real_time_bars_options;  // "tag=value;..." (normally empty)
  friend bool operator==(const ReqRealTimeBars&, const ReqRealTimeBars&) = default;
};

// CANCEL_REAL_TIME_BARS (51): `51, 1, reqId`.
struct CancelRealTimeBars {
  int32_t req_id = 0;
  friend bool operator==(const CancelRealTimeBars&, const CancelRealTimeBars&) = default;
};

// Client side: appends the framed request (see requests.h).
[[nodiscard]] Status EncodeRequest(const ReqHistoricalData& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const CancelHistoricalData& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const ReqRealTimeBars& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const CancelRealTimeBars& request, int server_version,
                                   std::string& out);

namespace internal {
// Simulator side, called by DecodeClientRequest: read the fields after the message id (the
// reader is positioned there) and name the message in `r`; a malformed request leaves its error
// in `r`.
void ReadRequest(FieldReader& r, ReqHistoricalData& m);
void ReadRequest(FieldReader& r, CancelHistoricalData& m);
void ReadRequest(FieldReader& r, ReqRealTimeBars& m);
void ReadRequest(FieldReader& r, CancelRealTimeBars& m);
}  // namespace internal

}  // namespace ibstream::protocol
