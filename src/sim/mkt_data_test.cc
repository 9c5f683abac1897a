// reqMktData served as IB does: the generated market aggregated on a 250 ms grid of simulated
// time, checked against the tick-by-tick streams of the same market.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/simulator.h"
#include "sim/test_client.h"

namespace ibstream::sim::mkt_data_test {
namespace {

constexpr int32_t kMnq = 711000000 + 202509;
constexpr uint64_t kSeed = 4243;

protocol::ReqTickByTickData Tbt(int32_t req_id, int32_t con_id, const char* type) {
  protocol::ReqTickByTickData r;
  r.req_id = req_id;
  r.contract.con_id = con_id;
  r.tick_type = type;
  return r;
}

protocol::ReqMktData Md(int32_t req_id, int32_t con_id) {
  protocol::ReqMktData r;
  r.req_id = req_id;
  r.contract.con_id = con_id;
  return r;
}

using Kind = ReceivedMktData::Kind;

class MktDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SCOPED_TRACE("seed " + std::to_string(kSeed));
    truth_ = (std::filesystem::path(::testing::TempDir()) /
              ("sim_mkt_data_truth_" + std::to_string(::getpid()) + ".jsonl"))
                 .string();
    SimulatorOptions o;
    o.listen_port = 0;
    o.quiet = true;
    o.seed = kSeed;
    o.truth_path = truth_;
    sim_ = std::make_unique<Simulator>(clock_, o);
    const Status st = sim_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    auto c = TestClient::Connect(sim_->port(), TestClient::Options{});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    client_ = std::move(c).value();
  }

  void Advance(Duration d, Duration step) {
    for (Duration done{0}; done < d; done += step) {
      clock_.Advance(std::min(step, d - done));
      sim_->Sync();
    }
  }

  // The last tick-by-tick tick of `req_id` among the first `n` received; null when none.
  const Tick* LastTickBefore(int32_t req_id, size_t n) const {
    for (size_t i = n; i-- > 0;) {
      if (client_->ticks[i].req_id == req_id) return &client_->ticks[i].tick;
    }
    return nullptr;
  }

  void TearDown() override {
    client_.reset();
    sim_.reset();
    std::filesystem::remove(truth_);
  }

  // The truth's tick records (after stopping the simulator).
  std::vector<nlohmann::json> TruthTicks() {
    sim_->Stop();
    std::vector<nlohmann::json> ticks;
    std::ifstream in(truth_);
    std::string line;
    while (std::getline(in, line)) {
      auto j = nlohmann::json::parse(line);
      if (j["type"] == "tick") ticks.push_back(std::move(j));
    }
    return ticks;
  }

  std::string truth_;
  ManualClock clock_{ParseIsoTime("2025-08-11T14:00:00Z").value()};  // MNQ liquid
  std::unique_ptr<Simulator> sim_;
  std::unique_ptr<TestClient> client_;
};

// Every update is the market as it was at a grid instant: the bid/ask are those of the last
// BidAsk tick before it, the last trade that of the last Last tick before it, and the volume
// grows by exactly the Last sizes in between. Updates are at most four a second, fewer than
// the quotes.
TEST_F(MktDataTest, UpdatesAreTheMarketAtEachGridInstant) {
  ASSERT_TRUE(client_->Send(Tbt(11, kMnq, "BidAsk")).ok());
  ASSERT_TRUE(client_->Send(Tbt(12, kMnq, "Last")).ok());
  ASSERT_TRUE(client_->Send(Md(22, kMnq)).ok());
  ASSERT_TRUE(client_->RoundTrip());
  const size_t first = client_->mkt_data.size();  // the subscription's initial values
  constexpr int kSeconds = 30;
  Advance(std::chrono::seconds(kSeconds), std::chrono::milliseconds(100));
  ASSERT_TRUE(client_->RoundTrip());
  ASSERT_FALSE(client_->protocol_error());

  // Updates by the number of tick-by-tick ticks that preceded them: one group per grid instant
  // (two instants always have a tick-by-tick tick between them, since only a generated quote or
  // reported trade makes an update).
  std::map<size_t, std::vector<const ReceivedMktData*>> updates;
  for (size_t i = first; i < client_->mkt_data.size(); ++i) {
    const ReceivedMktData& m = client_->mkt_data[i];
    ASSERT_EQ(m.req_id, 22);
    updates[m.ticks_before].push_back(&m);
  }
  size_t quotes = 0, trades = 0, bid_ask_ticks = 0;
  for (const ReceivedTick& t : client_->ticks) bid_ask_ticks += t.req_id == 11;
  double volume = -1;
  size_t volume_at = 0;  // ticks_before of the update that carried `volume`
  for (const auto& [n, group] : updates) {
    const Tick* quote = LastTickBefore(11, n);
    const Tick* trade = LastTickBefore(12, n);
    bool has_quote = false;
    std::vector<int32_t> trade_types;
    for (const ReceivedMktData* m : group) {
      SCOPED_TRACE("update after " + std::to_string(n) + " ticks, tick type " +
                   std::to_string(m->tick_type));
      switch (m->tick_type) {
        case 1:
        case 2:
        case 0:
        case 3: {
          has_quote = true;
          ASSERT_NE(quote, nullptr);
          const bool bid = m->tick_type == 1 || m->tick_type == 0;
          if (m->kind == Kind::kPrice) {
            EXPECT_EQ(m->price, bid ? quote->bid_price : quote->ask_price);
          } else {
            EXPECT_EQ(m->kind, Kind::kSize);
          }
          EXPECT_EQ(m->size, bid ? quote->bid_size : quote->ask_size);
          break;
        }
        case 4:
        case 5:
        case 8:
        case 45:
          trade_types.push_back(m->tick_type);
          ASSERT_NE(trade, nullptr);
          if (m->tick_type == 4) {
            EXPECT_EQ(m->kind, Kind::kPrice);
            EXPECT_EQ(m->price, trade->price);
            EXPECT_EQ(m->size, trade->size);
          } else if (m->tick_type == 5) {
            EXPECT_EQ(m->size, trade->size);
          } else if (m->tick_type == 45) {
            EXPECT_EQ(m->kind, Kind::kString);
            EXPECT_EQ(m->text, std::to_string(ToUnixSeconds(trade->exchange_time)));
          } else {
            const double v = m->size.ToDouble();
            if (volume >= 0) {
              double traded = 0;
              for (size_t i = volume_at; i < n; ++i) {
                if (client_->ticks[i].req_id == 12)
                  traded += client_->ticks[i].tick.size.ToDouble();
              }
              EXPECT_EQ(v - volume, traded) << "the volume grows by the sizes traded";
            }
            volume = v;
            volume_at = n;
          }
          break;
        default:
          ADD_FAILURE() << "unexpected tick type " << m->tick_type;
      }
    }
    quotes += has_quote;
    if (!trade_types.empty()) {
      ++trades;
      EXPECT_EQ(trade_types, (std::vector<int32_t>{4, 5, 8, 45}));
    }
  }
  EXPECT_GT(quotes, 10u);
  EXPECT_GT(trades, 5u);
  EXPECT_LE(quotes, 4u * kSeconds + 1);
  EXPECT_LT(quotes, bid_ask_ticks) << "quotes are aggregated, not sent one by one";
}

// A new subscription first gets the current top of book and the last trade, with the day's
// volume and the trade's second; snapshots still end with TICK_SNAPSHOT_END.
TEST_F(MktDataTest, NewSubscriptionGetsTheCurrentMarket) {
  Advance(std::chrono::seconds(20), std::chrono::seconds(1));
  ASSERT_TRUE(client_->Send(Md(5, kMnq)).ok());
  protocol::ReqMktData snap = Md(6, kMnq);
  snap.snapshot = true;
  ASSERT_TRUE(client_->Send(snap).ok());
  ASSERT_TRUE(client_->RoundTrip());
  for (int32_t id : {5, 6}) {
    std::vector<int32_t> types;
    for (const ReceivedMktData& m : client_->mkt_data) {
      if (m.req_id != id) continue;
      types.push_back(m.tick_type);
      if (m.tick_type == 8) {
        EXPECT_GT(m.size.ToDouble(), 0);
      }
      if (m.tick_type == 45) {
        const int64_t t = std::stoll(m.text);
        EXPECT_LE(t, ToUnixSeconds(clock_.Now()));
        EXPECT_GE(t, ToUnixSeconds(clock_.Now()) - 20);
      }
    }
    EXPECT_EQ(types, (std::vector<int32_t>{1, 2, 4, 5, 8, 45})) << id;
  }
  EXPECT_EQ(client_->snapshot_ends, std::vector<int32_t>{6});
}

// The truth holds one Quote and/or Trade record per published update, for every market whether
// subscribed or not, at its grid instant: replaying the subscribed market's records gives
// exactly the messages the client received.
TEST_F(MktDataTest, TruthHasEveryPublishedUpdate) {
  Advance(std::chrono::seconds(5), std::chrono::seconds(1));
  ASSERT_TRUE(client_->Send(Md(22, kMnq)).ok());
  ASSERT_TRUE(client_->RoundTrip());
  const size_t initial = client_->mkt_data.size();
  Advance(std::chrono::seconds(20), std::chrono::milliseconds(300));
  ASSERT_TRUE(client_->RoundTrip());
  const std::vector<nlohmann::json> truth = TruthTicks();

  // The initial values: bid, ask, then the last trade's four messages.
  ASSERT_EQ(initial, 6u);
  double bid = client_->mkt_data[0].price, ask = client_->mkt_data[1].price;
  Decimal bid_size = client_->mkt_data[0].size, ask_size = client_->mkt_data[1].size;
  std::vector<std::string> expected;
  size_t quotes = 0, trades = 0, other_markets = 0;
  for (const nlohmann::json& j : truth) {
    const std::string type = j["tick_type"];
    if (type != "Quote" && type != "Trade") continue;
    EXPECT_EQ(j["time_ns"].get<int64_t>() % 250'000'000, 0) << j.dump();
    if (j["con_id"] != kMnq) {
      ++other_markets;
      EXPECT_EQ(j["subscribers"], 0);
      continue;
    }
    if (j["subscribers"] == 0) continue;  // before the subscription
    EXPECT_EQ(j["subscribers"], 1);
    if (type == "Quote") {
      ++quotes;
      const double b = j["bid"], a = j["ask"];
      const Decimal bs = Decimal::Parse(j["bid_size"].get<std::string>()).value();
      const Decimal as = Decimal::Parse(j["ask_size"].get<std::string>()).value();
      if (b != bid) {
        expected.push_back(fmt::format("p1 {} {}", b, bs.ToString()));
      } else if (!(bs == bid_size)) {
        expected.push_back("s0 " + bs.ToString());
      }
      if (a != ask) {
        expected.push_back(fmt::format("p2 {} {}", a, as.ToString()));
      } else if (!(as == ask_size)) {
        expected.push_back("s3 " + as.ToString());
      }
      bid = b, ask = a, bid_size = bs, ask_size = as;
    } else {
      ++trades;
      const std::string size = j["size"];
      expected.push_back(fmt::format("p4 {} {}", j["price"].get<double>(), size));
      expected.push_back("s5 " + size);
      expected.push_back("s8 " + j["volume"].get<std::string>());
      expected.push_back("t45 " + std::to_string(j["time"].get<int64_t>()));
      EXPECT_LE(j["time"].get<int64_t>() * 1'000'000'000, j["time_ns"].get<int64_t>());
    }
  }
  std::vector<std::string> received;
  for (size_t i = initial; i < client_->mkt_data.size(); ++i) {
    const ReceivedMktData& m = client_->mkt_data[i];
    switch (m.kind) {
      case Kind::kPrice:
        received.push_back(fmt::format("p{} {} {}", m.tick_type, m.price, m.size.ToString()));
        break;
      case Kind::kSize:
        received.push_back(fmt::format("s{} {}", m.tick_type, m.size.ToString()));
        break;
      case Kind::kString:
        received.push_back(fmt::format("t{} {}", m.tick_type, m.text));
        break;
    }
  }
  EXPECT_GT(quotes, 10u);
  EXPECT_GT(trades, 5u);
  EXPECT_GT(other_markets, 0u);
  EXPECT_EQ(received, expected);
}

// The day's volume starts again with each session: across MNQ's 16:00-17:00 CT halt the first
// trades after the reopening carry a volume below the last one before the halt, and none is
// published during the halt.
TEST(MktDataVolumeTest, StartsAgainWithTheSession) {
  const std::string truth = (std::filesystem::path(::testing::TempDir()) /
                             ("sim_mkt_data_volume_" + std::to_string(::getpid()) + ".jsonl"))
                                .string();
  ManualClock clock(ParseIsoTime("2025-08-11T20:55:00Z").value());  // 15:55 CDT
  SimulatorOptions o;
  o.listen_port = 0;
  o.quiet = true;
  o.seed = kSeed;
  o.truth_path = truth;
  o.builtin_symbols = {"MNQ"};
  Simulator sim(clock, o);
  ASSERT_TRUE(sim.Start().ok());
  for (int i = 0; i < 80; ++i) {  // to 17:15 CDT
    clock.Advance(std::chrono::minutes(1));
    sim.Sync();
  }
  sim.Stop();
  const int64_t halt = ToUnixSeconds(ParseIsoTime("2025-08-11T21:00:00Z").value());
  const int64_t reopen = halt + 3600;
  std::vector<std::pair<int64_t, double>> volumes;  // (trade second, volume) of MNQ
  std::ifstream in(truth);
  std::string line;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    if (j["type"] != "tick" || j["tick_type"] != "Trade" || j["con_id"] != kMnq) continue;
    volumes.emplace_back(j["time"].get<int64_t>(),
                         Decimal::Parse(j["volume"].get<std::string>()).value().ToDouble());
  }
  std::filesystem::remove(truth);
  double before = 0, after = -1;
  for (const auto& [second, volume] : volumes) {
    EXPECT_TRUE(second < halt || second >= reopen) << second;
    if (second < halt) {
      EXPECT_GE(volume, before) << "the volume only grows within a session";
      before = volume;
    } else if (after < 0) {
      after = volume;
    }
  }
  EXPECT_GT(before, 0);
  ASSERT_GE(after, 0) << "no trade after the reopening";
  EXPECT_LT(after, before);
}

}  // namespace
}  // namespace ibstream::sim::mkt_data_test
