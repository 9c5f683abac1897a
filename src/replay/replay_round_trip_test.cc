// `ibstream sim --replay` end to end: the simulator serving a store answers contract details with
// the recorded hours, tick-by-tick streams and historical ticks with the stored ticks; and the
// round trip: record from the simulator into store A, replay A through the simulator into a second
// recorder writing store B, and B holds exactly A's ticks in the replayed window.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "fs/fault_file_system.h"
#include "recorder/contract_resolution.h"
#include "recorder/recorder_sim_fixture.h"
#include "replay/recorded_contracts.h"
#include "replay/store_market_source.h"
#include "sim/fault.h"
#include "sim/simulator.h"
#include "sim/test_client.h"
#include "storage/journal.h"
#include "storage/query.h"
#include "storage/test_ticks.h"

namespace ibstream::replay::replay_round_trip_test {
namespace {

using namespace std::chrono_literals;
using sim::ReceivedBar;
using storage::testing::kHour0;  // 2025-08-21T14:00:00Z
using storage::testing::MakeTick;

constexpr int64_t kMnq = 711280073;

// Everything a replay must reproduce of a tick, as one comparable line.
std::string Content(const Tick& t) {
  return fmt::format("{} {} {} p={} s={} b={} a={} bs={} as={} attr={} ex={} cond={}",
                     ToUnixNanos(t.exchange_time), t.contract_id, TickTypeName(t.type), t.price,
                     t.size.ToString(), t.bid_price, t.ask_price, t.bid_size.ToString(),
                     t.ask_size.ToString(), t.attributes, t.exchange, t.special_conditions);
}

std::vector<std::string> Contents(const std::vector<Tick>& ticks) {
  std::vector<std::string> out;
  for (const Tick& t : ticks) out.push_back(Content(t));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Tick> ReadStore(fs::FileSystem* fs, const std::string& root, StreamKey stream,
                            TimePoint from, TimePoint to) {
  std::vector<Tick> out;
  storage::QueryStats stats;
  const Status st = storage::QueryTicks(
      fs, root, {{stream}, from, to},
      [&](const Tick& t) {
        out.push_back(t);
        return Status::Ok();
      },
      &stats);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(stats.complete());
  return out;
}

// --- The simulator serving a store ----------------------------------------------------------

class ReplaySimulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 20; ++i) {
      const int64_t s = kHour0 + 10 + i;
      const uint64_t q = static_cast<uint64_t>(i) * 4;
      stored_.push_back(MakeTick(kMnq, TickType::kBidAsk, s, q + 1));
      Tick mid = MakeTick(kMnq, TickType::kMidPoint, s, q + 2);
      mid.size = Decimal();  // a midpoint is a price alone
      mid.exchange.clear();
      mid.special_conditions.clear();
      stored_.push_back(mid);
      stored_.push_back(MakeTick(kMnq, TickType::kAllLast, s, q + 3));
      if (i % 5 != 4) stored_.push_back(MakeTick(kMnq, TickType::kLast, s, q + 4));
    }
    stored_[2].attributes = kAttrUnreported;
    stored_[2].special_conditions = "I";
    auto journal = storage::JournalFile::Create(&fs_, "/store", FromUnixSeconds(kHour0), 1, false);
    ASSERT_TRUE(journal.ok());
    for (const Tick& t : stored_) (*journal)->AddTick(t);
    ASSERT_TRUE((*journal)->Write().ok());
    ASSERT_TRUE((*journal)->Close().ok());
    protocol::ContractDetails d;
    d.contract.con_id = kMnq;
    d.contract.symbol = "MNQ";
    d.contract.sec_type = "FUT";
    d.contract.exchange = "CME";
    d.contract.currency = "USD";
    d.contract.local_symbol = "MNQU5";
    d.min_tick = 0.25;
    d.time_zone_id = "US/Central";
    d.trading_hours = "20250820:1700-20250821:1600;20250821:1700-20250822:1600";
    d.liquid_hours = "20250821:0830-20250821:1600;20250822:0830-20250822:1600";
    ASSERT_TRUE(fs::CreateDirs(&fs_, "/store/contracts").ok());
    ASSERT_TRUE(recorder::SaveContractDetails(&fs_, "/store/contracts", "con_711280073", d).ok());

    ReplayOptions replay;
    replay.store = "/store";
    auto source = StoreMarketSource::Open(&fs_, replay);
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    source_ = *source;
    auto contracts = LoadRecordedContracts(&fs_, "/store", source_->contracts());
    ASSERT_TRUE(contracts.ok()) << contracts.status().ToString();
    sim::SimulatorOptions options;
    options.listen_port = 0;
    options.quiet = true;
    options.history_days = 3;
    options.market_source = source_;
    options.extra_contracts = contracts->contracts;
    options.max_tick_by_tick = 4;  // all four kinds at once
    simulator_ = std::make_unique<sim::Simulator>(clock_, options);
    ASSERT_TRUE(simulator_->Start().ok());
    auto client = sim::TestClient::Connect(simulator_->port(), {});
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(client).value();
  }

  std::vector<Tick> StoredOf(TickType type) const {
    std::vector<Tick> out;
    for (const Tick& t : stored_) {
      if (t.type == type) out.push_back(t);
    }
    return out;
  }

  fs::FaultFileSystem fs_;
  std::vector<Tick> stored_;
  ManualClock clock_{FromUnixSeconds(kHour0)};
  std::shared_ptr<StoreMarketSource> source_;
  std::unique_ptr<sim::Simulator> simulator_;
  std::unique_ptr<sim::TestClient> client_;
};

TEST_F(ReplaySimulatorTest, ContractDetailsAreTheRecordedOnes) {
  protocol::ReqContractDetails by_symbol;
  by_symbol.req_id = 1;
  by_symbol.contract.symbol = "MNQ";
  by_symbol.contract.sec_type = "FUT";
  by_symbol.contract.exchange = "CME";
  protocol::ReqContractDetails builtin = by_symbol;
  builtin.req_id = 2;
  builtin.contract.symbol = "ES";  // a built-in contract, not in the store
  ASSERT_TRUE(client_->Send(by_symbol).ok());
  ASSERT_TRUE(client_->Send(builtin).ok());
  ASSERT_TRUE(
      client_->WaitFor([&] { return !client_->details_end.empty() && client_->HasError(200, 2); }));
  ASSERT_EQ(client_->details.size(), 1u);
  EXPECT_EQ(client_->details[0].contract.con_id, kMnq);
  EXPECT_EQ(client_->details[0].contract.local_symbol, "MNQU5");
  EXPECT_EQ(client_->details[0].time_zone_id, "US/Central");
  EXPECT_EQ(client_->details[0].trading_hours,
            "20250820:1700-20250821:1600;20250821:1700-20250822:1600");
  EXPECT_EQ(client_->details[0].liquid_hours,
            "20250821:0830-20250821:1600;20250822:0830-20250822:1600");
}

TEST_F(ReplaySimulatorTest, TickByTickStreamsReplayTheStoredTicksOnTheClock) {
  const TickType kinds[] = {TickType::kBidAsk, TickType::kMidPoint, TickType::kAllLast,
                            TickType::kLast};
  for (int i = 0; i < 4; ++i) {
    protocol::ReqTickByTickData r;
    r.req_id = 10 + i;
    r.contract.con_id = kMnq;
    r.tick_type = std::string(TickTypeIbName(kinds[i]));
    ASSERT_TRUE(client_->Send(r).ok());
  }
  ASSERT_TRUE(client_->RoundTrip());
  simulator_->Sync();
  EXPECT_TRUE(client_->ticks.empty()) << "nothing is stored before kHour0 + 10";
  clock_.Advance(std::chrono::seconds(15));
  simulator_->Sync();
  ASSERT_TRUE(client_->RoundTrip());
  for (const sim::ReceivedTick& t : client_->ticks) {
    EXPECT_LE(ToUnixSeconds(t.tick.exchange_time), kHour0 + 15) << "not before its time";
  }
  clock_.Advance(std::chrono::seconds(60));
  simulator_->Sync();
  ASSERT_TRUE(client_->RoundTrip());
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE(TickTypeName(kinds[i]));
    std::vector<Tick> got;
    for (const sim::ReceivedTick& t : client_->ticks) {
      if (t.req_id != 10 + i) continue;
      Tick tick = t.tick;
      tick.contract_id = kMnq;
      got.push_back(tick);
    }
    EXPECT_EQ(Contents(got), Contents(StoredOf(kinds[i])));
  }
}

TEST_F(ReplaySimulatorTest, HistoricalTicksComeFromTheStore) {
  clock_.Advance(std::chrono::minutes(5));
  simulator_->Sync();
  protocol::ReqHistoricalTicks trades;
  trades.req_id = 1;
  trades.contract.con_id = kMnq;
  trades.what_to_show = "TRADES";
  trades.start_date_time = "20250821-14:00:00";
  trades.number_of_ticks = 1000;
  protocol::ReqHistoricalTicks before = trades;  // the hour before the recording
  before.req_id = 2;
  before.start_date_time.clear();
  before.end_date_time = "20250821-13:59:59";
  before.number_of_ticks = 10;
  protocol::ReqHistoricalTicks quotes = trades;
  quotes.req_id = 3;
  quotes.what_to_show = "BID_ASK";
  ASSERT_TRUE(client_->Send(trades).ok());
  ASSERT_TRUE(client_->Send(before).ok());
  ASSERT_TRUE(client_->Send(quotes).ok());
  ASSERT_TRUE(client_->WaitFor([&] { return client_->historical.size() == 3; }));
  const sim::ReceivedHistorical& h = client_->historical[0];
  EXPECT_TRUE(h.done);
  std::vector<Tick> got = h.ticks;
  for (Tick& t : got) {
    t.contract_id = kMnq;
    t.type = TickType::kAllLast;
  }
  EXPECT_EQ(Contents(got), Contents(StoredOf(TickType::kAllLast)));
  std::vector<Tick> bid_ask = client_->historical[2].ticks;
  for (Tick& t : bid_ask) t.contract_id = kMnq;
  EXPECT_EQ(Contents(bid_ask), Contents(StoredOf(TickType::kBidAsk))) << "with their attributes";
  EXPECT_TRUE(client_->historical[1].done);
  EXPECT_TRUE(client_->historical[1].ticks.empty()) << "no data is invented outside the store";
  for (const sim::ReceivedError& e : client_->errors) {
    EXPECT_GE(e.code, 2100) << "only the farms' status, no error: " << e.code << " " << e.text;
  }
}

// The store's last tick is at kHour0 + 29: the recording ends at kHour0 + 30.
constexpr int64_t kEndSecond = kHour0 + 30;

size_t CountErrors(const sim::TestClient& client, int32_t code, int32_t id) {
  return static_cast<size_t>(
      std::count_if(client.errors.begin(), client.errors.end(),
                    [&](const auto& e) { return e.code == code && e.id == id; }));
}

const sim::ReceivedError* FindError(const sim::TestClient& client, int32_t code, int32_t id) {
  for (const sim::ReceivedError& e : client.errors) {
    if (e.code == code && e.id == id) return &e;
  }
  return nullptr;
}

protocol::ReqTickByTickData TickByTick(int32_t req_id, TickType type, int32_t number_of_ticks = 0) {
  protocol::ReqTickByTickData r;
  r.req_id = req_id;
  r.contract.con_id = kMnq;
  r.tick_type = std::string(TickTypeIbName(type));
  r.number_of_ticks = number_of_ticks;
  return r;
}

protocol::ReqMktData MktData(int32_t req_id, bool snapshot = false) {
  protocol::ReqMktData r;
  r.req_id = req_id;
  r.contract.con_id = kMnq;
  r.snapshot = snapshot;
  return r;
}

protocol::ReqMktDepth Depth(int32_t req_id) {
  protocol::ReqMktDepth r;
  r.req_id = req_id;
  r.contract.con_id = kMnq;
  r.num_rows = 5;
  return r;
}

protocol::ReqRealTimeBars RealTimeBars(int32_t req_id) {
  protocol::ReqRealTimeBars r;
  r.req_id = req_id;
  r.contract.con_id = kMnq;
  r.what_to_show = "MIDPOINT";
  return r;
}

protocol::ReqHistoricalData KeepUpToDate(int32_t req_id) {
  protocol::ReqHistoricalData r;
  r.req_id = req_id;
  r.contract.con_id = kMnq;
  r.bar_size_setting = "1 min";
  r.duration = "300 S";
  r.what_to_show = "MIDPOINT";
  r.format_date = 2;
  r.keep_up_to_date = true;
  return r;
}

TEST_F(ReplaySimulatorTest, LiveSubscriptionsAreToldWhenTheRecordingEnds) {
  ASSERT_TRUE(client_->Send(TickByTick(10, TickType::kBidAsk)).ok());
  ASSERT_TRUE(client_->Send(MktData(11)).ok());
  ASSERT_TRUE(client_->Send(Depth(12)).ok());
  ASSERT_TRUE(client_->Send(RealTimeBars(13)).ok());
  ASSERT_TRUE(client_->Send(KeepUpToDate(14)).ok());
  ASSERT_TRUE(client_->RoundTrip());
  clock_.Advance(std::chrono::seconds(25));
  simulator_->Sync();
  ASSERT_TRUE(client_->RoundTrip());
  ASSERT_GT(client_->TicksFor(10), 0u);
  ASSERT_LT(client_->TicksFor(10), StoredOf(TickType::kBidAsk).size());
  for (const sim::ReceivedError& e : client_->errors) {
    EXPECT_NE(e.code, sim::kReplayEndedCode) << "before the end: " << e.text;
  }

  clock_.Advance(std::chrono::seconds(5));  // kEndSecond
  simulator_->Sync();
  ASSERT_TRUE(client_->RoundTrip());
  for (int32_t id = 10; id <= 14; ++id) {
    SCOPED_TRACE(id);
    ASSERT_EQ(CountErrors(*client_, sim::kReplayEndedCode, id), 1u);
  }
  // Each after everything its stream had to deliver.
  EXPECT_EQ(client_->TicksFor(10), StoredOf(TickType::kBidAsk).size());
  EXPECT_EQ(FindError(*client_, 354, 10)->ticks_before, client_->ticks.size());
  EXPECT_GT(client_->mkt_data.size(), 0u);
  EXPECT_EQ(FindError(*client_, 354, 11)->mkt_data_before, client_->mkt_data.size());
  EXPECT_GT(client_->depth.size(), 0u);
  EXPECT_EQ(FindError(*client_, 354, 12)->depth_before, client_->depth.size());
  EXPECT_GT(client_->realtime_bars.size(), 0u);
  EXPECT_GT(client_->bar_updates.size(), 0u);
  EXPECT_EQ(FindError(*client_, 354, 13)->realtime_bars_before, client_->realtime_bars.size());
  EXPECT_EQ(FindError(*client_, 354, 14)->bar_updates_before, client_->bar_updates.size());
  const size_t bars = client_->realtime_bars.size() + client_->bar_updates.size();
  const std::string& text = FindError(*client_, 354, 10)->text;
  EXPECT_NE(text.find("MNQ"), std::string::npos) << text;
  EXPECT_NE(text.find(FormatIsoUtc(FromUnixSeconds(kEndSecond))), std::string::npos) << text;

  // The subscriptions are over: nothing more comes, and they are no longer known.
  const size_t errors = client_->errors.size();
  clock_.Advance(std::chrono::minutes(1));
  simulator_->Sync();
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_EQ(client_->errors.size(), errors);
  EXPECT_EQ(client_->realtime_bars.size() + client_->bar_updates.size(), bars);
  ASSERT_TRUE(client_->Send(protocol::CancelMktData{11}).ok());
  ASSERT_TRUE(client_->WaitFor([&] { return client_->HasError(300, 11); }));
}

TEST_F(ReplaySimulatorTest, RequestsAfterTheEndAreAnsweredAtOnce) {
  clock_.Advance(std::chrono::minutes(2));
  simulator_->Sync();
  ASSERT_TRUE(client_->Send(TickByTick(20, TickType::kAllLast, /*number_of_ticks=*/3)).ok());
  ASSERT_TRUE(client_->Send(TickByTick(21, TickType::kLast)).ok());
  ASSERT_TRUE(client_->Send(MktData(22)).ok());
  ASSERT_TRUE(client_->Send(MktData(23, /*snapshot=*/true)).ok());
  ASSERT_TRUE(client_->Send(Depth(24)).ok());
  ASSERT_TRUE(client_->Send(RealTimeBars(25)).ok());
  ASSERT_TRUE(client_->Send(KeepUpToDate(26)).ok());
  ASSERT_TRUE(client_->RoundTrip());
  for (const int32_t id : {20, 21, 22, 24, 25, 26}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(CountErrors(*client_, sim::kReplayEndedCode, id), 1u);
  }
  EXPECT_FALSE(client_->HasError(sim::kReplayEndedCode, 23)) << "a snapshot is answered";
  EXPECT_EQ(client_->snapshot_ends, std::vector<int32_t>{23});
  // The recent ticks asked for, then the end; the bars, then the end.
  ASSERT_EQ(client_->historical.size(), 1u);
  EXPECT_EQ(client_->historical[0].ticks.size(), 3u);
  ASSERT_EQ(client_->historical_bars.size(), 1u);
  EXPECT_FALSE(client_->historical_bars[0].bars.empty());
  // Nothing was started: nothing comes later.
  clock_.Advance(std::chrono::minutes(1));
  simulator_->Sync();
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_TRUE(client_->ticks.empty());
  EXPECT_TRUE(client_->depth.empty());
  EXPECT_TRUE(client_->realtime_bars.empty());
  EXPECT_TRUE(client_->bar_updates.empty());
}

TEST_F(ReplaySimulatorTest, HeadTimestampIsTheFirstRecordedTick) {
  protocol::ReqHeadTimestamp trades;
  trades.req_id = 1;
  trades.contract.con_id = kMnq;
  trades.what_to_show = "TRADES";
  trades.format_date = 2;
  protocol::ReqHeadTimestamp midpoint = trades;
  midpoint.req_id = 2;
  midpoint.what_to_show = "MIDPOINT";
  midpoint.format_date = 1;
  protocol::ReqHeadTimestamp bid_ask = trades;
  bid_ask.req_id = 3;
  bid_ask.what_to_show = "BID_ASK";
  ASSERT_TRUE(client_->Send(trades).ok());
  ASSERT_TRUE(client_->Send(midpoint).ok());
  ASSERT_TRUE(client_->Send(bid_ask).ok());
  ASSERT_TRUE(client_->WaitFor([&] { return client_->head_timestamps.size() == 3; }));
  EXPECT_EQ(client_->head_timestamps[0], std::to_string(kHour0 + 10));
  EXPECT_EQ(client_->head_timestamps[1], "20250821-14:00:10");
  EXPECT_EQ(client_->head_timestamps[2], std::to_string(kHour0 + 10));
}

TEST_F(ReplaySimulatorTest, BarsAreBuiltFromTheStoredTicks) {
  clock_.Advance(std::chrono::minutes(2));
  simulator_->Sync();
  protocol::ReqHistoricalData r;
  r.req_id = 30;
  r.contract.con_id = kMnq;
  r.bar_size_setting = "1 min";
  r.duration = "120 S";
  r.what_to_show = "TRADES";
  r.format_date = 2;
  ASSERT_TRUE(client_->Send(r).ok());
  ASSERT_TRUE(client_->WaitFor([&] { return client_->historical_bars.size() == 1; }));
  // One bar: the minute from kHour0 holds every stored Last tick (TRADES bars are the Last ticks).
  const std::vector<ReceivedBar>& bars = client_->historical_bars[0].bars;
  ASSERT_EQ(bars.size(), 1u);
  const std::vector<Tick> last = StoredOf(TickType::kLast);
  double high = last.front().price;
  double low = last.front().price;
  int64_t volume = 0;
  for (const Tick& t : last) {
    high = std::max(high, t.price);
    low = std::min(low, t.price);
    volume += t.size.mantissa();  // whole numbers of contracts
  }
  EXPECT_EQ(bars[0].date, std::to_string(kHour0));
  EXPECT_EQ(bars[0].open, last.front().price);
  EXPECT_EQ(bars[0].high, high);
  EXPECT_EQ(bars[0].low, low);
  EXPECT_EQ(bars[0].close, last.back().price);
  EXPECT_EQ(bars[0].volume.ToString(), std::to_string(volume));
  EXPECT_EQ(bars[0].count, static_cast<int32_t>(last.size()));
}

TEST_F(ReplaySimulatorTest, FaultsAreScriptedAsUsual) {
  ASSERT_TRUE(client_->Send(TickByTick(40, TickType::kBidAsk)).ok());
  ASSERT_TRUE(client_->RoundTrip());
  auto fault = sim::ParseFaultLine("farm_down farm=usfuture duration=15s");
  ASSERT_TRUE(fault.ok()) << fault.status().ToString();
  simulator_->InjectFault(*fault);  // from kHour0 to kHour0 + 15
  // The fault is posted to the loop: it must start before the clock moves on.
  simulator_->Sync();
  clock_.Advance(std::chrono::milliseconds(14'999));  // every tick before kHour0 + 15 is out
  simulator_->Sync();
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_TRUE(client_->HasError(2103));
  EXPECT_EQ(client_->TicksFor(40), 0u) << "withheld while the farm is down";
  clock_.Advance(std::chrono::seconds(16));
  simulator_->Sync();
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_TRUE(client_->HasError(2104));
  size_t after_fault = 0;
  for (const Tick& t : StoredOf(TickType::kBidAsk)) {
    after_fault += ToUnixSeconds(t.exchange_time) >= kHour0 + 15 ? 1 : 0;
  }
  EXPECT_GT(after_fault, 0u);
  EXPECT_EQ(client_->TicksFor(40), after_fault) << "the recording goes on during the fault";
}

// --- The round trip -------------------------------------------------------------------------

class ReplayRoundTripTest : public recorder::testing::RecorderSimTest {
 protected:
  // The round trip records ES too.
  ReplayRoundTripTest() { sim_symbols_.clear(); }
};

TEST_F(ReplayRoundTripTest, RecordReplayRecordKeepsEveryTick) {
  // Three tick-by-tick streams: within the simulator's default allowance, so none falls back.
  const std::vector<TickType> kinds = {TickType::kBidAsk, TickType::kAllLast, TickType::kMidPoint};
  configure_ = [&](config::Config& c) { c.contracts[0].tick_types = kinds; };
  StartAll("2025-08-12T14:00:00Z", 20);
  RunUntil("2025-08-12T14:02:30Z");
  const int64_t mnq = MnqId();
  ASSERT_NE(mnq, 0);
  StopRecorder();
  simulator_.reset();
  const TimePoint from = *ParseIsoTime("2025-08-12T14:00:30Z");
  const TimePoint to = *ParseIsoTime("2025-08-12T14:02:00Z");
  const std::string store_a = data_dir();
  std::vector<std::vector<Tick>> recorded;
  for (const TickType type : kinds) {
    recorded.push_back(ReadStore(fs_, store_a, {mnq, type}, from, to));
    ASSERT_GT(recorded.back().size(), 20u) << TickTypeName(type) << " was recorded";
  }

  // Replay store A from the same virtual start: a second recorder writes store B.
  ReplayOptions replay;
  replay.store = store_a;
  replay.start = from;
  replay.end = to;
  auto source = StoreMarketSource::Open(fs_, replay);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  auto contracts = LoadRecordedContracts(fs_, store_a, (*source)->contracts());
  ASSERT_TRUE(contracts.ok()) << contracts.status().ToString();
  EXPECT_TRUE(contracts->warnings.empty()) << contracts->warnings.front();
  clock_ = std::make_unique<recorder::testing::VariableSpeedClock>(start_, speed_);
  sim::SimulatorOptions options;
  options.listen_port = 0;
  options.quiet = true;
  options.history_days = 3;
  options.market_source = *source;
  options.extra_contracts = contracts->contracts;
  simulator_ = std::make_unique<sim::Simulator>(*clock_, options);
  ASSERT_TRUE(simulator_->Start().ok());
  const std::string store_b = (dir_ / "replayed").string();
  configure_ = [&](config::Config& c) {
    c.contracts[0].tick_types = kinds;
    c.storage.path = store_b;
  };
  StartRecorder();
  RunUntil(to + 15s);
  ASSERT_EQ(MnqId(), mnq) << "the replayed contract resolves to the recorded one";
  StopRecorder();

  for (size_t i = 0; i < kinds.size(); ++i) {
    SCOPED_TRACE(TickTypeName(kinds[i]));
    const auto want = Contents(recorded[i]);
    const auto got = Contents(ReadStore(fs_, store_b, {mnq, kinds[i]}, from, to));
    EXPECT_EQ(got.size(), want.size());
    const auto [g, w] = std::mismatch(got.begin(), got.end(), want.begin(), want.end());
    if (g != got.end() || w != want.end()) {
      ADD_FAILURE() << "first difference: replayed '" << (g == got.end() ? "(none)" : *g)
                    << "' recorded '" << (w == want.end() ? "(none)" : *w) << "'";
    }
  }
  const ReplayStats stats = (*source)->stats();
  EXPECT_EQ(stats.damaged_pieces, 0u);
  EXPECT_EQ(stats.query_errors, 0u);
}

}  // namespace
}  // namespace ibstream::replay::replay_round_trip_test
