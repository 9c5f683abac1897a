// Every key: a good value from the file and from its variable, the original's variables, the
// documented defaults, and typed values reaching the Config.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "config/loader.h"
#include "config/loader_testing.h"
#include "config/values.h"

namespace ibstream::config::loader_keys_test {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

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
      {"gateway.tick_by_tick_limit", "5", "5", "5"},
      {"gateway.tick_by_tick_limit", "0", "0", "0"},
      {"gateway.tick_by_tick_limit", "\"auto\"", "AUTO", "\"auto\""},
      {"gateway.market_data_lines", "300", "300", "300"},
      {"gateway.market_depth_limit", "5", "5", "5"},
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
      {"http.max_connections", "64", "64", "64"},
      {"http.ws_queue_bytes", "65536", "65536", "65536"},
      {"http.ws_max_message_bytes", "4096", "4096", "4096"},
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
      {"alerts.rules.gateway_down.escalate_before_open", "\"10m\"", "10m", "10m"},
      {"backfill.enabled", "false", "false", "false"},
      {"backfill.lookback", "\"6h\"", "6h", "6h"},
      {"logging.level", "\"warning\"", "WARN", "\"warn\""},
      {"logging.json", "true", "true", "true"},
      {"nats.enabled", "true", "true", "true", "nats.recorder_id = \"r1\"\n"},
      {"nats.url", "\"nats://10.0.0.5:4222\"", "nats://10.0.0.5:4222", "\"nats://10.0.0.5:4222\""},
      {"nats.stream", "\"MD\"", "MD", "\"MD\""},
      {"nats.subject_prefix", "\"md.ib\"", "md.ib", "\"md.ib\""},
      {"nats.recorder_id", "\"gw-1\"", "gw-1", "\"gw-1\""},
      {"nats.credentials_file", "\"/etc/n.creds\"", "/etc/n.creds", "\"/etc/n.creds\""},
      {"nats.duplicate_window", "\"10m\"", "10m", "10m"},
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
      {"priority", "1000", "1000", "1000"},
      {"custom_trading_hours", "\"Sun-Thu 17:00-16:00\"", "sun-thu 17:00-16:00",
       "\"Sun-Thu 17:00-16:00\""},
      {"timezone_override", "\"America/Chicago\"", "America/Chicago", "\"America/Chicago\""},
      {"buffer_hours", "24", "24", "24"},
      {"depth_rows", "10", "10", "10"},
      // smart_depth = true needs depth_rows too (loader_depth_test.cc).
      {"smart_depth", "false", "false", "false"},
  };
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

TEST(LoaderTest, GatewayLimitsAndPriority) {
  MapEnv env;
  LoadResult defaults = LoadConfigWithoutFile(env);
  ASSERT_TRUE(defaults.ok()) << Errors(defaults);
  EXPECT_EQ(defaults.config.gateway.tick_by_tick_limit, 3);
  EXPECT_EQ(defaults.config.gateway.market_data_lines, 100);
  EXPECT_EQ(defaults.Find("gateway.tick_by_tick_limit")->value, "3");

  LoadResult result = LoadText(
      "[gateway]\n"
      "tick_by_tick_limit = \"auto\"\n"
      "market_data_lines = 10000\n"
      "[[contracts]]\n"
      "con_id = 1\n"
      "[[contracts]]\n"
      "con_id = 2\n"
      "priority = 100\n"
      "[[contracts]]\n"
      "con_id = 3\n"
      "priority = 99\n");
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_EQ(result.config.gateway.tick_by_tick_limit, std::nullopt);
  EXPECT_EQ(result.Find("gateway.tick_by_tick_limit")->value, "\"auto\"");
  EXPECT_EQ(result.config.gateway.market_data_lines, 10000);
  // Unset is 100: any explicit priority below it comes first, an equal one ties.
  EXPECT_EQ(result.config.contracts[0].priority, 100);
  EXPECT_EQ(result.config.contracts[1].priority, 100);
  EXPECT_EQ(result.config.contracts[2].priority, 99);

  LoadResult from_env = LoadText("", {{"IBSTREAM_GATEWAY_TICK_BY_TICK_LIMIT", "0"}});
  ASSERT_TRUE(from_env.ok()) << Errors(from_env);
  EXPECT_EQ(from_env.config.gateway.tick_by_tick_limit, 0);
}

TEST(LoaderTest, SystematicEnvNames) {
  EXPECT_EQ(SystematicEnvName("gateway.host"), "IBSTREAM_GATEWAY_HOST");
  EXPECT_EQ(SystematicEnvName("alerts.rules.gateway_down.cooldown"),
            "IBSTREAM_ALERTS_RULES_GATEWAY_DOWN_COOLDOWN");
  EXPECT_EQ(SystematicEnvName("contracts[12].tick_types"), "IBSTREAM_CONTRACTS_12_TICK_TYPES");
  EXPECT_EQ(SystematicEnvName("profile"), "IBSTREAM_PROFILE");
}

}  // namespace
}  // namespace ibstream::config::loader_keys_test
