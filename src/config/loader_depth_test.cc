// Market depth in the configuration: gateway.market_depth_limit, contracts[].depth_rows and
// contracts[].smart_depth.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "config/loader_testing.h"
#include "config/tracked_contracts.h"

namespace ibstream::config::loader_depth_test {
namespace {

TEST(LoaderDepthTest, DefaultsRecordNoDepthWithIbsAllowance) {
  LoadResult result = LoadText("[[contracts]]\ncon_id = 1\n");
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_EQ(result.config.gateway.market_depth_limit, 3);
  EXPECT_EQ(result.config.contracts[0].depth_rows, 0);
  EXPECT_FALSE(result.config.contracts[0].smart_depth);
}

TEST(LoaderDepthTest, ContractAsksForDepthRowsAndSmartDepth) {
  LoadResult result = LoadText(
      "[gateway]\nmarket_depth_limit = 5\n"
      "[[contracts]]\ncon_id = 1\ndepth_rows = 10\nsmart_depth = true\n");
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_EQ(result.config.gateway.market_depth_limit, 5);
  EXPECT_EQ(result.config.contracts[0].depth_rows, 10);
  EXPECT_TRUE(result.config.contracts[0].smart_depth);
  EXPECT_EQ(result.Find("contracts[0].depth_rows")->value, "10");
}

TEST(LoaderDepthTest, VariablesSetTheDepthKeys) {
  LoadResult result = LoadText(
      "[[contracts]]\ncon_id = 1\n",
      {{"IBSTREAM_GATEWAY_MARKET_DEPTH_LIMIT", "0"}, {"IBSTREAM_CONTRACTS_0_DEPTH_ROWS", "5"}});
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_EQ(result.config.gateway.market_depth_limit, 0);
  EXPECT_EQ(result.config.contracts[0].depth_rows, 5);
}

TEST(LoaderDepthTest, BadDepthSettingsAreNamedErrors) {
  struct Case {
    const char* toml;
    const char* key;
    const char* problem;
  };
  const Case cases[] = {
      {"[gateway]\nmarket_depth_limit = -1\n", "gateway.market_depth_limit", "out of range"},
      {"[gateway]\nmarket_depth_limit = 1001\n", "gateway.market_depth_limit", "out of range"},
      {"[[contracts]]\ncon_id = 1\ndepth_rows = 51\n", "contracts[0].depth_rows", "out of range"},
      {"[[contracts]]\ncon_id = 1\ndepth_rows = -1\n", "contracts[0].depth_rows", "out of range"},
      {"[[contracts]]\ncon_id = 1\ndepth_rows = \"ten\"\n", "contracts[0].depth_rows",
       "wrong type"},
      {"[[contracts]]\ncon_id = 1\nsmart_depth = true\n", "contracts[0].smart_depth",
       "depth_rows is 0"},
      {"[[contracts]]\ncon_id = 1\ntick_types = [\"bid_ask\", \"depth\"]\n",
       "contracts[0].tick_types", "depth_rows"},
  };
  for (const Case& c : cases) {
    LoadResult result = LoadText(c.toml);
    EXPECT_FALSE(result.ok()) << c.toml;
    const ConfigError* error = FindError(result, c.key);
    ASSERT_NE(error, nullptr) << c.toml << Errors(result);
    EXPECT_NE(error->problem.find(c.problem), std::string::npos)
        << c.toml << ": " << error->problem;
  }
}

TEST(LoaderDepthTest, TrackedContractsVariableRefusesDepthAsATickType) {
  auto parsed = ParseTrackedContracts("1:ES:bid_ask;depth");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("depth_rows"), std::string::npos)
      << parsed.status().ToString();
}

}  // namespace
}  // namespace ibstream::config::loader_depth_test
