#include "cli/status_table.h"

#include <gtest/gtest.h>

namespace ibstream::cli::status_table_test {
namespace {

// What GET /v1/status answers (trimmed to what the table reads).
constexpr const char* kFixture = R"({
  "now": "2025-08-11T18:00:00Z", "ready": true, "overall": "DEGRADED",
  "gateway": {"connected": true, "state": "up", "host": "127.0.0.1", "port": 4002,
              "client_id": 1001, "last_disconnect_reason": ""},
  "storage": {"path": "/var/lib/ibstream"},
  "contracts": [
    {"contract_id": 711280073, "symbol": "MNQ", "market": {"status": "OPEN"}, "status": "DEGRADED",
     "streams": [
       {"tick_type": "bid_ask", "ticks": 1523, "gaps": 2, "gaps_pending": 1,
        "last_tick_received": "2025-08-11T17:59:58Z", "health": {"status": "HEALTHY"}},
       {"tick_type": "last", "ticks": 88, "gaps": 0, "gaps_pending": 0,
        "last_tick_received": "2025-08-11T17:52:30Z", "health": {"status": "UNHEALTHY"}}]},
    {"contract_id": 0, "description": "ES FUT CME USD", "symbol": "", "market": {"status": "UNKNOWN"},
     "status": "UNKNOWN", "streams": []}],
  "alerts": [{"severity": "critical", "rule": "data_stale_during_trading",
              "summary": "MNQ last: no data for 450 s while the market is OPEN"}]
})";

TEST(StatusTable, RendersOneRowPerStream) {
  const std::string table = RenderStatusTable(nlohmann::json::parse(kFixture));
  EXPECT_EQ(table,
            "overall: DEGRADED   ready: yes\n"
            "gateway: up 127.0.0.1:4002 (client 1001)\n"
            "storage: /var/lib/ibstream\n"
            "\n"
            "CONTRACT        STREAM   MARKET   HEALTH     LAST TICK  TICKS  GAPS\n"
            "711280073 MNQ   bid_ask  OPEN     HEALTHY    2s ago     1523   2 (1 pending)\n"
            "711280073 MNQ   last     OPEN     UNHEALTHY  7m30s ago  88     0\n"
            "ES FUT CME USD  -        UNKNOWN  UNKNOWN    -          -      -\n"
            "\n"
            "alerts firing:\n"
            "  [critical] data_stale_during_trading: MNQ last: no data for 450 s while the "
            "market is OPEN\n");
}

TEST(StatusTable, ListsTheStreamsOffTickByTick) {
  const std::string table = RenderStatusTable(nlohmann::json::parse(R"json({
  "now": "2025-08-11T18:00:00Z", "stream_plan": {"tick_by_tick_limit": "3"},
  "contracts": [
    {"contract_id": 495512563, "symbol": "ES", "market": {"status": "OPEN"}, "status": "HEALTHY",
     "routes": [
       {"tick_type": "bid_ask", "route": "tick_by_tick", "reason": "", "recorded_as": "bid_ask"},
       {"tick_type": "last", "route": "fallback", "reason": "tick-by-tick limit 3 reached",
        "recorded_as": "trade"},
       {"tick_type": "mid_point", "route": "unserved", "reason": "no market-data line left (100)",
        "recorded_as": null}],
     "streams": [
       {"tick_type": "bid_ask", "route": "tick_by_tick", "ticks": 5, "health": {"status": "HEALTHY"}},
       {"tick_type": "trade", "route": "fallback", "ticks": 2, "health": {"status": "HEALTHY"}}]
}]
})json"));
  EXPECT_NE(table.find("495512563 ES  trade"), std::string::npos) << table;
  EXPECT_NE(table.find("not on tick-by-tick (limit 3):\n"
                       "  ES last: fallback, recorded as trade (tick-by-tick limit 3 reached)\n"
                       "  ES mid_point: unserved (no market-data line left (100))\n"),
            std::string::npos)
      << table;
}

TEST(StatusTable, SurvivesAnUnexpectedDocument) {
  for (const char* text :
       {"{}", "[]", R"({"contracts": 5})", R"({"contracts": [{"streams": [1]}]})",
        R"({"now": 3, "contracts": [{"streams": [{"last_tick_received": "x"}]}]})",
        R"({"contracts": [{"routes": 5}, {"routes": [1, {"route": 2}]}]})"}) {
    const std::string table = RenderStatusTable(nlohmann::json::parse(text));
    EXPECT_NE(table.find("CONTRACT"), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace ibstream::cli::status_table_test
