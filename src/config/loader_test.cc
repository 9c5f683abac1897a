#include "config/loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>

#include "config/values.h"

namespace ibstream::config {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

using Vars = std::map<std::string, std::string, std::less<>>;

LoadResult LoadText(std::string_view toml, Vars vars = {}, LoadOptions options = {}) {
  MapEnv env(std::move(vars));
  return LoadConfigText(toml, "ibstream.toml", env, options);
}

std::string Errors(const LoadResult& result) { return result.status().ToString(); }

const ConfigError* FindError(const LoadResult& result, std::string_view key) {
  for (const ConfigError& error : result.errors) {
    if (error.key == key) return &error;
  }
  return nullptr;
}

std::map<std::string, KeyInfo> KeysByName() {
  std::map<std::string, KeyInfo> keys;
  for (KeyInfo& info : DescribeKeys()) keys[info.key] = info;
  return keys;
}

// The documentation key of a loaded key: "contracts[0].priority" -> "contracts[].priority".
std::string DocKey(const std::string& key) {
  if (key.rfind("contracts[", 0) != 0) return key;
  return "contracts[]" + key.substr(key.find(']') + 1);
}

// A temporary directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("ibstream_config_" + std::string(test->name()) + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path Write(const std::string& name, const std::string& text) const {
    std::filesystem::path file = path_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

 private:
  std::filesystem::path path_;
};

// ---------------------------------------------------------------------------------------------
// Every key: a good value from the file and from its variable, and a bad one.

struct KeyCase {
  KeyCase(std::string key_, std::string toml_, std::string env_, std::string rendered_,
          std::string context_ = "")
      : key(std::move(key_)),
        toml(std::move(toml_)),
        env(std::move(env_)),
        rendered(std::move(rendered_)),
        context(std::move(context_)) {}

  std::string key;
  std::string toml;      // a valid TOML value
  std::string env;       // the same value as variable text
  std::string rendered;  // what `config check` prints
  std::string context;   // further lines the key needs to be valid
};

const char* const kSmtpContext =
    "alerts.smtp_url = \"smtp://mail.example.com:25\"\n"
    "alerts.smtp_from = \"ib@example.com\"\n"
    "alerts.smtp_to = [\"ops@example.com\"]\n";

std::vector<KeyCase> GoodValues() {
  std::vector<KeyCase> cases = {
      {"profile", "\"development\"", "development", "\"development\""},
      {"gateway.host", "\"ib-gateway\"", "ib-gateway", "\"ib-gateway\""},
      {"gateway.ports", "[4002, 4001]", "4002, 4001", "[4002, 4001]"},
      {"gateway.client_id", "7", "7", "7"},
      {"gateway.connect_timeout", "\"2500ms\"", "2500ms", "2s500ms"},
      {"gateway.probe_interval", "30", "30", "30s"},
      {"gateway.probe_deadline", "\"2s\"", "2s", "2s"},
      {"storage.path", "\"/var/lib/ibstream\"", "/var/lib/ibstream", "\"/var/lib/ibstream\""},
      {"storage.fsync", "\"always\"", "ALWAYS", "\"always\""},
      {"storage.batch_interval", "\"200ms\"", "200ms", "200ms"},
      {"storage.retention", "\"365d\"", "365d", "365d"},
      {"storage.free_space_warning", "\"10GiB\"", "10GiB", "10GiB"},
      {"storage.free_space_warning_percent", "0", "0", "0"},
      {"storage.v3_output", "[\"protobuf\", \"JSON\"]", "protobuf, json",
       "[\"json\", \"protobuf\"]"},
      {"storage.v3_path", "\"/srv/ib-stream/storage\"", "/srv/ib-stream/storage",
       "\"/srv/ib-stream/storage\""},
      {"http.listen", "\"0.0.0.0:9000\"", "0.0.0.0:9000", "\"0.0.0.0:9000\""},
      {"http.bearer_token", "\"0123456789abcdef0123\"", "0123456789abcdef0123", "(set)"},
      {"reliability.data_staleness_threshold", "120", "120", "2m"},
      {"reliability.extended_staleness_threshold", "\"20m\"", "1200", "20m"},
      {"reliability.market_break_tolerance", "\"3h\"", "3h", "3h"},
      {"reliability.first_data_timeout", "45", "45s", "45s"},
      {"reliability.circuit_breaker_threshold", "7", "7", "7"},
      {"reliability.gateway_breaker_threshold", "3", "3", "3"},
      {"reliability.recovery_timeout", "\"10m\"", "10m", "10m"},
      {"reliability.lost_ib_reconnect_after", "\"2m\"", "2m", "2m"},
      {"reliability.pre_open_lead", "\"5m\"", "5m", "5m"},
      {"reliability.attempt_timeout", "\"1m\"", "1m", "1m"},
      {"reliability.aggressive_retry_during_trading", "false", "false", "false"},
      {"reliability.market_aware_retry", "false", "no", "false"},
      {"reliability.retry_strategy", "\"conservative\"", "conservative", "\"conservative\""},
      {"alerts.enabled", "false", "0", "false"},
      {"alerts.webhook_url", "\"https://user:pw@hooks.example.com/x\"",
       "https://user:pw@hooks.example.com/x", "\"https://user:***@hooks.example.com/x\""},
      {"alerts.timeout", "\"30s\"", "30s", "30s"},
      {"alerts.retries", "0", "0", "0"},
      {"alerts.send_resolved", "false", "off", "false"},
      {"alerts.event_hold", "\"10m\"", "10m", "10m"},
      {"alerts.smtp_url", "\"smtps://mail.example.com:465\"", "smtps://mail.example.com:465",
       "\"smtps://mail.example.com:465\"", kSmtpContext},
      {"alerts.smtp_from", "\"ib@example.org\"", "ib@example.org", "\"ib@example.org\"",
       kSmtpContext},
      {"alerts.smtp_to", "[\"a@example.com\", \"b@example.com\"]", "a@example.com,b@example.com",
       "[\"a@example.com\", \"b@example.com\"]", kSmtpContext},
      {"alerts.smtp_username", "\"ib\"", "ib", "\"ib\"", kSmtpContext},
      {"alerts.smtp_password", "\"pw\"", "pw", "(set)", kSmtpContext},
      {"alerts.rules.frequent_reconnections.threshold", "20", "20", "20"},
      {"alerts.rules.gap_detected.threshold", "\"5m\"", "5m", "5m"},
      {"alerts.rules.clock_skew.threshold", "\"250ms\"", "250ms", "250ms"},
      {"backfill.enabled", "false", "false", "false"},
      {"backfill.lookback", "\"6h\"", "6h", "6h"},
      {"logging.level", "\"warning\"", "WARN", "\"warn\""},
      {"logging.json", "true", "true", "true"},
  };
  for (std::string_view rule : kAlertRuleNames) {
    std::string prefix = "alerts.rules." + std::string(rule) + ".";
    cases.push_back({prefix + "enabled", "false", "false", "false"});
    cases.push_back({prefix + "severity", "\"info\"", "info", "\"info\""});
    cases.push_back({prefix + "cooldown", "\"5m\"", "5m", "5m"});
    cases.push_back({prefix + "for", "\"2m\"", "2m", "2m"});
  }
  return cases;
}

// Fields of a contract, inside a futures-by-symbol [[contracts]] table.
std::vector<KeyCase> GoodContractValues() {
  return {
      {"con_id", "711280073", "711280073", "711280073"},
      {"symbol", "\"ES\"", "ES", "\"ES\""},
      {"sec_type", "\"FUT\"", "FUT", "\"FUT\""},
      {"exchange", "\"GLOBEX\"", "GLOBEX", "\"GLOBEX\""},
      {"currency", "\"USD\"", "USD", "\"USD\""},
      {"roll_days_before_expiry", "5", "5", "5"},
      {"enabled", "false", "false", "false"},
      {"tick_types", "[\"all_last\", \"MidPoint\"]", "all_last;MidPoint",
       "[\"all_last\", \"mid_point\"]"},
      {"retry_strategy", "\"immediate\"", "immediate", "\"immediate\""},
      {"data_staleness_threshold", "\"1m\"", "60", "1m"},
      {"extended_staleness_threshold", "\"30m\"", "30m", "30m"},
      {"market_break_tolerance", "0", "0", "0s"},
      {"first_data_timeout", "\"10s\"", "10", "10s"},
      {"circuit_breaker_threshold", "3", "3", "3"},
      {"priority", "2", "2", "2"},
      {"custom_trading_hours", "\"Sun-Thu 17:00-16:00\"", "sun-thu 17:00-16:00",
       "\"Sun-Thu 17:00-16:00\""},
      {"timezone_override", "\"America/Chicago\"", "America/Chicago", "\"America/Chicago\""},
      {"buffer_hours", "24", "24", "24"},
  };
}

std::string ContractToml(const std::string& field, const std::string& value) {
  std::string text = "[[contracts]]\n" + field + " = " + value + "\n";
  for (auto [name, literal] : {std::pair<std::string, std::string>{"symbol", "\"MNQ\""},
                               {"sec_type", "\"FUT\""},
                               {"exchange", "\"CME\""}}) {
    if (name != field && field != "con_id") text += name + " = " + literal + "\n";
  }
  return text;
}

// The case's context without a line for the key itself (TOML forbids setting a key twice).
std::string ContextFor(const KeyCase& c) {
  std::string out;
  size_t pos = 0;
  while (pos < c.context.size()) {
    size_t end = c.context.find('\n', pos);
    std::string line = c.context.substr(pos, end - pos + 1);
    if (line.rfind(c.key + " =", 0) != 0) out += line;
    pos = end + 1;
  }
  return out;
}

TEST(LoaderTest, EveryKeyHasACase) {
  std::set<std::string> covered;
  for (const KeyCase& c : GoodValues()) covered.insert(c.key);
  for (const KeyCase& c : GoodContractValues()) covered.insert("contracts[]." + c.key);
  covered.insert("contracts");  // LoaderTest.TrackedContracts*
  std::set<std::string> documented;
  for (const KeyInfo& info : DescribeKeys()) documented.insert(info.key);
  EXPECT_EQ(covered, documented);
}

TEST(LoaderTest, EveryKeyFromTheFile) {
  for (const KeyCase& c : GoodValues()) {
    SCOPED_TRACE(c.key);
    LoadResult result = LoadText(c.key + " = " + c.toml + "\n" + ContextFor(c));
    ASSERT_TRUE(result.ok()) << Errors(result);
    const EffectiveValue* value = result.Find(c.key);
    ASSERT_NE(value, nullptr);
    EXPECT_EQ(value->value, c.rendered);
    EXPECT_EQ(value->source.ToString(), "ibstream.toml:1");
  }
}

TEST(LoaderTest, EveryKeyFromItsVariable) {
  for (const KeyCase& c : GoodValues()) {
    SCOPED_TRACE(c.key);
    std::string name = SystematicEnvName(c.key);
    LoadResult result = LoadText(ContextFor(c), {{name, c.env}});
    ASSERT_TRUE(result.ok()) << Errors(result);
    const EffectiveValue* value = result.Find(c.key);
    ASSERT_NE(value, nullptr);
    EXPECT_EQ(value->value, c.rendered);
    EXPECT_EQ(value->source.ToString(), "env " + name);
  }
}

TEST(LoaderTest, EveryContractKeyFromTheFileAndItsVariable) {
  for (const KeyCase& c : GoodContractValues()) {
    SCOPED_TRACE(c.key);
    std::string key = "contracts[0]." + c.key;
    LoadResult from_file = LoadText(ContractToml(c.key, c.toml));
    ASSERT_TRUE(from_file.ok()) << Errors(from_file);
    ASSERT_NE(from_file.Find(key), nullptr);
    EXPECT_EQ(from_file.Find(key)->value, c.rendered);
    EXPECT_EQ(from_file.Find(key)->source.ToString(), "ibstream.toml:2");

    std::string name = "IBSTREAM_CONTRACTS_0_" + SystematicEnvName(c.key).substr(9);
    EXPECT_EQ(name, SystematicEnvName(key));
    LoadResult from_env = LoadText(ContractToml(c.key, c.toml), {{name, c.env}});
    ASSERT_TRUE(from_env.ok()) << Errors(from_env);
    EXPECT_EQ(from_env.Find(key)->value, c.rendered);
    EXPECT_EQ(from_env.Find(key)->source.ToString(), "env " + name);
    EXPECT_EQ(from_env.Find(key)->overridden->ToString(), "ibstream.toml:2");
  }
}

TEST(LoaderTest, TheOriginalsVariablesWorkAsDocumented) {
  LoadResult result =
      LoadText("", {
                       {"IB_STREAM_HOST", "10.0.0.5"},
                       {"IB_STREAM_PORTS", "4002,4001"},
                       {"IB_STREAM_CLIENT_ID", "851"},
                       {"IB_STREAM_STORAGE_PATH", "/data/storage"},
                       {"IB_STREAM_CONNECTION_TIMEOUT", "10"},
                       {"IB_STREAM_LOG_LEVEL", "INFO"},
                       {"IB_STREAM_DATA_STALENESS_THRESHOLD", "450"},
                       {"IB_STREAM_AGGRESSIVE_RETRY_DURING_TRADING", "false"},
                       {"IB_STREAM_MARKET_AWARE_RETRY", "false"},
                       {"IB_STREAM_ENABLE_STREAM_ALERTS", "false"},
                       {"IB_STREAM_ALERT_WEBHOOK_URL", "https://alerts.example/hook"},
                       {"IB_STREAM_ENV", "development"},
                   });
  ASSERT_TRUE(result.ok()) << Errors(result);
  const Config& c = result.config;
  EXPECT_EQ(c.gateway.host, "10.0.0.5");
  EXPECT_EQ(c.gateway.ports, (std::vector<uint16_t>{4002, 4001}));
  EXPECT_EQ(c.gateway.client_id, 851);
  EXPECT_EQ(c.gateway.RecorderClientId(), 1851);
  EXPECT_EQ(c.storage.path, "/data/storage");
  EXPECT_EQ(c.gateway.connect_timeout, seconds(10));
  EXPECT_EQ(c.logging.level, LogLevel::kInfo);
  EXPECT_EQ(c.reliability.data_staleness_threshold, seconds(450));
  EXPECT_FALSE(c.reliability.aggressive_retry_during_trading);
  EXPECT_FALSE(c.reliability.market_aware_retry);
  EXPECT_FALSE(c.alerts.enabled);
  EXPECT_EQ(c.alerts.webhook_url, "https://alerts.example/hook");
  EXPECT_EQ(c.profile, Profile::kDevelopment);
  EXPECT_EQ(result.Find("gateway.ports")->source.ToString(), "env IB_STREAM_PORTS");
  EXPECT_TRUE(result.warnings.empty());
}

TEST(LoaderTest, V3OutputIsOffByDefaultAndWritesUnderTheStoragePath) {
  LoadResult result = LoadText("[storage]\npath = \"/data\"\n");
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_FALSE(result.config.storage.v3_output.any());
  EXPECT_EQ(result.Find("storage.v3_output")->value, "[]");
  EXPECT_EQ(result.config.storage.V3Path(), "/data");

  result = LoadText(
      "[storage]\npath = \"/data\"\nv3_output = [\"protobuf\"]\n"
      "v3_path = \"/old/storage\"\n");
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_EQ(result.config.storage.v3_output, (V3OutputFormats{false, true}));
  EXPECT_EQ(result.config.storage.V3Path(), "/old/storage");

  result = LoadText("[storage]\nv3_output = [\"json\", \"json\"]\n");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].ToString(),
            "ibstream.toml:2: storage.v3_output = [\"json\", \"json\"]: \"json\" appears twice; "
            "allowed: a list of distinct formats, \"json\" and/or \"protobuf\" (empty: no v3 "
            "output; a variable: \"json,protobuf\")");
  result = LoadText("[storage]\nv3_output = \"json\"\n");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].problem, "wrong type: a string");
  // An empty variable turns it off.
  result = LoadText("[storage]\nv3_output = [\"json\"]\n", {{"IBSTREAM_STORAGE_V3_OUTPUT", ""}});
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_FALSE(result.config.storage.v3_output.any());
}

TEST(LoaderTest, TheOriginalsV3SwitchesAddAndRemoveFormats) {
  LoadResult result = LoadText("", {{"IB_STREAM_ENABLE_V3_JSON", "true"}});
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_EQ(result.config.storage.v3_output, (V3OutputFormats{true, false}));
  EXPECT_EQ(result.Find("storage.v3_output")->source.ToString(), "env IB_STREAM_ENABLE_V3_JSON");
  EXPECT_TRUE(result.warnings.empty());  // read, so no "not read" warning

  // As the original's production setup: both true.
  result = LoadText(
      "", {{"IB_STREAM_ENABLE_V3_JSON", "true"}, {"IB_STREAM_ENABLE_V3_PROTOBUF", "TRUE"}});
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_EQ(result.config.storage.v3_output, (V3OutputFormats{true, true}));

  // Over the file, key by key.
  result = LoadText("storage.v3_output = [\"json\", \"protobuf\"]\n",
                    {{"IB_STREAM_ENABLE_V3_PROTOBUF", "false"}});
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_EQ(result.config.storage.v3_output, (V3OutputFormats{true, false}));
  EXPECT_EQ(result.Find("storage.v3_output")->value, "[\"json\"]");
  EXPECT_EQ(result.Find("storage.v3_output")->overridden->ToString(), "ibstream.toml:1");

  // The systematic name wins, and the switch is reported as not read.
  result = LoadText(
      "", {{"IBSTREAM_STORAGE_V3_OUTPUT", "protobuf"}, {"IB_STREAM_ENABLE_V3_JSON", "true"}});
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_EQ(result.config.storage.v3_output, (V3OutputFormats{false, true}));
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_EQ(result.warnings[0],
            "env IB_STREAM_ENABLE_V3_JSON is not read: env IBSTREAM_STORAGE_V3_OUTPUT sets "
            "storage.v3_output");

  result = LoadText("", {{"IB_STREAM_ENABLE_V3_PROTOBUF", "sometimes"}});
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].ToString(),
            "env IB_STREAM_ENABLE_V3_PROTOBUF: storage.v3_output = \"sometimes\": 'sometimes' is "
            "not a boolean; allowed: true or false (1/0, yes/no, on/off): whether "
            "storage.v3_output includes \"protobuf\"");
  result = LoadText("", {{"IBSTREAM_STORAGE_V3_OUTPUT", "json,csv"}});
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].ToString(),
            "env IBSTREAM_STORAGE_V3_OUTPUT: storage.v3_output = \"json,csv\": \"csv\": unknown "
            "format; allowed: a list of distinct formats, \"json\" and/or \"protobuf\" (empty: "
            "no v3 output; a variable: \"json,protobuf\")");
}

TEST(LoaderTest, TheSystematicNameWinsOverTheOriginalOne) {
  LoadResult result =
      LoadText("gateway.host = \"file\"\n",
               {{"IB_STREAM_HOST", "legacy"}, {"IBSTREAM_GATEWAY_HOST", "systematic"}});
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_EQ(result.config.gateway.host, "systematic");
  EXPECT_EQ(result.Find("gateway.host")->source.ToString(), "env IBSTREAM_GATEWAY_HOST");
  EXPECT_EQ(result.Find("gateway.host")->overridden->ToString(), "ibstream.toml:1");
}

TEST(LoaderTest, DefaultsWithoutAFile) {
  MapEnv env;
  LoadResult result = LoadConfigWithoutFile(env);
  ASSERT_TRUE(result.ok()) << Errors(result);
  Config expected;
  EXPECT_EQ(result.config, expected);
  EXPECT_EQ(result.config.http.listen, (HostPort{"127.0.0.1", 8851}));
  EXPECT_EQ(result.config.gateway.ports, (std::vector<uint16_t>{7497, 7496, 4002, 4001}));
  EXPECT_EQ(result.config.reliability.data_staleness_threshold, seconds(300));
  EXPECT_EQ(result.config.reliability.market_break_tolerance, seconds(7200));
  EXPECT_EQ(result.config.reliability.circuit_breaker_threshold, 5);
  EXPECT_EQ(result.config.reliability.recovery_timeout, seconds(300));
  EXPECT_EQ(result.Find("gateway.host")->source.ToString(), "default");
  EXPECT_EQ(result.Find("gateway.host")->overridden, std::nullopt);
  EXPECT_EQ(result.Find("reliability.data_staleness_threshold")->source.ToString(),
            "profile production");
  EXPECT_EQ(result.Find("http.bearer_token")->value, "(empty)");
  EXPECT_TRUE(result.config.contracts.empty());
}

TEST(LoaderTest, TheDocumentedDefaultsAreTheLoadedOnes) {
  MapEnv env;
  LoadResult result = LoadConfigWithoutFile(env);
  ASSERT_TRUE(result.ok());
  for (const KeyInfo& info : DescribeKeys()) {
    if (info.key.rfind("contracts", 0) == 0) continue;
    const EffectiveValue* value = result.Find(info.key);
    ASSERT_NE(value, nullptr) << info.key;
    if (value->source.kind == Source::Kind::kProfile) {
      EXPECT_NE(info.default_value.find("production " + value->value), std::string::npos)
          << info.key << ": " << info.default_value;
    } else {
      EXPECT_EQ(info.default_value, value->value) << info.key;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Profiles and .env files.

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

// ---------------------------------------------------------------------------------------------
// Contracts.

TEST(LoaderTest, ContractsByConIdAndBySymbol) {
  LoadResult result = LoadText(
      "[reliability]\n"
      "data_staleness_threshold = 240\n"
      "\n"
      "[[contracts]]\n"
      "con_id = 711280073\n"
      "symbol = \"MNQ\"\n"
      "tick_types = [\"bid_ask\", \"last\"]\n"
      "priority = 1\n"
      "buffer_hours = 24\n"
      "\n"
      "[[contracts]]\n"
      "symbol = \"ES\"\n"
      "sec_type = \"FUT\"\n"
      "exchange = \"CME\"\n"
      "currency = \"USD\"\n"
      "roll_days_before_expiry = 8\n"
      "data_staleness_threshold = \"10m\"\n"
      "custom_trading_hours = \"Sun-Thu 17:00-16:00\"\n"
      "timezone_override = \"America/Chicago\"\n");
  ASSERT_TRUE(result.ok()) << Errors(result);
  ASSERT_EQ(result.config.contracts.size(), 2u);
  const ContractConfig& mnq = result.config.contracts[0];
  EXPECT_EQ(mnq.con_id, 711280073);
  EXPECT_EQ(mnq.Describe(), "711280073 (MNQ)");
  EXPECT_EQ(mnq.buffer_hours, 24);
  EXPECT_FALSE(mnq.IsFutureBySymbol());
  EXPECT_EQ(mnq.data_staleness_threshold, seconds(240));  // inherited from [reliability]
  EXPECT_EQ(mnq.retry_strategy, std::nullopt);
  EXPECT_EQ(result.Find("contracts[0].data_staleness_threshold")->source.ToString(),
            "reliability.data_staleness_threshold (ibstream.toml:2)");
  EXPECT_EQ(result.Find("contracts[0].retry_strategy")->source.ToString(),
            "reliability.retry_strategy (default)");
  const ContractConfig& es = result.config.contracts[1];
  EXPECT_FALSE(es.con_id.has_value());
  EXPECT_TRUE(es.IsFutureBySymbol());
  EXPECT_EQ(es.Describe(), "ES FUT CME USD");
  EXPECT_EQ(es.data_staleness_threshold, minutes(10));
  EXPECT_EQ(es.custom_trading_hours.size(), 5u);
  EXPECT_EQ(result.Find("contracts[1].con_id")->value, "(unset)");
  EXPECT_EQ(result.Find("contracts[1].custom_trading_hours")->source.ToString(),
            "ibstream.toml:18");
  EXPECT_EQ(result.Find("contracts[1].custom_trading_hours")->overridden, std::nullopt);
  EXPECT_EQ(result.Find("contracts[1].data_staleness_threshold")->overridden->ToString(),
            "reliability.data_staleness_threshold (ibstream.toml:2)");
}

TEST(LoaderTest, TrackedContractsVariableReplacesTheFileContracts) {
  LoadResult result = LoadText(
      "[reliability]\n"
      "circuit_breaker_threshold = 9\n"
      "[[contracts]]\n"
      "con_id = 1\n",
      {{"IB_STREAM_TRACKED_CONTRACTS", "711280073:MNQ:bid_ask;last:24,495512563:ES"},
       {"IBSTREAM_CONTRACTS_1_PRIORITY", "3"}});
  ASSERT_TRUE(result.ok()) << Errors(result);
  ASSERT_EQ(result.config.contracts.size(), 2u);
  const ContractConfig& mnq = result.config.contracts[0];
  EXPECT_EQ(mnq.con_id, 711280073);
  EXPECT_EQ(mnq.symbol, "MNQ");
  EXPECT_EQ(mnq.tick_types, (std::vector<TickType>{TickType::kBidAsk, TickType::kLast}));
  EXPECT_EQ(mnq.buffer_hours, 24);
  EXPECT_EQ(mnq.circuit_breaker_threshold, 9);
  const ContractConfig& es = result.config.contracts[1];
  EXPECT_EQ(es.con_id, 495512563);
  EXPECT_EQ(es.buffer_hours, 1);
  EXPECT_EQ(es.priority, 3);
  EXPECT_EQ(result.Find("contracts[0].con_id")->source.ToString(),
            "env IB_STREAM_TRACKED_CONTRACTS");
  EXPECT_EQ(result.Find("contracts[1].tick_types")->source.ToString(), "default");
  EXPECT_EQ(result.Find("contracts[1].priority")->source.ToString(),
            "env IBSTREAM_CONTRACTS_1_PRIORITY");
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_EQ(result.warnings[0],
            "env IB_STREAM_TRACKED_CONTRACTS replaces the [[contracts]] of ibstream.toml");
}

TEST(LoaderTest, TrackedContractsErrorsNameTheVariable) {
  LoadResult result =
      LoadText("", {{"IB_STREAM_TRACKED_CONTRACTS", "711280073:MNQ:bid_ask;trades:24"}});
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].ToString(),
            "env IB_STREAM_TRACKED_CONTRACTS: contracts = \"711280073:MNQ:bid_ask;trades:24\": "
            "entry 1 '711280073:MNQ:bid_ask;trades:24': unknown tick type 'trades' (allowed: "
            "bid_ask, last, all_last, mid_point or BidAsk, Last, AllLast, MidPoint); allowed: "
            "conId:symbol[:tickType;tickType...[:bufferHours]] entries separated by ','");
}

TEST(LoaderTest, EmptyTrackedContractsMeansNone) {
  LoadResult result =
      LoadText("[[contracts]]\ncon_id = 1\n", {{"IB_STREAM_TRACKED_CONTRACTS", ""}});
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_TRUE(result.config.contracts.empty());
}

// ---------------------------------------------------------------------------------------------
// Errors: every key with a bad value names the key, the value and what is allowed.

struct BadCase {
  std::string key;
  std::string toml;
  std::string shown;
  std::string problem;
};

std::vector<BadCase> BadValues() {
  std::vector<BadCase> cases = {
      {"profile", "\"staging\"", "\"staging\"", "unknown name"},
      {"gateway.host", "\"ib gateway\"", "\"ib gateway\"", "contains a space"},
      {"gateway.ports", "[\"x\"]", "[\"x\"]", "\"x\": wrong type: a string"},
      {"gateway.client_id", "\"x\"", "\"x\"", "wrong type: a string"},
      {"gateway.connect_timeout", "1.5", "1.5", "wrong type: a float"},
      {"gateway.probe_interval", "\"0s\"", "\"0s\"", "out of range"},
      {"gateway.probe_deadline", "\"fast\"", "\"fast\"", "does not start with a whole number"},
      {"storage.path", "\"\"", "\"\"", "empty"},
      {"storage.fsync", "\"sometimes\"", "\"sometimes\"", "unknown name"},
      {"storage.batch_interval", "\"2m\"", "\"2m\"", "out of range"},
      {"storage.retention", "\"30m\"", "\"30m\"", "out of range"},
      {"storage.free_space_warning", "\"5 gigs\"", "\"5 gigs\"", "unknown unit 'gigs'"},
      {"storage.free_space_warning_percent", "101", "101", "out of range"},
      {"storage.v3_output", "[\"json\", \"xml\"]", "[\"json\", \"xml\"]",
       "\"xml\": unknown format"},
      {"storage.v3_path", "\"  \"", "\"  \"", "only spaces"},
      {"http.listen", "\"localhost\"", "\"localhost\"", "missing ':port'"},
      {"http.bearer_token", "\"short\"", "(hidden)", "too short"},
      {"reliability.data_staleness_threshold", "-5", "-5", "out of range"},
      {"reliability.extended_staleness_threshold", "0", "0", "out of range"},
      {"reliability.market_break_tolerance", "\"8d\"", "\"8d\"", "out of range"},
      {"reliability.first_data_timeout", "\"2h\"", "\"2h\"", "out of range"},
      {"reliability.circuit_breaker_threshold", "0", "0", "out of range"},
      {"reliability.gateway_breaker_threshold", "5.0", "5", "wrong type: a float"},
      {"reliability.recovery_timeout", "true", "true", "wrong type: a boolean"},
      {"reliability.lost_ib_reconnect_after", "\"\"", "\"\"", "empty duration"},
      {"reliability.pre_open_lead", "\"61m\"", "\"61m\"", "out of range"},
      {"reliability.attempt_timeout", "[30]", "[30]", "wrong type: an array"},
      {"reliability.aggressive_retry_during_trading", "\"yes\"", "\"yes\"", "wrong type: a string"},
      {"reliability.market_aware_retry", "1", "1", "wrong type: an integer"},
      {"reliability.retry_strategy", "\"aggressive\"", "\"aggressive\"", "unknown name"},
      {"alerts.enabled", "\"true\"", "\"true\"", "wrong type: a string"},
      {"alerts.webhook_url", "\"ftp://x\"", "\"ftp://x\"", "scheme 'ftp' is not one of"},
      {"alerts.timeout", "\"0s\"", "\"0s\"", "out of range"},
      {"alerts.retries", "21", "21", "out of range"},
      {"alerts.send_resolved", "[]", "[]", "wrong type: an array"},
      {"alerts.event_hold", "\"5min\"", "\"5min\"", "unknown unit 'min'"},
      {"alerts.smtp_url", "\"http://user:pw@mail\"", "\"http://user:***@mail\"", "scheme 'http'"},
      {"alerts.smtp_from", "\"ops\"", "\"ops\"", "not an address"},
      {"alerts.smtp_to", "\"ops@example.com\"", "\"ops@example.com\"", "wrong type: a string"},
      {"alerts.smtp_username", "5", "5", "wrong type: an integer"},
      {"alerts.smtp_password", "5", "(hidden)", "wrong type: an integer"},
      {"alerts.rules.frequent_reconnections.threshold", "0", "0", "out of range"},
      {"alerts.rules.gap_detected.threshold", "\"forever\"", "\"forever\"",
       "does not start with a whole number"},
      {"alerts.rules.clock_skew.threshold", "\"0s\"", "\"0s\"", "out of range"},
      {"backfill.enabled", "\"on\"", "\"on\"", "wrong type: a string"},
      {"backfill.lookback", "\"31d\"", "\"31d\"", "out of range"},
      {"logging.level", "\"loud\"", "\"loud\"", "unknown name"},
      {"logging.json", "\"false\"", "\"false\"", "wrong type: a string"},
  };
  for (std::string_view rule : kAlertRuleNames) {
    std::string prefix = "alerts.rules." + std::string(rule) + ".";
    cases.push_back({prefix + "enabled", "\"no\"", "\"no\"", "wrong type: a string"});
    cases.push_back({prefix + "severity", "\"fatal\"", "\"fatal\"", "unknown name"});
    cases.push_back({prefix + "cooldown", "\"8d\"", "\"8d\"", "out of range"});
    cases.push_back({prefix + "for", "-1", "-1", "out of range"});
  }
  return cases;
}

std::vector<BadCase> BadContractValues() {
  return {
      {"con_id", "0", "0", "out of range"},
      {"symbol", "\"M NQ\"", "\"M NQ\"", "contains a space"},
      {"sec_type", "\"OPT\"", "\"OPT\"", "unknown security type"},
      {"exchange", "\"\"", "\"\"", "empty"},
      {"currency", "\"usd\"", "\"usd\"", "not a code"},
      {"roll_days_before_expiry", "61", "61", "out of range"},
      {"enabled", "\"yes\"", "\"yes\"", "wrong type: a string"},
      {"tick_types", "[\"trades\"]", "[\"trades\"]", "unknown tick type 'trades'"},
      {"retry_strategy", "\"never\"", "\"never\"", "unknown name"},
      {"data_staleness_threshold", "\"0\"", "\"0\"", "out of range"},
      {"extended_staleness_threshold", "\"25h\"", "\"25h\"", "out of range"},
      {"market_break_tolerance", "\"-1h\"", "\"-1h\"", "does not start with a whole number"},
      {"first_data_timeout", "true", "true", "wrong type: a boolean"},
      {"circuit_breaker_threshold", "1001", "1001", "out of range"},
      {"priority", "4", "4", "out of range"},
      {"custom_trading_hours", "\"weekdays\"", "\"weekdays\"", "is not 'DAYS HH:MM-HH:MM'"},
      {"timezone_override", "\"Mars/Olympus\"", "\"Mars/Olympus\"", "not a zone"},
      {"buffer_hours", "0", "0", "out of range"},
  };
}

TEST(LoaderTest, EveryKeyHasABadValueCase) {
  std::set<std::string> covered;
  for (const BadCase& c : BadValues()) covered.insert(c.key);
  for (const BadCase& c : BadContractValues()) covered.insert("contracts[]." + c.key);
  covered.insert("contracts");  // LoaderTest.TrackedContractsErrorsNameTheVariable
  std::set<std::string> documented;
  for (const KeyInfo& info : DescribeKeys()) documented.insert(info.key);
  EXPECT_EQ(covered, documented);
}

TEST(LoaderTest, EveryBadValueNamesKeyValueAndAllowed) {
  std::map<std::string, KeyInfo> keys = KeysByName();
  for (const BadCase& c : BadValues()) {
    SCOPED_TRACE(c.key);
    LoadResult result = LoadText("\n" + c.key + " = " + c.toml + "\n");
    ASSERT_EQ(result.errors.size(), 1u) << Errors(result);
    const ConfigError& error = result.errors[0];
    EXPECT_EQ(error.where, "ibstream.toml:2");
    EXPECT_EQ(error.key, c.key);
    EXPECT_EQ(error.value, c.shown);
    EXPECT_NE(error.problem.find(c.problem), std::string::npos) << error.problem;
    EXPECT_EQ(error.allowed, keys[c.key].allowed);
    EXPECT_FALSE(error.allowed.empty());
    EXPECT_EQ(error.ToString(), "ibstream.toml:2: " + c.key + " = " + c.shown + ": " +
                                    error.problem + "; allowed: " + error.allowed);
  }
}

TEST(LoaderTest, EveryBadContractValueNamesKeyValueAndAllowed) {
  std::map<std::string, KeyInfo> keys = KeysByName();
  for (const BadCase& c : BadContractValues()) {
    SCOPED_TRACE(c.key);
    std::string key = "contracts[0]." + c.key;
    LoadResult result = LoadText(ContractToml(c.key, c.toml));
    ASSERT_FALSE(result.ok());
    const ConfigError* error = FindError(result, key);
    ASSERT_NE(error, nullptr) << Errors(result);
    EXPECT_EQ(error->where, "ibstream.toml:2");
    EXPECT_EQ(error->value, c.shown);
    EXPECT_NE(error->problem.find(c.problem), std::string::npos) << error->problem;
    EXPECT_EQ(error->allowed, keys[DocKey(key)].allowed);
  }
}

TEST(LoaderTest, BadVariablesNameTheVariable) {
  struct Case {
    std::string name;
    std::string value;
    std::string message;
  };
  const Case cases[] = {
      {"IB_STREAM_PORTS", "7497,abc",
       "env IB_STREAM_PORTS: gateway.ports = \"7497,abc\": \"abc\": not an integer; allowed: a "
       "list of 1 to 16 distinct ports, each from 1 to 65535 (a variable: \"7497,4002\")"},
      {"IB_STREAM_PORTS", "7497,7497",
       "env IB_STREAM_PORTS: gateway.ports = \"7497,7497\": port 7497 appears twice; allowed: a "
       "list of 1 to 16 distinct ports, each from 1 to 65535 (a variable: \"7497,4002\")"},
      {"IB_STREAM_CLIENT_ID", "12x",
       "env IB_STREAM_CLIENT_ID: gateway.client_id = \"12x\": not an integer; allowed: an "
       "integer from 0 to 2147482647"},
      {"IB_STREAM_DATA_STALENESS_THRESHOLD", "5 minutes",
       "env IB_STREAM_DATA_STALENESS_THRESHOLD: reliability.data_staleness_threshold = \"5 "
       "minutes\": unknown unit ' minutes' (use ms, s, m, h, d); allowed: a duration from 1s to "
       "1d (integer seconds, or a string such as \"90s\", \"5m\", \"2h\", \"1d\")"},
      {"IB_STREAM_AGGRESSIVE_RETRY_DURING_TRADING", "maybe",
       "env IB_STREAM_AGGRESSIVE_RETRY_DURING_TRADING: "
       "reliability.aggressive_retry_during_trading = \"maybe\": 'maybe' is not a boolean; "
       "allowed: true or false (variables also take 1/0, yes/no, on/off)"},
      {"IB_STREAM_ALERT_WEBHOOK_URL", "hooks.example.com",
       "env IB_STREAM_ALERT_WEBHOOK_URL: alerts.webhook_url = \"hooks.example.com\": not an "
       "absolute URL; allowed: empty (off) or a URL starting with http:// or https://"},
      {"IB_STREAM_ENV", "staging",
       "env IB_STREAM_ENV: profile = \"staging\": unknown name; allowed: one of production, "
       "development"},
      {"IBSTREAM_STORAGE_FSYNC", "sometimes",
       "env IBSTREAM_STORAGE_FSYNC: storage.fsync = \"sometimes\": unknown name; allowed: one of "
       "always, batch, off"},
  };
  for (const Case& c : cases) {
    LoadResult result = LoadText("", {{c.name, c.value}});
    ASSERT_EQ(result.errors.size(), 1u) << c.name << ": " << Errors(result);
    EXPECT_EQ(result.errors[0].ToString(), c.message);
  }
}

TEST(LoaderTest, ReportsEveryErrorAtOnce) {
  LoadResult result = LoadText(
      "[gateway]\n"
      "client_id = \"x\"\n"
      "ports = []\n"
      "[storage]\n"
      "fsync = \"never\"\n");
  ASSERT_EQ(result.errors.size(), 3u);
  EXPECT_EQ(result.errors[0].where, "ibstream.toml:2");
  EXPECT_EQ(result.errors[1].where, "ibstream.toml:3");
  EXPECT_EQ(result.errors[1].problem, "0 ports");
  EXPECT_EQ(result.errors[2].where, "ibstream.toml:5");
  Status status = result.status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(std::count(status.message().begin(), status.message().end(), '\n'), 2);
  EXPECT_TRUE(result.values.empty());
}

TEST(LoaderTest, UnknownKeysAreErrorsWithASuggestion) {
  LoadResult result = LoadText(
      "[gateway]\n"
      "hots = \"x\"\n"
      "[alerts.rules.gateway_down]\n"
      "cooldwn = \"1h\"\n"
      "[alerts.rules.circuit_open]\n"
      "threshold = 3\n"
      "[gatway]\n"
      "host = \"x\"\n"
      "[[contracts]]\n"
      "con_id = 1\n"
      "priorty = 2\n"
      "[tuning]\n");
  ASSERT_EQ(result.errors.size(), 6u) << Errors(result);
  EXPECT_EQ(result.errors[0].ToString(),
            "ibstream.toml:2: gateway.hots = \"x\": unknown key (did you mean gateway.host?); "
            "allowed: keys of [gateway]: host, ports, client_id, connect_timeout, probe_interval, "
            "probe_deadline");
  EXPECT_EQ(result.errors[1].key, "alerts.rules.gateway_down.cooldwn");
  EXPECT_EQ(result.errors[1].problem,
            "unknown key (did you mean alerts.rules.gateway_down.cooldown?)");
  EXPECT_EQ(result.errors[1].allowed,
            "keys of [alerts.rules.gateway_down]: enabled, severity, cooldown, for");
  EXPECT_EQ(result.errors[2].key, "alerts.rules.circuit_open.threshold");
  EXPECT_EQ(result.errors[2].allowed,
            "keys of [alerts.rules.circuit_open]: enabled, severity, cooldown, for");
  EXPECT_EQ(result.errors[3].key, "gatway");
  EXPECT_EQ(result.errors[3].problem, "unknown key (did you mean gateway?)");
  EXPECT_EQ(result.errors[3].allowed,
            "top-level keys: profile, gateway, storage, http, reliability, alerts, backfill, "
            "logging, contracts");
  // Sections first, in file order, then the contracts.
  EXPECT_EQ(result.errors[4].key, "tuning");
  EXPECT_EQ(result.errors[4].problem, "unknown key");
  EXPECT_EQ(result.errors[5].ToString().substr(0, 80),
            "ibstream.toml:11: contracts[0].priorty = 2: unknown key (did you mean priority?)");
}

TEST(LoaderTest, SectionsMustBeTables) {
  LoadResult result = LoadText("gateway = 5\ncontracts = { con_id = 1 }\n");
  ASSERT_EQ(result.errors.size(), 2u) << Errors(result);
  EXPECT_EQ(result.errors[0].ToString(),
            "ibstream.toml:1: gateway = 5: wrong type: an integer; allowed: a table [gateway]");
  EXPECT_EQ(result.errors[1].ToString(),
            "ibstream.toml:2: contracts = {...}: wrong type: a table; allowed: an array of "
            "tables, written [[contracts]]");
}

TEST(LoaderTest, SyntaxErrorsNameLineAndColumn) {
  LoadResult result = LoadText("[gateway]\nhost = \"unterminated\n");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].where.substr(0, 16), "ibstream.toml:2:");
  EXPECT_TRUE(result.errors[0].key.empty());
  EXPECT_FALSE(result.errors[0].problem.empty());
}

TEST(LoaderTest, AMissingFileIsAnError) {
  MapEnv env;
  LoadResult result = LoadConfigFile("/nonexistent/ibstream.toml", env);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].ToString(), "/nonexistent/ibstream.toml: cannot open the file");
}

TEST(LoaderTest, UnknownSystematicVariablesAreErrors) {
  LoadResult result = LoadText("[[contracts]]\ncon_id = 1\n",
                               {{"IBSTREAM_GATEWAY_HOTS", "x"},
                                {"IBSTREAM_CONTRACTS_3_PRIORITY", "2"},
                                {"IBSTREAM_TESTDATA_DIR", "/not/a/config/variable"}});
  ASSERT_EQ(result.errors.size(), 2u) << Errors(result);
  EXPECT_EQ(result.errors[0].ToString(),
            "env IBSTREAM_CONTRACTS_3_PRIORITY: IBSTREAM_CONTRACTS_3_PRIORITY = \"2\": unknown "
            "variable (did you mean IBSTREAM_CONTRACTS_0_PRIORITY?); 1 contract(s) configured; "
            "allowed: IBSTREAM_<SECTION>_<KEY> for a key listed in src/config/README.md");
  EXPECT_EQ(result.errors[1].key, "IBSTREAM_GATEWAY_HOTS");
  EXPECT_EQ(result.errors[1].problem, "unknown variable (did you mean IBSTREAM_GATEWAY_HOST?)");
}

TEST(LoaderTest, UnreadVariablesOfTheOriginalAreWarnings) {
  LoadResult result = LoadText("", {{"IB_STREAM_ENABLE_JSON", "false"},
                                    {"IB_STREAM_PORT", "8851"},
                                    {"IB_PORTS", "4002"},
                                    {"IB_STREAM_HOST", "127.0.0.1"}});
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_EQ(result.warnings,
            (std::vector<std::string>{
                "env IB_PORTS is not read by ibstream: set gateway.ports (IB_STREAM_PORTS)",
                "env IB_STREAM_ENABLE_JSON is a variable of the original that ibstream does not "
                "read (see src/config/README.md)",
                "env IB_STREAM_PORT is not read by ibstream: the HTTP port: set http.listen "
                "(IBSTREAM_HTTP_LISTEN)",
            }));
}

TEST(LoaderTest, CrossKeyChecks) {
  struct Case {
    std::string toml;
    std::vector<std::string> messages;
  };
  const Case cases[] = {
      {"[gateway]\nprobe_interval = 5\nprobe_deadline = 6\n",
       {"ibstream.toml:3: gateway.probe_deadline = 6s: longer than gateway.probe_interval (5s); "
        "allowed: at most gateway.probe_interval"}},
      {"alerts.smtp_url = \"smtp://127.0.0.1:2525\"\n",
       {"ibstream.toml:1: alerts.smtp_from = \"\": required when alerts.smtp_url is set; "
        "allowed: an e-mail address",
        "ibstream.toml:1: alerts.smtp_to = []: required when alerts.smtp_url is set; allowed: a "
        "non-empty list of e-mail addresses"}},
      {"alerts.smtp_to = [\"ops@example.com\"]\n",
       {"ibstream.toml:1: alerts.smtp_to = [\"ops@example.com\"]: set, but alerts.smtp_url is "
        "empty so it would be ignored; allowed: set alerts.smtp_url too, or remove it"}},
      {"\n[[contracts]]\npriority = 2\n",
       {"ibstream.toml:2: contracts[0].symbol = \"\": missing: a contract without con_id is "
        "resolved by symbol; allowed: set con_id, or symbol, sec_type and exchange",
        "ibstream.toml:2: contracts[0].sec_type = \"\": missing: a contract without con_id is "
        "resolved by symbol; allowed: set con_id, or symbol, sec_type and exchange",
        "ibstream.toml:2: contracts[0].exchange = \"\": missing: a contract without con_id is "
        "resolved by symbol; allowed: set con_id, or symbol, sec_type and exchange"}},
      {"[[contracts]]\ncon_id = 5\nroll_days_before_expiry = 3\n",
       {"ibstream.toml:3: contracts[0].roll_days_before_expiry = 3: a con_id pins one expiry, "
        "so it never rolls; allowed: only for futures given by symbol (sec_type = \"FUT\", no "
        "con_id)"}},
      {"[[contracts]]\nsymbol = \"AAPL\"\nsec_type = \"STK\"\nexchange = \"SMART\"\n"
       "roll_days_before_expiry = 3\n",
       {"ibstream.toml:5: contracts[0].roll_days_before_expiry = 3: only futures roll; allowed: "
        "only for futures given by symbol (sec_type = \"FUT\", no con_id)"}},
      {"[[contracts]]\ncon_id = 5\n[[contracts]]\ncon_id = 5\n",
       {"ibstream.toml:4: contracts[1].con_id = 5: the same contract as contracts[0]; allowed: "
        "each contract once"}},
      {"[[contracts]]\nsymbol = \"ES\"\nsec_type = \"FUT\"\nexchange = \"CME\"\n"
       "[[contracts]]\nsymbol = \"ES\"\nsec_type = \"FUT\"\nexchange = \"CME\"\n",
       {"ibstream.toml:6: contracts[1].symbol = \"ES\": the same contract as contracts[0]; "
        "allowed: each contract once"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.toml);
    LoadResult result = LoadText(c.toml);
    std::vector<std::string> messages;
    for (const ConfigError& error : result.errors) messages.push_back(error.ToString());
    EXPECT_EQ(messages, c.messages);
  }
}

TEST(LoaderTest, SecretsNeverAppearInTheOutput) {
  LoadResult result = LoadText(
      "http.bearer_token = \"s3cr3t-t0ken-0123456789\"\n"
      "alerts.webhook_url = \"https://bot:hunter2@hooks.example.com/T0/B0\"\n"
      "alerts.smtp_url = \"smtp://mail:pa55@127.0.0.1:25\"\n"
      "alerts.smtp_from = \"ib@example.com\"\n"
      "alerts.smtp_to = [\"ops@example.com\"]\n"
      "alerts.smtp_password = \"pa55\"\n");
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_EQ(result.config.http.bearer_token, "s3cr3t-t0ken-0123456789");
  for (const EffectiveValue& value : result.values) {
    EXPECT_EQ(value.value.find("s3cr3t"), std::string::npos) << value.key;
    EXPECT_EQ(value.value.find("hunter2"), std::string::npos) << value.key;
    EXPECT_EQ(value.value.find("pa55"), std::string::npos) << value.key;
  }
  EXPECT_EQ(result.Find("alerts.webhook_url")->value,
            "\"https://bot:***@hooks.example.com/T0/B0\"");
}

TEST(LoaderTest, TypedValuesReachTheConfig) {
  LoadResult result = LoadText(
      "[storage]\n"
      "fsync = \"off\"\n"
      "free_space_warning = 1048576\n"
      "[http]\n"
      "listen = \"[::1]:0\"\n"
      "[alerts.rules.frequent_reconnections]\n"
      "threshold = 25\n"
      "severity = \"critical\"\n"
      "[alerts.rules.gateway_down]\n"
      "for = 90\n"
      "enabled = false\n"
      "[alerts.rules.gap_detected]\n"
      "threshold = \"2m\"\n");
  ASSERT_TRUE(result.ok()) << Errors(result);
  const Config& c = result.config;
  EXPECT_EQ(c.storage.fsync, storage::FsyncPolicy::kOff);
  EXPECT_EQ(c.storage.free_space_warning_bytes, 1048576u);
  EXPECT_EQ(c.http.listen, (HostPort{"::1", 0}));
  const AlertRuleConfig& reconnections = c.alerts.rules.at("frequent_reconnections");
  EXPECT_EQ(reconnections.count_threshold, 25);
  EXPECT_EQ(reconnections.severity, AlertSeverity::kCritical);
  EXPECT_EQ(reconnections.cooldown, hours(1));
  const AlertRuleConfig& gateway_down = c.alerts.rules.at("gateway_down");
  EXPECT_EQ(gateway_down.for_duration, seconds(90));
  EXPECT_FALSE(gateway_down.enabled);
  EXPECT_EQ(c.alerts.rules.at("gap_detected").duration_threshold, minutes(2));
  EXPECT_EQ(c.alerts.rules.at("clock_skew").duration_threshold, seconds(1));
  EXPECT_EQ(c.alerts.rules.at("gateway_lost_ib").for_duration, seconds(180));
  EXPECT_EQ(c.alerts.rules.at("data_stale_during_trading").severity, AlertSeverity::kCritical);
  EXPECT_EQ(c.alerts.rules.at("data_stale_during_trading").cooldown, minutes(15));
  EXPECT_EQ(c.alerts.rules.size(), std::size(kAlertRuleNames));
}

TEST(LoaderTest, SystematicEnvNames) {
  EXPECT_EQ(SystematicEnvName("gateway.host"), "IBSTREAM_GATEWAY_HOST");
  EXPECT_EQ(SystematicEnvName("alerts.rules.gateway_down.cooldown"),
            "IBSTREAM_ALERTS_RULES_GATEWAY_DOWN_COOLDOWN");
  EXPECT_EQ(SystematicEnvName("contracts[12].tick_types"), "IBSTREAM_CONTRACTS_12_TICK_TYPES");
  EXPECT_EQ(SystematicEnvName("profile"), "IBSTREAM_PROFILE");
}

}  // namespace
}  // namespace ibstream::config
