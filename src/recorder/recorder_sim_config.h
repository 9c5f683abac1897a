// The recorder configuration the simulator tests use (in-process and in the child process of the
// kill test): MNQ by symbol, BidAsk and Last, against the simulator on `port`.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "config/config.h"

namespace ibstream::recorder {

inline config::Config SimTestConfig(uint16_t port, const std::string& data_dir) {
  using namespace std::chrono_literals;
  config::Config config;
  config.gateway.ports = {port};
  // Virtual durations: generous enough for a loaded 2-core machine at this speed.
  config.gateway.connect_timeout = 600s;
  config.gateway.probe_interval = 600s;
  config.gateway.probe_deadline = 600s;
  config.storage.path = data_dir;
  config::ContractConfig mnq;
  mnq.symbol = "MNQ";
  mnq.sec_type = "FUT";
  mnq.exchange = "CME";
  mnq.currency = "USD";
  mnq.tick_types = {TickType::kBidAsk, TickType::kLast};
  config.contracts = {mnq};
  return config;
}

}  // namespace ibstream::recorder
