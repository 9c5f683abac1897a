// IB's contract vocabulary as the protocol carries it: Contract (requests and CONTRACT_DATA),
// ContractDetails (CONTRACT_DATA), ContractDescription (SYMBOL_SAMPLES).
//
// Owning value types (std::string): they are decoded rarely and usually kept.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/decimal.h"

namespace ibstream::protocol {

// IB's Contract fields that requests send (and CONTRACT_DATA fills). Defaults are those of an
// empty official Contract: 0, 0.0, false and empty strings.
struct Contract {
  int32_t con_id = 0;
  std::string symbol;
  std::string sec_type;  // STK, FUT, CONTFUT, OPT, FOP, CASH, IND, FUND, BAG, ...
  std::string last_trade_date_or_contract_month;  // "20250919", "202509" or empty
  double strike = 0;
  std::string right;       // "", "C", "P"
  std::string multiplier;  // text, e.g. "2", "100"
  std::string exchange;
  std::string primary_exchange;
  std::string currency;
  std::string local_symbol;
  std::string trading_class;
  bool include_expired = false;
  std::string sec_id_type;  // "ISIN", "CUSIP", ...
  std::string sec_id;
  std::string issuer_id;

  friend bool operator==(const Contract&, const Contract&) = default;
};

// A leg of a BAG (combo) contract in reqMktData.
struct ComboLeg {
  int32_t con_id = 0;
  int32_t ratio = 0;
  std::string action;  // "BUY", "SELL"
  std::string exchange;

  friend bool operator==(const ComboLeg&, const ComboLeg&) = default;
};

// reqMktData's optional delta-neutral underlying.
struct DeltaNeutralContract {
  int32_t con_id = 0;
  double delta = 0;
  double price = 0;

  friend bool operator==(const DeltaNeutralContract&, const DeltaNeutralContract&) = default;
};

struct TagValue {
  std::string tag;
  std::string value;

  friend bool operator==(const TagValue&, const TagValue&) = default;
};

struct IneligibilityReason {
  std::string id;
  std::string description;

  friend bool operator==(const IneligibilityReason&, const IneligibilityReason&) = default;
};

// The 17 fields CONTRACT_DATA carries for secType "FUND" at server version >= 179. Kept as the
// raw text IB sends (the official Python client maps the last two to enums; "" is its NoneItem).
struct FundData {
  std::string fund_name;
  std::string fund_family;
  std::string fund_type;
  std::string fund_front_load;
  std::string fund_back_load;
  std::string fund_back_load_time_interval;
  std::string fund_management_fee;
  bool fund_closed = false;
  bool fund_closed_for_new_investors = false;
  bool fund_closed_for_new_money = false;
  std::string fund_notify_amount;
  std::string fund_minimum_initial_purchase;
  std::string fund_subsequent_minimum_purchase;
  std::string fund_blue_sky_states;
  std::string fund_blue_sky_territories;
  std::string fund_distribution_policy_indicator;
  std::string fund_asset_type;

  friend bool operator==(const FundData&, const FundData&) = default;
};

// One CONTRACT_DATA message (docs/PROTOCOL.md §4.5), every field of server versions 176..187.
struct ContractDetails {
  int32_t req_id = 0;
  // symbol, secType, lastTradeDateOrContractMonth (first token of the composite field), strike,
  // right, exchange, currency, localSymbol, tradingClass, conId, multiplier, primaryExchange.
  Contract contract;
  // Second token of the composite lastTradeDateOrContractMonth field ("08:30"), or empty.
  std::string last_trade_time;
  // Server version >= 182 only; empty below.
  std::string last_trade_date;
  std::string market_name;
  double min_tick = 0;
  std::string order_types;      // comma list
  std::string valid_exchanges;  // comma list
  int32_t price_magnifier = 0;
  int32_t under_con_id = 0;
  std::string long_name;  // \uXXXX escapes already decoded (UTF-8)
  std::string contract_month;
  std::string industry;
  std::string category;
  std::string subcategory;
  std::string time_zone_id;   // IB's zone id, e.g. "US/Central"
  std::string trading_hours;  // raw, see docs/PROTOCOL.md §6
  std::string liquid_hours;
  std::string ev_rule;
  // The official Python client reads an int, the C++ one a double; written as an integer when
  // integral so both accept it.
  double ev_multiplier = 0;
  std::vector<TagValue> sec_id_list;
  int32_t agg_group = 0;
  std::string under_symbol;
  std::string under_sec_type;
  std::string market_rule_ids;  // comma list, one per valid exchange
  std::string real_expiration_date;
  std::string stock_type;
  Decimal min_size;
  Decimal size_increment;
  Decimal suggested_size_increment;
  // Present only for secType "FUND" at server version >= 179; default-valued otherwise.
  FundData fund;
  // Server version >= 186 only.
  std::vector<IneligibilityReason> ineligibility_reasons;

  friend bool operator==(const ContractDetails&, const ContractDetails&) = default;
};

// One item of SYMBOL_SAMPLES.
struct ContractDescription {
  int32_t con_id = 0;
  std::string symbol;
  std::string sec_type;
  std::string primary_exchange;
  std::string currency;
  std::vector<std::string> derivative_sec_types;
  std::string description;
  std::string issuer_id;

  friend bool operator==(const ContractDescription&, const ContractDescription&) = default;
};

}  // namespace ibstream::protocol
