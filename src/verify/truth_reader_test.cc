#include "verify/truth_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sim/truth_writer.h"

namespace ibstream::verify::truth_reader_test {
namespace {

std::string TempPath(const std::string& name) {
  return (std::filesystem::path(::testing::TempDir()) / ("truth_reader_" + name)).string();
}

struct Collected {
  std::vector<TruthHeader> headers;
  std::vector<TruthTick> ticks;
  std::vector<TruthFault> faults;
  std::vector<TruthFooter> footers;
  std::vector<TruthSubscription> subscriptions;

  TruthVisitor Visitor() {
    TruthVisitor v;
    v.on_subscription = [this](const TruthSubscription& s) {
      subscriptions.push_back(s);
      return Status::Ok();
    };
    v.on_header = [this](const TruthHeader& h) {
      headers.push_back(h);
      return Status::Ok();
    };
    v.on_tick = [this](const TruthTick& t) {
      ticks.push_back(t);
      return Status::Ok();
    };
    v.on_fault = [this](const TruthFault& f) {
      faults.push_back(f);
      return Status::Ok();
    };
    v.on_footer = [this](const TruthFooter& f) {
      footers.push_back(f);
      return Status::Ok();
    };
    return v;
  }
};

std::vector<Tick> SampleTicks() {
  Tick quote;
  quote.contract_id = 711202509;
  quote.type = TickType::kBidAsk;
  quote.exchange_time = FromUnixSeconds(1754945400);
  quote.receive_time = FromUnixNanos(1754945400250000000);
  quote.bid_price = 21500.25;
  quote.ask_price = 21500.5;
  quote.bid_size = Decimal::FromInt(3);
  quote.ask_size = Decimal::FromParts(55, 1);
  Tick trade;
  trade.contract_id = 711202509;
  trade.type = TickType::kAllLast;
  trade.exchange_time = FromUnixSeconds(1754945401);
  trade.receive_time = FromUnixNanos(1754945401000000001);
  trade.price = 0.1 + 0.2;  // not a short decimal: must round-trip exactly
  trade.size = Decimal::FromParts(1, 4);
  trade.exchange = "CME \"Globex\"";
  trade.special_conditions = "I";
  trade.attributes = kAttrUnreported;
  Tick mid;
  mid.contract_id = 42;
  mid.type = TickType::kMidPoint;
  mid.exchange_time = FromUnixSeconds(1754945402);
  mid.receive_time = FromUnixNanos(1754945402999999999);
  mid.price = 1.0e-7;
  return {quote, trade, mid};
}

TEST(TruthReaderTest, ReadsBackWhatTheSimulatorWrote) {
  const std::string path = TempPath("roundtrip.jsonl");
  const std::vector<Tick> written = SampleTicks();
  {
    auto writer = sim::TruthWriter::Open(path);
    ASSERT_TRUE(writer.ok());
    (*writer)->WriteHeader(7, FromUnixSeconds(1754945400), 60);
    (*writer)->WriteTick(written[0], "MNQ", 1);
    (*writer)->WriteTick(written[1], "MNQ", 0);
    (*writer)->WriteFault(sim::FaultKind::kFarmDown, "farm_down farm=usfuture duration=30s",
                          FromUnixSeconds(1754945401), FromUnixSeconds(1754945431), false);
    (*writer)->WriteTick(written[2], "X\tY", 2);
    (*writer)->WriteFooter(FromUnixSeconds(1754945500));
    ASSERT_TRUE((*writer)->Flush().ok());
  }
  Collected got;
  TruthReadStats stats;
  const Status st = ReadTruthFile(path, got.Visitor(), &stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(got.headers.size(), 1u);
  EXPECT_EQ(got.headers[0].seed, 7u);
  EXPECT_EQ(got.headers[0].start, FromUnixSeconds(1754945400));
  EXPECT_EQ(got.headers[0].speed, 60);
  ASSERT_EQ(got.ticks.size(), 3u);
  for (size_t i = 0; i < written.size(); ++i) {
    EXPECT_EQ(got.ticks[i].tick, written[i]) << i;
  }
  EXPECT_EQ(got.ticks[0].symbol, "MNQ");
  EXPECT_TRUE(got.ticks[0].delivered);
  EXPECT_FALSE(got.ticks[1].delivered);
  EXPECT_EQ(got.ticks[2].subscribers, 2);
  EXPECT_EQ(got.ticks[2].symbol, "X\tY");
  ASSERT_EQ(got.faults.size(), 1u);
  EXPECT_EQ(got.faults[0].kind, "farm_down");
  EXPECT_EQ(got.faults[0].end - got.faults[0].start, std::chrono::seconds(30));
  ASSERT_EQ(got.footers.size(), 1u);
  EXPECT_EQ(got.footers[0].ticks, 3u);
  EXPECT_EQ(got.footers[0].delivered, 2u);
  EXPECT_EQ(stats.ticks, 3u);
  EXPECT_TRUE(stats.has_footer);
  EXPECT_FALSE(stats.torn_last_line);
}

TEST(TruthReaderTest, SubscriptionRecordsRoundTripByteForByte) {
  const std::string path = TempPath("subscriptions.jsonl");
  const TimePoint asked = FromUnixNanos(1754945401500000000);
  {
    auto writer = sim::TruthWriter::Open(path);
    ASSERT_TRUE(writer.ok());
    (*writer)->WriteHeader(7, FromUnixSeconds(1754945400), 60);
    (*writer)->WriteSubscription(
        {sim::SubscriptionEvent::kStart, 0, 1001, 711202509, "MNQ", "BidAsk", asked, ""});
    (*writer)->WriteSubscription({sim::SubscriptionEvent::kRefused, 0, 1002, 711202509, "MNQ",
                                  "Last", asked, "10190 max tick-by-tick requests"});
    (*writer)->WriteSubscription({sim::SubscriptionEvent::kEnd, 0, 1001, 711202509, "MNQ", "BidAsk",
                                  asked + std::chrono::seconds(60), "cancel"});
    ASSERT_TRUE((*writer)->Flush().ok());
  }
  std::ifstream in(path);
  std::string header, first;
  std::getline(in, header);
  std::getline(in, first);
  EXPECT_EQ(header,
            R"({"type":"header","version":2,"seed":7,"start":"2025-08-11T20:50:00Z","speed":60})");
  EXPECT_EQ(first,
            R"({"type":"subscription","event":"start","client_id":0,"req_id":1001,)"
            R"("con_id":711202509,"symbol":"MNQ","stream":"BidAsk","at":"2025-08-11T20:50:01.5Z",)"
            R"("time_ns":1754945401500000000,"reason":""})");
  Collected got;
  TruthReadStats stats;
  const Status st = ReadTruthFile(path, got.Visitor(), &stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(got.headers[0].version, 2);
  EXPECT_EQ(stats.subscriptions, 3u);
  ASSERT_EQ(got.subscriptions.size(), 3u);
  const TruthSubscription& start = got.subscriptions[0];
  EXPECT_EQ(start.event, TruthSubscription::Event::kStart);
  EXPECT_EQ(start.req_id, 1001);
  EXPECT_EQ(start.con_id, 711202509);
  EXPECT_EQ(start.symbol, "MNQ");
  EXPECT_EQ(start.tick_type(), TickType::kBidAsk);
  EXPECT_EQ(start.time, asked);
  EXPECT_EQ(got.subscriptions[1].event, TruthSubscription::Event::kRefused);
  EXPECT_EQ(got.subscriptions[1].reason, "10190 max tick-by-tick requests");
  EXPECT_EQ(got.subscriptions[2].event, TruthSubscription::Event::kEnd);
  EXPECT_EQ(got.subscriptions[2].reason, "cancel");
  EXPECT_EQ(got.subscriptions[2].time, asked + std::chrono::seconds(60));
  TruthSubscription mkt;
  mkt.stream = "MktData";
  EXPECT_FALSE(mkt.tick_type().has_value());
}

TEST(TruthReaderTest, FallbackSnapshotsRoundTripAndReadAsTheirKinds) {
  const std::string path = TempPath("fallback.jsonl");
  Tick quote;
  quote.contract_id = 711202509;
  quote.type = TickType::kQuote;
  quote.exchange_time = FromUnixSeconds(1754945400);
  quote.receive_time = FromUnixNanos(1754945400250000000);
  quote.bid_price = 21500.25;
  quote.ask_price = 21500.5;
  quote.bid_size = Decimal::FromInt(3);
  quote.ask_size = Decimal::FromParts(55, 1);
  Tick trade;
  trade.contract_id = 711202509;
  trade.type = TickType::kTrade;
  trade.exchange_time = FromUnixSeconds(1754945401);
  trade.receive_time = FromUnixNanos(1754945401500000000);
  trade.price = 21500.5;
  trade.size = Decimal::FromInt(2);
  trade.volume = Decimal::FromInt(123456);
  Tick no_volume = trade;
  no_volume.volume = Decimal::Unset();
  {
    auto writer = sim::TruthWriter::Open(path);
    ASSERT_TRUE(writer.ok());
    (*writer)->WriteHeader(7, FromUnixSeconds(1754945400), 60);
    (*writer)->WriteTick(quote, "MNQ", 1);
    (*writer)->WriteTick(trade, "MNQ", 2);
    (*writer)->WriteTick(no_volume, "MNQ", 0);
    ASSERT_TRUE((*writer)->Flush().ok());
  }
  std::ifstream in(path);
  std::string header, quote_line, trade_line;
  std::getline(in, header);
  std::getline(in, quote_line);
  std::getline(in, trade_line);
  EXPECT_EQ(quote_line,
            R"({"type":"tick","con_id":711202509,"symbol":"MNQ","tick_type":"Quote",)"
            R"("time":1754945400,"time_ns":1754945400250000000,"bid":21500.25,"ask":21500.5,)"
            R"("bid_size":"3","ask_size":"5.5","delivered":true,"subscribers":1})");
  EXPECT_EQ(trade_line,
            R"({"type":"tick","con_id":711202509,"symbol":"MNQ","tick_type":"Trade",)"
            R"("time":1754945401,"time_ns":1754945401500000000,"price":21500.5,"size":"2",)"
            R"("volume":"123456","delivered":true,"subscribers":2})");
  Collected got;
  TruthReadStats stats;
  const Status st = ReadTruthFile(path, got.Visitor(), &stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(got.ticks.size(), 3u);
  EXPECT_EQ(got.ticks[0].tick, quote);
  EXPECT_EQ(got.ticks[1].tick, trade);
  EXPECT_EQ(got.ticks[2].tick, no_volume);
  EXPECT_FALSE(got.ticks[2].tick.volume.is_set());

  // A hand-written trade record without a volume reads as unset.
  Collected hand;
  TruthReadStats hand_stats;
  hand_stats.has_header = true;
  ASSERT_TRUE(ParseTruthLine(R"({"type":"tick","con_id":1,"symbol":"A","tick_type":"Trade",)"
                             R"("time":1754945400,"time_ns":1754945400250000000,"price":2.5,)"
                             R"("size":"1","delivered":true,"subscribers":1})",
                             hand.Visitor(), &hand_stats)
                  .ok());
  ASSERT_EQ(hand.ticks.size(), 1u);
  EXPECT_EQ(hand.ticks[0].tick.type, TickType::kTrade);
  EXPECT_FALSE(hand.ticks[0].tick.volume.is_set());
}

TEST(TruthReaderTest, AMktDataSubscriptionAsksForQuoteAndTrade) {
  TruthSubscription mkt;
  mkt.stream = "MktData";
  EXPECT_EQ(mkt.stream_kinds(), (std::vector<TickType>{TickType::kQuote, TickType::kTrade}));
  TruthSubscription bid_ask;
  bid_ask.stream = "BidAsk";
  EXPECT_EQ(bid_ask.stream_kinds(), (std::vector<TickType>{TickType::kBidAsk}));
  TruthSubscription unknown;
  unknown.stream = "Depth";
  EXPECT_TRUE(unknown.stream_kinds().empty());
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

constexpr const char* kHeader =
    R"({"type":"header","version":1,"seed":7,"start":"2025-08-11T20:50:00Z","speed":60})"
    "\n";
constexpr const char* kTick =
    R"({"type":"tick","con_id":1,"symbol":"A","tick_type":"MidPoint","time":1754945400,)"
    R"("time_ns":1754945400250000000,"price":2.5,"delivered":true,"subscribers":1})";

TEST(TruthReaderTest, SkipsATornLastLine) {
  const std::string path = TempPath("torn.jsonl");
  WriteFile(path, std::string(kHeader) + kTick + "\n" + std::string(kTick).substr(0, 40));
  Collected got;
  TruthReadStats stats;
  ASSERT_TRUE(ReadTruthFile(path, got.Visitor(), &stats).ok());
  EXPECT_EQ(got.ticks.size(), 1u);
  EXPECT_TRUE(stats.torn_last_line);
  EXPECT_FALSE(stats.has_footer);
}

TEST(TruthReaderTest, MalformedLinesAreParseErrorsNamingTheLine) {
  const std::string tick(kTick);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", std::string(kHeader) + "{oops\n"},
      {"damage in the middle", std::string(kHeader) + "{\"type\":\n" + tick + "\n"},
      {"no header", tick + "\n"},
      {"wrong version",
       R"({"type":"header","version":3,"seed":1,"start":"2025-08-11T20:50:00Z","speed":1})"
       "\n"},
      {"unknown type", std::string(kHeader) + R"({"type":"mystery"})" + "\n"},
      {"unknown subscription event",
       std::string(kHeader) +
           R"({"type":"subscription","event":"paused","client_id":0,"req_id":1,"con_id":1,"symbol":"A","stream":"BidAsk","at":"2025-08-11T20:50:00Z","time_ns":1,"reason":""})" +
           "\n"},
      {"subscription without time",
       std::string(kHeader) +
           R"({"type":"subscription","event":"start","client_id":0,"req_id":1,"con_id":1,"symbol":"A","stream":"BidAsk","reason":""})" +
           "\n"},
      {"bad tick type",
       std::string(kHeader) +
           R"({"type":"tick","con_id":1,"symbol":"A","tick_type":"Quote","time":1,"time_ns":1,"price":1,"delivered":true,"subscribers":1})" +
           "\n"},
      {"string price",
       std::string(kHeader) +
           R"({"type":"tick","con_id":1,"symbol":"A","tick_type":"MidPoint","time":1,"time_ns":1,"price":"1","delivered":true,"subscribers":1})" +
           "\n"},
      {"bad size",
       std::string(kHeader) +
           R"({"type":"tick","con_id":1,"symbol":"A","tick_type":"Last","time":1,"time_ns":1,"price":1,"size":"x","exchange":"","special_conditions":"","unreported":false,"delivered":true,"subscribers":1})" +
           "\n"},
      {"missing field",
       std::string(kHeader) +
           R"({"type":"tick","con_id":1,"symbol":"A","tick_type":"MidPoint","time":1,"time_ns":1,"delivered":true,"subscribers":1})" +
           "\n"},
      {"empty file", ""},
  };
  for (const auto& [name, text] : cases) {
    const std::string path = TempPath("bad.jsonl");
    WriteFile(path, text);
    Collected got;
    TruthReadStats stats;
    const Status st = ReadTruthFile(path, got.Visitor(), &stats);
    EXPECT_EQ(st.code(), StatusCode::kParseError) << name << ": " << st.ToString();
  }
  TruthReadStats stats;
  const std::string path = TempPath("bad_line.jsonl");
  WriteFile(path, std::string(kHeader) + tick + "\n" + "[1,2]\n" + tick + "\n");
  const Status st = ReadTruthFile(path, TruthVisitor{}, &stats);
  EXPECT_NE(st.message().find("truth line 3"), std::string::npos) << st.ToString();
}

TEST(TruthReaderTest, AMissingFileIsAnIoError) {
  TruthReadStats stats;
  EXPECT_EQ(ReadTruthFile(TempPath("absent/none.jsonl"), TruthVisitor{}, &stats).code(),
            StatusCode::kIoError);
}

TEST(TruthReaderTest, AVisitorErrorStopsTheRead) {
  const std::string path = TempPath("stop.jsonl");
  WriteFile(path, std::string(kHeader) + kTick + "\n" + kTick + "\n");
  int seen = 0;
  TruthVisitor v;
  v.on_tick = [&](const TruthTick&) {
    ++seen;
    return InvalidArgument("enough");
  };
  TruthReadStats stats;
  EXPECT_EQ(ReadTruthFile(path, v, &stats).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(seen, 1);
}

}  // namespace
}  // namespace ibstream::verify::truth_reader_test
