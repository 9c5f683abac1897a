#include "protocol/requests.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/framing.h"

namespace ibstream::protocol::requests_test {
namespace {

using namespace std::string_literals;

Contract Mnq() {
  Contract c;
  c.con_id = 711280073;
  c.symbol = "MNQ";
  c.sec_type = "FUT";
  c.exchange = "CME";
  c.currency = "USD";
  return c;
}

std::string Encode(const ClientRequest& request, int sv = 187) {
  std::string out;
  Status s = EncodeRequest(request, sv, out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

ClientRequest RoundTrip(const ClientRequest& request, int sv = 187) {
  const std::string frame = Encode(request, sv);
  Result<ClientRequest> decoded = DecodeClientRequest(std::string_view(frame).substr(4), sv);
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  return decoded.value_or(UnknownRequest{-1});
}

TEST(RequestsTest, TickByTickBytesMatchTheWorkedExample) {
  ReqTickByTickData r{2001, Mnq(), "BidAsk", 0, false};
  // docs/PROTOCOL.md §7(b), the official Python client's 59 bytes.
  EXPECT_EQ(Encode(r),
            "\0\0\0\x37"
            "97\0"
            "2001\0"
            "711280073\0"
            "MNQ\0"
            "FUT\0\0"
            "0.0\0\0\0"
            "CME\0\0"
            "USD\0\0\0"
            "BidAsk\0"
            "0\0"
            "0\0"s);
  EXPECT_EQ(Encode(CancelTickByTickData{2001}),
            "\0\0\0\x08"
            "98\0"
            "2001\0"s);
  EXPECT_EQ(Encode(StartApi{7, ""}),
            "\0\0\0\x08"
            "71\0"
            "2\0"
            "7\0\0"s);
}

TEST(RequestsTest, EveryRequestRoundTrips) {
  Contract full = Mnq();
  full.last_trade_date_or_contract_month = "20250919";
  full.strike = 21500.25;
  full.right = "C";
  full.multiplier = "2";
  full.primary_exchange = "NASDAQ";
  full.local_symbol = "MNQU5";
  full.trading_class = "MNQ";
  full.include_expired = true;
  full.sec_id_type = "ISIN";
  full.sec_id = "US0000000000";
  full.issuer_id = "e123";
  Contract c12 = full;  // requests that send C12 or C13 do not carry the secId fields
  c12.sec_id_type.clear();
  c12.sec_id.clear();
  c12.issuer_id.clear();
  Contract c12_no_expired = c12;
  c12_no_expired.include_expired = false;

  ReqMktData mkt{3001, c12_no_expired, {}, std::nullopt, "233,236", true, true, ""};
  ReqMktData bag = mkt;
  bag.contract.sec_type = "BAG";
  bag.combo_legs = {{1, 1, "BUY", "CME"}, {2, 2, "SELL", "CBOT"}};
  bag.delta_neutral = DeltaNeutralContract{5, 0.5, 101.25};

  const std::vector<ClientRequest> requests = {
      StartApi{7, "cap1"},
      mkt,
      bag,
      CancelMktData{3001},
      ReqIds{-1},
      ReqContractDetails{1000, full},
      ReqCurrentTime{},
      ReqMarketDataType{3},
      ReqMatchingSymbols{6001, "NQ"},
      ReqHeadTimestamp{4001, c12, true, "TRADES", 2},
      CancelHeadTimestamp{4001},
      ReqHistoricalTicks{5001, c12, "20250811 09:30:00 US/Central", "", 1000, "BID_ASK", true, true,
                         "a=b;"},
      ReqTickByTickData{2001, c12_no_expired, "AllLast", 10, true},
      CancelTickByTickData{2001},
      ReqMktDepth{7001, c12_no_expired, 20, true, "a=b;"},
      CancelMktDepth{7001, true},
      ReqMktDepthExchanges{},
  };
  for (const int sv : {176, 181, 187}) {
    for (const ClientRequest& r : requests) {
      EXPECT_TRUE(RoundTrip(r, sv) == r) << RequestName(r) << " sv " << sv;
    }
  }
}

TEST(RequestsTest, NonPrintableTextIsRefusedAndNothingAppended) {
  Contract c = Mnq();
  c.symbol = "M\xc3\x9cQ";
  std::string out = "x";
  Status s = EncodeRequest(ReqTickByTickData{1, c, "Last", 0, false}, 187, out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'symbol'"), std::string::npos) << s.message();
  EXPECT_EQ(out, "x");
  EXPECT_FALSE(EncodeRequest(UnknownRequest{5}, 187, out).ok());
}

TEST(RequestsTest, DecodeErrorsNameRequestAndField) {
  ProtocolCounters counters;
  // REQ_TICK_BY_TICK_DATA cut after the symbol.
  Result<ClientRequest> cut = DecodeClientRequest(
      "97\0"
      "2001\0"
      "711280073\0"
      "MNQ\0"s,
      187, &counters);
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().message(), "REQ_TICK_BY_TICK_DATA (97) field 5 'secType': missing");
  EXPECT_EQ(counters.error(DecodeErrorKind::kMissingField), 1u);

  Result<ClientRequest> text = DecodeClientRequest(
      "98\0"
      "abc\0"s,
      187, &counters);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().message(),
            "CANCEL_TICK_BY_TICK_DATA (98) field 2 'reqId': expected an integer, got 'abc'");
  EXPECT_EQ(counters.error(DecodeErrorKind::kBadInteger), 1u);

  for (const std::string& bad_id : {"x\0"s, "\0"s, "97"s, "1.0\0"s}) {
    EXPECT_FALSE(DecodeClientRequest(bad_id, 187, &counters).ok());
  }
  EXPECT_EQ(counters.error(DecodeErrorKind::kBadMessageId), 4u);

  // A BAG with a hostile leg count fails cleanly.
  Result<ClientRequest> bag = DecodeClientRequest(
      "1\0"
      "11\0"
      "1\0"
      "0\0"
      "X\0"
      "BAG\0\0"
      "0\0\0\0\0\0\0\0\0"
      "999999999\0"s,
      187, &counters);
  ASSERT_FALSE(bag.ok());
  EXPECT_EQ(counters.error(DecodeErrorKind::kBadCount), 1u);
}

TEST(RequestsTest, UnknownIdsAreReportedNotFailed) {
  ProtocolCounters counters;
  Result<ClientRequest> r = DecodeClientRequest(
      "3\0"
      "1\0"s,
      187, &counters);  // PLACE_ORDER
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(std::holds_alternative<UnknownRequest>(*r));
  EXPECT_EQ(std::get<UnknownRequest>(*r).message_id, 3);
  EXPECT_EQ(counters.unknown_ids_skipped, 1u);
}

TEST(RequestsTest, SurplusFieldsAndCppStyleDoublesAreAccepted) {
  // The official C++ client writes strike as "0"; a newer client may append fields.
  Result<ClientRequest> r = DecodeClientRequest(
      "97\0"
      "2001\0"
      "711280073\0"
      "MNQ\0"
      "FUT\0\0"
      "0\0\0\0"
      "CME\0\0"
      "USD\0\0\0"
      "BidAsk\0"
      "0\0"
      "0\0"
      "extra\0"s,
      187);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(*r == ClientRequest(ReqTickByTickData{2001, Mnq(), "BidAsk", 0, false}));
}

}  // namespace
}  // namespace ibstream::protocol::requests_test
