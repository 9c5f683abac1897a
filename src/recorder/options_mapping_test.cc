#include "recorder/options_mapping.h"

#include <gtest/gtest.h>

namespace ibstream::recorder::options_mapping_test {
namespace {

using namespace std::chrono_literals;

TEST(OptionsMappingTest, ContractReliabilityFieldsCarryOver) {
  config::ContractConfig c;
  c.data_staleness_threshold = 123s;
  c.extended_staleness_threshold = 456s;
  c.first_data_timeout = 7s;
  c.market_break_tolerance = 1h;
  c.circuit_breaker_threshold = 9;
  c.retry_strategy = reliability::RetryStrategy::kConservative;
  c.priority = 2;
  const auto o = ContractOptionsFrom(c);
  EXPECT_EQ(o.data_staleness_threshold, 123s);
  EXPECT_EQ(o.extended_staleness_threshold, 456s);
  EXPECT_EQ(o.first_data_timeout, 7s);
  EXPECT_EQ(o.market_break_tolerance, 1h);
  EXPECT_EQ(o.circuit_breaker_threshold, 9);
  EXPECT_EQ(o.retry_strategy, reliability::RetryStrategy::kConservative);
  EXPECT_EQ(o.priority, 2);
  c.retry_strategy = std::nullopt;  // auto
  EXPECT_FALSE(ContractOptionsFrom(c).retry_strategy.has_value());
}

TEST(OptionsMappingTest, ProcessWideSwitchesAndAlertRules) {
  config::Config c;
  c.reliability.market_aware_retry = false;
  c.reliability.aggressive_retry_during_trading = false;
  c.reliability.gateway_breaker_threshold = 11;
  c.reliability.lost_ib_reconnect_after = 42s;
  c.reliability.pre_open_lead = 90s;
  c.storage.free_space_warning_percent = 7;
  c.alerts.enabled = false;
  c.alerts.rules["gateway_down"].cooldown = 5min;
  c.alerts.rules["gateway_down"].for_duration = 20s;
  c.alerts.rules["frequent_reconnections"].count_threshold = 3;
  c.alerts.rules["gateway_down"].escalate_before_open = 12min;
  const auto o = ReliabilityOptionsFrom(c, 99);
  EXPECT_FALSE(o.retry.market_aware_retry);
  EXPECT_FALSE(o.retry.aggressive_retry_during_trading);
  EXPECT_EQ(o.retry.pre_open_lead, 90s);
  EXPECT_EQ(o.gateway_breaker_threshold, 11);
  EXPECT_EQ(o.lost_ib_reconnect_after, 42s);
  EXPECT_EQ(o.seed, 99u);
  EXPECT_FALSE(o.alerts.enabled);
  EXPECT_EQ(o.alerts.gateway_down.cooldown, 5min);
  EXPECT_EQ(o.alerts.gateway_down.for_duration, 20s);
  EXPECT_EQ(o.alerts.frequent_reconnections_per_hour, 3);
  EXPECT_EQ(o.alerts.gateway_down_escalate_before_open, 12min);
  EXPECT_DOUBLE_EQ(o.alerts.disk_low_free_fraction, 0.07);
}

TEST(OptionsMappingTest, ClientAndStorage) {
  config::Config c;
  c.gateway.host = "10.1.2.3";
  c.gateway.ports = {4001, 4002};
  c.gateway.client_id = 5;
  c.storage.path = "/data";
  c.storage.fsync = storage::FsyncPolicy::kAlways;
  const auto client = ClientOptionsFrom(c);
  EXPECT_EQ(client.host, "10.1.2.3");
  EXPECT_EQ(client.ports, (std::vector<uint16_t>{4001, 4002}));
  EXPECT_EQ(client.client_id, 1005) << "the recorder connects with client_id + 1000";
  const auto store = StoreOptionsFrom(c);
  EXPECT_EQ(store.root, "/data");
  EXPECT_EQ(store.writer.fsync, storage::FsyncPolicy::kAlways);
}

}  // namespace
}  // namespace ibstream::recorder::options_mapping_test
