// The account, position, execution, order-list and rule requests and answers beyond the
// conformance vectors: the order requests the simulator refuses, malformed and hostile input,
// the names the simulator's errors use.
#include "protocol/requests_account.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/requests.h"
#include "protocol/server_messages.h"

namespace ibstream::protocol::requests_account_test {
namespace {

using namespace std::string_literals;

TEST(AccountRequestTest, PlaceOrderGivesItsOrderIdWithoutReadingTheOrder) {
  // `3, orderId, conId, symbol, ...`: only the order id matters to a refusal.
  const std::string payload =
      "3\0"s
      "42\0"s
      "0\0"s
      "MNQ\0"s
      "FUT\0"s;
  for (const int sv : {176, 187}) {
    Result<std::optional<AccountRequest>> r = DecodeAccountRequest(payload, sv);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ(**r, AccountRequest(PlaceOrder{42}));
    EXPECT_EQ(AccountRequestName(**r), "PLACE_ORDER (3)");
  }
}

TEST(AccountRequestTest, CancelOrderHasAVersionFieldOnlyBelow177) {
  Result<std::optional<AccountRequest>> old = DecodeAccountRequest(
      "4\0"s
      "1\0"s
      "17\0"s
      "\0"s,
      176);
  ASSERT_TRUE(old.ok() && old->has_value());
  EXPECT_EQ(**old, AccountRequest(CancelOrder{17}));
  Result<std::optional<AccountRequest>> now = DecodeAccountRequest(
      "4\0"s
      "17\0"s
      "\0"s
      "\0"s
      "\0"s,
      187);
  ASSERT_TRUE(now.ok() && now->has_value());
  EXPECT_EQ(**now, AccountRequest(CancelOrder{17}));
}

TEST(AccountRequestTest, OtherIdsAreNotTheirsAndNothingIsCounted) {
  ProtocolCounters counters;
  for (const std::string& payload : {"97\0"s
                                     "1\0"s,
                                     "20\0"s
                                     "1\0"s,
                                     "1000\0"s}) {
    Result<std::optional<AccountRequest>> r = DecodeAccountRequest(payload, 187, &counters);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->has_value());
  }
  EXPECT_EQ(counters.messages_decoded, 0u);
  EXPECT_EQ(counters.total_errors(), 0u);
}

TEST(AccountRequestTest, MalformedRequestsAreNamedParseErrorsAndCounted) {
  ProtocolCounters counters;
  // A missing reqId, text in a numeric field, a missing version.
  for (const std::string& payload : {"62\0"s
                                     "1\0"s,
                                     "7\0"s
                                     "3\0"s
                                     "x\0"s,
                                     "61\0"s}) {
    Result<std::optional<AccountRequest>> r = DecodeAccountRequest(payload, 187, &counters);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kParseError);
  }
  EXPECT_NE(DecodeAccountRequest("7\0"s
                                 "3\0"s
                                 "x\0"s,
                                 187)
                .status()
                .message()
                .find("REQ_EXECUTIONS (7)"),
            std::string::npos);
  EXPECT_EQ(counters.total_errors(), 3u);
  EXPECT_EQ(counters.messages_decoded, 0u);
}

TEST(AccountRequestTest, EncodersRefuseTextOfficialClientsRefuse) {
  std::string out;
  EXPECT_EQ(EncodeRequest(ReqAccountUpdates{true, "DU\x01"}, 187, out).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(out.empty());
}

TEST(AccountRequestTest, RequestNamesOfIds) {
  EXPECT_EQ(RequestNameOfId(20), "REQ_HISTORICAL_DATA (20)");
  EXPECT_EQ(RequestNameOfId(3), "PLACE_ORDER (3)");
  EXPECT_EQ(RequestNameOfId(104), "REQ_USER_INFO (104)");
  EXPECT_EQ(RequestNameOfId(40), "message id 40");
  EXPECT_EQ(RequestNameOfId(-5), "message id -5");
  EXPECT_EQ(RequestNameOfId(5000), "message id 5000");
}

class Counting : public ServerMessageHandler {
 public:
  int calls = 0;
  void OnSmartComponents(const SmartComponents&) override { ++calls; }
  void OnMarketRule(const MarketRule&) override { ++calls; }
  void OnPositionData(const PositionData&) override { ++calls; }
};

TEST(AccountMessageTest, HostileCountsAndMissingFieldsAreRefusedWithoutACall) {
  for (const std::string& payload : {"82\0"s
                                     "1\0"s
                                     "2000000000\0"s,
                                     "93\0"s
                                     "26\0"s
                                     "-1\0"s,
                                     "93\0"s
                                     "26\0"s
                                     "2\0"s
                                     "0\0"s,
                                     "61\0"s
                                     "3\0"s
                                     "DU1\0"s
                                     "x\0"s}) {
    ServerMessageDecoder decoder(187);
    Counting h;
    const Status st = decoder.Decode(payload, h);
    EXPECT_EQ(st.code(), StatusCode::kParseError) << st.ToString();
    EXPECT_EQ(h.calls, 0);
    EXPECT_EQ(decoder.counters().messages_decoded, 0u);
    EXPECT_EQ(decoder.counters().total_errors(), 1u);
  }
}

TEST(AccountMessageTest, EncodersRefuseNul) {
  std::string out;
  const std::string account("DU\0x", 4);
  EXPECT_EQ(EncodeServerMessage(AccountDownloadEnd{account}, 187, out).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace ibstream::protocol::requests_account_test
