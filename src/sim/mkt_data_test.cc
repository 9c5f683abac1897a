// reqMktData served as IB does: the generated market aggregated on a 250 ms grid of simulated
// time, checked against the tick-by-tick streams of the same market.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "sim/simulator.h"
#include "sim/test_client.h"

namespace ibstream::sim {
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
    SimulatorOptions o;
    o.listen_port = 0;
    o.quiet = true;
    o.seed = kSeed;
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

}  // namespace
}  // namespace ibstream::sim
