#include "http/recorder_api.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>

#include "config/contract_table.h"
#include "http/recorder_api_test_fixture.h"

namespace ibstream::http::recorder_api_test {
namespace {

using namespace api_test;  // NOLINT: the fixture's names read as the test's own
using namespace std::chrono_literals;

// --- plain endpoints --------------------------------------------------------------------------

TEST_F(RecorderApiTest, HealthKeepsTheOriginalShape) {
  auto r = Get("/health");
  ASSERT_EQ(r.status, 200);
  Json j = r.json();
  ExpectKeys(j, {"service", "status", "timestamp", "tws_connected", "connection_details",
                 "active_streams", "background_streams", "total_active_streams", "max_streams",
                 "client_id", "connection_ports", "storage", "background_streaming", "features"});
  EXPECT_EQ(j["status"], "healthy");
  EXPECT_EQ(j["tws_connected"], true);
  EXPECT_EQ(j["background_streams"], 2);
  ExpectKeys(j["connection_details"], {"main_service_connected", "background_streaming_connected",
                                       "main_client_id", "background_client_id"});
  ExpectKeys(j["storage"], {"enabled", "formats", "queue_sizes", "message_stats"});

  auto view = MakeView();
  view.gateway.connected = false;
  source_->SetView(view);
  r = Get("/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["status"], "degraded");
}

TEST_F(RecorderApiTest, BackgroundStatusAndHealth) {
  Json j = Get("/background/status").json();
  ExpectKeys(j, {"enabled", "timestamp", "status", "config"});
  ExpectKeys(j["status"], {"running", "tws_connected", "total_contracts", "active_contracts",
                           "total_streams", "contracts"});
  ExpectKeys(j["status"]["contracts"]["711280073"],
             {"symbol", "enabled", "expected_tick_types", "active_tick_types", "stream_count",
              "buffer_hours"});
  EXPECT_EQ(j["status"]["contracts"]["711280073"]["expected_tick_types"],
            Json::array({"bid_ask", "last"}));

  j = Get("/background/health").json();
  ExpectKeys(j, {"enabled", "timestamp", "overall_status", "contracts", "summary", "last_updated"});
  EXPECT_EQ(j["overall_status"], "HEALTHY");
  EXPECT_EQ(j["summary"]["status_distribution"]["healthy"], 1);

  j = Get("/background/health/summary").json();
  ExpectKeys(j,
             {"enabled", "timestamp", "total_contracts", "active_contracts", "stale_contracts",
              "healthy_contracts", "staleness_threshold_minutes", "tws_connected", "last_updated"});
  EXPECT_EQ(j["stale_contracts"], 0);
  EXPECT_EQ(j["healthy_contracts"], 1);
  EXPECT_DOUBLE_EQ(j["staleness_threshold_minutes"].get<double>(), 5.0);
}

TEST_F(RecorderApiTest, ContractHealthHasMarketStatusAndStaleness) {
  auto r = Get("/background/health/711280073");
  ASSERT_EQ(r.status, 200);
  Json j = r.json();
  ExpectKeys(j, {"enabled", "contract_id", "timestamp", "symbol", "status", "market_status",
                 "trading_hours", "data_staleness", "streams", "connection_issues",
                 "last_health_check", "metrics"});
  EXPECT_EQ(j["market_status"], "OPEN");
  EXPECT_EQ(j["status"], "HEALTHY");
  EXPECT_DOUBLE_EQ(j["data_staleness"]["minutes_ago"].get<double>(), 2.0);
  EXPECT_EQ(j["data_staleness"]["is_stale"], false);
  ExpectKeys(j["streams"]["bid_ask"],
             {"tick_type", "active", "request_id", "last_tick", "error_count", "last_error"});
  EXPECT_EQ(j["streams"]["bid_ask"]["request_id"], 60001);

  auto view = MakeView();
  view.contracts[0].streams[1].health.flow = reliability::DataFlow::kStale;
  view.contracts[0].streams[1].health.issue = reliability::StreamIssue::kNoData;
  source_->SetView(view);
  j = Get("/background/health/711280073").json();
  EXPECT_EQ(j["data_staleness"]["is_stale"], true);
  EXPECT_EQ(j["connection_issues"].size(), 1u);
  EXPECT_EQ(Get("/background/health/summary").json()["stale_contracts"], 1);

  ExpectJsonError(Get("/background/health/0"), 400);
  ExpectJsonError(Get("/background/health/abc"), 400);
  r = Get("/background/health/12345");
  ExpectJsonError(r, 404);
  EXPECT_EQ(r.json()["tracked_contracts"], Json::array({kMnq}));
}

TEST_F(RecorderApiTest, BufferInfo) {
  auto r = Get("/v3/buffer/711280073/info");
  ASSERT_EQ(r.status, 200);
  ExpectKeys(r.json(), {"contract_id", "tick_types", "v3_storage", "files", "statistics"});
  EXPECT_EQ(r.json()["tick_types"], Json::array({"bid_ask", "last"}));
  ExpectJsonError(Get("/v3/buffer/711280073/info?tick_types=bogus"), 400);
  ExpectJsonError(Get("/v3/buffer/1/info"), 404);
}

TEST_F(RecorderApiTest, BufferQueryRendersV3RecordsAndValidates) {
  const int64_t t0 = ToUnixSeconds(kNow) - 600;
  source_->stored = {MakeTick(TickType::kBidAsk, t0, 1), MakeTick(TickType::kLast, t0 + 1, 1),
                     MakeTick(TickType::kBidAsk, t0 + 2, 2)};
  auto r = Get("/v3/buffer/711280073/query?tick_types=bid_ask,last");
  ASSERT_EQ(r.status, 200) << r.body;
  Json j = r.json();
  ExpectKeys(j, {"contract_id", "tick_types", "format", "time_range", "total_messages",
                 "raw_format", "messages"});
  EXPECT_EQ(j["total_messages"], 3);
  const Json& first = j["messages"][0];
  ExpectKeys(first, {"ib_timestamp", "ib_timestamp_iso", "system_timestamp", "system_timestamp_iso",
                     "contract_id", "tick_type", "request_id", "bid_price", "bid_size", "ask_price",
                     "ask_size"});
  EXPECT_EQ(first["ib_timestamp"], t0 * 1000000);
  EXPECT_EQ(first["system_timestamp"], t0 * 1000000 + 250);
  EXPECT_EQ(j["messages"][1]["price"], 23260.25);

  // raw: the v3 line byte for byte.
  r = Get("/v3/buffer/711280073/query?raw=true&limit=1");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"("messages":[{"ts":)" + std::to_string(t0 * 1000000) + R"(,"st":)" +
                        std::to_string(t0 * 1000000 + 250) +
                        R"(,"cid":711280073,"tt":"bid_ask","rid":0,"bp":23260.0,"bs":4.0,)"
                        R"("ap":23260.5,"as":2.0}])"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(r.json()["truncated"], true);

  r = Get("/v3/buffer/711280073/query?format=protobuf&raw=true&tick_types=last");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["total_messages"], 1);
  EXPECT_EQ(r.json()["messages"][0]["p"], 23260.25);

  r = Get("/v3/buffer/711280073/query?start_time=" + FormatIsoUtc(FromUnixSeconds(t0 + 1)) +
          "&end_time=" + FormatIsoUtc(FromUnixSeconds(t0 + 3)));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["total_messages"], 1);

  const std::string base = "/v3/buffer/711280073/query?";
  ExpectJsonError(Get(base + "format=xml"), 400);
  ExpectJsonError(Get(base + "raw=maybe"), 400);
  ExpectJsonError(Get(base + "tick_types=bogus"), 400);
  ExpectJsonError(Get(base + "limit=0"), 400);
  ExpectJsonError(Get(base + "limit=-5"), 400);
  ExpectJsonError(Get(base + "limit=abc"), 400);
  ExpectJsonError(Get(base + "buffer_duration=xh"), 400);
  ExpectJsonError(Get(base + "buffer_duration=0"), 400);
  ExpectJsonError(Get(base + "start_time=2025-08-11T10:00:00Z"), 400);
  ExpectJsonError(Get(base + "start_time=yesterday&end_time=2025-08-11T10:00:00Z"), 400);
  ExpectJsonError(Get(base + "start_time=2025-08-11T10:00:00Z&end_time=2025-08-11T09:00:00Z"), 400);
  ExpectJsonError(Get(base + "tick_types=mid_point"), 404);
  ExpectJsonError(Get("/v3/buffer/99/query"), 404);
  ExpectJsonError(Get("/v3/buffer/x/query"), 400);
  auto view = MakeView();
  view.ready = false;
  source_->SetView(view);
  ExpectJsonError(Get(base), 503);
}

TEST_F(RecorderApiTest, BufferQueryLabelsTheFallbackKinds) {
  const int64_t t0 = ToUnixSeconds(kNow) - 600;
  Tick quote = MakeTick(TickType::kBidAsk, t0, 1);
  quote.type = TickType::kQuote;
  Tick trade = MakeTick(TickType::kLast, t0 + 1, 1);
  trade.type = TickType::kTrade;
  trade.exchange.clear();
  trade.volume = Decimal::FromInt(1500);
  source_->stored = {quote, trade};
  // MNQ records bid_ask and last: their fallback kinds, quote and trade, can be asked for.
  auto r = Get("/v3/buffer/711280073/query?tick_types=quote,trade");
  ASSERT_EQ(r.status, 200) << r.body;
  Json j = r.json();
  EXPECT_EQ(j["tick_types"], Json::array({"quote", "trade"}));
  ASSERT_EQ(j["total_messages"], 2);
  EXPECT_EQ(j["messages"][0]["tick_type"], "quote");
  EXPECT_EQ(j["messages"][0]["bid_price"], 23260.0);
  EXPECT_EQ(j["messages"][0]["ask_size"], 2.0);
  EXPECT_EQ(j["messages"][1]["tick_type"], "trade");
  EXPECT_EQ(j["messages"][1]["price"], 23260.25);
  EXPECT_EQ(j["messages"][1]["volume"], 1500.0);

  r = Get("/v3/buffer/711280073/query?raw=true&tick_types=trade");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"("tt":"trade","rid":0,"p":23260.25,"s":1.0,"v":1500.0})"),
            std::string::npos)
      << r.body;

  // A contract recording only `last` has no quote stream to fall back to.
  auto view = MakeView();
  view.contracts[0].expected_types = {TickType::kLast};
  source_->SetView(view);
  ExpectJsonError(Get("/v3/buffer/711280073/query?tick_types=quote"), 404);
  EXPECT_EQ(Get("/v3/buffer/711280073/query?tick_types=trade").status, 200);
}

TEST(RecorderApiPieces, TickDataOfTheFallbackKinds) {
  Tick quote = MakeTick(TickType::kBidAsk, 1754935200, 1);
  quote.type = TickType::kQuote;
  Json j = Json::parse(TickDataJson(quote));
  EXPECT_EQ(j["tick_type"], "quote");
  EXPECT_EQ(j["type"], "quote");
  EXPECT_EQ(j["bid_price"], 23260.0);
  EXPECT_EQ(j["ask_size"], 2.0);
  EXPECT_FALSE(j.contains("bid_past_low"));
  Tick trade = MakeTick(TickType::kLast, 1754935200, 1);
  trade.type = TickType::kTrade;
  trade.volume = Decimal::FromInt(1500);
  j = Json::parse(TickDataJson(trade));
  EXPECT_EQ(j["tick_type"], "trade");
  EXPECT_EQ(j["type"], "trade");
  EXPECT_EQ(j["price"], 23260.25);
  EXPECT_EQ(j["volume"], 1500.0);
  trade.volume = Decimal::Unset();
  EXPECT_TRUE(Json::parse(TickDataJson(trade))["volume"].is_null());
}

TEST_F(RecorderApiTest, MarketStatusAndTradingSchedule) {
  auto r = Get("/market-status/711280073");
  ASSERT_EQ(r.status, 200) << r.body;
  Json j = r.json();
  ExpectKeys(j, {"status", "timestamp", "contract_id", "is_trading", "is_liquid", "market_status",
                 "next_open", "next_close", "time_zone", "current_time", "contract_info"});
  EXPECT_EQ(j["market_status"], "open");  // Monday 13:00 CDT
  EXPECT_EQ(j["is_liquid"], true);
  EXPECT_EQ(j["next_close"], "2025-08-11T16:00:00-05:00");
  EXPECT_EQ(j["next_open"], "2025-08-11T17:00:00-05:00");

  clock_.Set(kNow + 4h + 30min);  // 17:30 CDT: the overnight session
  EXPECT_EQ(Get("/market-status/711280073").json()["market_status"], "after_hours");
  clock_.Set(kNow);

  r = Get("/trading-schedule/711280073?days=3");
  ASSERT_EQ(r.status, 200) << r.body;
  j = r.json();
  ExpectKeys(j,
             {"status", "timestamp", "contract_id", "contract_info", "days_requested", "schedule"});
  ASSERT_EQ(j["schedule"].size(), 3u);
  const Json& monday = j["schedule"][0];
  EXPECT_EQ(monday["date"], "2025-08-11");
  EXPECT_EQ(monday["status"], "open");
  EXPECT_EQ(monday["trading_start"], "2025-08-11T17:00:00-05:00");
  EXPECT_EQ(monday["liquid_start"], "2025-08-11T08:30:00-05:00");
  EXPECT_EQ(monday["time_zone"], "US/Central");

  ExpectJsonError(Get("/trading-schedule/711280073?days=0"), 400);
  ExpectJsonError(Get("/trading-schedule/711280073?days=31"), 400);
  ExpectJsonError(Get("/market-status/5"), 404);
  ExpectJsonError(Get("/market-status/-5"), 400);
}

TEST_F(RecorderApiTest, LivezAndReadyz) {
  EXPECT_EQ(Get("/livez").status, 200);
  EXPECT_EQ(Get("/readyz").status, 200);
  auto view = MakeView();
  view.gateway.connected = false;
  view.gateway.state = "connecting";
  source_->SetView(view);
  auto r = Get("/readyz");
  ExpectJsonError(r, 503);
  EXPECT_EQ(r.json()["reasons"], Json::array({"gateway session is connecting"}));
  EXPECT_EQ(Get("/livez").status, 200);
  view.ready = false;
  source_->SetView(view);
  EXPECT_EQ(Get("/readyz").json()["reasons"].size(), 2u);
}

TEST_F(RecorderApiTest, BufferQuerySaysWhatDamagedDataWasSkipped) {
  auto r = Get("/v3/buffer/711280073/query");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["complete"], true);
  EXPECT_EQ(r.json()["skipped_damaged"]["count"], 0);

  storage::QueryStats stats;
  stats.skipped.push_back(
      {"/data/journal/2025-08-11/14.g1.wal", 4096, "journal header: bad magic"});
  stats.skipped_bytes = 4096;
  stats.corrupt_files = 1;
  source_->SetQueryStats(stats);
  r = Get("/v3/buffer/711280073/query");
  ASSERT_EQ(r.status, 200) << r.body;
  Json j = r.json();
  EXPECT_EQ(j["complete"], false);
  EXPECT_EQ(j["skipped_damaged"]["count"], 1);
  EXPECT_EQ(j["skipped_damaged"]["bytes"], 4096);
  ASSERT_EQ(j["skipped_damaged"]["items"].size(), 1u);
  EXPECT_EQ(j["skipped_damaged"]["items"][0]["path"], "/data/journal/2025-08-11/14.g1.wal");
  EXPECT_EQ(j["skipped_damaged"]["items"][0]["reason"], "journal header: bad magic");
}

TEST_F(RecorderApiTest, ReadyzFailsWhileStorageWritingIsSuspended) {
  auto view = MakeView();
  view.ready = false;  // what the recorder publishes while writing is suspended
  view.storage.suspended = true;
  source_->SetView(view);
  auto r = Get("/readyz");
  ExpectJsonError(r, 503);
  EXPECT_EQ(r.json()["ready"], false);
  EXPECT_EQ(r.json()["reasons"], Json::array({"storage writing is suspended after a write error"}));
  EXPECT_EQ(Get("/livez").status, 200);
  // Stored data can still be read while writing is suspended.
  EXPECT_EQ(Get("/v3/buffer/711280073/query").status, 200);
}

TEST_F(RecorderApiTest, GapsAndAlerts) {
  Json j = Get("/v1/gaps").json();
  EXPECT_EQ(j["total"], 2);
  ExpectKeys(j["gaps"][0], {"id", "contract_id", "tick_type", "start", "end", "duration_seconds",
                            "cause", "state", "reason", "updated_at"});
  EXPECT_EQ(j["gaps"][0]["duration_seconds"], 60.0);
  j = Get("/v1/gaps?state=pending&contract_id=711280073").json();
  ASSERT_EQ(j["total"], 1);
  EXPECT_EQ(j["gaps"][0]["id"], 1);
  ExpectJsonError(Get("/v1/gaps?state=open"), 400);
  ExpectJsonError(Get("/v1/gaps?contract_id=x"), 400);
  ExpectJsonError(Get("/v1/gaps?contract_id=7"), 404);

  j = Get("/v1/alerts").json();
  ASSERT_EQ(j["total"], 1);
  ExpectKeys(j["alerts"][0], {"rule", "severity", "state", "contract_id", "summary", "labels",
                              "starts_at", "ends_at"});
  EXPECT_EQ(j["alerts"][0]["severity"], "critical");
}

TEST_F(RecorderApiTest, BackfillWithAGapIdRetriesThatGap) {
  const std::string auth = "Authorization: Bearer s3cret\r\n";
  EXPECT_EQ(Post("/v1/backfill", R"({"gap_id": 7})", "").status, 401);
  auto r = Post("/v1/backfill", R"({"gap_id": 7})", auth);
  ASSERT_EQ(r.status, 202) << r.body;
  const Json j = Json::parse(r.body);
  EXPECT_EQ(j["status"], "accepted");
  EXPECT_EQ(j["gap_id"], 7);
  ASSERT_EQ(source_->retried_gaps, std::vector<uint64_t>{7});
  EXPECT_TRUE(source_->backfills.empty());

  for (const char* bad : {R"({"gap_id": 0})", R"({"gap_id": -3})", R"({"gap_id": "7"})",
                          R"({"gap_id": 1.5})", R"({"gap_id": null})"}) {
    ExpectJsonError(Post("/v1/backfill", bad, auth), 400);
  }
  source_->retry_result = NotFound("no gap 9 in the ledger");
  ExpectJsonError(Post("/v1/backfill", R"({"gap_id": 9})", auth), 404);
  source_->retry_result = FailedPrecondition("gap 9 is filled");
  ExpectJsonError(Post("/v1/backfill", R"({"gap_id": 9})", auth), 409);
  source_->retry_result = InvalidArgument("stream not tracked");
  ExpectJsonError(Post("/v1/backfill", R"({"gap_id": 9})", auth), 400);
  EXPECT_EQ(source_->retried_gaps.size(), 4u);
}

TEST_F(RecorderApiTest, BackfillNeedsTheTokenAndValidates) {
  const std::string body =
      R"({"contract_id": 711280073, "tick_type": "BidAsk", "from": "2025-08-11T10:00:00Z",)"
      R"( "to": "2025-08-11T11:00:00-05:00"})";
  EXPECT_EQ(Post("/v1/backfill", body, "").status, 401);
  EXPECT_EQ(Post("/v1/backfill", body, "Authorization: Bearer nope\r\n").status, 401);
  const std::string auth = "Authorization: Bearer s3cret\r\n";
  auto r = Post("/v1/backfill", body, auth);
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_EQ(source_->backfills.size(), 1u);
  EXPECT_EQ(source_->backfills[0].stream, (StreamKey{kMnq, TickType::kBidAsk}));
  EXPECT_EQ(source_->backfills[0].to - source_->backfills[0].from, 6h);

  ExpectJsonError(Post("/v1/backfill", "not json", auth), 400);
  ExpectJsonError(Post("/v1/backfill", R"({"contract_id": 0})", auth), 400);
  ExpectJsonError(Post("/v1/backfill",
                       R"({"contract_id": 711280073, "tick_type": "bid_ask", "from": "x",)"
                       R"( "to": "2025-08-11T11:00:00Z"})",
                       auth),
                  400);
  ExpectJsonError(Post("/v1/backfill",
                       R"({"contract_id": 711280073, "tick_type": "bid_ask",)"
                       R"( "from": "2025-08-11T11:00:00Z", "to": "2025-08-11T10:00:00Z"})",
                       auth),
                  400);
  ExpectJsonError(Post("/v1/backfill",
                       R"({"contract_id": 42, "tick_type": "bid_ask",)"
                       R"( "from": "2025-08-11T10:00:00Z", "to": "2025-08-11T11:00:00Z"})",
                       auth),
                  404);
  EXPECT_EQ(source_->backfills.size(), 1u);
}

// Times outside the years the recorder can represent, or with impossible offsets, are refused
// with a 400 naming the range, never wrapped into another century.
TEST_F(RecorderApiTest, TimesOutOfRangeAreRefusedNotWrapped) {
  const std::string auth = "Authorization: Bearer s3cret\r\n";
  const auto backfill = [&](const std::string& from, const std::string& to) {
    return Post("/v1/backfill",
                R"({"contract_id": 711280073, "tick_type": "bid_ask", "from": ")" + from +
                    R"(", "to": ")" + to + R"("})",
                auth);
  };
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"0001-01-01T00:00:00Z", "9999-12-31T00:00:00Z"},
           {"2025-08-11T10:00:00Z", "9999-12-31T00:00:00Z"},
           {"1000-01-01T00:00:00Z", "2025-08-11T10:00:00Z"},
           {"2025-08-11T10:00:00+99:00", "2025-08-11T11:00:00Z"}}) {
    SCOPED_TRACE(from + " " + to);
    auto r = backfill(from, to);
    ExpectJsonError(r, 400);
    EXPECT_NE(r.body.find("time out of range"), std::string::npos) << r.body;
  }
  EXPECT_TRUE(source_->backfills.empty());

  const std::string base = "/v3/buffer/711280073/query?";
  for (const char* query : {"start_time=1000-01-01T00:00:00Z&end_time=1000-01-02T00:00:00Z",
                            "start_time=2025-08-11T10:00:00Z&end_time=9999-01-01T00:00:00Z",
                            "start_time=2025-08-11T10:00:00-99:00&end_time=2025-08-12T10:00:00Z"}) {
    SCOPED_TRACE(query);
    auto r = Get(base + query);
    ExpectJsonError(r, 400);
    EXPECT_NE(r.body.find("time out of range"), std::string::npos) << r.body;
  }
}

TEST_F(RecorderApiTest, TrackingAContractNeedsTheTokenAndPassesItsKeysOn) {
  const std::string body =
      R"({"symbol": "ES", "sec_type": "FUT", "exchange": "CME", "currency": "USD",)"
      R"( "tick_types": ["bid_ask", "last"], "buffer_hours": 4, "data_staleness_threshold": "90s"})";
  EXPECT_EQ(Post("/v1/contracts", body, "").status, 401);
  EXPECT_EQ(Post("/v1/contracts", body, "Authorization: Bearer nope\r\n").status, 401);
  EXPECT_TRUE(source_->tracked.empty());
  const std::string auth = "Authorization: Bearer s3cret\r\n";
  auto r = Post("/v1/contracts", body, auth);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json()["status"], "tracking");
  EXPECT_EQ(r.json()["key"], "sym_ES_FUT_CME_USD");
  EXPECT_EQ(r.json()["description"], "ES FUT CME USD");
  // What the recorder gets is the same contract, as TOML the configuration reads.
  ASSERT_EQ(source_->tracked.size(), 1u);
  auto contract = config::ParseContractTable(source_->tracked[0], {}, "test");
  ASSERT_TRUE(contract.ok()) << contract.status().ToString() << "\n" << source_->tracked[0];
  EXPECT_EQ(contract->symbol, "ES");
  EXPECT_EQ(contract->tick_types, (std::vector<TickType>{TickType::kBidAsk, TickType::kLast}));
  EXPECT_EQ(contract->buffer_hours, 4);
  EXPECT_EQ(contract->data_staleness_threshold, 90s);

  // Refusals keep the recorder's status: 400 bad contract, 409 already tracked, 503 otherwise.
  source_->track_result = InvalidArgument("contract: contracts[0].priority = 9: ...");
  ExpectJsonError(Post("/v1/contracts", R"({"con_id": 1, "priority": 9})", auth), 400);
  source_->track_result = FailedPrecondition("already tracked as ES FUT CME USD");
  ExpectJsonError(Post("/v1/contracts", body, auth), 409);
  source_->track_result = IoError("cannot write runtime.json");
  ExpectJsonError(Post("/v1/contracts", body, auth), 503);
  // Bodies that are not one JSON object of plain values never reach the recorder.
  const size_t calls = source_->tracked.size();
  for (const char* bad : {"", "not json", "[1]", "{}", R"({"con_id": null})",
                          R"({"con_id": 18446744073709551615})", R"({"tick_types": [null]})"}) {
    ExpectJsonError(Post("/v1/contracts", bad, auth), 400);
  }
  EXPECT_EQ(source_->tracked.size(), calls);
}

TEST_F(RecorderApiTest, UntrackingAContractNeedsTheToken) {
  EXPECT_EQ(Delete("/v1/contracts/711280073", "").status, 401);
  EXPECT_TRUE(source_->untracked.empty());
  const std::string auth = "Authorization: Bearer s3cret\r\n";
  auto r = Delete("/v1/contracts/711280073", auth);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"], "untracked");
  EXPECT_EQ(r.json()["key"], "con_711280073");
  EXPECT_EQ(r.json()["contract_id"], kMnq);
  ExpectJsonError(Delete("/v1/contracts/42", auth), 404);
  EXPECT_EQ(source_->untracked, (std::vector<std::string>{"711280073", "42"}));
  EXPECT_EQ(Get("/v1/contracts/711280073").status, 405);
}

TEST_F(RecorderApiTest, ContractsListsKeysAndOrigins) {
  auto view = MakeView();
  view.contracts[0].key = "con_711280073";
  view.contracts[0].from_api = true;
  source_->SetView(view);
  auto r = Get("/v1/contracts");
  ASSERT_EQ(r.status, 200) << r.body;
  const Json j = r.json();
  ASSERT_EQ(j["total"], view.contracts.size());
  ExpectKeys(j["contracts"][0],
             {"key", "contract_id", "description", "origin", "resolved", "tick_types"});
  EXPECT_EQ(j["contracts"][0]["key"], "con_711280073");
  EXPECT_EQ(j["contracts"][0]["origin"], "api");
}

TEST_F(RecorderApiTest, TheDashboardIsOneSelfContainedPageOverTheJsonEndpoints) {
  auto r = Get("/");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.head.find("text/html"), std::string::npos) << r.head;
  // It reads the API's own endpoints, relative to where it is served ...
  for (const char* path : {"\"v1/status\"", "\"v1/gaps\"", "\"v1/alerts\""}) {
    EXPECT_NE(r.body.find(path), std::string::npos) << path;
  }
  // ... which exist, and loads nothing from elsewhere.
  for (const char* path : {"/v1/status", "/v1/gaps", "/v1/alerts"})
    EXPECT_EQ(Get(path).status, 200);
  EXPECT_EQ(r.body.find("http://"), std::string::npos);
  EXPECT_EQ(r.body.find("https://"), std::string::npos);
  EXPECT_EQ(r.body.find("innerHTML"), std::string::npos) << "recorder text must go in as text";
}

TEST_F(RecorderApiTest, DeeplyNestedJsonBodiesAreRefusedByName) {
  const std::string auth = "Authorization: Bearer s3cret\r\n";
  const std::string deep = std::string(20'000, '[') + std::string(20'000, ']');
  for (const auto& [path, body] :
       {std::pair<std::string, std::string>{"/v1/contracts", R"({"con_id": )" + deep + "}"},
        {"/v1/backfill", R"({"contract_id": )" + deep + "}"}}) {
    auto r = Post(path, body, auth);
    ExpectJsonError(r, 400);
    EXPECT_NE(r.json().value("error", "").find("deeper than the limit of 64"), std::string::npos)
        << path << ": " << r.body;
  }
  EXPECT_TRUE(source_->tracked.empty());
  EXPECT_TRUE(source_->backfills.empty());
}

TEST(RecorderApiPieces, ContractJsonToTomlKeepsTypes) {
  auto text = ContractJsonToToml(
      R"({"con_id": 5, "enabled": true, "tick_types": ["last"], "x": 1.5, "t": {"a": "b"}})");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_NE(text->find("con_id = 5"), std::string::npos) << *text;
  EXPECT_NE(text->find("enabled = true"), std::string::npos) << *text;
  EXPECT_NE(text->find("tick_types = [ 'last' ]"), std::string::npos) << *text;
  EXPECT_NE(text->find("x = 1.5"), std::string::npos) << *text;
  EXPECT_FALSE(ContractJsonToToml(R"({"a": [1, null]})").ok());
}

TEST_F(RecorderApiTest, StatusIsTheWholeView) {
  Json j = Get("/v1/status").json();
  ExpectKeys(j,
             {"now", "ready", "overall", "gateway", "storage", "counters", "contracts", "alerts"});
  EXPECT_EQ(j["contracts"][0]["streams"][0]["gaps"], 1);
  EXPECT_EQ(j["contracts"][0]["streams"][0]["gaps_pending"], 1);
  EXPECT_EQ(j["counters"]["ib_errors"]["2104"], 3);
}

// The text format rules promtool checks (Prometheus' exposition format and metric naming rules).
void CheckPrometheusText(const std::string& text) {
  ASSERT_FALSE(text.empty());
  ASSERT_EQ(text.back(), '\n');
  const std::regex help(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$)");
  const std::regex type(
      R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
  const std::regex sample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$)");
  std::set<std::string> seen_families;
  std::string family;
  std::string family_type;
  std::set<std::string> series;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    std::smatch m;
    if (std::regex_match(line, m, help)) {
      family = m[1];
      EXPECT_TRUE(family.starts_with("ibstream_")) << family;
      EXPECT_TRUE(seen_families.insert(family).second) << "family twice: " << family;
    } else if (std::regex_match(line, m, type)) {
      EXPECT_EQ(m[1], family) << "TYPE right after HELP";
      family_type = m[2];
      if (family_type == "counter") {
        EXPECT_TRUE(family.ends_with("_total")) << family;
      }
    } else if (std::regex_match(line, m, sample)) {
      if (family_type == "histogram") {
        // A histogram's series: <family>_bucket{le=...}, <family>_sum, <family>_count.
        const std::string name = m[1];
        EXPECT_TRUE(name == family + "_bucket" || name == family + "_sum" ||
                    name == family + "_count")
            << line;
        if (name == family + "_bucket") {
          EXPECT_NE(line.find("le=\""), std::string::npos) << line;
        }
      } else {
        EXPECT_EQ(m[1], family) << line;
      }
      EXPECT_TRUE(series.insert(line.substr(0, line.rfind(' '))).second) << "duplicate " << line;
    } else {
      ADD_FAILURE() << "bad line: '" << line << "'";
    }
  }
}

TEST_F(RecorderApiTest, MetricsFollowTheTextFormat) {
  auto view = MakeView();
  view.contracts[0].symbol = "M\"N\\Q\n";  // label escaping
  view.storage.gap_ledger_damaged_files = 2;
  source_->SetView(view);
  auto r = Get("/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.head.find("text/plain; version=0.0.4"), std::string::npos);
  CheckPrometheusText(r.body);
  for (const char* name :
       {"ibstream_build_info{version=", "ibstream_gateway_connected 1",
        "ibstream_ticks_received_total 100",
        "ibstream_ticks_stored_total{contract_id=\"711280073\"",
        "ibstream_ib_errors_total{code=\"2104\"} 3", "ibstream_gaps{state=\"pending\"} 1",
        "ibstream_circuit_breaker_state{", "ibstream_market_open{", "symbol=\"M\\\"N\\\\Q\\n\"",
        "ibstream_last_tick_timestamp_seconds{", "ibstream_alerts_firing{severity=\"critical\"} 1",
        "ibstream_storage_durable_position 42", "ibstream_backfill_failures_total 0",
        "ibstream_backfill_retries_total 0", "ibstream_backfill_ticks_refused_total 0",
        "ibstream_pacer_state_damaged_total 0", "ibstream_http_contract_changes_total 0",
        "ibstream_runtime_contract_errors_total 0",
        "ibstream_storage_gap_ledger_damaged_files 2"}) {
    EXPECT_NE(r.body.find(name), std::string::npos) << name;
  }
  // promtool, when installed, has the last word.
  if (std::system("command -v promtool >/dev/null 2>&1") == 0) {
    const std::string path = ::testing::TempDir() + "/ibstream_metrics.txt";
    std::ofstream(path) << r.body;
    EXPECT_EQ(std::system(("promtool check metrics < " + path).c_str()), 0);
  } else {
    std::fprintf(stderr, "promtool not installed: text rules checked by this test only\n");
  }
}

// Sessions lost, reconnects made and connect attempts are three numbers, each under its own name
// in /metrics and /v1/status ("reconnects" is the same count in both).
TEST_F(RecorderApiTest, GatewayCountersKeepSessionsLostReconnectsAndAttemptsApart) {
  auto view = MakeView();
  view.gateway.connections = 3;
  view.gateway.connect_attempts = 179;
  view.counters.sessions_lost = 3;
  view.counters.reconnects = 2;
  source_->SetView(view);
  auto r = Get("/metrics");
  ASSERT_EQ(r.status, 200);
  CheckPrometheusText(r.body);
  for (const char* name :
       {"\nibstream_gateway_connections_total 3\n",
        "\nibstream_gateway_connect_attempts_total 179\n",
        "\nibstream_gateway_sessions_lost_total 3\n", "\nibstream_reconnects_total 2\n"}) {
    EXPECT_NE(r.body.find(name), std::string::npos) << name;
  }
  Json j = Get("/v1/status").json();
  EXPECT_EQ(j["gateway"]["connections"], 3);
  EXPECT_EQ(j["gateway"]["connect_attempts"], 179);
  EXPECT_EQ(j["counters"]["sessions_lost"], 3);
  EXPECT_EQ(j["counters"]["reconnects"], 2);
}

TEST_F(RecorderApiTest, RoutesAreInTheStatusAndTheMetrics) {
  auto view = MakeView();
  view.plan.tick_by_tick_limit = "3";
  view.plan.market_data_lines = 100;
  view.plan.tick_by_tick_used = 3;
  view.plan.lines_used = 4;
  view.plan.tick_by_tick_streams = 3;
  view.plan.fallback_streams = 1;
  auto& c = view.contracts[0];
  c.routes.push_back({TickType::kBidAsk, "tick_by_tick", "", TickType::kBidAsk});
  c.routes.push_back(
      {TickType::kLast, "fallback", "tick-by-tick limit 3 reached", TickType::kTrade});
  c.routes.push_back({TickType::kMidPoint, "unserved", "no market-data line left (100)", {}});
  recorder::StreamView trade = c.streams[0];
  trade.key.type = TickType::kTrade;
  trade.route = "fallback";
  trade.route_reason = "last: tick-by-tick limit 3 reached";
  c.streams.push_back(trade);
  source_->SetView(view);

  Json j = Get("/v1/status").json();
  EXPECT_EQ(j["stream_plan"]["tick_by_tick_limit"], "3");
  EXPECT_EQ(j["stream_plan"]["streams"]["fallback"], 1);
  EXPECT_EQ(j["stream_plan"]["lines_used"], 4);
  const Json& routes = j["contracts"][0]["routes"];
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[1]["tick_type"], "last");
  EXPECT_EQ(routes[1]["route"], "fallback");
  EXPECT_EQ(routes[1]["recorded_as"], "trade");
  EXPECT_EQ(routes[1]["reason"], "tick-by-tick limit 3 reached");
  EXPECT_TRUE(routes[2]["recorded_as"].is_null());
  const Json& streams = j["contracts"][0]["streams"];
  EXPECT_EQ(streams.back()["tick_type"], "trade");
  EXPECT_EQ(streams.back()["route"], "fallback");
  EXPECT_EQ(streams.back()["route_reason"], "last: tick-by-tick limit 3 reached");

  auto r = Get("/metrics");
  ASSERT_EQ(r.status, 200);
  CheckPrometheusText(r.body);
  for (const char* name :
       {"ibstream_streams_by_route{route=\"fallback\"} 1",
        "ibstream_streams_by_route{route=\"tick_by_tick\"} 3",
        "ibstream_streams_by_route{route=\"unserved\"} 0", "ibstream_tick_by_tick_used 3",
        "ibstream_market_data_lines_used 4",
        "type=\"last\",route=\"fallback\",recorded_as=\"trade\"} 1",
        "ibstream_ticks_stored_total{contract_id=\"711280073\",symbol=\"MNQ\",type=\"trade\"}"}) {
    EXPECT_NE(r.body.find(name), std::string::npos) << name;
  }
}

TEST_F(RecorderApiTest, MetricsOfOtherPartsAreAppended) {
  api_options_.extra_metrics = [](PrometheusWriter& w) {
    w.Family("ibstream_v3_output_dropped_total", "counter", "Ticks the v3 output dropped.");
    w.Sample(7);
  };
  Start();
  auto r = Get("/metrics");
  ASSERT_EQ(r.status, 200);
  CheckPrometheusText(r.body);
  EXPECT_NE(r.body.find("ibstream_v3_output_dropped_total 7"), std::string::npos);
}

TEST_F(RecorderApiTest, StatusOfOtherPartsIsAppended) {
  api_options_.extra_status = [] { return std::string(R"({"nats":{"lag_ticks":3}})"); };
  Start();
  Json j = Get("/v1/status").json();
  EXPECT_EQ(j["nats"]["lag_ticks"], 3);
  EXPECT_TRUE(j.contains("websocket"));
  EXPECT_TRUE(j.contains("contracts"));
}

TEST_F(RecorderApiTest, UnknownPathsAndMethods) {
  ExpectJsonError(Get("/nope"), 404);
  ExpectJsonError(Post("/health", "{}", ""), 405);
}

}  // namespace
}  // namespace ibstream::http::recorder_api_test
