// The simulator's contracts: IB contract details, a session model and a tick profile each.
//
// The built-in catalog (Catalog::BuiltIn) holds MNQ and ES (CME, front and next quarterly month),
// AAPL (SMART/NASDAQ), EUR.USD (IDEALPRO) and FESX (Eurex, zone MET, front and next month).
// Futures months are derived from the simulator's start time, so the front month is the one a
// real gateway would list then. A scenario file can add contracts (scenario.h).
//
// Immutable once built; const methods are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/decimal.h"
#include "common/status.h"
#include "protocol/contract.h"
#include "sim/session_model.h"

namespace ibstream::sim {

// How a contract's ticks are generated (tick_generator.h). Rates are means per second.
struct TickProfile {
  double base_price = 100;
  // Typical relative move over a day (the amplitude of the price noise), e.g. 0.01 = 1 %.
  double daily_volatility = 0.01;
  double quotes_per_second_liquid = 20;
  double quotes_per_second_extended = 4;
  double trades_per_second_liquid = 5;
  double trades_per_second_extended = 1;
  // Chance that a given minute is a burst, and the rate multiplier inside one.
  double burst_probability = 0.05;
  double burst_multiplier = 5;
  // Sizes are size_min..size_max units of 10^-size_scale (size_scale 0: whole contracts).
  int size_scale = 0;
  int64_t size_min = 1;
  int64_t size_max = 20;
  // The exchange named in Last/AllLast ticks.
  std::string trade_exchange;
  // Share of trades with special conditions: AllLast only (marked unreported), not in Last.
  double unreported_fraction = 0.05;
};

struct SimContract {
  // The CONTRACT_DATA sent for this contract (req_id 0; the hours strings are filled per request).
  protocol::ContractDetails details;
  // The market-data farm serving it (farm faults stop its data): "usfarm", "usfuture", ...
  std::string farm;
  std::shared_ptr<const SessionModel> sessions;
  TickProfile profile;
  // The minimum tick as a fraction tick_numerator / tick_denominator ("0.25" -> 25/100), so that
  // prices are computed as ticks * numerator / denominator and print exactly.
  int64_t tick_numerator = 1;
  int64_t tick_denominator = 1;
  // Replay: the hours strings as recorded, sent in CONTRACT_DATA instead of the session model's
  // (which then only paces the replayed events).
  std::optional<calendar::ContractHours> recorded_hours;

  int32_t con_id() const { return details.contract.con_id; }
  const std::string& symbol() const { return details.contract.symbol; }
  // The price of `ticks` minimum ticks.
  double PriceOfTicks(int64_t ticks) const {
    return static_cast<double>(ticks * tick_numerator) / static_cast<double>(tick_denominator);
  }
};

// Builds a contract, checking the profile and splitting `min_tick` (decimal text) into a
// fraction. Errors name the field.
Result<SimContract> MakeContract(protocol::ContractDetails details, std::string farm,
                                 SessionSpec sessions, TickProfile profile);

class Catalog {
 public:
  Catalog() = default;

  // The built-in contracts as of `now` (futures months relative to `now`).
  static Result<Catalog> BuiltIn(TimePoint now);

  // Adds a contract; AlreadyExists-like InvalidArgument when the conId is taken.
  [[nodiscard]] Status Add(SimContract contract);

  const std::vector<std::shared_ptr<const SimContract>>& contracts() const { return contracts_; }
  const SimContract* FindByConId(int32_t con_id) const;

  // reqContractDetails / reqMktData / reqTickByTickData matching: by conId when non-zero, else by
  // symbol (case-insensitive) and any of secType, exchange (or one of the valid exchanges),
  // currency, lastTradeDateOrContractMonth (yyyymm or yyyymmdd) and localSymbol that are given.
  // secType CONTFUT selects the front month (earliest last trade date not before `now`'s date).
  std::vector<const SimContract*> Match(const protocol::Contract& query, TimePoint now) const;
  // reqMatchingSymbols: contracts whose symbol starts with `pattern` or whose long name contains
  // it (case-insensitive), one per symbol and secType, at most 16.
  std::vector<protocol::ContractDescription> MatchingSymbols(std::string_view pattern) const;

 private:
  std::vector<std::shared_ptr<const SimContract>> contracts_;
};

// Quarterly futures months (Mar, Jun, Sep, Dec) whose third Friday is on or after `today`:
// the first `count`, as (yyyymm, third Friday yyyymmdd).
struct FuturesMonth {
  int yyyymm = 0;
  std::string last_trade_date;      // yyyymmdd
  std::string local_symbol_suffix;  // "U5"
};
// The shortest decimal text of a minimum tick ("0.25", "0.00005"), at most 10 decimals.
std::string FormatTick(double min_tick);

std::vector<FuturesMonth> QuarterlyMonths(calendar::LocalDays today, int count);

}  // namespace ibstream::sim
