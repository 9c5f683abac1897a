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
#include "sim/simulator.h"
#include "sim/test_client.h"
#include "storage/journal.h"
#include "storage/query.h"
#include "storage/test_ticks.h"

namespace ibstream::replay::replay_round_trip_test {
namespace {

using namespace std::chrono_literals;
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
