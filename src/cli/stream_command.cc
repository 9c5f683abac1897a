// `ibstream stream`: print live tick-by-tick data of one contract (like the original's
// `ib-stream` CLI).
//
//   ibstream stream CONID [--type BidAsk|Last|AllLast|MidPoint] [-n N] [--json]
//                   [--host H] [--port P] [--client-id N] [--timeout SECONDS]
//
// The contract is first resolved with reqContractDetails (an unknown conId fails with IB error
// 200), then subscribed. One line per tick; with --json one object per tick (tick_printer.h has
// the fields of every kind).
//
// Ticks arrive as domain Ticks (Client::SubscribeTicks). Speed: they are formatted on the client's
// thread with to_chars into one reused buffer (no allocation per tick) and written with one
// write(2) per socket read or per 1 MiB. A failed write to stdout (a closed pipe included) ends
// the command with a message and exit code 1.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "cli/tick_printer.h"
#include "cli/user_hints.h"
#include "client/client.h"
#include "client/event_loop.h"
#include "common/clock.h"
#include "common/json_text.h"
#include "model/tick.h"

namespace ibstream::cli {
namespace {

struct StreamOptions {
  int64_t contract_id = 0;
  std::string type = "BidAsk";
  int64_t count = 0;  // 0: until interrupted
  bool json = false;
  std::string host = "127.0.0.1";
  int port = 4002;
  int client_id = 2;
  double timeout_seconds = 10;
};

// The outcome the client's thread hands to the main thread.
struct Outcome {
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  std::string error;  // empty: success

  void Finish(std::string message) {
    std::lock_guard<std::mutex> lock(mutex);
    if (done) return;
    done = true;
    error = std::move(message);
    cv.notify_all();
  }
};

int RunStream(const StreamOptions& options) {
  auto fail = [](const std::string& message) {
    std::cerr << "ibstream stream: " << message << "\n";
    if (std::string hint = ConnectRefusedHint(message); !hint.empty()) {
      std::cerr << "ibstream stream: " << hint << "\n";
    }
    return 1;
  };
  Result<TickType> type = ParseTickType(options.type);
  if (!type.ok()) return fail(type.status().message());
  if (!IsTickByTick(*type)) {
    return fail("--type " + options.type +
                ": quote and trade come from reqMktData, which `ibstream record` uses for streams "
                "without a tick-by-tick slot; this command streams BidAsk, Last, AllLast or "
                "MidPoint");
  }
  if (options.contract_id <= 0 || options.contract_id > INT32_MAX) {
    return fail("CONID must be a positive 32-bit contract id, got " +
                std::to_string(options.contract_id));
  }
  if (options.port <= 0 || options.port > 65535) return fail("--port must be in 1..65535");
  if (options.count < 0) return fail("-n must not be negative");

  client::ClientOptions client_options;
  client_options.host = options.host;
  client_options.ports = {static_cast<uint16_t>(options.port)};
  client_options.client_id = options.client_id;
  client_options.connect_timeout =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double>(options.timeout_seconds));
  client_options.probe_interval = std::chrono::seconds(30);

  auto outcome = std::make_shared<Outcome>();
  auto printer = std::make_shared<TickPrinter>(options.contract_id, *type, options.json);
  client::EventLoop loop;
  client::ClientCallbacks callbacks;
  callbacks.on_read_batch_end = [printer, outcome] {
    if (!printer->Flush()) outcome->Finish("");  // reported below through write_failed()
  };
  callbacks.on_disconnected = [outcome](const client::DisconnectEvent& e) {
    outcome->Finish("connection lost (" + std::string(client::DisconnectReasonName(e.reason)) +
                    "): " + e.detail.message());
  };
  callbacks.on_protocol_error = [outcome](const client::ProtocolErrorEvent& e) {
    outcome->Finish("bad data from the gateway: " + e.error.message());
  };
  client::Client ib(loop, SystemClock::Instance(), client_options, std::move(callbacks));
  loop.RunInBackground();

  const int64_t limit = options.count;
  auto on_tick = [printer, outcome, limit, &ib] {
    if (limit > 0 && printer->printed() >= limit) {
      printer->Flush();
      ib.Disconnect();
      outcome->Finish("");
    }
  };
  client::TickHandlers handlers;
  handlers.tick = [printer, limit, on_tick](const Tick& t) {
    if (limit > 0 && printer->printed() >= limit) return;
    printer->Print(t);
    on_tick();
  };
  handlers.error = [outcome](const client::RequestError& e) {
    // Advisory codes (delayed data, partial subscriptions) do not end the stream.
    if (e.code == 10167 || e.code == 10090 || e.code == 10091) {
      std::cerr << "ibstream stream: note: IB " << e.code << ": " << e.text << "\n";
      return;
    }
    outcome->Finish("subscription refused: IB error " + std::to_string(e.code) + ": " + e.text);
  };

  const TickType tick_type = *type;
  const int64_t contract_id = options.contract_id;
  ib.Connect([&ib, outcome, handlers, tick_type, contract_id](const client::ConnectResult& r) {
    if (!r.status.ok()) {
      outcome->Finish(r.status.message());
      return;
    }
    protocol::Contract query;
    query.con_id = static_cast<int32_t>(contract_id);
    ib.RequestContractDetails(query, [&ib, outcome, handlers, tick_type, contract_id](
                                         Result<std::vector<protocol::ContractDetails>> details) {
      if (!details.ok()) {
        std::optional<int32_t> code = client::IbErrorCode(details.status());
        outcome->Finish(code == 200 ? "unknown contract " + std::to_string(contract_id) +
                                          " (IB error 200: no security definition)"
                                    : details.status().message());
        return;
      }
      if (details->empty()) {
        outcome->Finish("unknown contract " + std::to_string(contract_id));
        return;
      }
      const protocol::ContractDetails& d = details->front();
      const std::string note = MarketClosedNote(d.contract.symbol, d.time_zone_id, d.trading_hours,
                                                d.liquid_hours, SystemClock::Instance().Now());
      if (!note.empty()) std::cerr << "ibstream stream: note: " << note << "\n";
      protocol::Contract contract = d.contract;
      contract.con_id = static_cast<int32_t>(contract_id);
      ib.SubscribeTicks(contract, tick_type, handlers);
    });
  });

  {
    std::unique_lock<std::mutex> lock(outcome->mutex);
    outcome->cv.wait(lock, [&] { return outcome->done; });
  }
  loop.Stop();
  loop.Join();
  printer->Flush();
  if (!outcome->error.empty()) return fail(outcome->error);
  if (printer->write_failed()) {
    return fail(std::string("writing to stdout failed: ") + std::strerror(printer->write_errno()));
  }
  return 0;
}

}  // namespace

void AddStreamCommand(CLI::App& app) {
  auto options = std::make_shared<StreamOptions>();
  CLI::App* command = app.add_subcommand("stream", "Print live tick-by-tick data of a contract");
  command->add_option("CONID", options->contract_id, "IB contract id")->required();
  command
      ->add_option("--type,-t", options->type, "BidAsk, Last, AllLast or MidPoint (tick-by-tick)")
      ->capture_default_str();
  command->add_option("-n,--number", options->count, "Stop after N ticks (0: run until stopped)")
      ->capture_default_str();
  command->add_flag("--json,-j", options->json, "One JSON object per tick");
  command->add_option("--host", options->host, "TWS/Gateway host")->capture_default_str();
  command->add_option("--port", options->port, "TWS/Gateway API port")->capture_default_str();
  command->add_option("--client-id", options->client_id, "API client id")->capture_default_str();
  command->add_option("--timeout", options->timeout_seconds, "Connect timeout in seconds")
      ->check(PositiveFinite(86400))
      ->capture_default_str();
  command->callback([options] { SetExitCode(RunStream(*options)); });
}

}  // namespace ibstream::cli
