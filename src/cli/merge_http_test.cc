// `ibstream merge --nats --http`: two recorders publish the same contract to a nats-server the test
// starts (recorder a with a hole and its gap record), a continuous merge runs, and the read API
// answers over the merged store on a loopback port: the status names both recorders and shows
// no merged gap, a query returns the merged ticks, a live SSE client and a WebSocket client each
// get a tick merged after they connected, /metrics has the merge's counters.
#include "cli/merge_http.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "cluster/jetstream_link.h"
#include "cluster/nats_test_fixture.h"
#include "cluster/wire.h"
#include "http/server_test_client.h"
#include "http/ws_test_client.h"
#include "storage/test_ticks.h"
#include "storage/tick_codec.h"

namespace ibstream::cli::merge_http_test {
namespace {

using namespace std::chrono_literals;
using storage::testing::MakeTick;

constexpr int64_t kMhT0 = 1755770400;  // 2025-08-21T10:00:00Z
constexpr int64_t kMhContract = 711202509;
constexpr char kMhStream[] = "IBSMERGEHTTP";
constexpr char kMhPrefix[] = "md";

TimePoint MhAt(int64_t seconds) { return FromUnixSeconds(kMhT0 + seconds); }

class MergeHttpTest : public cluster::testing::NatsServerTest {
 protected:
  MergeHttpTest() : NatsServerTest("mergehttp") {}

  void SetUp() override {
    NatsServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    cluster::LinkOptions options;
    options.url = server().url();
    options.stream = kMhStream;
    options.stream_subjects = cluster::StreamSubjects(kMhPrefix);
    link_ = std::make_unique<cluster::JetStreamLink>(options);
    ASSERT_TRUE(link_->Connect().ok());
  }

  void TearDown() override {
    StopMerge();
    link_.reset();
    NatsServerTest::TearDown();
  }

  // Publishes `recorder`'s ticks of seconds [from, to) (2 per second, bid_ask and last) as the
  // publisher does, except those of [hole_from, hole_to), for which it publishes a gap record
  // of each stream.
  void Publish(const std::string& recorder, int64_t from, int64_t to, int64_t hole_from = 0,
               int64_t hole_to = 0) {
    std::vector<cluster::OutMessage> messages;
    for (int64_t s = from; s < to; ++s) {
      if (s >= hole_from && s < hole_to) continue;
      for (TickType type : {TickType::kBidAsk, TickType::kLast}) {
        for (uint64_t i = 0; i < 2; ++i) {
          const Tick tick =
              MakeTick(kMhContract, type, kMhT0 + s, static_cast<uint64_t>(s) * 2 + i + 1);
          cluster::JournalPosition position;
          position.hour_ns = kMhT0 * 1'000'000'000;
          position.record = next_record_[recorder]++;
          std::string encoded;
          storage::AppendTick(tick, &encoded);
          messages.push_back({cluster::TickSubject(kMhPrefix, recorder, tick.stream()),
                              cluster::TickMessageId(recorder, position),
                              cluster::EncodeTickBody(position, encoded), "live"});
        }
      }
    }
    if (hole_to > hole_from) {
      for (TickType type : {TickType::kBidAsk, TickType::kLast}) {
        storage::GapRecord gap;
        gap.id = ++next_gap_;
        gap.stream = {kMhContract, type};
        gap.start = MhAt(hole_from);
        gap.end = MhAt(hole_to);
        gap.cause = "disconnect";
        gap.reason = "gateway restarted";
        gap.updated_at = MhAt(hole_to);
        messages.push_back({cluster::GapsSubject(kMhPrefix, recorder),
                            cluster::GapMessageId(recorder, gap), cluster::EncodeGapBody(gap),
                            nullptr});
      }
    }
    uint64_t duplicates = 0;
    ASSERT_TRUE(link_->PublishAll(messages, &duplicates).ok());
  }

  // A continuous merge of the stream into dir()/merged, served on a loopback port.
  void StartMerge() {
    api_ = std::make_shared<MergeApi>(fs::PosixFileSystem(), clock_,
                                      MergeApiOptions{dir() + "/merged", server().url()});
    options_.url = server().url();
    options_.stream = kMhStream;
    options_.subject_prefix = kMhPrefix;
    options_.durable = "merge-http-test";
    options_.out = dir() + "/merged";
    options_.batch = 500;
    options_.fetch_wait = 100ms;
    options_.retry_interval = 50ms;
    options_.hold_back = 0s;
    options_.merge_interval = 1s;
    api_->Attach(&options_);
    MergeHttpOptions http_options;               // loopback, port 0
    http_options.bearer_token = "merge-secret";  // the command endpoints need one
    auto server = MergeHttpServer::Start(api_, http_options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    http_ = std::move(*server);
    merge_ = std::thread([this] {
      merged_ = cluster::RunNatsMerge(fs::PosixFileSystem(), clock_, options_, stop_);
    });
  }

  void StopMerge() {
    stop_.store(true);
    if (merge_.joinable()) merge_.join();
    if (http_) http_->Stop();
  }

  nlohmann::json GetJson(const std::string& target) {
    const std::string response = http::testing::Get(http_->port(), target);
    EXPECT_EQ(http::testing::StatusOf(response), 200) << target << ": " << response;
    return http::testing::BodyJson(response);
  }

  // The merge state's point of each stream, as /v1/status shows it.
  std::map<std::string, std::string> MergedTo() {
    std::map<std::string, std::string> out;
    const nlohmann::json status = GetJson("/v1/status");
    if (!status.contains("merge")) return out;
    for (const auto& s : status["merge"]["streams"]) {
      out[s["tick_type"].get<std::string>()] = s["merged_to"].get<std::string>();
    }
    return out;
  }

  ManualClock clock_{FromUnixSeconds(kMhT0 + 3600)};
  std::unique_ptr<cluster::JetStreamLink> link_;
  std::map<std::string, uint64_t> next_record_;
  uint64_t next_gap_ = 0;
  std::shared_ptr<MergeApi> api_;
  cluster::NatsMergeOptions options_;
  std::unique_ptr<MergeHttpServer> http_;
  std::atomic<bool> stop_{false};
  std::thread merge_;
  Result<cluster::NatsMergeStats> merged_{cluster::NatsMergeStats{}};
};

TEST_F(MergeHttpTest, ServesTheMergedStoreWhileTheMergeRuns) {
  // b first: a continuous merge decides with the recorders it has heard from, and a fetch may
  // return a's messages alone; b covers every second by itself.
  Publish("b", 0, 20);
  Publish("a", 0, 20, /*hole_from=*/5, /*hole_to=*/10);
  StartMerge();
  ASSERT_TRUE(http_->port() != 0);
  EXPECT_EQ(http_->url(), "http://127.0.0.1:" + std::to_string(http_->port()) + "/");

  // The merge decides up to the newest tick both recorders reached (hold-back 0): second 19.
  const std::map<std::string, std::string> expected = {{"bid_ask", FormatIsoUtc(MhAt(19))},
                                                       {"last", FormatIsoUtc(MhAt(19))}};
  ASSERT_TRUE(cluster::testing::WaitForCondition([&] { return MergedTo() == expected; }))
      << GetJson("/v1/status").dump();
  // Every message fetched: b's 80 ticks, a's 60 and its 2 gap records.
  ASSERT_TRUE(cluster::testing::WaitForCondition([&] {
    return GetJson("/v1/status")["merge"]["messages"] == 142;
  })) << GetJson("/v1/status").dump();

  const nlohmann::json status = GetJson("/v1/status");
  const nlohmann::json& merge = status["merge"];
  ASSERT_EQ(merge["sources"].size(), 2u) << merge.dump();
  EXPECT_EQ(merge["sources"][0]["recorder_id"], "a");  // by recorder id
  EXPECT_EQ(merge["sources"][1]["recorder_id"], "b");
  EXPECT_EQ(merge["sources"][0]["gaps"], 2);
  EXPECT_EQ(merge["sources"][0]["lag_seconds"], 0.0);
  EXPECT_EQ(merge["ticks_merged"], 19 * 2 * 2);
  EXPECT_EQ(merge["merged_gaps"], 0);  // b covered a's hole
  EXPECT_EQ(merge["connected"], true);
  EXPECT_EQ(merge["store"], dir() + "/merged");
  EXPECT_TRUE(merge["merges_deferred"].is_number_unsigned()) << merge.dump();
  // The recorder's own status shape around it: the merged contract and its streams.
  ASSERT_EQ(status["contracts"].size(), 1u) << status.dump();
  EXPECT_EQ(GetJson("/v1/gaps")["total"], 0);
  // The status page and the document it plots: the merged stream, healthy, without a gap.
  EXPECT_EQ(http::testing::StatusOf(http::testing::Get(http_->port(), "/")), 200);
  const nlohmann::json dashboard = GetJson("/v1/dashboard");
  EXPECT_EQ(dashboard["overall"], "HEALTHY") << dashboard.dump();
  ASSERT_EQ(dashboard["contracts"].size(), 1u) << dashboard.dump();
  EXPECT_EQ(dashboard["contracts"][0]["contract_id"], kMhContract);
  // No market hours in a merge: answered with the calendar's error, not a failure.
  for (const char* path : {"/market-status/", "/trading-schedule/"}) {
    const std::string market =
        http::testing::Get(http_->port(), path + std::to_string(kMhContract));
    EXPECT_EQ(http::testing::StatusOf(market), 200) << market;
    EXPECT_NE(market.find("no trading hours"), std::string::npos) << market;
  }

  // The query endpoint reads the merged store: every tick of [0, 19), a's hole from b.
  const std::string window =
      "start_time=" + FormatIsoUtc(MhAt(0)) + "&end_time=" + FormatIsoUtc(MhAt(30));
  const nlohmann::json query =
      GetJson("/v3/buffer/" + std::to_string(kMhContract) + "/query?tick_types=bid_ask&" + window);
  EXPECT_EQ(query["total_messages"], 19 * 2) << query.dump();
  EXPECT_EQ(query["complete"], true);

  // A live client, then more ticks from both recorders: the merge decides [19, 29) and the
  // client gets the first of them (limit=1 ends its stream).
  auto live = std::async(std::launch::async, [this] {
    return http::testing::RoundTrip(http_->port(),
                                    "GET /v2/stream/" + std::to_string(kMhContract) +
                                        "/live/bid_ask?limit=1 HTTP/1.1\r\nHost: x\r\n\r\n",
                                    "event: complete");
  });
  ASSERT_TRUE(cluster::testing::WaitForCondition([&] { return api_->live_subscribers() == 1; }));
  Publish("a", 20, 30);
  Publish("b", 20, 30);
  ASSERT_EQ(live.wait_for(60s), std::future_status::ready);
  const std::string sse = live.get();
  EXPECT_NE(sse.find("event: tick"), std::string::npos) << sse;
  EXPECT_NE(sse.find("\"unix_time\": " + std::to_string(kMhT0 + 19)), std::string::npos) << sse;
  EXPECT_GE(api_->live_ticks(), 1u);
  EXPECT_EQ(api_->live_errors(), 0u);

  // The WebSocket API the same way: a subscriber of bid_ask, then seconds [30, 40).
  ASSERT_TRUE(cluster::testing::WaitForCondition([&] { return api_->live_subscribers() == 0; }));
  http::api_test::WsTestClient ws(http_->port(), "/v2/ws/stream");
  ASSERT_TRUE(ws.ok());
  ASSERT_TRUE(ws.ReadType("connected"));
  ws.Send(nlohmann::json{{"type", "subscribe"},
                         {"id", "m1"},
                         {"timestamp", "2026-12-07T00:00:00Z"},
                         {"data", {{"contract_id", kMhContract}, {"tick_types", {"bid_ask"}}}}});
  ASSERT_TRUE(ws.ReadType("subscribed"));
  ASSERT_TRUE(cluster::testing::WaitForCondition([&] { return api_->live_subscribers() == 1; }));
  Publish("a", 30, 40);
  Publish("b", 30, 40);
  auto ws_tick = ws.ReadType("tick");
  ASSERT_TRUE(ws_tick);
  EXPECT_EQ((*ws_tick)["data"]["tick_type"], "bid_ask");
  EXPECT_GE((*ws_tick)["data"]["unix_time"].get<int64_t>(), kMhT0 + 20);
  ws.Close();

  const std::string metrics = http::testing::Get(http_->port(), "/metrics");
  EXPECT_NE(metrics.find("ibstream_merge_runs_total"), std::string::npos);
  EXPECT_NE(metrics.find("# TYPE ibstream_merge_runs_deferred_total counter"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("ibstream_merge_recorder_lag_seconds{recorder=\"b\"}"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("ibstream_merge_gaps 0"), std::string::npos);

  // A merged store is written by the merge alone: commands are refused (409) even with the
  // token, not crashed on.
  auto post = [this](const std::string& body) {
    return http::testing::RoundTrip(http_->port(),
                                    "POST /v1/backfill HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                    "Authorization: Bearer merge-secret\r\n"
                                    "Content-Type: application/json\r\nContent-Length: " +
                                        std::to_string(body.size()) + "\r\n\r\n" + body);
  };
  EXPECT_EQ(http::testing::StatusOf(post(R"({"gap_id": 1})")), 409);
  const std::string backfill = post(R"({"contract_id": 711202509, "tick_type": "bid_ask", )"
                                    R"("from": "2025-08-21T10:00:00Z", )"
                                    R"("to": "2025-08-21T10:00:05Z"})");
  EXPECT_EQ(http::testing::StatusOf(backfill), 409) << backfill;

  StopMerge();
  ASSERT_TRUE(merged_.ok()) << merged_.status().ToString();
}

// The bearer token as on a recorder: read endpoints answer without it; the commands (here
// DELETE /stream/all, which a merge carries out, and POST /v1/backfill, which it refuses) need
// it: 401 without it or with a wrong one; and with no token configured they answer 403.
class MergeHttpTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mergetoken-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<MergeHttpServer> Serve(const std::string& token) {
    api_ = std::make_shared<MergeApi>(fs::PosixFileSystem(), clock_,
                                      MergeApiOptions{dir_ + "/merged", "nats://127.0.0.1:1"});
    MergeHttpOptions options;
    options.bearer_token = token;
    auto server = MergeHttpServer::Start(api_, options);
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    return server.ok() ? std::move(*server) : nullptr;
  }

  static int Send(uint16_t port, const std::string& method, const std::string& target,
                  const std::string& auth, const std::string& body = "") {
    return http::testing::StatusOf(http::testing::RoundTrip(
        port, method + " " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + auth +
                  "Content-Type: application/json\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n" + body));
  }

  void WriteFile(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name) << text;
  }

  std::string dir_;
  ManualClock clock_{MhAt(3600)};
  std::shared_ptr<MergeApi> api_;
};

TEST_F(MergeHttpTokenTest, CommandsNeedTheTokenAndReadsDoNot) {
  WriteFile("token", "merge-token-0123456789\n");
  auto token = ReadMergeHttpToken(fs::PosixFileSystem(), dir_ + "/token");
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(*token, "merge-token-0123456789");  // without its newline
  auto server = Serve(*token);
  ASSERT_TRUE(server);
  const uint16_t port = server->port();
  const std::string good = "Authorization: Bearer merge-token-0123456789\r\n";
  const std::string wrong = "Authorization: Bearer merge-token-9876543210\r\n";
  for (const char* target : {"/v1/status", "/v1/gaps", "/metrics", "/stream/active", "/health"}) {
    EXPECT_EQ(Send(port, "GET", target, ""), 200) << target;
  }
  EXPECT_EQ(Send(port, "DELETE", "/stream/all", ""), 401);
  EXPECT_EQ(Send(port, "DELETE", "/stream/all", wrong), 401);
  EXPECT_EQ(Send(port, "DELETE", "/stream/all", good), 200);
  const std::string backfill = R"({"gap_id": 1})";
  EXPECT_EQ(Send(port, "POST", "/v1/backfill", "", backfill), 401);
  EXPECT_EQ(Send(port, "POST", "/v1/backfill", wrong, backfill), 401);
  EXPECT_EQ(Send(port, "POST", "/v1/backfill", good, backfill), 409);  // the merge refuses it
  EXPECT_EQ(Send(port, "DELETE", "/v1/contracts/711202509", ""), 401);
  EXPECT_EQ(Send(port, "DELETE", "/v1/contracts/711202509", good), 409);
}

TEST_F(MergeHttpTokenTest, WithoutATokenCommandsAreRefused) {
  auto server = Serve("");
  ASSERT_TRUE(server);
  EXPECT_EQ(Send(server->port(), "GET", "/v1/status", ""), 200);
  EXPECT_EQ(Send(server->port(), "DELETE", "/stream/all", ""), 403);
  EXPECT_EQ(Send(server->port(), "POST", "/v1/backfill", "Authorization: Bearer x\r\n",
                 R"({"gap_id": 1})"),
            403);
}

TEST_F(MergeHttpTokenTest, ATokenFileIsHeldToTheRecordersRule) {
  WriteFile("short", "short-token\n");
  WriteFile("spaced", "merge token 0123456789\n");
  WriteFile("empty", "\n");
  for (const char* name : {"short", "spaced", "empty"}) {
    auto token = ReadMergeHttpToken(fs::PosixFileSystem(), dir_ + "/" + name);
    ASSERT_FALSE(token.ok()) << name;
    EXPECT_EQ(token.status().code(), StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(token.status().message().find("merge token"), std::string::npos)
        << "the token is never shown";
  }
  EXPECT_FALSE(ReadMergeHttpToken(fs::PosixFileSystem(), dir_ + "/absent").ok());
}

TEST(MergeHttpListenTest, ParsesHostAndPort) {
  auto any = ParseMergeHttpListen(":0");
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any->host, "127.0.0.1");
  EXPECT_EQ(any->port, 0);
  auto given = ParseMergeHttpListen("0.0.0.0:8861");
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(given->host, "0.0.0.0");
  EXPECT_EQ(given->port, 8861);
  EXPECT_FALSE(ParseMergeHttpListen("8861").ok());
  EXPECT_FALSE(ParseMergeHttpListen("localhost:99999").ok());
}

}  // namespace
}  // namespace ibstream::cli::merge_http_test
