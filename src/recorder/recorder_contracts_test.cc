// Changing the contract list of a running recorder: tracking and untracking at run time (the HTTP
// API's calls), the run-time list kept across restarts, and reloads of the configured list
// (SIGHUP), against the simulated gateway on an accelerated clock.
#include <gtest/gtest.h>

#include <fstream>

#include "common/sanitizers.h"
#include "recorder/recorder_sim_fixture.h"
#include "recorder/runtime_contracts.h"

namespace ibstream::recorder::recorder_contracts_test {
namespace {

using namespace std::chrono_literals;
using testing::RecorderSimTest;

// 200x: a stall of 50 ms on a loaded machine is 10 virtual seconds, well inside the recorder's
// staleness thresholds (at 600x it was 30 s, and a verify-after-restart resubscription opened a
// gap the reload did not cause). Under the sanitizers the simulator of MNQ and ES does not keep
// up with 200x on a loaded machine (it fell hours behind, and a contract tracked at run time got
// nothing until it caught up to the request: "not recording"); 10x is what the routes tests'
// simulator of three markets sustains with both cores busy.
constexpr double kSpeed = ReducedUnderSanitizers(200.0, 10.0);

constexpr char kEs[] =
    "symbol = \"ES\"\nsec_type = \"FUT\"\nexchange = \"CME\"\ncurrency = \"USD\"\n"
    "tick_types = [\"bid_ask\"]\n";
constexpr char kEsKey[] = "sym_ES_FUT_CME_USD";
constexpr char kMnqKey[] = "sym_MNQ_FUT_CME_USD";

class RecorderContractsTest : public RecorderSimTest {
 protected:
  // These tests track ES too.
  RecorderContractsTest() {
    sim_symbols_ = {"MNQ", "ES"};
    // Contracts are tracked, reloaded and recorded again after restarts: subscriptions made
    // while the simulator runs.
    max_sim_lag_ = testing::kSubscribingTestMaxSimLag;
  }

  const ContractView* Find(const RecorderView& view, const std::string& key) {
    for (const auto& c : view.contracts) {
      if (c.key == key) return &c;
    }
    return nullptr;
  }

  // Waits until the contract is resolved and has stored a tick of every one of its streams.
  int64_t WaitRecording(const std::string& key) {
    int64_t id = 0;
    const bool recording = WaitFor([&] {
      auto view = recorder_->View();
      const ContractView* c = Find(*view, key);
      if (c == nullptr || c->contract_id == 0 || c->streams.empty()) return false;
      for (const auto& s : c->streams) {
        if (s.ticks == 0) return false;
      }
      id = c->contract_id;
      return true;
    });
    EXPECT_TRUE(recording) << key << " is not recording";
    return id;
  }

  uint64_t StreamTicks(const std::string& key, TickType type) {
    auto view = recorder_->View();
    const ContractView* c = Find(*view, key);
    if (c == nullptr) return 0;
    for (const auto& s : c->streams) {
      if (s.key.type == type) return s.ticks;
    }
    return 0;
  }

  // Waits until everything the recorder has accepted so far is durable (and so readable).
  void WaitDurable() {
    const uint64_t accepted = recorder_->View()->storage.accepted_position;
    ASSERT_TRUE(WaitFor([&] { return recorder_->View()->storage.durable_position >= accepted; }));
  }

  std::string runtime_file() const { return data_dir() + "/contracts/" + kRuntimeContractsFile; }
};

TEST_F(RecorderContractsTest, ATrackedContractIsRecordedAndKeptAcrossARestart) {
  StartAll("2025-08-12T14:00:00Z", kSpeed);
  WaitRecording(kMnqKey);
  auto tracked = recorder_->Track(kEs);
  ASSERT_TRUE(tracked.ok()) << tracked.status().ToString();
  EXPECT_EQ(tracked->key, kEsKey);
  EXPECT_EQ(tracked->description, "ES FUT CME USD");
  const int64_t es = WaitRecording(kEsKey);
  ASSERT_NE(es, 0);
  WaitDurable();
  EXPECT_FALSE(Stored({es, TickType::kBidAsk}).empty());
  {
    auto view = recorder_->View();
    ASSERT_EQ(view->contracts.size(), 2u);
    EXPECT_TRUE(Find(*view, kEsKey)->from_api);
    EXPECT_FALSE(Find(*view, kMnqKey)->from_api);
    EXPECT_EQ(Find(*view, kEsKey)->expected_types, std::vector<TickType>{TickType::kBidAsk});
  }

  // Tracking it again, or by its con_id, is refused and changes nothing.
  auto again = recorder_->Track(kEs);
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition) << again.status().ToString();
  auto by_id = recorder_->Track("con_id = " + std::to_string(es) + "\n");
  EXPECT_EQ(by_id.status().code(), StatusCode::kFailedPrecondition) << by_id.status().ToString();
  EXPECT_EQ(recorder_->View()->contracts.size(), 2u);

  StopRecorder();
  StartRecorder();
  EXPECT_EQ(WaitRecording(kEsKey), es);
  auto view = recorder_->View();
  ASSERT_EQ(view->contracts.size(), 2u);
  EXPECT_TRUE(Find(*view, kEsKey)->from_api);
}

TEST_F(RecorderContractsTest, AnUntrackedContractStopsAndStaysUntrackedUntilConfiguredAgain) {
  StartAll("2025-08-12T14:00:00Z", kSpeed);
  const int64_t mnq = WaitRecording(kMnqKey);
  ASSERT_NE(mnq, 0);
  auto untracked = recorder_->Untrack(std::to_string(mnq));  // by con_id
  ASSERT_TRUE(untracked.ok()) << untracked.status().ToString();
  EXPECT_EQ(untracked->key, kMnqKey);
  EXPECT_TRUE(recorder_->View()->contracts.empty());
  // Nothing is stored for it any more.
  WaitDurable();
  const size_t stored = Stored({mnq, TickType::kBidAsk}).size();
  ASSERT_GT(stored, 0u);  // what it stored stays
  RunUntil(clock_->Now() + 60s);
  WaitDurable();
  EXPECT_EQ(Stored({mnq, TickType::kBidAsk}).size(), stored);
  EXPECT_EQ(recorder_->Untrack(kMnqKey).status().code(), StatusCode::kNotFound);

  // A restart keeps it untracked: the configuration still lists it, the run-time list hides it.
  StopRecorder();
  StartRecorder();
  RunUntil(clock_->Now() + 10s);
  EXPECT_TRUE(recorder_->View()->contracts.empty());

  // A reload whose list no longer has it forgets the untrack; listing it again records it.
  const config::Config configured = SimTestConfig(simulator_->port(), data_dir());
  auto emptied = recorder_->ReloadContracts({});
  ASSERT_TRUE(emptied.ok()) << emptied.status().ToString();
  EXPECT_TRUE(emptied->removed.empty());
  auto restored = recorder_->ReloadContracts(configured.contracts);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->added, std::vector<std::string>{"MNQ FUT CME USD"});
  EXPECT_EQ(WaitRecording(kMnqKey), mnq);
}

TEST_F(RecorderContractsTest, AReloadChangesTickTypesInPlaceAndAddsAndRemovesContracts) {
  StartAll("2025-08-12T14:00:00Z", kSpeed);
  const int64_t mnq = WaitRecording(kMnqKey);
  ASSERT_NE(mnq, 0);
  auto before = recorder_->View();
  int32_t bid_ask_request = 0;
  for (const auto& s : Find(*before, kMnqKey)->streams) {
    if (s.key.type == TickType::kBidAsk) bid_ask_request = s.request_id;
  }
  ASSERT_NE(bid_ask_request, 0);

  config::Config configured = SimTestConfig(simulator_->port(), data_dir());
  configured.contracts[0].tick_types = {TickType::kBidAsk, TickType::kMidPoint};
  config::ContractConfig es;
  es.symbol = "ES";
  es.sec_type = "FUT";
  es.exchange = "CME";
  es.currency = "USD";
  es.tick_types = {TickType::kLast};
  es.first_data_timeout = configured.reliability.first_data_timeout;
  configured.contracts.push_back(es);
  auto summary = recorder_->ReloadContracts(configured.contracts);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->added, std::vector<std::string>{"ES FUT CME USD"});
  EXPECT_EQ(summary->changed, std::vector<std::string>{"MNQ FUT CME USD"});
  EXPECT_TRUE(summary->removed.empty());
  WaitRecording(kEsKey);
  WaitRecording(kMnqKey);

  auto view = recorder_->View();
  const ContractView* c = Find(*view, kMnqKey);
  ASSERT_NE(c, nullptr);
  std::vector<TickType> types;
  for (const auto& s : c->streams) {
    types.push_back(s.key.type);
    // The kept stream was not subscribed again (IB's 15 s rule, and no gap).
    if (s.key.type == TickType::kBidAsk) {
      EXPECT_EQ(s.request_id, bid_ask_request);
    }
  }
  EXPECT_EQ(types, (std::vector<TickType>{TickType::kBidAsk, TickType::kMidPoint}));
  EXPECT_TRUE(view->gaps.empty()) << view->gaps.front().cause;
  WaitDurable();
  const size_t last_stored = Stored({mnq, TickType::kLast}).size();
  RunUntil(clock_->Now() + 30s);
  WaitDurable();
  EXPECT_EQ(Stored({mnq, TickType::kLast}).size(), last_stored) << "Last is still recorded";

  // Dropping ES again stops it; reloading the same list again changes nothing.
  configured.contracts.pop_back();
  auto dropped = recorder_->ReloadContracts(configured.contracts);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(dropped->removed, std::vector<std::string>{"ES FUT CME USD"});
  auto same = recorder_->ReloadContracts(configured.contracts);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->unchanged, 1u);
  EXPECT_TRUE(same->added.empty() && same->removed.empty() && same->changed.empty());
}

TEST_F(RecorderContractsTest, BadRequestsChangeNothing) {
  StartAll("2025-08-12T14:00:00Z", kSpeed);
  WaitRecording(kMnqKey);
  auto bad = recorder_->Track("symbol = \"ES\"\npriority = 1001\n");
  ASSERT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("priority"), std::string::npos);
  EXPECT_EQ(recorder_->Track("con_id = ").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(recorder_->Untrack("12345").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(recorder_->View()->contracts.size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(runtime_file()));
}

// The run-time list cannot be written (a directory squats on its temporary name): Track and
// Untrack report IoError and change nothing, and the recorder goes on.
TEST_F(RecorderContractsTest, ARuntimeListThatCannotBeSavedChangesNothing) {
  StartAll("2025-08-12T14:00:00Z", kSpeed);
  WaitRecording(kMnqKey);
  std::filesystem::create_directories(runtime_file() + ".tmp");
  auto tracked = recorder_->Track(kEs);
  ASSERT_EQ(tracked.status().code(), StatusCode::kIoError) << tracked.status().ToString();
  auto untracked = recorder_->Untrack(kMnqKey);
  ASSERT_EQ(untracked.status().code(), StatusCode::kIoError) << untracked.status().ToString();
  auto view = recorder_->View();
  ASSERT_EQ(view->contracts.size(), 1u);
  EXPECT_EQ(view->contracts[0].key, kMnqKey);
  EXPECT_FALSE(std::filesystem::exists(runtime_file()));
  const uint64_t before = StreamTicks(kMnqKey, TickType::kBidAsk);
  EXPECT_TRUE(WaitFor([&] { return StreamTicks(kMnqKey, TickType::kBidAsk) > before; }));

  std::filesystem::remove(runtime_file() + ".tmp");
  ASSERT_TRUE(recorder_->Track(kEs).ok());
  EXPECT_EQ(recorder_->View()->contracts.size(), 2u);
}

TEST_F(RecorderContractsTest, ADamagedRuntimeListIsSetAsideAndTheConfigurationRecorded) {
  StartSimulator("2025-08-12T14:00:00Z", kSpeed);
  std::filesystem::create_directories(data_dir() + "/contracts");
  std::ofstream(runtime_file()) << "{\"format\": 1, \"tracked\": [{\"key\"";
  StartRecorder();
  WaitRecording(kMnqKey);
  EXPECT_EQ(recorder_->View()->counters.runtime_contract_errors, 1u);
  EXPECT_FALSE(std::filesystem::exists(runtime_file()));
  EXPECT_TRUE(std::filesystem::exists(runtime_file() + ".unreadable"));
  // The list works again from scratch.
  ASSERT_TRUE(recorder_->Track(kEs).ok());
  auto saved = LoadRuntimeContracts(fs::PosixFileSystem(), data_dir() + "/contracts");
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_EQ(saved->tracked.size(), 1u);
}

}  // namespace
}  // namespace ibstream::recorder::recorder_contracts_test
