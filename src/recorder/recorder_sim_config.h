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
  // A stream that delivers nothing this long after its request gets a verifying resubscribe, and
  // the time since its ask becomes a gap. The default 30 s is 150 ms of wall time at 200x, which
  // a loaded machine running the sanitized tests two at a time can take to deliver a new stream's
  // first tick (recorder_resume_test.cc met it); a test expecting no gap then finds one. Tests of
  // silent streams set a staleness threshold below this.
  config.reliability.first_data_timeout = 150s;
  config.storage.path = data_dir;
  config::ContractConfig mnq;
  mnq.symbol = "MNQ";
  mnq.sec_type = "FUT";
  mnq.exchange = "CME";
  mnq.currency = "USD";
  mnq.tick_types = {TickType::kBidAsk, TickType::kLast};
  mnq.first_data_timeout = config.reliability.first_data_timeout;
  config.contracts = {mnq};
  return config;
}

}  // namespace ibstream::recorder
