// IB's tick-by-tick allowance against the simulated gateway: more tick-by-tick streams configured
// than the allowance has slots. Every configured stream keeps recording, on tick-by-tick or
// through its contract's reqMktData (the fallback kinds quote and trade), with no critical alert;
// and a fallback stream is upgraded to tick-by-tick with no gap when a slot frees.
#include <gtest/gtest.h>

#include <algorithm>

#include "common/sanitizers.h"
#include "recorder/recorder_sim_fixture.h"
#include "reliability/tick_by_tick_allowance.h"
#include "sim/fault.h"
#include "storage/route_log.h"

namespace ibstream::recorder::recorder_routes_test {
namespace {

using namespace std::chrono_literals;
using testing::RecorderSimTest;

// 200x: a stall of 50 ms on a loaded machine is 10 virtual seconds, inside the upgrade's overlap
// and the recorder's staleness thresholds (at 600x it was 30 s: the fallback's overlap elapsed
// before the tick-by-tick stream's first tick, and a verify-after-restart resubscription opened a
// gap the test did not cause). Under the sanitizers the simulator of MNQ, ES and EUR.USD does not
// keep up with 200x (it fell minutes behind even on an idle machine), nor with 50x or 25x on a
// loaded one (up to 72 and 26 virtual seconds behind); at 10x it stayed within 3 s with both
// cores busy. A subscription gets nothing until the simulator reaches its request's instant, so
// a simulator that falls behind makes the new streams silent: the first-data verdicts, a dead
// session's slots still held at the allowance's retry.
constexpr double kSpeed = ReducedUnderSanitizers(200.0, 10.0);

constexpr char kMnqKey[] = "sym_MNQ_FUT_CME_USD";
constexpr char kEsKey[] = "sym_ES_FUT_CME_USD";
constexpr char kEurKey[] = "con_12087792";

// The extra contracts keep SimTestConfig's first-data timeout (`config`'s), as its MNQ does: the
// 30 s default is 150 ms of wall time at 200x, and a loaded machine that delays a new stream's
// first tick that long makes a verifying resubscribe and a gap (the ES fallback stream met it).
config::ContractConfig Es(const config::Config& config) {
  config::ContractConfig es;
  es.first_data_timeout = config.reliability.first_data_timeout;
  es.symbol = "ES";
  es.sec_type = "FUT";
  es.exchange = "CME";
  es.currency = "USD";
  es.tick_types = {TickType::kBidAsk, TickType::kLast};
  return es;
}

config::ContractConfig EurUsd(const config::Config& config) {
  config::ContractConfig eur;
  eur.first_data_timeout = config.reliability.first_data_timeout;
  eur.con_id = 12087792;
  eur.symbol = "EUR";
  eur.sec_type = "CASH";
  eur.exchange = "IDEALPRO";
  eur.currency = "USD";
  eur.tick_types = {TickType::kBidAsk, TickType::kMidPoint};
  return eur;
}

class RecorderRoutesTest : public RecorderSimTest {
 protected:
  // These tests track ES and EUR.USD too.
  RecorderRoutesTest() {
    sim_symbols_ = {"MNQ", "ES", "EUR"};
    // Every test here subscribes after the start (the first plan, upgrades, reconnections).
    max_sim_lag_ = testing::kSubscribingTestMaxSimLag;
  }

  const ContractView* Find(const RecorderView& view, const std::string& key) {
    for (const auto& c : view.contracts) {
      if (c.key == key) return &c;
    }
    return nullptr;
  }

  // Every configured tick type of the contract is planned and its recording stream stored live
  // ticks.
  bool AllRoutesRecording(const std::string& key) {
    auto view = recorder_->View();
    const ContractView* c = Find(*view, key);
    if (c == nullptr || c->routes.size() != c->expected_types.size()) return false;
    for (const RouteView& r : c->routes) {
      if (!r.recorded_as) return false;
      bool stored = false;
      for (const StreamView& s : c->streams) {
        if (s.key.type == *r.recorded_as && s.ticks > 0) stored = true;
      }
      if (!stored) return false;
    }
    return true;
  }

  const RouteView* Route(const RecorderView& view, const std::string& key, TickType type) {
    const ContractView* c = Find(view, key);
    if (c == nullptr) return nullptr;
    for (const RouteView& r : c->routes) {
      if (r.type == type) return &r;
    }
    return nullptr;
  }

  const StreamView* Stream(const RecorderView& view, const std::string& key, TickType type) {
    const ContractView* c = Find(view, key);
    if (c == nullptr) return nullptr;
    for (const StreamView& s : c->streams) {
      if (s.key.type == type) return &s;
    }
    return nullptr;
  }

  void WaitDurable() {
    const uint64_t accepted = recorder_->View()->storage.accepted_position;
    ASSERT_TRUE(WaitFor([&] { return recorder_->View()->storage.durable_position >= accepted; }));
  }

  // Waits until `type` of the contract is routed tick by tick and its stream exists.
  bool WaitUpgraded(const std::string& key, TickType type) {
    return WaitFor([&] {
      auto view = recorder_->View();
      const RouteView* route = Route(*view, key, type);
      return route != nullptr && route->route == "tick_by_tick" &&
             Stream(*view, key, type) != nullptr;
    });
  }

  // The fallback stream `fallback` is kept for an upgrade: subscribed, said so, and still storing
  // ticks beyond `*fallback_ticks` (updated); the upgraded stream `upgraded` has stored none.
  void ExpectFallbackKept(const RecorderView& view, const std::string& key, TickType fallback,
                          TickType upgraded, uint64_t* fallback_ticks, const char* if_retired) {
    const StreamView* kept = Stream(view, key, fallback);
    ASSERT_NE(kept, nullptr) << if_retired;
    EXPECT_TRUE(kept->subscribed);
    EXPECT_EQ(kept->route_reason,
              "kept until the tick-by-tick stream delivers or its first-data timeout passes");
    EXPECT_GT(kept->ticks, *fallback_ticks) << "the fallback stopped recording";
    *fallback_ticks = kept->ticks;
    const StreamView* silent = Stream(view, key, upgraded);
    ASSERT_NE(silent, nullptr);
    EXPECT_EQ(silent->ticks, 0u);
  }

  // The fallback goes only after the silent upgraded stream's verdict (a verifying resubscribe,
  // which interrupts it), `first_data_timeout` or more after `asked`, and leaves no gap.
  void ExpectFallbackRetiredAfterVerdict(const std::string& key, int64_t contract_id,
                                         TickType fallback, TickType upgraded, TimePoint asked,
                                         Duration first_data_timeout) {
    bool retired_before_verdict = false;
    ASSERT_TRUE(WaitFor([&] {
      auto view = recorder_->View();
      if (Stream(*view, key, fallback) != nullptr) return false;
      const StreamView* silent = Stream(*view, key, upgraded);
      if (silent == nullptr || !silent->interrupted_since) retired_before_verdict = true;
      return true;
    })) << "the fallback was never retired";
    EXPECT_FALSE(retired_before_verdict);
    EXPECT_GE(clock_->Now(), asked + first_data_timeout);
    for (const auto view_now = recorder_->View(); const auto& gap : view_now->gaps) {
      EXPECT_NE(gap.stream, (StreamKey{contract_id, fallback})) << gap.cause;
    }
  }
};

TEST_F(RecorderRoutesTest, MoreStreamsThanSlotsAllRecordWithoutCriticalAlerts) {
  configure_ = [](config::Config& config) {
    config.contracts.push_back(Es(config));
    config.contracts.push_back(EurUsd(config));
  };
  StartAll("2025-08-12T14:00:00Z", kSpeed);
  for (const char* key : {kMnqKey, kEsKey, kEurKey}) {
    EXPECT_TRUE(WaitFor([&] { return AllRoutesRecording(key); })) << key << " is not recording";
  }
  auto view = recorder_->View();
  // Three slots by the default allowance, in configuration order: MNQ bid_ask and last, ES
  // bid_ask; the rest through reqMktData.
  EXPECT_EQ(view->plan.tick_by_tick_limit, "3");
  EXPECT_EQ(view->plan.tick_by_tick_streams, 3);
  EXPECT_EQ(view->plan.fallback_streams, 3);
  EXPECT_EQ(view->plan.unserved_streams, 0);
  struct Want {
    const char* key;
    TickType type;
    const char* route;
    TickType recorded_as;
  };
  const Want want[] = {
      {kMnqKey, TickType::kBidAsk, "tick_by_tick", TickType::kBidAsk},
      {kMnqKey, TickType::kLast, "tick_by_tick", TickType::kLast},
      {kEsKey, TickType::kBidAsk, "tick_by_tick", TickType::kBidAsk},
      {kEsKey, TickType::kLast, "fallback", TickType::kTrade},
      {kEurKey, TickType::kBidAsk, "fallback", TickType::kQuote},
      {kEurKey, TickType::kMidPoint, "fallback", TickType::kQuote},
  };
  for (const Want& w : want) {
    SCOPED_TRACE(std::string(w.key) + " " + std::string(TickTypeName(w.type)));
    const RouteView* r = Route(*view, w.key, w.type);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->route, w.route);
    EXPECT_EQ(r->recorded_as, w.recorded_as);
    if (r->route == "fallback") {
      EXPECT_NE(r->reason.find("limit 3"), std::string::npos) << r->reason;
    }
  }
  // The fallback kinds are stored as streams of their own, with their fields.
  WaitDurable();
  const int64_t eur = Find(*view, kEurKey)->contract_id;
  const auto quotes = Stored({eur, TickType::kQuote});
  ASSERT_FALSE(quotes.empty());
  EXPECT_GT(quotes.back().bid_price, 0);
  EXPECT_GT(quotes.back().ask_price, quotes.back().bid_price);
  EXPECT_TRUE(Stored({eur, TickType::kBidAsk}).empty());
  const int64_t es = Find(*view, kEsKey)->contract_id;
  const auto trades = Stored({es, TickType::kTrade});
  ASSERT_FALSE(trades.empty());
  EXPECT_GT(trades.back().price, 0);
  EXPECT_TRUE(Stored({es, TickType::kLast}).empty());

  EXPECT_TRUE(sink_.Firing(AlertSeverity::kCritical).empty())
      << testing::Describe(sink_.Firing(AlertSeverity::kCritical));
  EXPECT_EQ(view->counters.reconnects, 0u);
  EXPECT_TRUE(view->gaps.empty()) << view->gaps.front().cause;
}

// `auto`: the recorder asks for every stream tick by tick; the simulator, like IB, refuses the
// fourth and later ones with 10190. Each refusal moves its stream to the fallback and teaches the
// allowance: a warning, never a critical alert, never a reconnect.
TEST_F(RecorderRoutesTest, AnAutoLimitLearnsFrom10190AndEveryStreamRecords) {
  configure_ = [](config::Config& config) {
    config.gateway.tick_by_tick_limit = std::nullopt;
    config.contracts.push_back(Es(config));
    config.contracts.push_back(EurUsd(config));
  };
  StartAll("2025-08-12T14:00:00Z", kSpeed);
  for (const char* key : {kMnqKey, kEsKey, kEurKey}) {
    EXPECT_TRUE(WaitFor([&] { return AllRoutesRecording(key); })) << key << " is not recording";
  }
  ASSERT_TRUE(WaitFor([&] { return recorder_->View()->plan.tick_by_tick_streams == 3; }));
  auto view = recorder_->View();
  EXPECT_NE(view->plan.tick_by_tick_limit.find("auto"), std::string::npos)
      << view->plan.tick_by_tick_limit;
  EXPECT_EQ(view->plan.fallback_streams, 3);
  EXPECT_GE(view->counters.ib_errors.count(10190), 1u);
  EXPECT_EQ(view->counters.reconnects, 0u);
  EXPECT_TRUE(sink_.Firing(AlertSeverity::kCritical).empty())
      << testing::Describe(sink_.Firing(AlertSeverity::kCritical));
}

// A half-open socket: IB still runs the dead session's tick-by-tick streams and refuses the new
// session's requests (10190) until it notices. A stream's ticks from before the reconnect say
// nothing about its new request: the refusals are learned and the streams wait on the fallback
// until the allowance is retried, instead of being asked for again after every refusal (and
// refused again, for as long as the dead session lasts).
TEST_F(RecorderRoutesTest, AHalfOpenSessionsRefusalsAreLearnedNotAskedAgainInALoop) {
  configure_ = [](config::Config& config) {
    config.gateway.tick_by_tick_limit = std::nullopt;
    config.contracts.push_back(Es(config));
    // The dead session is noticed within two minutes (probes unanswered), while the simulator
    // still holds its streams for four.
    config.gateway.probe_interval = 60s;
    config.gateway.probe_deadline = 60s;
  };
  StartAll("2025-08-12T14:00:00Z", kSpeed);
  ASSERT_TRUE(WaitFor([&] { return AllRoutesRecording(kMnqKey) && AllRoutesRecording(kEsKey); }));
  ASSERT_TRUE(WaitFor([&] { return recorder_->View()->plan.tick_by_tick_streams == 3; }));
  auto refusals = [&] {
    auto view = recorder_->View();
    auto it = view->counters.ib_errors.find(10190);
    return it == view->counters.ib_errors.end() ? uint64_t{0} : it->second;
  };
  const uint64_t refused_before = refusals();

  auto half_open = sim::ParseFaultLine("half_open duration=4m");
  ASSERT_TRUE(half_open.ok()) << half_open.status().ToString();
  const TimePoint fault_at = clock_->Now();
  simulator_->InjectFault(*half_open);
  ASSERT_TRUE(WaitFor([&] { return recorder_->View()->counters.reconnects >= 1; }));
  ASSERT_LT(clock_->Now(), fault_at + 4min) << "the dead session was not noticed while it lasted";
  // The dead session is gone after 4 minutes; the allowance is retried 5 minutes after the
  // refusals lowered it; then the three streams run tick by tick again.
  RunUntil(fault_at + 4min + reliability::TickByTickAllowance::kRetryAfter + 30s);
  ASSERT_TRUE(WaitFor([&] { return recorder_->View()->plan.tick_by_tick_streams == 3; }));
  // At most one refusal per stream the new session asked for while the dead one held the slots.
  EXPECT_LE(refusals() - refused_before, 3u);
  EXPECT_TRUE(WaitFor([&] { return AllRoutesRecording(kMnqKey) && AllRoutesRecording(kEsKey); }));
  EXPECT_TRUE(sink_.Firing(AlertSeverity::kCritical).empty())
      << testing::Describe(sink_.Firing(AlertSeverity::kCritical));
}

TEST_F(RecorderRoutesTest, UntrackingAContractUpgradesAFallbackStreamWithNoGap) {
  configure_ = [](config::Config& config) { config.contracts.push_back(Es(config)); };
  StartAll("2025-08-12T14:00:00Z", kSpeed);
  ASSERT_TRUE(WaitFor([&] { return AllRoutesRecording(kMnqKey) && AllRoutesRecording(kEsKey); }));
  {
    auto view = recorder_->View();
    const RouteView* last = Route(*view, kEsKey, TickType::kLast);
    ASSERT_NE(last, nullptr);
    ASSERT_EQ(last->route, "fallback");
  }
  const int64_t es = Find(*recorder_->View(), kEsKey)->contract_id;
  const int64_t mnq = Find(*recorder_->View(), kMnqKey)->contract_id;

  ASSERT_TRUE(recorder_->Untrack(kMnqKey).ok());
  // ES last moves to tick-by-tick; its trade stream stops only once tick-by-tick delivers: no
  // view ever shows the upgraded stream without data and without its fallback.
  bool uncovered = false;
  ASSERT_TRUE(WaitFor([&] {
    auto view = recorder_->View();
    const ContractView* c = Find(*view, kEsKey);
    if (c == nullptr) return false;
    const RouteView* last = Route(*view, kEsKey, TickType::kLast);
    bool last_recording = false;
    bool trade_left = false;
    for (const StreamView& s : c->streams) {
      if (s.key.type == TickType::kLast && s.ticks > 0) last_recording = true;
      if (s.key.type == TickType::kTrade) trade_left = true;
    }
    if (last != nullptr && last->route == "tick_by_tick" && !trade_left && !last_recording) {
      uncovered = true;
    }
    return last != nullptr && last->route == "tick_by_tick" && last_recording && !trade_left;
  }));
  EXPECT_FALSE(uncovered) << "the fallback stopped before the tick-by-tick stream delivered";
  auto view = recorder_->View();
  EXPECT_EQ(view->plan.tick_by_tick_streams, 2);
  EXPECT_EQ(view->plan.fallback_streams, 0);
  for (const auto& gap : view->gaps) {
    EXPECT_NE(gap.stream.contract_id, es) << ToString(gap.stream) << " " << gap.cause;
  }
  WaitDurable();
  EXPECT_FALSE(Stored({es, TickType::kTrade}).empty());
  EXPECT_FALSE(Stored({es, TickType::kLast}).empty());

  // Every change of the plan is in the store's route log: ES last on the fallback from the first
  // plan, then, in one later record, MNQ's streams removed and ES last upgraded.
  const StreamKey es_last{es, TickType::kLast};
  std::vector<storage::RouteChange> routes;
  auto record_of = [&](const StreamKey& key, storage::RouteKind from, storage::RouteKind to) {
    for (size_t i = 0; i < routes.size(); ++i) {
      for (const storage::RouteEntry& e : routes[i].entries) {
        if (e.stream == key && e.from == from && e.to == to) return static_cast<int>(i);
      }
    }
    return -1;
  };
  ASSERT_TRUE(WaitFor([&] {
    auto all = storage::RouteLog::ReadAll(fs_, data_dir(), nullptr);
    if (all.ok()) routes = std::move(*all);
    return record_of(es_last, storage::RouteKind::kFallback, storage::RouteKind::kTickByTick) >= 0;
  })) << routes.size()
      << " route records";
  ASSERT_FALSE(routes.empty());
  EXPECT_TRUE(routes[0].session_start);
  for (size_t i = 1; i < routes.size(); ++i) EXPECT_FALSE(routes[i].session_start) << i;
  const int first = record_of(es_last, storage::RouteKind::kNone, storage::RouteKind::kFallback);
  const int upgrade =
      record_of(es_last, storage::RouteKind::kFallback, storage::RouteKind::kTickByTick);
  ASSERT_GE(first, 0);
  EXPECT_LT(first, upgrade);
  for (const storage::RouteEntry& e : routes[first].entries) {
    if (e.stream == es_last) {
      EXPECT_NE(e.reason.find("limit 3"), std::string::npos) << e.reason;
    }
  }
  EXPECT_EQ(record_of({mnq, TickType::kBidAsk}, storage::RouteKind::kTickByTick,
                      storage::RouteKind::kNone),
            upgrade)
      << "the untrack and the upgrade are one change of the plan";
  EXPECT_GT(routes[upgrade].at, routes[first].at);
  EXPECT_TRUE(sink_.Firing(AlertSeverity::kCritical).empty())
      << testing::Describe(sink_.Firing(AlertSeverity::kCritical));
}

// An upgrade whose tick-by-tick stream stays silent while its market trades (IB accepts the
// request and sends nothing): the recorder judges it silent only `first_data_timeout` after the
// request (150 s here, more than the 60 s the overlap lasts otherwise). The fallback keeps
// recording live until that verdict; retired earlier, what it recorded live would become a gap
// and a backfill.
TEST_F(RecorderRoutesTest, ASilentUpgradeKeepsItsFallbackUntilTheFirstDataVerdict) {
  constexpr Duration kFirstDataTimeout = 150s;
  configure_ = [&](config::Config& config) {
    config.contracts.push_back(Es(config));
    config.contracts.back().first_data_timeout = kFirstDataTimeout;
  };
  StartAll("2025-08-12T14:00:00Z", kSpeed);
  ASSERT_TRUE(WaitFor([&] { return AllRoutesRecording(kMnqKey) && AllRoutesRecording(kEsKey); }));
  const int64_t es = Find(*recorder_->View(), kEsKey)->contract_id;
  // ES's tick-by-tick last trades stop; its reqMktData (the trade stream) goes on.
  auto silence =
      sim::ParseFaultLine("silence con_id=" + std::to_string(es) + " tick_type=Last duration=10m");
  ASSERT_TRUE(silence.ok()) << silence.status().ToString();
  simulator_->InjectFault(*silence);

  const TimePoint upgrade_at = clock_->Now();
  ASSERT_TRUE(recorder_->Untrack(kMnqKey).ok());
  ASSERT_TRUE(WaitUpgraded(kEsKey, TickType::kLast));

  // Past the 60 s overlap, before the verdict: the fallback still records, the silent stream is
  // not judged yet.
  uint64_t trades_before = 0;
  for (const Duration after : {Duration(70s), Duration(120s)}) {
    SCOPED_TRACE(std::to_string(std::chrono::duration_cast<std::chrono::seconds>(after).count()) +
                 " s after the upgrade");
    RunUntil(upgrade_at + after);
    auto view = recorder_->View();
    ExpectFallbackKept(*view, kEsKey, TickType::kTrade, TickType::kLast, &trades_before,
                       "the fallback was retired before the first-data verdict");
    if (HasFatalFailure()) return;
    const StreamView* last = Stream(*view, kEsKey, TickType::kLast);
    EXPECT_FALSE(last->interrupted_since) << last->interruption_cause;
  }

  // The verdict comes, and only then the fallback goes.
  ExpectFallbackRetiredAfterVerdict(kEsKey, es, TickType::kTrade, TickType::kLast, upgrade_at,
                                    kFirstDataTimeout);
}

// A second upgrade onto a fallback that is already retiring: EUR.USD's bid_ask is upgraded (its
// quote fallback kept for its verdict), and a minute later a reload adds mid_point, which takes a
// free slot at once; its fallback is the same quote stream. Both tick-by-tick streams stay silent.
// The fallback is kept for the later stream's verdict too, not retired at the deadline the
// earlier upgrade set (170 s after it, while mid_point is judged only 150 s after its own request).
TEST_F(RecorderRoutesTest, ALaterUpgradeOntoARetiringFallbackKeepsItUntilItsOwnVerdict) {
  constexpr Duration kFirstDataTimeout = 150s;
  config::ContractConfig eur;
  configure_ = [&](config::Config& config) {
    // MNQ's two streams and ES's bid_ask take the three slots; EUR.USD bid_ask is on the fallback.
    config.contracts.push_back(Es(config));
    config.contracts.back().tick_types = {TickType::kBidAsk};
    config.contracts.push_back(EurUsd(config));
    config.contracts.back().tick_types = {TickType::kBidAsk};
    config.contracts.back().first_data_timeout = kFirstDataTimeout;
    eur = config.contracts.back();
  };
  StartAll("2025-08-12T14:00:00Z", kSpeed);
  ASSERT_TRUE(WaitFor([&] { return AllRoutesRecording(kMnqKey) && AllRoutesRecording(kEurKey); }));
  ASSERT_EQ(Route(*recorder_->View(), kEurKey, TickType::kBidAsk)->route, "fallback");
  // EUR.USD's tick-by-tick streams send nothing; its reqMktData (the quote stream) goes on.
  for (const char* type : {"BidAsk", "MidPoint"}) {
    auto silence = sim::ParseFaultLine("silence con_id=" + std::to_string(eur.con_id.value()) +
                                       " tick_type=" + type + " duration=20m");
    ASSERT_TRUE(silence.ok()) << silence.status().ToString();
    simulator_->InjectFault(*silence);
  }

  // Untracking MNQ frees two slots: EUR.USD bid_ask is upgraded, its quote stream kept.
  ASSERT_TRUE(recorder_->Untrack(kMnqKey).ok());
  ASSERT_TRUE(WaitUpgraded(kEurKey, TickType::kBidAsk));
  // The first upgrade was applied by now: its fallback's deadline is at most 170 s from here.
  const TimePoint first_upgrade = clock_->Now();

  // A minute later mid_point is added: it takes the free slot, onto the same quote stream.
  RunUntil(first_upgrade + 60s);
  config::Config configured = SimTestConfig(simulator_->port(), data_dir());
  configure_(configured);
  configured.contracts.back().tick_types = {TickType::kBidAsk, TickType::kMidPoint};
  const TimePoint second_upgrade = clock_->Now();
  auto reloaded = recorder_->ReloadContracts(configured.contracts);
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
  ASSERT_EQ(reloaded->changed, std::vector<std::string>{eur.Describe()});
  ASSERT_TRUE(WaitUpgraded(kEurKey, TickType::kMidPoint));
  uint64_t quotes_before = 0;
  {
    auto view = recorder_->View();
    const StreamView* quote = Stream(*view, kEurKey, TickType::kQuote);
    ASSERT_NE(quote, nullptr) << "the fallback was retired before the second upgrade";
    quotes_before = quote->ticks;
  }

  // Past the first upgrade's deadline, before mid_point can be judged: the fallback still records.
  RunUntil(first_upgrade + 200s);
  ExpectFallbackKept(*recorder_->View(), kEurKey, TickType::kQuote, TickType::kMidPoint,
                     &quotes_before, "the fallback was retired at the earlier upgrade's deadline");
  if (HasFatalFailure()) return;

  // It goes only after mid_point's verdict.
  ExpectFallbackRetiredAfterVerdict(kEurKey, *eur.con_id, TickType::kQuote, TickType::kMidPoint,
                                    second_upgrade, kFirstDataTimeout);
}

// A fallback kept for two upgrades, needed again by one of them, then retiring again: EUR.USD's
// bid_ask and mid_point are upgraded together onto their quote fallback; bid_ask stays silent,
// mid_point delivers. A reload gives ES a second tick-by-tick stream, which takes mid_point's slot
// (mid_point is recorded by the quote stream again); a second reload gives it back, and mid_point,
// upgraded again, delivers at once. The quote stream must still wait for bid_ask's verdict: it
// was kept for bid_ask too, and bid_ask has delivered nothing.
TEST_F(RecorderRoutesTest, AFallbackNeededAgainStillWaitsForTheSilentUpgradeItWasKeptFor) {
  constexpr Duration kFirstDataTimeout = 150s;
  config::ContractConfig eur;
  auto contracts = [&](std::vector<TickType> es_types) {
    config::Config config = SimTestConfig(simulator_->port(), data_dir());
    configure_(config);
    config.contracts[1].tick_types = std::move(es_types);
    return config.contracts;
  };
  configure_ = [&](config::Config& config) {
    // MNQ's two streams and ES's bid_ask take the three slots; EUR.USD's two are on the fallback.
    config.contracts.push_back(Es(config));
    config.contracts.back().tick_types = {TickType::kBidAsk};
    config.contracts.push_back(EurUsd(config));
    config.contracts.back().tick_types = {TickType::kBidAsk, TickType::kMidPoint};
    config.contracts.back().first_data_timeout = kFirstDataTimeout;
    eur = config.contracts.back();
  };
  StartAll("2025-08-12T14:00:00Z", kSpeed);
  ASSERT_TRUE(WaitFor([&] { return AllRoutesRecording(kMnqKey) && AllRoutesRecording(kEurKey); }));
  ASSERT_EQ(Route(*recorder_->View(), kEurKey, TickType::kMidPoint)->route, "fallback");
  // EUR.USD's bid_ask tick-by-tick stream sends nothing; its other streams go on.
  auto silence = sim::ParseFaultLine("silence con_id=" + std::to_string(eur.con_id.value()) +
                                     " tick_type=BidAsk duration=20m");
  ASSERT_TRUE(silence.ok()) << silence.status().ToString();
  simulator_->InjectFault(*silence);

  // Untracking MNQ frees two slots: both EUR.USD streams are upgraded, the quote stream kept.
  ASSERT_TRUE(recorder_->Untrack(kMnqKey).ok());
  ASSERT_TRUE(WaitUpgraded(kEurKey, TickType::kBidAsk));
  ASSERT_TRUE(WaitUpgraded(kEurKey, TickType::kMidPoint));
  const TimePoint first_upgrade = clock_->Now();
  auto mid_point_delivering = [&] {
    const StreamView* mid = Stream(*recorder_->View(), kEurKey, TickType::kMidPoint);
    return mid != nullptr && mid->ticks > 0;
  };
  ASSERT_TRUE(WaitFor(mid_point_delivering));

  // ES last takes mid_point's slot: mid_point is recorded by the quote stream again.
  auto reloaded = recorder_->ReloadContracts(contracts({TickType::kBidAsk, TickType::kLast}));
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
  ASSERT_TRUE(WaitFor([&] {
    const RouteView* mid = Route(*recorder_->View(), kEurKey, TickType::kMidPoint);
    return mid != nullptr && mid->route == "fallback";
  }));
  ASSERT_EQ(Route(*recorder_->View(), kEurKey, TickType::kBidAsk)->route, "tick_by_tick");

  // ES last goes again: mid_point is upgraded once more and delivers.
  reloaded = recorder_->ReloadContracts(contracts({TickType::kBidAsk}));
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
  ASSERT_TRUE(WaitUpgraded(kEurKey, TickType::kMidPoint));
  ASSERT_TRUE(WaitFor(mid_point_delivering));
  uint64_t quotes_before = 0;
  {
    auto view = recorder_->View();
    const StreamView* quote = Stream(*view, kEurKey, TickType::kQuote);
    ASSERT_NE(quote, nullptr) << "the fallback was retired with bid_ask still silent";
    quotes_before = quote->ticks;
  }

  // Well after mid_point delivered, before bid_ask can be judged: the fallback still records.
  RunUntil(std::max(clock_->Now() + 30s, first_upgrade + 100s));
  ASSERT_LT(clock_->Now(), first_upgrade + kFirstDataTimeout) << "the test ran too late to judge";
  ExpectFallbackKept(*recorder_->View(), kEurKey, TickType::kQuote, TickType::kBidAsk,
                     &quotes_before, "the fallback was retired once mid_point delivered");
  if (HasFatalFailure()) return;

  // It goes only after bid_ask's verdict.
  ExpectFallbackRetiredAfterVerdict(kEurKey, *eur.con_id, TickType::kQuote, TickType::kBidAsk,
                                    first_upgrade, kFirstDataTimeout);
}

}  // namespace
}  // namespace ibstream::recorder::recorder_routes_test
