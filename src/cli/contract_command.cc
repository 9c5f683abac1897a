// `ibstream contract`: look a contract up through the gateway (like the original's
// contract_lookup.py).
//
//   ibstream contract SYMBOL [--sec-type FUT] [--exchange CME] [--currency USD] [--json]
//                     [--host H] [--port P] [--client-id N] [--timeout SECONDS]
//
// Prints the key fields of every matching contract (IB's reqContractDetails), one per line, or a
// JSON array with --json. No match (IB error 200) is a failure with one line on stderr.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/gateway_lookup.h"
#include "cli/option_checks.h"
#include "cli/user_hints.h"
#include "client/client.h"

namespace ibstream::cli {
namespace {

struct ContractOptions {
  std::string symbol;
  std::string sec_type;
  std::string exchange;
  std::string currency;
  bool json = false;
  std::string host = "127.0.0.1";
  int port = 4002;
  int client_id = 3;
  double timeout_seconds = 10;
};

nlohmann::json ToJson(const protocol::ContractDetails& d) {
  const protocol::Contract& c = d.contract;
  return nlohmann::json{
      {"con_id", c.con_id},
      {"symbol", c.symbol},
      {"sec_type", c.sec_type},
      {"last_trade_date_or_contract_month", c.last_trade_date_or_contract_month},
      {"last_trade_time", d.last_trade_time},
      {"exchange", c.exchange},
      {"primary_exchange", c.primary_exchange},
      {"currency", c.currency},
      {"local_symbol", c.local_symbol},
      {"trading_class", c.trading_class},
      {"multiplier", c.multiplier},
      {"strike", c.strike},
      {"right", c.right},
      {"long_name", d.long_name},
      {"market_name", d.market_name},
      {"contract_month", d.contract_month},
      {"min_tick", d.min_tick},
      {"valid_exchanges", d.valid_exchanges},
      {"under_con_id", d.under_con_id},
      {"under_symbol", d.under_symbol},
      {"real_expiration_date", d.real_expiration_date},
      {"time_zone_id", d.time_zone_id},
      {"trading_hours", d.trading_hours},
      {"liquid_hours", d.liquid_hours},
  };
}

std::string Describe(const ContractOptions& o) {
  std::string text = "'" + o.symbol + "'";
  if (!o.sec_type.empty()) text += " " + o.sec_type;
  if (!o.exchange.empty()) text += " on " + o.exchange;
  if (!o.currency.empty()) text += " in " + o.currency;
  return text;
}

int RunContract(const ContractOptions& options) {
  auto fail = [](const std::string& message) {
    std::cerr << "ibstream contract: " << message << "\n";
    if (std::string hint = ConnectRefusedHint(message); !hint.empty()) {
      std::cerr << "ibstream contract: " << hint << "\n";
    }
    return 1;
  };
  if (options.symbol.empty()) return fail("SYMBOL must not be empty");

  protocol::Contract query;
  query.symbol = options.symbol;
  query.sec_type = options.sec_type;
  query.exchange = options.exchange;
  query.currency = options.currency;
  const GatewayTarget gateway{options.host, options.port, options.client_id,
                              options.timeout_seconds};
  const DetailsResult result = LookupContractDetails(gateway, query);

  if (!result.ok()) {
    if (client::IbErrorCode(result.status()) == 200) {
      return fail("no contract found for " + Describe(options) + " (IB error 200)");
    }
    return fail(result.status().message());
  }
  if (result->empty()) return fail("no contract found for " + Describe(options));

  if (options.json) {
    nlohmann::json array = nlohmann::json::array();
    for (const protocol::ContractDetails& d : *result) array.push_back(ToJson(d));
    std::cout << array.dump(2) << "\n";
    return 0;
  }
  std::printf("%-12s %-8s %-8s %-10s %-10s %-8s %-14s %-14s %s\n", "CON_ID", "SYMBOL", "TYPE",
              "EXPIRY", "EXCHANGE", "CURRENCY", "LOCAL_SYMBOL", "TIME_ZONE", "NAME");
  for (const protocol::ContractDetails& d : *result) {
    const protocol::Contract& c = d.contract;
    std::printf("%-12d %-8s %-8s %-10s %-10s %-8s %-14s %-14s %s\n", c.con_id, c.symbol.c_str(),
                c.sec_type.c_str(), c.last_trade_date_or_contract_month.c_str(), c.exchange.c_str(),
                c.currency.c_str(), c.local_symbol.c_str(), d.time_zone_id.c_str(),
                d.long_name.c_str());
  }
  return 0;
}

}  // namespace

void AddContractCommand(CLI::App& app) {
  auto options = std::make_shared<ContractOptions>();
  CLI::App* command =
      app.add_subcommand("contract", "Look up contracts through the gateway (reqContractDetails)");
  command->add_option("SYMBOL", options->symbol, "Symbol, e.g. MNQ")->required();
  command->add_option("--sec-type,-t", options->sec_type, "Security type: STK, FUT, IND, ...");
  command->add_option("--exchange", options->exchange, "Exchange, e.g. CME, SMART");
  command->add_option("--currency", options->currency, "Currency, e.g. USD");
  command->add_flag("--json,-j", options->json, "Print a JSON array");
  command->add_option("--host", options->host, "TWS/Gateway host")->capture_default_str();
  command->add_option("--port", options->port, "TWS/Gateway API port")->capture_default_str();
  command->add_option("--client-id", options->client_id, "API client id")->capture_default_str();
  command->add_option("--timeout", options->timeout_seconds, "Connect timeout in seconds")
      ->check(PositiveFinite(86400))
      ->capture_default_str();
  command->callback([options] { SetExitCode(RunContract(*options)); });
}

}  // namespace ibstream::cli
