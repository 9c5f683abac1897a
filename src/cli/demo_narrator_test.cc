// The demo's terminal lines, from the recorder's event lines.
#include "cli/demo_narrator.h"

#include <gtest/gtest.h>

namespace ibstream::cli::demo_narrator_test {
namespace {

const TimePoint kNow = FromUnixSeconds(1754950205);  // 2025-08-11T22:10:05Z

TEST(ParseEventFieldsTest, PlainAndQuotedValues) {
  const auto f = ParseEventFields(R"(event=gap stream=1/last cause="a \"b\" c" id=7)");
  EXPECT_EQ(f.at("event"), "gap");
  EXPECT_EQ(f.at("stream"), "1/last");
  EXPECT_EQ(f.at("cause"), R"(a "b" c)");
  EXPECT_EQ(f.at("id"), "7");
  EXPECT_TRUE(ParseEventFields("storage: free text without fields").empty());
  EXPECT_EQ(ParseEventFields(R"(event=x v="unterminated)").at("v"), "unterminated");
}

struct Case {
  const char* message;
  const char* line;  // "" : not shown
};

TEST(DemoNarratorTest, EachEventTheDemoShowsIsOneReadableLine) {
  DemoNarrator narrator;
  const Case cases[] = {
      {"event=contract_resolved contract=\"MNQ FUT CME USD\" con_id=711280073 local_symbol=MNQU5 "
       "time_zone=US/Central source=gateway",
       "22:10:05Z  contract  MNQ FUT CME USD is conId 711280073 (MNQU5)"},
      {"event=contract_resolved contract=\"265598 (AAPL)\" con_id=265598 local_symbol=AAPL "
       "time_zone=US/Eastern source=gateway",
       "22:10:05Z  contract  265598 (AAPL) is conId 265598 (AAPL)"},
      {"event=market_state contract_id=711280073 symbol=MNQ status=BREAK "
       "next_open=2025-08-11T22:00:00Z next_close=2025-08-12T21:00:00Z",
       "22:10:05Z  market    MNQ BREAK, opens 22:00:00Z"},
      {"event=market_state contract_id=711280073 symbol=MNQ status=OPEN "
       "next_open=2025-08-12T22:00:00Z next_close=2025-08-12T21:00:00Z",
       "22:10:05Z  market    MNQ OPEN, closes 21:00:00Z"},
      {"event=disconnected reason=closed_by_peer detail=\"eof\"",
       "22:10:05Z  gateway   connection lost (closed_by_peer)"},
      {"event=connected host=127.0.0.1 port=4002 client_id=1 server_version=187",
       "22:10:05Z  gateway   connected (port 4002)"},
      {"event=gap stream=711280073/last start=2025-08-11T22:10:00Z end=2025-08-11T22:13:05.5Z "
       "cause=disconnect id=3",
       "22:10:05Z  gap       #3 MNQ last 22:10:00Z .. 22:13:05.5Z (disconnect); backfill queued"},
      {"event=backfill_done gap=3 stream=711280073/last state=filled ticks=812 pages=1 reason=\"\"",
       "22:10:05Z  backfill  #3 MNQ last filled, 812 ticks from IB's history"},
      {"event=alert status=firing rule=gateway_down severity=critical starts_at=x "
       "summary=\"gateway unreachable for 75 s\"",
       "22:10:05Z  ALERT     gateway_down firing: gateway unreachable for 75 s"},
      {"event=alert status=resolved rule=data_stale_during_trading severity=critical "
       "contract_id=265598",
       "22:10:05Z  alert     data_stale_during_trading resolved (AAPL)"},
      {"event=stream_route change=\"ESU5 last: fallback -> tick_by_tick\" tick_by_tick_limit=\"3\"",
       "22:10:05Z  route     ESU5 last: fallback -> tick_by_tick"},
      {"event=hour_sealed hour=2025-08-11T21:00:00Z", ""},
      {"storage: something without an event", ""},
  };
  for (const Case& c : cases) {
    const std::optional<std::string> line = narrator.Narrate(c.message, kNow);
    if (c.line[0] == '\0') {
      EXPECT_FALSE(line.has_value()) << c.message << " -> " << line.value_or("");
    } else {
      EXPECT_EQ(line.value_or("(nothing)"), c.line) << c.message;
    }
  }
}

}  // namespace
}  // namespace ibstream::cli::demo_narrator_test
