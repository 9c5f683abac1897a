// UPDATE_MKT_DEPTH, UPDATE_MKT_DEPTH_L2 and MKT_DEPTH_EXCHANGES beyond the conformance vectors:
// round trips, the values a client cannot apply to a book, hostile counts, encoder refusals.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/framing.h"
#include "protocol/server_messages.h"

namespace ibstream::protocol::server_message_depth_test {
namespace {

using namespace std::string_literals;

class DepthRecorder : public ServerMessageHandler {
 public:
  std::vector<MarketDepth> depth;
  std::vector<MarketDepthL2> l2;
  std::vector<std::string> makers;
  std::vector<MktDepthExchanges> exchanges;
  int calls = 0;

  void OnMarketDepth(const MarketDepth& m) override {
    ++calls;
    depth.push_back(m);
  }
  void OnMarketDepthL2(const MarketDepthL2& m) override {
    ++calls;
    l2.push_back(m);
    makers.emplace_back(m.market_maker);
  }
  void OnMktDepthExchanges(const MktDepthExchanges& m) override {
    ++calls;
    exchanges.push_back(m);
  }
  void OnUnknownMessage(int32_t, std::string_view) override { ++calls; }
};

std::string Payload(const std::string& frame) { return frame.substr(4); }

Decimal Size(const char* text) { return Decimal::Parse(text).value(); }

TEST(MarketDepthTest, EveryOperationAndSideRoundTrips) {
  for (const int sv : {176, 181, 187}) {
    for (const DepthOperation op :
         {DepthOperation::kInsert, DepthOperation::kUpdate, DepthOperation::kDelete}) {
      for (const DepthSide side : {DepthSide::kAsk, DepthSide::kBid}) {
        const MarketDepth sent{7, 19, op, side, 21500.25, Size("12")};
        std::string frame;
        ASSERT_TRUE(EncodeServerMessage(sent, sv, frame).ok());
        ServerMessageDecoder decoder(sv);
        DepthRecorder got;
        ASSERT_TRUE(decoder.Decode(Payload(frame), got).ok());
        ASSERT_EQ(got.depth.size(), 1u);
        EXPECT_EQ(got.depth[0].req_id, 7);
        EXPECT_EQ(got.depth[0].position, 19);
        EXPECT_EQ(got.depth[0].operation, op);
        EXPECT_EQ(got.depth[0].side, side);
        EXPECT_EQ(got.depth[0].price, 21500.25);
        EXPECT_EQ(got.depth[0].size, Size("12"));
      }
    }
  }
}

TEST(MarketDepthTest, L2CarriesMarketMakerAndSmartFlag) {
  const MarketDepthL2 sent{9,     2,           "NSDQ", DepthOperation::kUpdate, DepthSide::kBid,
                           229.5, Size("300"), true};
  std::string frame;
  ASSERT_TRUE(EncodeServerMessage(sent, 187, frame).ok());
  EXPECT_EQ(Payload(frame),
            "13\0"
            "1\0"
            "9\0"
            "2\0"
            "NSDQ\0"
            "1\0"
            "1\0"
            "229.5\0"
            "300\0"
            "1\0"s);
  ServerMessageDecoder decoder(187);
  DepthRecorder got;
  ASSERT_TRUE(decoder.Decode(Payload(frame), got).ok());
  ASSERT_EQ(got.l2.size(), 1u);
  EXPECT_EQ(got.makers[0], "NSDQ");
  EXPECT_TRUE(got.l2[0].is_smart_depth);
  EXPECT_EQ(got.l2[0].operation, DepthOperation::kUpdate);
  EXPECT_EQ(got.l2[0].side, DepthSide::kBid);
}

TEST(MarketDepthTest, ValuesABookCannotApplyAreRefusedAndCounted) {
  struct Case {
    std::string payload;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"12\0"
       "1\0"
       "5\0"
       "0\0"
       "3\0"
       "1\0"
       "1.5\0"
       "2\0"s,
       "UPDATE_MKT_DEPTH (12) field 5 'operation': must be 0 (insert), 1 (update) or 2 (delete)"},
      {"12\0"
       "1\0"
       "5\0"
       "0\0"
       "0\0"
       "2\0"
       "1.5\0"
       "2\0"s,
       "UPDATE_MKT_DEPTH (12) field 6 'side': must be 0 (ask) or 1 (bid)"},
      {"12\0"
       "1\0"
       "5\0"
       "-1\0"
       "0\0"
       "1\0"
       "1.5\0"
       "2\0"s,
       "UPDATE_MKT_DEPTH (12) field 4 'position': must not be negative"},
      {"13\0"
       "1\0"
       "5\0"
       "0\0"
       "ARCA\0"
       "-1\0"
       "1\0"
       "1.5\0"
       "2\0"
       "1\0"s,
       "UPDATE_MKT_DEPTH_L2 (13) field 6 'operation': must be 0 (insert), 1 (update) or 2 "
       "(delete)"},
      {"13\0"
       "1\0"
       "5\0"
       "0\0"
       "ARCA\0"
       "0\0"
       "7\0"
       "1.5\0"
       "2\0"
       "1\0"s,
       "UPDATE_MKT_DEPTH_L2 (13) field 7 'side': must be 0 (ask) or 1 (bid)"},
  };
  ServerMessageDecoder decoder(187);
  DepthRecorder got;
  for (const Case& c : cases) {
    const Status s = decoder.Decode(c.payload, got);
    EXPECT_EQ(s.code(), StatusCode::kParseError);
    EXPECT_EQ(s.message(), c.message);
  }
  EXPECT_EQ(got.calls, 0);
  EXPECT_EQ(decoder.counters().error(DecodeErrorKind::kBadValue), cases.size());
  EXPECT_EQ(decoder.counters().messages_decoded, 0u);
}

TEST(MarketDepthTest, TruncatedDepthIsAMissingField) {
  ServerMessageDecoder decoder(187);
  DepthRecorder got;
  const Status s = decoder.Decode(
      "13\0"
      "1\0"
      "5\0"
      "0\0"
      "ARCA\0"
      "0\0"
      "1\0"
      "1.5\0"
      "2\0"s,
      got);
  EXPECT_EQ(s.message(), "UPDATE_MKT_DEPTH_L2 (13) field 10 'isSmartDepth': missing");
  EXPECT_EQ(decoder.counters().error(DecodeErrorKind::kMissingField), 1u);
  EXPECT_EQ(got.calls, 0);
}

TEST(MarketDepthTest, ExchangesRoundTripAndHostileCountFails) {
  MktDepthExchanges sent;
  sent.descriptions = {{"CME", "FUT", "", "Deep", 2}, {"ISLAND", "STK", "NASDAQ", "Deep2", 1}};
  std::string frame;
  ASSERT_TRUE(EncodeServerMessage(sent, 176, frame).ok());
  ServerMessageDecoder decoder(176);
  DepthRecorder got;
  ASSERT_TRUE(decoder.Decode(Payload(frame), got).ok());
  ASSERT_EQ(got.exchanges.size(), 1u);
  EXPECT_EQ(got.exchanges[0].descriptions, sent.descriptions);

  // A count larger than the fields present fails before reserving anything.
  const Status s = decoder.Decode(
      "80\0"
      "999999999\0"
      "CME\0"s,
      got);
  EXPECT_EQ(s.code(), StatusCode::kParseError);
  EXPECT_EQ(decoder.counters().error(DecodeErrorKind::kBadCount), 1u);
  EXPECT_EQ(got.calls, 1);
}

TEST(MarketDepthTest, EncoderRefusesNegativePositionAndNulAndAppendsNothing) {
  std::string out = "x";
  EXPECT_EQ(
      EncodeServerMessage(
          MarketDepth{1, -1, DepthOperation::kInsert, DepthSide::kBid, 1.0, Size("1")}, 187, out)
          .code(),
      StatusCode::kInvalidArgument);
  const std::string nul_maker("A\0B", 3);
  EXPECT_EQ(EncodeServerMessage(MarketDepthL2{1, 0, nul_maker, DepthOperation::kInsert,
                                              DepthSide::kBid, 1.0, Size("1"), false},
                                187, out)
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(out, "x");
}

}  // namespace
}  // namespace ibstream::protocol::server_message_depth_test
