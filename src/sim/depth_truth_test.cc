// Market depth in the simulator's truth file: every update sent to a depth subscription, and the
// subscription's start, refusal and end records.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/depth_book.h"
#include "sim/simulator.h"
#include "sim/test_client.h"

namespace ibstream::sim::depth_truth_test {
namespace {

constexpr int32_t kDepthTruthMnq = 711000000 + 202509;
constexpr int32_t kDepthTruthAapl = 265598;

protocol::ReqMktDepth DepthTruthRequest(int32_t req_id, int32_t con_id, int rows) {
  protocol::ReqMktDepth r;
  r.req_id = req_id;
  r.contract.con_id = con_id;
  r.num_rows = rows;
  return r;
}

std::vector<nlohmann::json> ReadDepthTruthLines(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

// The truth holds, for the served subscription, exactly the updates the client received (so the
// book they build is the client's), and the start, refusal (309) and cancel of the requests.
TEST(DepthTruthTest, TruthHoldsEveryUpdateSentPerSubscription) {
  const std::string truth =
      (std::filesystem::path(::testing::TempDir()) / "sim_depth_truth.jsonl").string();
  ManualClock clock(ParseIsoTime("2025-08-11T14:00:00Z").value());
  SimulatorOptions options;
  options.listen_port = 0;
  options.quiet = true;
  options.seed = 99;
  options.market_depth_limit = 1;
  options.truth_path = truth;
  Simulator sim(clock, std::move(options));
  ASSERT_TRUE(sim.Start().ok());
  TestClient::Options o;
  o.client_id = 7;
  auto connected = TestClient::Connect(sim.port(), o);
  ASSERT_TRUE(connected.ok()) << connected.status().ToString();
  TestClient& c = **connected;
  ASSERT_TRUE(c.Send(DepthTruthRequest(3, kDepthTruthMnq, 4)).ok());
  ASSERT_TRUE(c.Send(DepthTruthRequest(4, kDepthTruthAapl, 4)).ok());  // over the allowance
  ASSERT_TRUE(c.RoundTrip());
  for (int i = 0; i < 6; ++i) {
    clock.Advance(std::chrono::seconds(1));
    sim.Sync();
  }
  ASSERT_TRUE(c.RoundTrip());
  ASSERT_TRUE(c.Send(protocol::CancelMktDepth{3, false}).ok());
  ASSERT_TRUE(c.RoundTrip());
  ASSERT_GT(c.depth.size(), 8u) << "the book's inserts and some updates";
  sim.Stop();

  DepthBook from_truth;
  size_t updates = 0;
  std::vector<std::string> events;
  for (const nlohmann::json& j : ReadDepthTruthLines(truth)) {
    if (j["type"] == "subscription" && j["stream"] == "MktDepth") {
      events.push_back(j["event"].get<std::string>() + " " +
                       std::to_string(j["req_id"].get<int>()) + " " +
                       j["reason"].get<std::string>().substr(0, 3));
      EXPECT_EQ(j["client_id"], 7);
    }
    if (j["type"] != "tick" || j["tick_type"] != "Depth") continue;
    EXPECT_EQ(j["client_id"], 7);
    EXPECT_EQ(j["req_id"], 3);
    EXPECT_EQ(j["con_id"], kDepthTruthMnq);
    ASSERT_LT(updates, c.depth.size());
    const DepthUpdate& sent = c.depth[updates].update;
    EXPECT_EQ(j["position"], sent.position);
    EXPECT_EQ(j["price"].get<double>(), sent.row.price);
    const std::string operation = j["operation"];
    EXPECT_EQ(operation, sent.operation == protocol::DepthOperation::kInsert   ? "insert"
                         : sent.operation == protocol::DepthOperation::kUpdate ? "update"
                                                                               : "delete");
    EXPECT_TRUE(ApplyDepthUpdate(sent, from_truth).ok());
    ++updates;
  }
  EXPECT_EQ(updates, c.depth.size());
  Result<DepthBook> client_book = c.DepthBookOf(3);
  ASSERT_TRUE(client_book.ok());
  EXPECT_EQ(from_truth, *client_book);
  EXPECT_EQ(events, (std::vector<std::string>{"start 3 ", "refused 4 309", "end 3 can"}));
}

}  // namespace
}  // namespace ibstream::sim::depth_truth_test
