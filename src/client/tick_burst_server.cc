// tick_burst_server: a loopback TWS that answers one `ibstream stream` with a burst of
// tick-by-tick BidAsk ticks, for scripts/bench_stream.sh.
//
//   tick_burst_server [TICKS]      (default 300000)
//
// Prints "port <N>" on stdout once listening, answers reqContractDetails for any conId, sends
// TICKS BidAsk ticks (pre-encoded, one write) on reqTickByTickData, and exits when that client
// disconnects.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "client/scripted_server.h"
#include "protocol/server_messages.h"

int main(int argc, char** argv) {
  using namespace ibstream;
  long ticks = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 300'000;
  if (ticks <= 0) {
    std::fprintf(stderr, "tick_burst_server: TICKS must be positive\n");
    return 2;
  }
  // Encoded before listening so the burst costs the measured run nothing but the write. The
  // stream command's subscription is its second request (id 2); another id is re-encoded.
  auto encode = [ticks](int32_t req_id) {
    std::string bytes;
    bytes.reserve(static_cast<size_t>(ticks) * 56);
    protocol::TickByTickBidAsk tick;
    tick.req_id = req_id;
    for (long i = 0; i < ticks; ++i) {
      tick.time = 1754925330 + i / 1000;
      tick.bid_price = 21500.25 + 0.25 * static_cast<double>(i % 40);
      tick.ask_price = tick.bid_price + 0.25;
      tick.bid_size = Decimal::FromInt(1 + i % 17);
      tick.ask_size = Decimal::FromInt(1 + i % 23);
      tick.attrib.bid_past_low = i % 1000 == 0;
      if (!protocol::EncodeServerMessage(tick, 187, bytes).ok()) return std::string();
    }
    return bytes;
  };
  const int32_t kExpectedId = 2;
  std::string burst = encode(kExpectedId);
  client::testing::ScriptedServer server;
  std::atomic<bool> burst_sent{false};
  server.SetRequestHandler(
      [&](client::testing::ScriptedServer& s, const protocol::ClientRequest& request) {
        if (const auto* r = std::get_if<protocol::ReqContractDetails>(&request)) {
          protocol::ContractDetails d;
          d.req_id = r->req_id;
          d.contract.con_id = r->contract.con_id;
          d.contract.symbol = "MNQ";
          d.contract.sec_type = "FUT";
          d.contract.last_trade_date_or_contract_month = "20250919";
          d.contract.exchange = "CME";
          d.contract.currency = "USD";
          d.contract.local_symbol = "MNQU5";
          d.contract.trading_class = "MNQ";
          d.time_zone_id = "US/Central";
          d.min_tick = 0.25;
          s.SendMessage(d);
          s.SendMessage(protocol::ContractDataEnd{r->req_id});
        } else if (const auto* t = std::get_if<protocol::ReqTickByTickData>(&request)) {
          s.Send(t->req_id == kExpectedId ? burst : encode(t->req_id));
          burst_sent = true;
        }
      });
  Status started = server.Start();
  if (!started.ok()) {
    std::fprintf(stderr, "tick_burst_server: %s\n", started.ToString().c_str());
    return 1;
  }
  std::printf("port %u\n", static_cast<unsigned>(server.port()));
  std::fflush(stdout);
  // Serve until the client that got the burst has gone (or ten minutes pass).
  bool served = client::testing::WaitUntil([&] { return burst_sent.load() && !server.connected(); },
                                           std::chrono::minutes(10));
  return served ? 0 : 1;
}
