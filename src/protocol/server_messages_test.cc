#include "protocol/server_messages.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/encoding_handler.h"
#include "protocol/framing.h"

namespace ibstream::protocol::server_messages_test {
namespace {

using namespace std::string_literals;

// Keeps copies of what it is given (the structs' views die after the call).
class Recorder : public ServerMessageHandler {
 public:
  std::vector<std::string> calls;
  std::vector<ContractDetails> details;
  std::string last_text;
  TickByTickLast last{};
  std::string last_exchange;
  TickByTickBidAsk bid_ask{};
  TickByTickMidPoint mid{};
  TickPrice price{};
  std::vector<HistoricalTickBidAsk> historical_bid_ask;
  std::vector<int32_t> unknown_ids;

  void OnError(const ErrorMessage& m) override {
    calls.push_back("error");
    last_text = m.text;
  }
  void OnContractDetails(const ContractDetails& m) override {
    calls.push_back("contractDetails");
    details.push_back(m);
  }
  void OnTickByTickLast(const TickByTickLast& m) override {
    calls.push_back("last");
    last = m;
    last_exchange = m.exchange;
  }
  void OnTickByTickBidAsk(const TickByTickBidAsk& m) override {
    calls.push_back("bidAsk");
    bid_ask = m;
  }
  void OnTickByTickMidPoint(const TickByTickMidPoint& m) override {
    calls.push_back("midPoint");
    mid = m;
  }
  void OnTickPrice(const TickPrice& m) override {
    calls.push_back("tickPrice");
    price = m;
  }
  void OnHistoricalTicksBidAsk(const HistoricalTicksBidAsk& m) override {
    calls.push_back("historicalTicksBidAsk");
    historical_bid_ask.assign(m.ticks.begin(), m.ticks.end());
  }
  void OnUnknownMessage(int32_t id, std::string_view) override {
    calls.push_back("unknown");
    unknown_ids.push_back(id);
  }
};

std::string Payload(const std::string& frame) { return frame.substr(4); }

ContractDetails FundDetails() {
  ContractDetails d;
  d.req_id = 7;
  d.contract.symbol = "VFIAX";
  d.contract.sec_type = "FUND";
  d.contract.last_trade_date_or_contract_month = "20250919";
  d.last_trade_time = "08:30";
  d.last_trade_date = "20250919";
  d.contract.strike = 0;
  d.contract.exchange = "FUNDSERV";
  d.contract.currency = "USD";
  d.contract.local_symbol = "VFIAX";
  d.market_name = "FUND";
  d.contract.trading_class = "VFIAX";
  d.contract.con_id = 12345;
  d.min_tick = 0.01;
  d.contract.multiplier = "1";
  d.order_types = "LMT";
  d.valid_exchanges = "FUNDSERV";
  d.price_magnifier = 1;
  d.long_name = "Fund \xe2\x82\xac caf\xc3\xa9 \\ backslash";
  d.contract.primary_exchange = "FUNDSERV";
  d.time_zone_id = "US/Eastern";
  d.ev_multiplier = 3;
  d.sec_id_list = {{"ISIN", "US9229087104"}, {"CUSIP", "922908710"}};
  d.agg_group = 1;
  d.stock_type = "FUND";
  d.min_size = Decimal::FromParts(1, 3);
  d.size_increment = Decimal::FromParts(1, 3);
  d.suggested_size_increment = Decimal::FromInt(100);
  d.fund.fund_name = "500 Index";
  d.fund.fund_family = "Vanguard";
  d.fund.fund_type = "Equity";
  d.fund.fund_front_load = "0";
  d.fund.fund_back_load = "0";
  d.fund.fund_back_load_time_interval = "";
  d.fund.fund_management_fee = "0.04";
  d.fund.fund_closed = false;
  d.fund.fund_closed_for_new_investors = true;
  d.fund.fund_closed_for_new_money = false;
  d.fund.fund_notify_amount = "1000";
  d.fund.fund_minimum_initial_purchase = "3000";
  d.fund.fund_subsequent_minimum_purchase = "1";
  d.fund.fund_blue_sky_states = "AL,AK";
  d.fund.fund_blue_sky_territories = "GU";
  d.fund.fund_distribution_policy_indicator = "N";
  d.fund.fund_asset_type = "001";
  d.ineligibility_reasons = {{"1", "not allowed"}, {"2", "another"}};
  return d;
}

// What a version keeps of FundDetails(): fields the version does not carry are default.
ContractDetails AtVersion(ContractDetails d, int sv) {
  if (sv < kServerVersionLastTradeDate) d.last_trade_date.clear();
  if (sv < kServerVersionFundDataFields) d.fund = FundData{};
  if (sv < kServerVersionIneligibilityReasons) d.ineligibility_reasons.clear();
  return d;
}

TEST(ServerMessagesTest, ContractDataRoundTripsAtEveryVersion) {
  for (int sv = kMinServerVersion; sv <= kMaxServerVersion; ++sv) {
    SCOPED_TRACE("sv " + std::to_string(sv));
    std::string frame;
    ASSERT_TRUE(EncodeServerMessage(FundDetails(), sv, frame).ok());
    ServerMessageDecoder decoder(sv);
    Recorder rec;
    ASSERT_TRUE(decoder.Decode(Payload(frame), rec).ok());
    ASSERT_EQ(rec.details.size(), 1u);
    EXPECT_EQ(rec.details[0], AtVersion(FundDetails(), sv));
  }
}

TEST(ServerMessagesTest, ContractDataFieldCountsFollowTheVersion) {
  auto field_count = [](int sv) {
    std::string frame;
    EXPECT_TRUE(EncodeServerMessage(FundDetails(), sv, frame).ok());
    int nuls = 0;
    for (char c : Payload(frame)) nuls += c == '\0';
    return nuls;
  };
  // 40 fields + 2*2 secIdList at 176; +17 FUND at 179; +1 lastTradeDate at 182; +1+2*2 at 186.
  EXPECT_EQ(field_count(176), 44);
  EXPECT_EQ(field_count(178), 44);
  EXPECT_EQ(field_count(179), 61);
  EXPECT_EQ(field_count(182), 62);
  EXPECT_EQ(field_count(186), 67);
  EXPECT_EQ(field_count(187), 67);
  // A non-FUND contract never carries the FUND block.
  ContractDetails stock = FundDetails();
  stock.contract.sec_type = "STK";
  std::string frame;
  ASSERT_TRUE(EncodeServerMessage(stock, 187, frame).ok());
  ServerMessageDecoder decoder(187);
  Recorder rec;
  ASSERT_TRUE(decoder.Decode(Payload(frame), rec).ok());
  EXPECT_EQ(rec.details[0].fund, FundData{});
}

TEST(ServerMessagesTest, LongNameIsEscapedOnTheWire) {
  std::string frame;
  ASSERT_TRUE(EncodeServerMessage(FundDetails(), 187, frame).ok());
  EXPECT_NE(frame.find("Fund \\u20ac caf\\u00e9 \\u005c backslash"), std::string::npos);
}

TEST(ServerMessagesTest, LastTradeDateCompositeSplitting) {
  struct Case {
    std::string wire;
    std::string date;
    std::string time;
  };
  const Case cases[] = {
      {"20250919", "20250919", ""},
      {"20250919 08:30", "20250919", "08:30"},
      {"20250919  08:30 US/Eastern", "20250919", "08:30"},  // third token: bonds only
      {"20250919-08:30", "20250919", "08:30"},
      {"20250919-08:30-US/Eastern", "20250919", "08:30"},
      {"-08:30", "", "08:30"},
      {"", "", ""},
      {"   ", "", ""},
  };
  for (const Case& c : cases) {
    ContractDetails d;
    d.contract.last_trade_date_or_contract_month = "PLACEHOLDER";
    std::string frame;
    ASSERT_TRUE(EncodeServerMessage(d, 176, frame).ok());
    const size_t at = frame.find("PLACEHOLDER");
    frame.replace(at, 11, c.wire);
    ServerMessageDecoder decoder(176);
    Recorder rec;
    ASSERT_TRUE(decoder.Decode(Payload(frame), rec).ok()) << c.wire;
    EXPECT_EQ(rec.details[0].contract.last_trade_date_or_contract_month, c.date) << c.wire;
    EXPECT_EQ(rec.details[0].last_trade_time, c.time) << c.wire;

    // And our encoder writes a composite that splits back to the same parts.
    std::string again;
    ASSERT_TRUE(EncodeServerMessage(rec.details[0], 176, again).ok());
    Recorder rec2;
    ASSERT_TRUE(decoder.Decode(Payload(again), rec2).ok());
    EXPECT_EQ(rec2.details[0], rec.details[0]) << c.wire;
  }
  ContractDetails dashed;
  dashed.contract.last_trade_date_or_contract_month = "2025-09";
  std::string out;
  EXPECT_EQ(EncodeServerMessage(dashed, 187, out).code(), StatusCode::kInvalidArgument);
}

TEST(ServerMessagesTest, ContractDataErrors) {
  std::string frame;
  ASSERT_TRUE(EncodeServerMessage(FundDetails(), 187, frame).ok());
  const std::string payload = Payload(frame);
  ServerMessageDecoder decoder(187);
  Recorder rec;
  // Every truncation fails cleanly, names CONTRACT_DATA, and calls nothing.
  int errors = 0;
  for (size_t cut = 0; cut < payload.size(); ++cut) {
    if (cut > 0 && payload[cut - 1] != '\0') continue;  // cut at field boundaries
    Status s = decoder.Decode(payload.substr(0, cut), rec);
    ASSERT_FALSE(s.ok()) << cut;
    if (cut > 0) {
      EXPECT_EQ(s.message().rfind("CONTRACT_DATA (10) field ", 0), 0u) << s.message();
    }
    ++errors;
  }
  EXPECT_TRUE(rec.calls.empty());
  EXPECT_EQ(decoder.counters().total_errors(), static_cast<uint64_t>(errors));
  // A decoder at 186 would read the ineligibility count; at 185 the frame simply has surplus.
  ServerMessageDecoder old(185);
  ASSERT_TRUE(old.Decode(payload.substr(0, payload.find("\0"
                                                        "2\0"
                                                        "1\0"s) +
                                               1),
                         rec)
                  .ok());
}

TEST(ServerMessagesTest, TickByTickKinds) {
  ServerMessageDecoder decoder(187);
  Recorder rec;
  ASSERT_TRUE(decoder
                  .Decode("99\0"
                          "2001\0"
                          "3\0"
                          "1754925330\0"
                          "21500.25\0"
                          "21500.5\0"
                          "3\0"
                          "5\0"
                          "1\0"s,
                          rec)
                  .ok());
  EXPECT_EQ(rec.bid_ask.req_id, 2001);
  EXPECT_EQ(rec.bid_ask.time, 1754925330);
  EXPECT_EQ(rec.bid_ask.bid_price, 21500.25);
  EXPECT_EQ(rec.bid_ask.ask_price, 21500.5);
  EXPECT_EQ(rec.bid_ask.bid_size, Decimal::FromInt(3));
  EXPECT_EQ(rec.bid_ask.ask_size, Decimal::FromInt(5));
  EXPECT_TRUE(rec.bid_ask.attrib.bid_past_low);  // live mask bit0 = bidPastLow
  EXPECT_FALSE(rec.bid_ask.attrib.ask_past_high);

  ASSERT_TRUE(decoder
                  .Decode("99\0"
                          "2001\0"
                          "2\0"
                          "1754925331\0"
                          "21500.5\0"
                          "2\0"
                          "3\0"
                          "CME\0"
                          "  \0"s,
                          rec)
                  .ok());
  EXPECT_EQ(rec.last.tick_type, TickByTickType::kAllLast);
  EXPECT_TRUE(rec.last.attrib.past_limit);
  EXPECT_TRUE(rec.last.attrib.unreported);
  EXPECT_EQ(rec.last_exchange, "CME");

  ASSERT_TRUE(decoder
                  .Decode("99\0"
                          "2001\0"
                          "4\0"
                          "1754925332\0"
                          "21500.375\0"s,
                          rec)
                  .ok());
  EXPECT_EQ(rec.mid.mid_point, 21500.375);

  // Type 0 carries nothing; an unknown type is skipped and counted; neither calls the handler.
  const size_t calls = rec.calls.size();
  ASSERT_TRUE(decoder
                  .Decode("99\0"
                          "2001\0"
                          "0\0"
                          "1754925332\0"s,
                          rec)
                  .ok());
  ASSERT_TRUE(decoder
                  .Decode("99\0"
                          "2001\0"
                          "9\0"
                          "1754925332\0"
                          "x\0"s,
                          rec)
                  .ok());
  EXPECT_EQ(rec.calls.size(), calls);
  EXPECT_EQ(decoder.counters().unknown_tick_types_skipped, 1u);
  EXPECT_EQ(decoder.counters().messages_decoded, 4u);
}

TEST(ServerMessagesTest, HistoricalBidAskMaskIsReversed) {
  HistoricalTickBidAsk ticks[2];
  ticks[0].time = 1;
  ticks[0].attrib.ask_past_high = true;
  ticks[1].time = 2;
  ticks[1].attrib.bid_past_low = true;
  std::string frame;
  ASSERT_TRUE(EncodeServerMessage(HistoricalTicksBidAsk{5001, ticks, true}, 187, frame).ok());
  // Per tick: time, mask, bid, ask, bidSize, askSize. askPastHigh is bit0 here.
  EXPECT_EQ(Payload(frame),
            "97\0"
            "5001\0"
            "2\0"
            "1\0"
            "1\0"
            "0.0\0"
            "0.0\0\0\0"
            "2\0"
            "2\0"
            "0.0\0"
            "0.0\0\0\0"
            "1\0"s);
  ServerMessageDecoder decoder(187);
  Recorder rec;
  ASSERT_TRUE(decoder.Decode(Payload(frame), rec).ok());
  ASSERT_EQ(rec.historical_bid_ask.size(), 2u);
  EXPECT_TRUE(rec.historical_bid_ask[0].attrib.ask_past_high);
  EXPECT_FALSE(rec.historical_bid_ask[0].attrib.bid_past_low);
  EXPECT_TRUE(rec.historical_bid_ask[1].attrib.bid_past_low);
  EXPECT_FALSE(rec.historical_bid_ask[1].size_bid.is_set());
}

TEST(ServerMessagesTest, HostileCountsFailWithoutAllocating) {
  ServerMessageDecoder decoder(187);
  Recorder rec;
  for (const std::string& payload : {"96\0"
                                     "1\0"
                                     "2147483647\0"
                                     "1\0"s,
                                     "97\0"
                                     "1\0"
                                     "-5\0"
                                     "1\0"s,
                                     "98\0"
                                     "1\0"
                                     "100000000\0"s,
                                     "79\0"
                                     "1\0"
                                     "99999999\0"s,
                                     "96\0"
                                     "1\0"
                                     "1\0"
                                     "1\0"
                                     "0\0"
                                     "1.5\0"
                                     "2\0"s /* done missing */}) {
    Status s = decoder.Decode(payload, rec);
    EXPECT_FALSE(s.ok()) << payload;
  }
  EXPECT_TRUE(rec.calls.empty());
  EXPECT_EQ(decoder.counters().error(DecodeErrorKind::kBadCount), 4u);
}

TEST(ServerMessagesTest, GarbageNeverCallsTheHandler) {
  ServerMessageDecoder decoder(187);
  Recorder rec;
  const std::string cases[] = {
      "\0"s,     // empty id
      "abc\0"s,  // text id
      "99"s,     // no NUL at all
      "99\0"
      "x\0"
      "3\0"
      "1\0"s,  // text in reqId
      "99\0"
      "1\0"
      "3\0"
      "1\0"
      "bid\0"s,  // text in a price
      "99\0"
      "1\0"
      "3\0"
      "1\0"
      "1\0"
      "2\0"
      "big\0"s,  // text in a size
      "99\0"
      "1\0"
      "1\0"
      "1\0"
      "1\0"
      "1\0"
      "0.5\0"s,  // double in the int mask
      "1\0"
      "6\0"
      "1\0"s,  // truncated TICK_PRICE
      "4\0"
      "2\0"
      "-1\0"s,  // truncated ERR_MSG
      "9\0"
      "1\0"
      "99999999999999999999\0"s,  // out of range
  };
  for (const std::string& payload : cases) {
    Status s = decoder.Decode(payload, rec);
    EXPECT_EQ(s.code(), StatusCode::kParseError) << payload;
  }
  EXPECT_TRUE(rec.calls.empty());
  const ProtocolCounters& c = decoder.counters();
  EXPECT_EQ(c.error(DecodeErrorKind::kBadMessageId), 3u);
  EXPECT_EQ(c.error(DecodeErrorKind::kBadInteger), 3u);
  EXPECT_EQ(c.error(DecodeErrorKind::kBadDouble), 1u);
  EXPECT_EQ(c.error(DecodeErrorKind::kBadDecimal), 1u);
  EXPECT_EQ(c.error(DecodeErrorKind::kMissingField), 2u);
  EXPECT_EQ(c.messages_decoded, 0u);
}

TEST(ServerMessagesTest, ErrorTextNamesMessageAndField) {
  ServerMessageDecoder decoder(187);
  Recorder rec;
  Status s = decoder.Decode(
      "99\0"
      "2001\0"
      "3\0"
      "1754925330\0"
      "21500.25\0"
      "abc\0"s,
      rec);
  EXPECT_EQ(s.message(), "TICK_BY_TICK (99) field 6 'askPrice': expected a number, got 'abc'");
}

TEST(ServerMessagesTest, UnknownIdsAreSkippedAndCounted) {
  ServerMessageDecoder decoder(187);
  Recorder rec;
  ASSERT_TRUE(decoder
                  .Decode("3\0"
                          "1\0"
                          "Filled\0"s,
                          rec)
                  .ok());  // ORDER_STATUS
  ASSERT_TRUE(decoder
                  .Decode("107\0"
                          "1\0"
                          "x\0"s,
                          rec)
                  .ok());  // USER_INFO
  ASSERT_TRUE(decoder.Decode("5000\0"s, rec).ok());
  EXPECT_EQ(rec.unknown_ids, (std::vector<int32_t>{3, 107, 5000}));
  EXPECT_EQ(decoder.counters().unknown_ids_skipped, 3u);
  EXPECT_EQ(decoder.counters().total_errors(), 0u);
}

TEST(ServerMessagesTest, ErrorTextIsUnescaped) {
  ServerMessageDecoder decoder(176);
  Recorder rec;
  ASSERT_TRUE(decoder
                  .Decode("4\0"
                          "2\0"
                          "-1\0"
                          "2119\0"
                          "connecting:euf\\u00fcrm\0"
                          "\0"s,
                          rec)
                  .ok());
  EXPECT_EQ(rec.last_text, "connecting:euf\xc3\xbcrm");
  // And the encoder escapes it back.
  std::string frame;
  ASSERT_TRUE(EncodeServerMessage(ErrorMessage{-1, 2119, rec.last_text, ""}, 176, frame).ok());
  EXPECT_EQ(Payload(frame),
            "4\0"
            "2\0"
            "-1\0"
            "2119\0"
            "connecting:euf\\u00fcrm\0"
            "\0"s);
}

TEST(ServerMessagesTest, TickPriceAttributesAndSizeTickType) {
  ServerMessageDecoder decoder(187);
  Recorder rec;
  ASSERT_TRUE(decoder
                  .Decode("1\0"
                          "6\0"
                          "3001\0"
                          "4\0"
                          "21500.5\0"
                          "7\0"
                          "7\0"s,
                          rec)
                  .ok());
  EXPECT_TRUE(rec.price.attrib.can_auto_execute);
  EXPECT_TRUE(rec.price.attrib.past_limit);
  EXPECT_TRUE(rec.price.attrib.pre_open);
  EXPECT_EQ(rec.price.size, Decimal::FromInt(7));
  EXPECT_EQ(SizeTickTypeForPriceTick(1), 0);
  EXPECT_EQ(SizeTickTypeForPriceTick(2), 3);
  EXPECT_EQ(SizeTickTypeForPriceTick(4), 5);
  EXPECT_EQ(SizeTickTypeForPriceTick(66), 69);
  EXPECT_EQ(SizeTickTypeForPriceTick(67), 70);
  EXPECT_EQ(SizeTickTypeForPriceTick(68), 71);
  EXPECT_EQ(SizeTickTypeForPriceTick(9), -1);
}

TEST(ServerMessagesTest, StrictPathTextIsRefused) {
  std::string out;
  EXPECT_EQ(EncodeServerMessage(TickString{1, 45, "a\\b"}, 187, out).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeServerMessage(ManagedAccounts{"DU1\xc3\xa9"}, 187, out).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(EncodeServerMessage(TickByTickLast{1, TickByTickType::kBidAsk, 0, 0, {}, {}, "", ""},
                                187, out)
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(ServerMessagesTest, EveryMessageTypeRoundTripsThroughEncodingHandler) {
  const HistoricalTick mids[] = {{1, 1.5, Decimal::FromInt(2)}};
  const HistoricalTickLast lasts[] = {{1, {true, false}, 2.5, Decimal::FromInt(3), "CME", "I"}};
  ContractDescription nq;
  nq.con_id = 362687422;
  nq.symbol = "NQ";
  nq.sec_type = "IND";
  nq.derivative_sec_types = {"FUT", "FOP"};
  nq.description = "NASDAQ 100";
  std::string stream;
  const int sv = 187;
  auto add = [&](const auto& m) { ASSERT_TRUE(EncodeServerMessage(m, sv, stream).ok()); };
  add(ErrorMessage{5, 200, "No security definition", "{}"});
  add(NextValidId{42});
  add(ManagedAccounts{"DU1,DU2,"});
  add(CurrentTime{1754925330});
  add(FundDetails());
  add(ContractDataEnd{7});
  add(TickSnapshotEnd{8});
  add(TickPrice{1, 66, -1, Decimal::Unset(), {false, true, false}});
  add(TickSize{1, 8, Decimal::FromParts(12345, 1)});
  add(TickGeneric{1, 49, 1.0});
  add(TickString{1, 45, "1754925330"});
  add(TickReqParams{1, 0.25, "a60001", 3});
  add(MarketDataType{1, 3});
  add(SymbolSamples{6001, {nq}});
  add(HeadTimestamp{4001, "1719259200"});
  add(HistoricalTicks{5003, mids, true});
  add(HistoricalTicksLast{5002, lasts, false});
  add(TickByTickMidPoint{2001, 1754925332, 21500.375});

  std::string again;
  FrameReader reader;
  reader.Append(stream);
  ServerMessageDecoder decoder(sv);
  EncodingHandler encoder(sv, again);
  int frames = 0;
  while (true) {
    auto frame = reader.Next();
    ASSERT_TRUE(frame.ok());
    if (!frame->has_value()) break;
    ASSERT_TRUE(decoder.Decode(**frame, encoder).ok());
    ++frames;
  }
  EXPECT_EQ(frames, 18);
  EXPECT_EQ(encoder.encoded(), 18);
  ASSERT_TRUE(encoder.status().ok()) << encoder.status().ToString();
  EXPECT_EQ(again, stream);  // our own encoding is canonical: decode + encode is the identity
}

}  // namespace
}  // namespace ibstream::protocol::server_messages_test
