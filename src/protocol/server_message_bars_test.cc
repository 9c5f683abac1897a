// Bar messages and requests beyond the conformance vectors: round trips of HISTORICAL_DATA
// (many bars, none), HISTORICAL_DATA_UPDATE's reordered fields and REAL_TIME_BARS, hostile bar
// counts and truncated bars refused whole, and the combo-leg layout of reqHistoricalData.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/requests.h"
#include "protocol/server_messages.h"

namespace ibstream::protocol::server_message_bars_test {
namespace {

struct OwnedBar {
  std::string date;
  double open, high, low, close;
  Decimal volume, wap;
  int32_t count;
};

class BarRecorder : public ServerMessageHandler {
 public:
  std::vector<OwnedBar> bars;
  std::string start, end;
  int historical = 0, updates = 0, realtime = 0, calls = 0;
  RealTimeBar last_realtime;

  void OnHistoricalData(const HistoricalData& m) override {
    ++historical;
    ++calls;
    start = m.start_date;
    end = m.end_date;
    for (const Bar& b : m.bars) Keep(b);
  }
  void OnHistoricalDataUpdate(const HistoricalDataUpdate& m) override {
    ++updates;
    ++calls;
    Keep(m.bar);
  }
  void OnRealTimeBar(const RealTimeBar& m) override {
    ++realtime;
    ++calls;
    last_realtime = m;
  }
  void OnUnknownMessage(int32_t, std::string_view) override { ++calls; }

 private:
  void Keep(const Bar& b) {
    bars.push_back(
        {std::string(b.date), b.open, b.high, b.low, b.close, b.volume, b.wap, b.bar_count});
  }
};

Decimal D(const char* text) { return Decimal::Parse(text).value(); }

std::string Fields(std::initializer_list<std::string> fields) {
  std::string payload;
  for (const std::string& f : fields) payload += f + '\0';
  return payload;
}

TEST(BarMessagesTest, HistoricalDataRoundTripsManyBarsAndNone) {
  for (const int sv : {176, 187}) {
    std::vector<Bar> sent;
    std::vector<std::string> dates;
    for (int i = 0; i < 50; ++i) dates.push_back(std::to_string(1754925120 + 60 * i));
    for (int i = 0; i < 50; ++i) {
      sent.push_back({dates[static_cast<size_t>(i)], 100.25 + i, 101.5 + i, 99.75 + i, 100.5 + i,
                      D("57"), D("100.9125"), 23 + i});
    }
    for (const size_t n : {size_t{0}, sent.size()}) {
      std::string frame;
      ASSERT_TRUE(EncodeServerMessage(HistoricalData{9, "20250811 09:45:00 US/Central",
                                                     "20250811 10:15:00 US/Central",
                                                     std::span<const Bar>(sent.data(), n)},
                                      sv, frame)
                      .ok());
      ServerMessageDecoder decoder(sv);
      BarRecorder got;
      ASSERT_TRUE(decoder.Decode(std::string_view(frame).substr(4), got).ok());
      EXPECT_EQ(got.historical, 1);
      EXPECT_EQ(got.start, "20250811 09:45:00 US/Central");
      EXPECT_EQ(got.end, "20250811 10:15:00 US/Central");
      ASSERT_EQ(got.bars.size(), n);
      for (size_t i = 0; i < n; ++i) {
        EXPECT_EQ(got.bars[i].date, dates[i]);
        EXPECT_EQ(got.bars[i].open, sent[i].open);
        EXPECT_EQ(got.bars[i].high, sent[i].high);
        EXPECT_EQ(got.bars[i].low, sent[i].low);
        EXPECT_EQ(got.bars[i].close, sent[i].close);
        EXPECT_EQ(got.bars[i].volume, sent[i].volume);
        EXPECT_EQ(got.bars[i].wap, sent[i].wap);
        EXPECT_EQ(got.bars[i].count, sent[i].bar_count);
      }
    }
  }
}

TEST(BarMessagesTest, UpdateWritesCloseBeforeHighAndWapBeforeVolume) {
  std::string frame;
  const Bar bar{"1754925240", 1.5, 4.5, 0.5, 2.5, D("63"), D("3.25"), 29};
  ASSERT_TRUE(EncodeServerMessage(HistoricalDataUpdate{7005, bar}, 187, frame).ok());
  EXPECT_EQ(frame.substr(4),
            Fields({"90", "7005", "29", "1754925240", "1.5", "2.5", "4.5", "0.5", "3.25", "63"}));
  ServerMessageDecoder decoder(187);
  BarRecorder got;
  ASSERT_TRUE(decoder.Decode(std::string_view(frame).substr(4), got).ok());
  ASSERT_EQ(got.bars.size(), 1u);
  EXPECT_EQ(got.bars[0].high, 4.5);
  EXPECT_EQ(got.bars[0].close, 2.5);
  EXPECT_EQ(got.bars[0].volume, D("63"));
  EXPECT_EQ(got.bars[0].wap, D("3.25"));
}

TEST(BarMessagesTest, RealTimeBarRoundTripsWithItsVersionField) {
  const RealTimeBar sent{12001,   1754925325, 21500.25,        21501, 21499.75,
                         21500.5, D("57"),    D("21500.4125"), 23};
  std::string frame;
  ASSERT_TRUE(EncodeServerMessage(sent, 176, frame).ok());
  EXPECT_EQ(frame.substr(4, 5), std::string("50\0"
                                            "3\0",
                                            5));
  ServerMessageDecoder decoder(176);
  BarRecorder got;
  ASSERT_TRUE(decoder.Decode(std::string_view(frame).substr(4), got).ok());
  ASSERT_EQ(got.realtime, 1);
  EXPECT_EQ(got.last_realtime.req_id, 12001);
  EXPECT_EQ(got.last_realtime.time, 1754925325);
  EXPECT_EQ(got.last_realtime.close, 21500.5);
  EXPECT_EQ(got.last_realtime.wap, D("21500.4125"));
  EXPECT_EQ(got.last_realtime.count, 23);
}

TEST(BarMessagesTest, HostileCountsAndTruncatedBarsAreRefusedWhole) {
  const std::vector<std::string> bad = {
      // A count of bars that are not there.
      Fields({"17", "1", "a", "b", "1000000"}),
      Fields({"17", "1", "a", "b", "-1"}),
      // The second bar is cut short.
      Fields({"17", "1", "a", "b", "2", "d", "1", "2", "0.5", "1.5", "3", "1.2", "2", "d", "1"}),
      // Text in a price; a missing field.
      Fields({"90", "1", "29", "d", "x", "1", "2", "0.5", "1.2", "3"}),
      Fields({"50", "3", "1", "1754925325", "1", "2", "0.5", "1.5", "3", "1.2"}),
  };
  for (const std::string& payload : bad) {
    SCOPED_TRACE(payload);
    ServerMessageDecoder decoder(187);
    BarRecorder got;
    EXPECT_FALSE(decoder.Decode(payload, got).ok());
    EXPECT_EQ(got.calls, 0);
    EXPECT_EQ(decoder.counters().total_errors(), 1u);
  }
}

TEST(BarRequestsTest, ComboLegsOfABagContractRoundTrip) {
  ReqHistoricalData r;
  r.req_id = 3;
  r.contract.sec_type = "BAG";
  r.contract.symbol = "SPY";
  r.combo_legs = {ComboLeg{756733, 1, "BUY", "SMART"}, ComboLeg{43645865, 2, "SELL", "SMART"}};
  r.bar_size_setting = "1 min";
  r.duration = "1 D";
  r.what_to_show = "TRADES";
  r.format_date = 2;
  r.keep_up_to_date = true;
  std::string frame;
  ASSERT_TRUE(EncodeRequest(r, 187, frame).ok());
  Result<ClientRequest> decoded = DecodeClientRequest(std::string_view(frame).substr(4), 187);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_TRUE(*decoded == ClientRequest(r));
  EXPECT_EQ(RequestName(*decoded), "REQ_HISTORICAL_DATA");
}

TEST(BarRequestsTest, MissingFieldsNameTheRequest) {
  Result<ClientRequest> decoded =
      DecodeClientRequest(Fields({"50", "3", "12001", "711280073", "MNQ"}), 187);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("REQ_REAL_TIME_BARS"), std::string::npos)
      << decoded.status().ToString();
}

}  // namespace
}  // namespace ibstream::protocol::server_message_bars_test
