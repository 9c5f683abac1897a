// NeededSpans and WholeSeconds as tables: route records in, the intervals each kind was needed out.
#include "verify/route_spans.h"

#include <gtest/gtest.h>

namespace ibstream::verify::route_spans_test {
namespace {

using namespace std::chrono_literals;
using storage::RouteChange;
using storage::RouteEntry;
using storage::RouteKind;

constexpr int64_t kS = 1754920800;  // 2025-08-11T14:00:00Z
constexpr int64_t kEs = 495202509;
constexpr int64_t kMnq = 711202509;
constexpr TimePoint kOpen = TimePoint::max();

TimePoint At(double seconds) {
  return FromUnixSeconds(kS) + std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

RouteChange Change(double at, bool session_start, std::vector<RouteEntry> entries) {
  return RouteChange{At(at), session_start, std::move(entries)};
}

RouteEntry E(int64_t cid, TickType type, RouteKind from, RouteKind to) {
  return RouteEntry{{cid, type}, from, to, ""};
}

constexpr auto kNone = RouteKind::kNone;
constexpr auto kTbt = RouteKind::kTickByTick;
constexpr auto kFb = RouteKind::kFallback;
constexpr auto kUnserved = RouteKind::kUnserved;

struct Case {
  const char* name;
  std::vector<RouteChange> changes;
  StreamKey key;
  bool known;
  std::vector<NeedSpan> spans;
};

TEST(NeededSpans, Table) {
  const StreamKey es_bid{kEs, TickType::kBidAsk};
  const StreamKey es_last{kEs, TickType::kLast};
  const StreamKey es_quote{kEs, TickType::kQuote};
  const StreamKey es_trade{kEs, TickType::kTrade};
  const StreamKey mnq_quote{kMnq, TickType::kQuote};
  // The silent_subscription run: ES last on the fallback from the start, ES bid_ask moved to the
  // fallback after the half-open (a 10190 on the new connection).
  const std::vector<RouteChange> silent = {
      Change(0.1, true,
             {E(kEs, TickType::kBidAsk, kNone, kTbt), E(kEs, TickType::kLast, kNone, kFb)}),
      Change(604.4, false, {E(kEs, TickType::kBidAsk, kTbt, kFb)}),
  };
  const std::vector<Case> cases = {
      {"trade needed from the start", silent, es_trade, true, {{At(0.1), kOpen}}},
      {"quote needed only after the move", silent, es_quote, true, {{At(604.4), kOpen}}},
      {"tick-by-tick needed until the move", silent, es_bid, true, {{At(0.1), At(604.4)}}},
      {"a stream never on tick-by-tick", silent, es_last, true, {}},
      {"another contract is unknown", silent, mnq_quote, false, {}},
      {"an upgrade ends the fallback's need",
       {Change(0, true,
               {E(kEs, TickType::kBidAsk, kNone, kTbt), E(kEs, TickType::kLast, kNone, kFb)}),
        Change(90, false, {E(kEs, TickType::kLast, kFb, kTbt)})},
       es_trade,
       true,
       {{At(0), At(90)}}},
      {"two streams share one kind: needed while either is on the fallback",
       {Change(0, true,
               {E(kEs, TickType::kBidAsk, kNone, kFb), E(kEs, TickType::kMidPoint, kNone, kFb)}),
        Change(10, false, {E(kEs, TickType::kBidAsk, kFb, kTbt)}),
        Change(20, false, {E(kEs, TickType::kMidPoint, kFb, kNone)})},
       es_quote,
       true,
       {{At(0), At(20)}}},
      {"unserved needs nothing",
       {Change(0, true, {E(kEs, TickType::kLast, kNone, kUnserved)})},
       es_trade,
       true,
       {}},
      {"down, up and down again",
       {Change(0, true, {E(kEs, TickType::kBidAsk, kNone, kTbt)}),
        Change(5, false, {E(kEs, TickType::kBidAsk, kTbt, kFb)}),
        Change(9, false, {E(kEs, TickType::kBidAsk, kFb, kTbt)}),
        Change(12, false, {E(kEs, TickType::kBidAsk, kTbt, kFb)})},
       es_quote,
       true,
       {{At(5), At(9)}, {At(12), kOpen}}},
      {"a new process ends what it does not name",
       {Change(0, true, {E(kEs, TickType::kLast, kNone, kFb)}),
        Change(50, true, {E(kMnq, TickType::kLast, kNone, kTbt)})},
       es_trade,
       true,
       {{At(0), At(50)}}},
      {"a new process that plans the same route continues the need",
       {Change(0, true, {E(kEs, TickType::kLast, kNone, kFb)}),
        Change(50, true, {E(kEs, TickType::kLast, kNone, kFb)})},
       es_trade,
       true,
       {{At(0), kOpen}}},
      {"records out of order are applied by time",
       {Change(30, false, {E(kEs, TickType::kLast, kFb, kNone)}),
        Change(0, true, {E(kEs, TickType::kLast, kNone, kFb)})},
       es_trade,
       true,
       {{At(0), At(30)}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const RouteNeeds needs = NeededSpans(c.changes);
    EXPECT_EQ(needs.Knows(c.key), c.known);
    EXPECT_EQ(needs.Of(c.key), c.spans);
  }
}

TEST(WholeSeconds, LeavesThePartialSecondsAtEitherEdgeOut) {
  EXPECT_EQ(WholeSeconds({{At(4.3), At(9.6)}}),
            (std::vector<NeedSpan>{{FromUnixSeconds(kS + 5), FromUnixSeconds(kS + 9)}}));
  EXPECT_EQ(WholeSeconds({{At(4), At(9)}}),
            (std::vector<NeedSpan>{{FromUnixSeconds(kS + 5), FromUnixSeconds(kS + 9)}}));
  EXPECT_EQ(WholeSeconds({{At(4.3), kOpen}}),
            (std::vector<NeedSpan>{{FromUnixSeconds(kS + 5), kOpen}}));
  EXPECT_TRUE(WholeSeconds({{At(4.3), At(5.9)}}).empty()) << "no whole second";
  EXPECT_TRUE(WholeSeconds({}).empty());
}

}  // namespace
}  // namespace ibstream::verify::route_spans_test
