// Errors: every key with a bad value names the key, the value and what is allowed; unknown keys
// and variables, syntax errors, cross-key checks, secrets.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "config/loader.h"
#include "config/loader_testing.h"
#include "config/values.h"

namespace ibstream::config::loader_errors_test {
namespace {

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
      {"gateway.tick_by_tick_limit", "1001", "1001", "out of range"},
      {"gateway.market_data_lines", "0", "0", "out of range"},
      {"gateway.market_depth_limit", "-1", "-1", "out of range"},
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
      {"http.max_connections", "0", "0", "out of range"},
      {"http.max_connections", "100000", "100000", "out of range"},
      {"http.ws_queue_bytes", "1024", "1024", "out of range"},
      {"http.ws_queue_bytes", "\"1MiB\"", "\"1MiB\"", "wrong type: a string"},
      {"http.ws_max_message_bytes", "0", "0", "out of range"},
      {"http.ws_max_message_bytes", "20000000", "20000000", "out of range"},
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
      {"alerts.rules.gateway_down.escalate_before_open", "\"2d\"", "\"2d\"", "out of range"},
      {"backfill.enabled", "\"on\"", "\"on\"", "wrong type: a string"},
      {"backfill.lookback", "\"31d\"", "\"31d\"", "out of range"},
      {"logging.level", "\"loud\"", "\"loud\"", "unknown name"},
      {"logging.json", "\"false\"", "\"false\"", "wrong type: a string"},
      {"nats.enabled", "\"yes\"", "\"yes\"", "wrong type: a string"},
      {"nats.url", "\"http://x\"", "\"http://x\"", "scheme 'http' is not one of"},
      {"nats.stream", "\"ib.stream\"", "\"ib.stream\"", "character '.' not allowed"},
      {"nats.subject_prefix", "\"md.>\"", "\"md.>\"", "character '>' not allowed"},
      {"nats.recorder_id", "\"rec a\"", "\"rec a\"", "character ' ' not allowed"},
      {"nats.credentials_file", "5", "5", "wrong type: an integer"},
      {"nats.duplicate_window", "\"2d\"", "\"2d\"", "out of range"},
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
      {"priority", "1001", "1001", "out of range"},
      {"custom_trading_hours", "\"weekdays\"", "\"weekdays\"", "is not 'DAYS HH:MM-HH:MM'"},
      {"timezone_override", "\"Mars/Olympus\"", "\"Mars/Olympus\"", "not a zone"},
      {"buffer_hours", "0", "0", "out of range"},
      {"depth_rows", "51", "51", "out of range"},
      {"smart_depth", "\"no\"", "\"no\"", "wrong type: a string"},
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

TEST(LoaderTest, GatewayLimitsNameTheKeyAndTheAllowedRange) {
  const std::string limit_allowed =
      "allowed: an integer from 0 to 1000, or \"auto\" (no limit until IB refuses one: 10190)";
  const std::pair<std::string, std::string> cases[] = {
      {"[gateway]\ntick_by_tick_limit = -1\n",
       "ibstream.toml:2: gateway.tick_by_tick_limit = -1: out of range; " + limit_allowed},
      {"[gateway]\ntick_by_tick_limit = \"many\"\n",
       "ibstream.toml:2: gateway.tick_by_tick_limit = \"many\": neither an integer nor \"auto\"; " +
           limit_allowed},
      {"[gateway]\ntick_by_tick_limit = 2.5\n",
       "ibstream.toml:2: gateway.tick_by_tick_limit = 2.5: wrong type: a float; " + limit_allowed},
      {"[gateway]\nmarket_data_lines = 10001\n",
       "ibstream.toml:2: gateway.market_data_lines = 10001: out of range; allowed: an integer from "
       "1 to 10000"},
      {"[[contracts]]\ncon_id = 1\npriority = 0\n",
       "ibstream.toml:3: contracts[0].priority = 0: out of range; allowed: an integer from 1 to "
       "1000"},
  };
  for (const auto& [text, message] : cases) {
    LoadResult result = LoadText(text);
    ASSERT_EQ(result.errors.size(), 1u) << text << Errors(result);
    EXPECT_EQ(result.errors[0].ToString(), message);
  }
  LoadResult env = LoadText("", {{"IBSTREAM_GATEWAY_TICK_BY_TICK_LIMIT", "lots"}});
  ASSERT_EQ(env.errors.size(), 1u) << Errors(env);
  EXPECT_EQ(
      env.errors[0].ToString(),
      "env IBSTREAM_GATEWAY_TICK_BY_TICK_LIMIT: gateway.tick_by_tick_limit = \"lots\": not an "
      "integer; " +
          limit_allowed);
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
            "probe_deadline, tick_by_tick_limit, market_data_lines, market_depth_limit");
  EXPECT_EQ(result.errors[1].key, "alerts.rules.gateway_down.cooldwn");
  EXPECT_EQ(result.errors[1].problem,
            "unknown key (did you mean alerts.rules.gateway_down.cooldown?)");
  EXPECT_EQ(result.errors[1].allowed,
            "keys of [alerts.rules.gateway_down]: enabled, severity, cooldown, for, "
            "escalate_before_open");
  EXPECT_EQ(result.errors[2].key, "alerts.rules.circuit_open.threshold");
  EXPECT_EQ(result.errors[2].allowed,
            "keys of [alerts.rules.circuit_open]: enabled, severity, cooldown, for");
  EXPECT_EQ(result.errors[3].key, "gatway");
  EXPECT_EQ(result.errors[3].problem, "unknown key (did you mean gateway?)");
  EXPECT_EQ(result.errors[3].allowed,
            "top-level keys: profile, gateway, storage, http, reliability, alerts, backfill, "
            "logging, nats, contracts");
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

}  // namespace
}  // namespace ibstream::config::loader_errors_test
