// Bar messages, both directions: the ServerMessageDecoder's DecodeHistoricalData,
// DecodeHistoricalDataUpdate and DecodeRealTimeBar (client side) and their EncodeServerMessage
// overloads (simulator side), as server_message_depth.cc does for market depth.
#include <string>

#include "common/check.h"
#include "protocol/field_codec.h"
#include "protocol/server_messages.h"
#include "protocol/server_messages_internal.h"

namespace ibstream::protocol {
namespace {

// The legacy version field real TWS sends in REAL_TIME_BARS; the decoder skips it.
constexpr int kRealTimeBarsVersion = 3;

}  // namespace

Status ServerMessageDecoder::DecodeHistoricalData(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kHistoricalDataName);
  HistoricalData m;
  m.req_id = r.Int("reqId");
  m.start_date = r.String("startDate");
  m.end_date = r.String("endDate");
  const int32_t count = r.Count("itemCount", 8);
  bar_scratch_.clear();
  for (int32_t i = 0; i < count && r.ok(); ++i) {
    Bar& b = bar_scratch_.emplace_back();
    b.date = r.String("date");
    b.open = r.Double("open");
    b.high = r.Double("high");
    b.low = r.Double("low");
    b.close = r.Double("close");
    b.volume = r.Dec("volume");
    b.wap = r.Dec("wap");
    b.bar_count = r.Int("barCount");
  }
  m.bars = bar_scratch_;
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnHistoricalData, m);
}

Status ServerMessageDecoder::DecodeHistoricalDataUpdate(FieldReader& r,
                                                        ServerMessageHandler& handler) {
  r.set_message_name(kHistoricalDataUpdateName);
  HistoricalDataUpdate m;
  m.req_id = r.Int("reqId");
  m.bar.bar_count = r.Int("barCount");
  m.bar.date = r.String("date");
  m.bar.open = r.Double("open");
  m.bar.close = r.Double("close");
  m.bar.high = r.Double("high");
  m.bar.low = r.Double("low");
  m.bar.wap = r.Dec("wap");
  m.bar.volume = r.Dec("volume");
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnHistoricalDataUpdate, m);
}

Status ServerMessageDecoder::DecodeRealTimeBar(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kRealTimeBarsName);
  RealTimeBar m;
  r.Skip("version");
  m.req_id = r.Int("reqId");
  m.time = r.Long("time");
  m.open = r.Double("open");
  m.high = r.Double("high");
  m.low = r.Double("low");
  m.close = r.Double("close");
  m.volume = r.Dec("volume");
  m.wap = r.Dec("wap");
  m.count = r.Int("count");
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnRealTimeBar, m);
}

Status EncodeServerMessage(const HistoricalData& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kHistoricalDataName);
  w.Int(Id(IncomingId::kHistoricalData))
      .Int(m.req_id)
      .String(m.start_date, "startDate")
      .String(m.end_date, "endDate")
      .Int(static_cast<int64_t>(m.bars.size()));
  for (const Bar& b : m.bars) {
    w.String(b.date, "date")
        .Double(b.open)
        .Double(b.high)
        .Double(b.low)
        .Double(b.close)
        .Dec(b.volume)
        .Dec(b.wap)
        .Int(b.bar_count);
  }
  return w.Finish();
}

Status EncodeServerMessage(const HistoricalDataUpdate& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kHistoricalDataUpdateName);
  w.Int(Id(IncomingId::kHistoricalDataUpdate))
      .Int(m.req_id)
      .Int(m.bar.bar_count)
      .String(m.bar.date, "date")
      .Double(m.bar.open)
      .Double(m.bar.close)
      .Double(m.bar.high)
      .Double(m.bar.low)
      .Dec(m.bar.wap)
      .Dec(m.bar.volume);
  return w.Finish();
}

Status EncodeServerMessage(const RealTimeBar& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kRealTimeBarsName);
  w.Int(Id(IncomingId::kRealTimeBars))
      .Int(kRealTimeBarsVersion)
      .Int(m.req_id)
      .Int(m.time)
      .Double(m.open)
      .Double(m.high)
      .Double(m.low)
      .Double(m.close)
      .Dec(m.volume)
      .Dec(m.wap)
      .Int(m.count);
  return w.Finish();
}

}  // namespace ibstream::protocol
