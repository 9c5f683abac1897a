// The original's remaining read endpoints (original_endpoints.h, v2_buffer_endpoints.h,
// contract_service_endpoints.h) over the fake source: shapes, bad input, the token on DELETE.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http/recorder_api_test_fixture.h"
#include "http/v2_buffer_endpoints.h"

namespace ibstream::http::original_endpoints_test {
namespace {

using namespace api_test;  // NOLINT: the fixture's names read as the test's own
using namespace std::chrono_literals;

const std::string kToken = "Authorization: Bearer s3cret\r\n";

// A 4xx/5xx with both our shape and the original's {"detail": ...}.
void ExpectRefusal(const HttpResult& r, int status) {
  ExpectJsonError(r, status);
  EXPECT_TRUE(r.json().contains("detail")) << r.body;
}

TEST_F(RecorderApiTest, InfoEndpointsKeepTheOriginalShape) {
  auto r = Get("/v2/info");
  ASSERT_EQ(r.status, 200);
  ExpectKeys(r.json(), {"version", "protocol", "usage", "tick_types", "query_parameters",
                        "message_structure", "stream_id_format", "limits"});
  EXPECT_EQ(r.json()["version"], "2.0.0");
  EXPECT_EQ(r.json()["limits"]["max_concurrent_streams"], 100);

  r = Get("/v3/info");
  ASSERT_EQ(r.status, 200);
  ExpectKeys(r.json(),
             {"version", "description", "optimizations", "field_mapping", "formats", "endpoints"});
  EXPECT_EQ(r.json()["version"], "3.0");
  EXPECT_EQ(r.json()["formats"], Json::array({"json", "protobuf"}));

  r = Get("/stream/info");
  ASSERT_EQ(r.status, 200);
  ExpectKeys(r.json(), {"usage", "tick_types", "query_parameters", "sse_event_types", "limits"});
  ExpectKeys(r.json()["limits"], {"max_concurrent_streams", "default_timeout_seconds"});
}

TEST_F(RecorderApiTest, StorageStatsFromTheView) {
  auto view = MakeView();
  view.storage.available_bytes = 5000;
  view.storage.accepted_position = 43;
  source_->SetView(view);
  auto r = Get("/v3/storage/stats");
  ASSERT_EQ(r.status, 200) << r.body;
  Json j = r.json();
  ExpectKeys(j, {"v3_storage_stats", "optimization_summary"});
  ExpectKeys(j["v3_storage_stats"],
             {"enabled_formats", "storage_path", "v3_only_mode", "queue_sizes", "message_stats",
              "storage_details", "storage_comparison"});
  EXPECT_EQ(j["v3_storage_stats"]["storage_path"], "/data");
  EXPECT_EQ(j["v3_storage_stats"]["message_stats"]["ticks_stored"], 99);
  EXPECT_EQ(j["v3_storage_stats"]["storage_details"]["ibstream"]["durable_position"], 42);
  EXPECT_EQ(j["v3_storage_stats"]["storage_details"]["ibstream"]["available_bytes"], 5000);

  r = Get("/storage/status");
  ASSERT_EQ(r.status, 200);
  ExpectKeys(r.json(), {"enabled", "timestamp", "info", "metrics", "config"});
  EXPECT_EQ(r.json()["info"]["storage_path"], "/data");

  view.ready = false;
  source_->SetView(view);
  ExpectRefusal(Get("/v3/storage/stats"), 503);
  r = Get("/storage/status");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["enabled"], false);
}

TEST_F(RecorderApiTest, StorageFilesSaysWhereTheDataIs) {
  auto r = Get("/v3/storage/files/711280073?format=protobuf&tick_type=BidAsk");
  ASSERT_EQ(r.status, 200) << r.body;
  Json j = r.json();
  ExpectKeys(j, {"contract_id", "format", "tick_type_filter", "total_files", "total_size_mb",
                 "files", "message"});
  EXPECT_EQ(j["format"], "protobuf");
  EXPECT_EQ(j["tick_type_filter"], "bid_ask");
  EXPECT_EQ(j["files"], Json::array());
  EXPECT_NE(j["message"].get<std::string>().find("/v3/buffer/711280073/query"), std::string::npos);

  ExpectRefusal(Get("/v3/storage/files/711280073?format=xml"), 400);
  ExpectRefusal(Get("/v3/storage/files/711280073?tick_type=bogus"), 400);
  ExpectJsonError(Get("/v3/storage/files/abc"), 400);
  ExpectJsonError(Get("/v3/storage/files/99"), 404);
}

TEST_F(RecorderApiTest, V2BufferInfoAndStatsCountStoredTicks) {
  const int64_t t0 = ToUnixSeconds(kNow);
  source_->stored = {
      MakeTick(TickType::kBidAsk, t0 - 7200, 1), MakeTick(TickType::kBidAsk, t0 - 1800, 2),
      MakeTick(TickType::kLast, t0 - 600, 1), MakeTick(TickType::kBidAsk, t0 - 300, 3)};
  auto view = MakeView();
  view.contracts[0].streams[0].last_exchange_time = FromUnixSeconds(t0 - 300);
  source_->SetView(view);

  auto r = Get("/v2/buffer/711280073/info");
  ASSERT_EQ(r.status, 200) << r.body;
  Json j = r.json();
  ExpectKeys(j, {"contract_id", "tick_types", "tracked", "available_duration",
                 "configured_buffer_hours", "latest_tick_time", "buffer_stats_1h", "timestamp"});
  EXPECT_EQ(j["tracked"], true);
  EXPECT_EQ(j["configured_buffer_hours"], 24);
  EXPECT_EQ(j["available_duration"], "2:00:00");  // the oldest tick within the 24 h buffer
  EXPECT_EQ(j["latest_tick_time"], FormatIsoUtc(FromUnixSeconds(t0 - 300)));
  const Json& stats = j["buffer_stats_1h"];
  EXPECT_EQ(stats["message_count"], 3);
  EXPECT_EQ(stats["tick_type_counts"]["bid_ask"], 2);
  EXPECT_EQ(stats["tick_type_counts"]["last"], 1);
  EXPECT_EQ(stats["duration_available"], "0:25:00");
  EXPECT_EQ(stats["time_range"]["start"], FormatIsoUtc(FromUnixSeconds(t0 - 1800)));

  r = Get("/v2/buffer/711280073/stats?tick_types=bid_ask&duration=10m&storage_type=both");
  ASSERT_EQ(r.status, 200) << r.body;
  j = r.json();
  ExpectKeys(j, {"contract_id", "statistics", "timestamp"});
  EXPECT_EQ(j["statistics"]["message_count"], 1);
  EXPECT_EQ(j["statistics"]["duration_requested"], "10m");
  EXPECT_EQ(j["statistics"]["duration_available"], nullptr);  // one tick: no span

  r = Get("/v2/buffer/711280073/stats?duration=1m&tick_types=mid_point");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["statistics"]["message_count"], 0);
  EXPECT_EQ(r.json()["statistics"]["time_range"], nullptr);

  for (const char* bad :
       {"/v2/buffer/711280073/info?tick_types=bogus", "/v2/buffer/711280073/stats?duration=xh",
        "/v2/buffer/711280073/stats?storage_type=xml", "/v2/buffer/0/info",
        "/v2/buffer/abc/stats"}) {
    ExpectRefusal(Get(bad), 400);
  }
  r = Get("/v2/buffer/12345/info");
  ExpectRefusal(r, 404);
  EXPECT_EQ(r.json()["detail"], "Contract 12345 has no stored data");
  view.ready = false;
  source_->SetView(view);
  ExpectRefusal(Get("/v2/buffer/711280073/info"), 503);
  ExpectRefusal(Get("/v2/buffer/711280073/stats"), 503);
}

TEST_F(RecorderApiTest, V2BufferRangeAnswersV2Messages) {
  const int64_t t0 = 1754913600;  // 2025-08-11T12:00:00Z = 07:00 in Chicago
  source_->stored = {MakeTick(TickType::kBidAsk, t0, 1), MakeTick(TickType::kLast, t0 + 30, 1),
                     MakeTick(TickType::kBidAsk, t0 + 90, 2)};
  const std::string base = "/v2/buffer/711280073/range?";
  auto r = Get(base + "start_time=2025-08-11T12:00:00Z&end_time=2025-08-11T12:01:00Z");
  ASSERT_EQ(r.status, 200) << r.body;
  Json j = r.json();
  ExpectKeys(j, {"contract_id", "tick_types", "requested_range", "actual_range", "storage_type",
                 "messages", "timestamp"});
  EXPECT_EQ(j["requested_range"]["duration_seconds"], 60.0);
  EXPECT_EQ(j["actual_range"]["message_count"], 2);
  ASSERT_EQ(j["messages"].size(), 2u);
  const Json& first = j["messages"][0];
  ExpectKeys(first, {"type", "stream_id", "timestamp", "data", "metadata"});
  EXPECT_EQ(first["type"], "tick");
  EXPECT_EQ(first["stream_id"], "bg_711280073_bid_ask");
  EXPECT_EQ(first["metadata"]["contract_id"], "711280073");
  EXPECT_EQ(first["data"]["bid_price"], 23260.0);
  EXPECT_EQ(j["messages"][1]["data"]["price"], 23260.25);
  EXPECT_EQ(j["actual_range"]["start_time"], first["timestamp"]);

  // duration instead of end_time, a wall time in the tz given, and the limit.
  r = Get(base + "start_time=2025-08-11T07:00:00&tz=America/Chicago&duration=2m&limit=2");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["requested_range"]["start_time"], "2025-08-11T12:00:00Z");
  EXPECT_EQ(r.json()["actual_range"]["message_count"], 2);
  EXPECT_EQ(r.json()["truncated"], true);
  r = Get(base + "start_time=2025-08-11T12:01:00&duration=1m&tick_types=bid_ask");
  ASSERT_EQ(r.status, 200);  // no offset and no tz: UTC
  EXPECT_EQ(r.json()["actual_range"]["message_count"], 1);

  for (const std::string bad : {
           "end_time=2025-08-11T12:01:00Z",                                   // no start
           "start_time=2025-08-11T12:00:00Z",                                 // no end
           "start_time=yesterday&duration=1m",                                // bad time
           "start_time=2025-08-11T12:00:00Z&end_time=2025-08-11T11:00:00Z",   // backwards
           "start_time=2025-08-11T12:00:00Z&duration=5x",                     // bad unit
           "start_time=2025-08-11T12:00:00Z&duration=-5m",                    // negative
           "start_time=2025-08-11T12:00:00Z&duration=99999999999999999999d",  // overflow
           "start_time=2025-08-11T12:00:00Z&duration=40d",                    // too long
           "start_time=2025-08-11T12:00:00&tz=Mars/Olympus&duration=1m",      // unknown zone
           "start_time=9999-01-01T00:00:00Z&duration=1m",                     // out of range
           "start_time=2025-08-11T12:00:00Z&duration=1m&storage_type=csv",
           "start_time=2025-08-11T12:00:00Z&duration=1m&limit=0",
           "start_time=2025-08-11T12:00:00Z&duration=1m&tick_types=nope",
       }) {
    auto refused = Get(base + bad);
    EXPECT_EQ(refused.status, 400) << bad << ": " << refused.body;
  }
  ExpectRefusal(Get("/v2/buffer/5/range?start_time=2025-08-11T12:00:00Z&duration=1m"), 404);
}

TEST_F(RecorderApiTest, StreamsCanBeListedAndStoppedWithTheToken) {
  auto r = Get("/stream/active");
  ASSERT_EQ(r.status, 200);
  ExpectKeys(r.json(), {"active_streams", "total_streams", "max_streams"});
  EXPECT_EQ(r.json()["total_streams"], 0);

  Connection c(server_->port());
  c.Send("GET /v2/stream/711280073/live?tick_types=bid_ask,last HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(WaitSubscribers(1));
  r = Get("/stream/active");
  const Json active = r.json();
  ASSERT_EQ(active["total_streams"], 2) << r.body;  // one stream id per tick type
  const Json& stream = active["active_streams"][0];
  ExpectKeys(stream, {"stream_id", "contract_id", "tick_type", "start_time", "duration_seconds"});
  EXPECT_EQ(stream["contract_id"], kMnq);

  EXPECT_EQ(Delete("/stream/711280073", "").status, 401);
  EXPECT_EQ(Delete("/stream/all", "").status, 401);
  EXPECT_EQ(Delete("/stream/711280073", "Authorization: Bearer wrong\r\n").status, 401);
  ExpectRefusal(Delete("/stream/12345", kToken), 404);
  ExpectRefusal(Delete("/stream/abc", kToken), 400);
  EXPECT_EQ(Get("/stream/active").json()["total_streams"], 2);  // refusals stop nothing

  r = Delete("/stream/711280073", kToken);
  ASSERT_EQ(r.status, 200) << r.body;
  ExpectKeys(r.json(), {"message", "stopped_streams", "timestamp"});
  EXPECT_EQ(r.json()["stopped_streams"].size(), 2u);
  c.ReadToEnd();  // the stream ends with its `complete` event
  auto events = ParseEvents(Body(c.data()));
  ASSERT_FALSE(events.empty()) << c.data();
  EXPECT_EQ(events.back().event, "complete");
  EXPECT_EQ(events.back().data["data"]["reason"], "manual_stop");
  EXPECT_TRUE(WaitSubscribers(0));
  EXPECT_EQ(Get("/stream/active").json()["total_streams"], 0);

  r = Delete("/stream/all", kToken);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["stopped_streams"], Json::array());
  EXPECT_EQ(r.json()["message"], "Stopped 0 streams");
}

TEST_F(RecorderApiTest, StopAllEndsEveryStream) {
  Connection a(server_->port());
  a.Send("GET /v2/stream/711280073/live/last HTTP/1.1\r\nHost: x\r\n\r\n");
  Connection b(server_->port());
  b.Send("GET /v2/stream/711280073/live/bid_ask HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(WaitSubscribers(2));
  auto r = Delete("/stream/all", kToken);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["message"], "Stopped 2 streams");
  a.ReadToEnd();
  b.ReadToEnd();
  EXPECT_NE(Body(a.data()).find("manual_stop"), std::string::npos);
  EXPECT_NE(Body(b.data()).find("manual_stop"), std::string::npos);
  EXPECT_TRUE(WaitSubscribers(0));
}

TEST_F(RecorderApiTest, ContractServiceEndpointsFromTrackedContracts) {
  auto r = Get("/lookup/mnq");
  ASSERT_EQ(r.status, 200) << r.body;
  Json j = r.json();
  ExpectKeys(j, {"ticker", "timestamp", "security_types_searched", "total_contracts",
                 "contracts_by_type", "summary", "cached"});
  EXPECT_EQ(j["ticker"], "MNQ");
  EXPECT_EQ(j["total_contracts"], 1);
  EXPECT_EQ(j["summary"]["FUT"], 1);
  const Json& contract = j["contracts_by_type"]["FUT"]["contracts"][0];
  ExpectKeys(contract, {"symbol", "sec_type", "exchange", "primary_exchange", "currency", "expiry",
                        "multiplier", "trading_class", "con_id", "local_symbol", "time_zone_id",
                        "trading_hours", "liquid_hours"});
  EXPECT_EQ(contract["con_id"], kMnq);
  EXPECT_EQ(contract["multiplier"], "N/A");

  r = Get("/lookup/MNQ/fut");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["security_types_searched"], Json::array({"FUT"}));
  EXPECT_EQ(r.json()["total_contracts"], 1);
  r = Get("/lookup/MNQ/STK");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["total_contracts"], 0);
  EXPECT_EQ(Get("/lookup/AAPL").json()["total_contracts"], 0);
  ExpectRefusal(Get("/lookup/MNQ/XYZ"), 400);
  ExpectRefusal(Get("/lookup/" + std::string(33, 'A')), 400);

  r = Get("/contracts/711280073");
  ASSERT_EQ(r.status, 200) << r.body;
  j = r.json();
  ExpectKeys(j, {"status", "timestamp", "contract_id", "symbol", "sec_type", "con_id",
                 "trading_hours", "liquid_hours", "time_zone_id"});
  EXPECT_EQ(j["status"], "success");
  EXPECT_EQ(j["time_zone_id"], "US/Central");
  ExpectRefusal(Get("/contracts/0"), 400);
  ExpectRefusal(Get("/contracts/1000000000000"), 400);
  ExpectRefusal(Get("/contracts/x1"), 400);
  r = Get("/contracts/5");
  ExpectRefusal(r, 404);
  EXPECT_EQ(r.json()["tracked_contracts"], Json::array({kMnq}));

  r = Get("/trading-hours/711280073");
  ASSERT_EQ(r.status, 200) << r.body;
  j = r.json();
  ExpectKeys(j, {"status", "timestamp", "contract_id", "contract_info", "trading_hours_info"});
  ExpectKeys(j["trading_hours_info"],
             {"time_zone_id", "trading_hours", "liquid_hours", "retrieved_at"});
  EXPECT_EQ(j["trading_hours_info"]["trading_hours"], kCmeHours.trading_hours);
  ExpectRefusal(Get("/trading-hours/-3"), 400);
  ExpectRefusal(Get("/trading-hours/5"), 404);
}

// What ib-studies (the original's analysis client) asks: /health, /v2/info and /stream/info, then
// live streams on the paths its clients build, read the way its line parser reads them.
TEST_F(RecorderApiTest, IbStudiesRequestsAreAnswered) {
  Json health = Get("/health").json();
  EXPECT_EQ(health["status"], "healthy");
  EXPECT_EQ(health["tws_connected"], true);
  EXPECT_EQ(Get("/v2/info").status, 200);
  EXPECT_EQ(Get("/stream/info").status, 200);

  // stream_client.py: one type, several types; multi_stream_client.py: the v1-style path.
  for (const std::string target :
       {"/v2/stream/711280073/bid_ask?timeout=60&limit=1",
        "/v2/stream/711280073?tick_types=bid_ask,last&timeout=60&limit=1",
        "/stream/711280073/BidAsk?timeout=60&limit=1"}) {
    SCOPED_TRACE(target);
    Connection c(server_->port());
    c.Send("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(WaitSubscribers(1));
    source_->fanout.Publish(MakeTick(TickType::kBidAsk, ToUnixSeconds(kNow), 1));
    c.ReadToEnd();  // limit=1 ends the stream
    const HttpResult r = Parse(c.data());
    ASSERT_EQ(r.status, 200) << r.body;
    // Its parser: every "data: " line is one complete JSON message {type, stream_id, timestamp,
    // data}; a tick's data names its tick_type.
    std::vector<std::string> types;
    size_t at = 0;
    while ((at = r.body.find("\ndata: ", at)) != std::string::npos) {
      at += 7;
      const Json message =
          Json::parse(r.body.substr(at, r.body.find('\n', at) - at), nullptr, false);
      ASSERT_TRUE(message.is_object());
      ExpectKeys(message, {"type", "stream_id", "timestamp", "data"});
      types.push_back(message["type"]);
      if (message["type"] == "tick") {
        EXPECT_EQ(message["data"]["tick_type"], "bid_ask");
      }
    }
    ASSERT_FALSE(types.empty());
    EXPECT_EQ(types.front(), "info");
    EXPECT_NE(std::find(types.begin(), types.end(), "tick"), types.end());
    EXPECT_EQ(types.back(), "complete");
    ASSERT_TRUE(WaitSubscribers(0));
  }
  // The aliases do not shadow the original's own paths.
  ExpectJsonError(Get("/v2/stream/711280073/bogus"), 400);
  ExpectJsonError(Get("/v2/stream/711280073"), 400);  // tick_types is required
}

TEST(V2BufferPieces, PythonTimedelta) {
  EXPECT_EQ(PythonTimedelta(0s), "0:00:00");
  EXPECT_EQ(PythonTimedelta(5min), "0:05:00");
  EXPECT_EQ(PythonTimedelta(1h + 2min + 3s + 500ms), "1:02:03.500000");
  EXPECT_EQ(PythonTimedelta(24h), "1 day, 0:00:00");
  EXPECT_EQ(PythonTimedelta(50h), "2 days, 2:00:00");
  EXPECT_EQ(PythonTimedelta(-5s), "0:00:00");
}

TEST(V2BufferPieces, ParseRangeDuration) {
  EXPECT_EQ(ParseRangeDuration("30s").value(), 30s);
  EXPECT_EQ(ParseRangeDuration("5M").value(), 5min);
  EXPECT_EQ(ParseRangeDuration("2h").value(), 2h);
  EXPECT_EQ(ParseRangeDuration("31d").value(), 24h * 31);
  for (const char* bad :
       {"", "h", "0h", "-1h", "+1h", "1.5h", "1w", "32d", "1 h", "99999999999999999999s"}) {
    EXPECT_FALSE(ParseRangeDuration(bad).ok()) << bad;
  }
}

TEST(V2BufferPieces, ParseRangeTime) {
  const TimePoint noon = FromUnixSeconds(1754913600);  // 2025-08-11T12:00:00Z
  EXPECT_EQ(ParseRangeTime("2025-08-11T12:00:00Z", "").value(), noon);
  EXPECT_EQ(ParseRangeTime("2025-08-11T07:00:00-05:00", "Europe/Berlin").value(), noon);
  EXPECT_EQ(ParseRangeTime("2025-08-11T12:00:00", "").value(), noon);
  EXPECT_EQ(ParseRangeTime("2025-08-11T12:00:00", "UTC").value(), noon);
  EXPECT_EQ(ParseRangeTime("2025-08-11T07:00:00", "US/Central").value(), noon);
  EXPECT_EQ(ParseRangeTime("2025-08-11T07:00:00.25", "America/Chicago").value(), noon + 250ms);
  EXPECT_FALSE(ParseRangeTime("2025-08-11T07:00:00", "Nowhere/Else").ok());
  EXPECT_FALSE(ParseRangeTime("noon", "").ok());
  EXPECT_FALSE(ParseRangeTime("2300-01-01T00:00:00Z", "").ok());
  EXPECT_FALSE(ParseRangeTime("2300-01-01T00:00:00", "").ok());
}

}  // namespace
}  // namespace ibstream::http::original_endpoints_test
