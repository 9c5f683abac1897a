// Layers: profiles, the file over the profile, `.env` files under the process environment.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "config/loader_testing.h"
#include "config/values.h"

namespace ibstream::config::loader_layers_test {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TEST(LoaderTest, TheDevelopmentProfileChangesItsDefaults) {
  LoadResult result = LoadText("", {{"IB_STREAM_ENV", "development"}});
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_EQ(result.config.profile, Profile::kDevelopment);
  EXPECT_EQ(result.config.reliability.data_staleness_threshold, seconds(600));
  EXPECT_FALSE(result.config.reliability.aggressive_retry_during_trading);
  EXPECT_EQ(result.config.logging.level, LogLevel::kDebug);
  EXPECT_EQ(result.Find("reliability.data_staleness_threshold")->source.ToString(),
            "profile development");
  EXPECT_EQ(result.Find("profile")->source.ToString(), "env IB_STREAM_ENV");

  LoadResult production = LoadText("");
  ASSERT_TRUE(production.ok());
  EXPECT_EQ(production.config.reliability.data_staleness_threshold, seconds(300));
  EXPECT_TRUE(production.config.reliability.aggressive_retry_during_trading);
  EXPECT_EQ(production.config.logging.level, LogLevel::kInfo);
}

TEST(LoaderTest, TheFileChoosesTheProfileAndTheEnvironmentOverridesIt) {
  LoadResult from_file = LoadText("profile = \"dev\"\n");
  ASSERT_TRUE(from_file.ok()) << Errors(from_file);
  EXPECT_EQ(from_file.config.profile, Profile::kDevelopment);
  EXPECT_EQ(from_file.Find("profile")->source.ToString(), "ibstream.toml:1");

  LoadResult overridden =
      LoadText("profile = \"development\"\n", {{"IB_STREAM_ENV", "production"}});
  ASSERT_TRUE(overridden.ok());
  EXPECT_EQ(overridden.config.profile, Profile::kProduction);
  EXPECT_EQ(overridden.config.reliability.data_staleness_threshold, seconds(300));
}

TEST(LoaderTest, FileValuesOverrideTheProfile) {
  LoadResult result = LoadText("[reliability]\ndata_staleness_threshold = \"7m\"\n",
                               {{"IB_STREAM_ENV", "development"}});
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_EQ(result.config.reliability.data_staleness_threshold, minutes(7));
  const EffectiveValue* value = result.Find("reliability.data_staleness_threshold");
  EXPECT_EQ(value->source.ToString(), "ibstream.toml:2");
  EXPECT_EQ(value->overridden->ToString(), "profile development");
}

TEST(LoaderTest, DotEnvFilesNeverOverrideTheProcessEnvironment) {
  TempDir dir;
  dir.Write("instance.env",
            "# instance settings\n"
            "IB_STREAM_PORTS=4002\n"
            "IB_STREAM_HOST=from-instance\n"
            "IB_STREAM_ENV=development\n");
  dir.Write("development.env",
            "IB_STREAM_HOST=from-development\n"
            "IB_STREAM_CLIENT_ID=900\n"
            "IBSTREAM_STORAGE_PATH=${STORAGE_ROOT:-/tmp}/ticks\n");
  dir.Write("production.env", "IB_STREAM_CLIENT_ID=1\n");
  LoadOptions options;
  options.dotenv_dir = dir.path();
  LoadResult result = LoadText("gateway.client_id = 5\n",
                               {{"IB_STREAM_PORTS", "7497"}, {"STORAGE_ROOT", "/srv"}}, options);
  ASSERT_TRUE(result.ok()) << Errors(result);
  const Config& c = result.config;
  // The process environment beats every .env file.
  EXPECT_EQ(c.gateway.ports, (std::vector<uint16_t>{7497}));
  EXPECT_EQ(result.Find("gateway.ports")->source.ToString(), "env IB_STREAM_PORTS");
  // instance.env is read first and chose the profile, so development.env was read, not
  // production.env; instance.env's value beats development.env's.
  EXPECT_EQ(c.profile, Profile::kDevelopment);
  EXPECT_EQ(c.gateway.host, "from-instance");
  std::string instance = (dir.path() / "instance.env").string();
  std::string development = (dir.path() / "development.env").string();
  EXPECT_EQ(result.Find("gateway.host")->source.ToString(), instance + ":3 IB_STREAM_HOST");
  EXPECT_EQ(result.Find("profile")->source.ToString(), instance + ":4 IB_STREAM_ENV");
  // .env values beat the file.
  EXPECT_EQ(c.gateway.client_id, 900);
  EXPECT_EQ(result.Find("gateway.client_id")->source.ToString(),
            development + ":2 IB_STREAM_CLIENT_ID");
  EXPECT_EQ(result.Find("gateway.client_id")->overridden->ToString(), "ibstream.toml:1");
  // Substitution sees the process environment.
  EXPECT_EQ(c.storage.path, "/srv/ticks");
}

TEST(LoaderTest, DotEnvErrorsAreReported) {
  TempDir dir;
  dir.Write("instance.env", "IB_STREAM_PORTS=4002\nthis is not an assignment\n");
  dir.Write("production.env", "IB_STREAM_CLIENT_ID=x\n");
  LoadOptions options;
  options.dotenv_dir = dir.path();
  LoadResult result = LoadText("", {}, options);
  ASSERT_EQ(result.errors.size(), 2u) << Errors(result);
  std::string instance = (dir.path() / "instance.env").string();
  std::string production = (dir.path() / "production.env").string();
  EXPECT_EQ(result.errors[0].ToString(), instance + ":2: expected NAME=value");
  EXPECT_EQ(result.errors[1].ToString(),
            production +
                ":1 IB_STREAM_CLIENT_ID: gateway.client_id = \"x\": not an integer; "
                "allowed: an integer from 0 to 2147482647");
}

TEST(LoaderTest, MissingDotEnvFilesAreFine) {
  TempDir dir;
  LoadOptions options;
  options.dotenv_dir = dir.path();
  LoadResult result = LoadText("", {}, options);
  EXPECT_TRUE(result.ok()) << Errors(result);
}

}  // namespace
}  // namespace ibstream::config::loader_layers_test
