#include "sim/control_port.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>
#include <vector>

namespace ibstream::sim::control_port_test {
namespace {

TEST(StatsJsonTest, SameKeysAndValuesAsTheCounters) {
  SimulatorStats s;
  s.active_clients = 3;
  s.connections_accepted = 7;
  s.requests = 40;
  s.malformed_requests = 1;
  s.unsupported_requests = 3;
  s.bar_request_errors = 2;
  s.ticks_generated = 123456789012ULL;
  s.ticks_delivered = 42;
  s.faults_started = 5;
  s.slow_consumer_disconnects = 1;
  s.pacing_violations = 2;
  s.tick_by_tick_refusals = 4;
  s.market_data_line_refusals = 6;
  s.market_depth_refusals = 8;
  s.polls_behind = 9;
  s.lag_seconds = 11;
  EXPECT_EQ(StatsJson(s),
            "{\"clients\":3,\"accepted\":7,\"ticks_generated\":123456789012,"
            "\"ticks_delivered\":42,\"requests\":40,\"malformed_requests\":1,"
            "\"unsupported_requests\":3,\"bar_request_errors\":2,\"faults\":5,"
            "\"slow_consumer_disconnects\":1,\"pacing_violations\":2,\"tick_by_tick_refusals\":4,"
            "\"market_data_line_refusals\":6,\"market_depth_refusals\":8,\"polls_behind\":9,"
            "\"lag_seconds\":11}");
  const auto parsed = nlohmann::json::parse(StatsJson(SimulatorStats{}));
  EXPECT_EQ(parsed.size(), 16u);
  EXPECT_EQ(parsed["lag_seconds"], 0);
}

TEST(ControlPortTest, Commands) {
  boost::asio::io_context io;
  ManualClock clock(ParseIsoTime("2025-08-11T14:02:14Z").value());
  std::vector<FaultSpec> started;
  SimulatorStats stats;
  stats.active_clients = 2;
  ControlPort control(
      io, clock,
      {[&](const FaultSpec& f, TimePoint) { started.push_back(f); }, [&] { return stats; }, [] {}});
  struct Case {
    const char* line;
    const char* reply_prefix;
  };
  const Case cases[] = {
      {"time", "ok 2025-08-11T14:02:14Z"},
      {"stats", "ok {\"clients\":2,"},
      {"help", "ok commands:"},
      {"", "ok commands:"},
      {"fault farm_down farm=usfuture duration=30s", "ok farm_down"},
      {"fault no_such_kind", "error "},
      {"launch", "error unknown command 'launch'"},
  };
  for (const Case& c : cases) {
    const std::string reply = control.Command(c.line);
    EXPECT_EQ(reply.rfind(c.reply_prefix, 0), 0u) << c.line << " -> " << reply;
  }
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].kind, FaultKind::kFarmDown);
  EXPECT_EQ(started[0].farm, "usfuture");
}

}  // namespace
}  // namespace ibstream::sim::control_port_test
