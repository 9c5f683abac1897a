// Bar messages, server -> client: HISTORICAL_DATA, HISTORICAL_DATA_UPDATE and REAL_TIME_BARS.
// Included by server_messages.h (the ServerMessageHandler has a callback for each); the decoder
// methods and the encoders live in server_message_bars.cc. Lifetimes as in server_messages.h:
// string_view and span members point into the frame or the decoder's scratch and are valid only
// during the handler call.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/decimal.h"
#include "common/status.h"

namespace ibstream::protocol {

// One bar as IB sends it. For MIDPOINT, BID, ASK and BID_ASK bars volume and wap are -1 and
// bar_count is -1 (IB's "not applicable").
struct Bar {
  std::string_view date;  // formatDate 1: "20250811 10:12:00 US/Central"; 2: epoch seconds text
  double open = 0;
  double high = 0;
  double low = 0;
  double close = 0;
  Decimal volume;
  Decimal wap;
  int32_t bar_count = 0;
};

// HISTORICAL_DATA (17): `17, reqId, startDate, endDate, count, {date, open, high, low, close,
// volume, wap, barCount} x count`. With server versions up to 187 this one message carries all
// bars and also ends the request (the official client calls historicalDataEnd after the bars).
struct HistoricalData {
  int32_t req_id = 0;
  std::string_view start_date;  // the request's window, in the request's date format 1 text
  std::string_view end_date;
  std::span<const Bar> bars;
};

// HISTORICAL_DATA_UPDATE (90): `90, reqId, barCount, date, open, close, high, low, wap, volume`
// (note the order: close before high and low, wap before volume). keepUpToDate's bar in progress.
struct HistoricalDataUpdate {
  int32_t req_id = 0;
  Bar bar;
};

// REAL_TIME_BARS (50): `50, 3, reqId, time, open, high, low, close, volume, wap, count`; time
// is the bar's start, Unix epoch seconds.
struct RealTimeBar {
  int32_t req_id = 0;
  int64_t time = 0;
  double open = 0;
  double high = 0;
  double low = 0;
  double close = 0;
  Decimal volume;
  Decimal wap;
  int32_t count = 0;
};

// Simulator side: append one framed message (server_messages.h's rules).
[[nodiscard]] Status EncodeServerMessage(const HistoricalData& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const HistoricalDataUpdate& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const RealTimeBar& message, int server_version,
                                         std::string& out);

}  // namespace ibstream::protocol
