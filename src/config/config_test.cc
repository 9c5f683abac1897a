#include "config/config.h"

#include <gtest/gtest.h>

#include <optional>
#include <string_view>

namespace ibstream::config::config_test {
namespace {

// The retry_strategy keys render the reliability part's names, and "auto" for no strategy.
TEST(ConfigNamesTest, RetryStrategySettingNames) {
  using reliability::RetryStrategy;
  const struct {
    RetryStrategySetting strategy;
    std::string_view name;
  } cases[] = {
      {RetryStrategy::kImmediate, "immediate"},
      {RetryStrategy::kStandard, "standard"},
      {RetryStrategy::kConservative, "conservative"},
      {RetryStrategy::kMaintenance, "maintenance"},
      {std::nullopt, "auto"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(RetryStrategySettingName(c.strategy), c.name);
    if (c.strategy) {
      Result<RetryStrategy> parsed = reliability::ParseRetryStrategy(c.name);
      ASSERT_TRUE(parsed.ok());
      EXPECT_EQ(*parsed, *c.strategy);
    }
  }
}

// storage.fsync renders the storage part's names, which its parser reads back.
TEST(ConfigNamesTest, FsyncPolicyNames) {
  using storage::FsyncPolicy;
  const struct {
    FsyncPolicy policy;
    std::string_view name;
  } cases[] = {
      {FsyncPolicy::kAlways, "always"},
      {FsyncPolicy::kBatch, "batch"},
      {FsyncPolicy::kOff, "off"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(storage::FsyncPolicyName(c.policy), c.name);
    Result<FsyncPolicy> parsed = storage::ParseFsyncPolicy(c.name);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, c.policy);
  }
  EXPECT_FALSE(storage::ParseFsyncPolicy("sometimes").ok());
}

}  // namespace
}  // namespace ibstream::config::config_test
