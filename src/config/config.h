// The configuration model: every setting the daemon reads, already validated and resolved.
//
// A Config is a plain value. The loader (loader.h) builds it from defaults, a profile, a TOML file,
// `.env` files and the environment; nothing here reads files or the environment. Durations are
// `Duration` (nanoseconds); every field has the default documented in src/config/README.md.
// Per-contract reliability fields are resolved: a contract that does not set one carries the value
// of the [reliability] section.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "config/nats_config.h"
#include "model/alert.h"
#include "model/tick.h"
#include "reliability/retry_strategy.h"
#include "storage/fsync_policy.h"

namespace ibstream::config {

// Which set of defaults applies (`profile` key, `IB_STREAM_ENV`).
enum class Profile { kProduction, kDevelopment };
std::string_view ProfileName(Profile profile);  // "production", "development"

// A retry strategy key: one of the reliability plan's strategies, or "auto" (nullopt), which lets
// the market status and the kind of failure pick one (reliability::SelectStrategy).
using RetryStrategySetting = std::optional<reliability::RetryStrategy>;
// "immediate", "standard", "conservative", "maintenance", or "auto" for nullopt.
std::string_view RetryStrategySettingName(RetryStrategySetting strategy);

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kCritical, kOff };
std::string_view LogLevelName(LogLevel level);  // "trace" ... "off"

// A listen address: host (an IP or name, IPv6 without brackets) and port.
struct HostPort {
  std::string host;
  uint16_t port = 0;

  friend bool operator==(const HostPort&, const HostPort&) = default;
};
// "127.0.0.1:8851", "[::1]:8851".
std::string ToString(const HostPort& address);

// One weekly recurring trading session: it starts on `weekday` (0 = Sunday ... 6 = Saturday) at
// `start_minute` after local midnight and lasts `length_minutes` (it may run past midnight).
struct WeeklySession {
  int weekday = 0;
  int start_minute = 0;
  int length_minutes = 0;

  friend bool operator==(const WeeklySession&, const WeeklySession&) = default;
};

struct GatewayConfig {
  // TWS / IB Gateway host (the legacy loaders' meaning of IB_STREAM_HOST, never a bind address).
  std::string host = "127.0.0.1";
  // Tried in order on every connection attempt: TWS paper, TWS live, Gateway paper, Gateway live.
  std::vector<uint16_t> ports = {7497, 7496, 4002, 4001};
  // The base client id. The recorder connects with client_id + 1000 (as the original did), tools
  // such as `ibstream stream` with client_id itself. See RecorderClientId().
  int32_t client_id = 851;
  // How long one port may take to complete the handshake (nextValidId).
  Duration connect_timeout = std::chrono::seconds{5};
  // How often a connected session is probed, and how long a probe may take before the connection
  // is declared dead.
  Duration probe_interval = std::chrono::seconds{10};
  Duration probe_deadline = std::chrono::seconds{5};
  // How many tick-by-tick subscriptions the account may run at once (IB answers 10190 past it);
  // streams beyond it are recorded through reqMktData (reliability/stream_plan.h). nullopt is
  // `auto`: no upper bound until IB's answers teach one (reliability::TickByTickAllowance).
  std::optional<int32_t> tick_by_tick_limit = 3;
  // The account's market-data lines: every tick-by-tick subscription and every reqMktData takes
  // one (IB answers 101 past them).
  int32_t market_data_lines = 100;
  // How many market-depth subscriptions (reqMktDepth) the account may run at once (IB's default
  // 3; 309 past it). Contracts asking for depth get them in priority order; depth has no fallback.
  int32_t market_depth_limit = 3;

  int32_t RecorderClientId() const { return client_id + 1000; }

  friend bool operator==(const GatewayConfig&, const GatewayConfig&) = default;
};

// Which of the original's v3 formats the recorder also writes live (storage.v3_output).
struct V3OutputFormats {
  bool json = false;
  bool protobuf = false;

  bool any() const { return json || protobuf; }

  friend bool operator==(const V3OutputFormats&, const V3OutputFormats&) = default;
};

struct StorageConfig {
  std::string path = "storage";
  storage::FsyncPolicy fsync = storage::FsyncPolicy::kBatch;
  // With fsync = batch: the longest time acknowledged data may wait for its fsync.
  Duration batch_interval = std::chrono::seconds{1};
  // Closed hours older than this are deleted; zero keeps everything.
  Duration retention = Duration::zero();
  // Warn (log, metric, disk_low alert) when the file system holding `path` has less free space
  // than this many bytes or this percentage of its size, whichever is reached first.
  uint64_t free_space_warning_bytes = uint64_t{5} << 30;
  int32_t free_space_warning_percent = 5;
  // The original's v3 files, written live besides our own storage (live ticks only): under
  // <V3Path()>/v3/{json,protobuf}/YYYY/MM/DD/HH/. None by default.
  V3OutputFormats v3_output;
  // Empty: `path`.
  std::string v3_path;

  const std::string& V3Path() const { return v3_path.empty() ? path : v3_path; }

  friend bool operator==(const StorageConfig&, const StorageConfig&) = default;
};

struct HttpConfig {
  HostPort listen = {"127.0.0.1", 8851};
  // Required by endpoints that change state; empty: those endpoints are refused.
  std::string bearer_token;
  // Connections open at once; more are answered 503. Below the descriptor limit (LimitNOFILE).
  int32_t max_connections = 256;
  // A WebSocket client's unsent bytes; a client that would exceed them is dropped as too slow.
  int32_t ws_queue_bytes = 1 << 20;
  // The largest message a WebSocket client may send; a larger one ends its connection (1009).
  int32_t ws_max_message_bytes = 64 * 1024;

  friend bool operator==(const HttpConfig&, const HttpConfig&) = default;
};

// Defaults for every tracked contract, and process-wide retry behaviour.
struct ReliabilityConfig {
  // A stream with no data this long in liquid hours is stale. Profile: production 300 s,
  // development 600 s.
  Duration data_staleness_threshold = std::chrono::seconds{300};
  // The same for extended (non-liquid) trading hours, where quiet minutes are normal.
  Duration extended_staleness_threshold = std::chrono::seconds{900};
  // A break lasting longer than this is itself unhealthy.
  Duration market_break_tolerance = std::chrono::hours{2};
  // A stream that delivers nothing this long after a (re)subscription or an opening is silent and
  // gets one verifying resubscribe.
  Duration first_data_timeout = std::chrono::seconds{30};
  // Consecutive failed attempts that open a stream's circuit breaker.
  int32_t circuit_breaker_threshold = 5;
  // Consecutive failed connection attempts that open the gateway's circuit breaker.
  int32_t gateway_breaker_threshold = 5;
  // How long an open breaker stays open before a trial attempt.
  Duration recovery_timeout = std::chrono::seconds{300};
  // A gateway that lost its link to IB (1100) this long while some market trades is reconnected.
  Duration lost_ib_reconnect_after = std::chrono::seconds{300};
  // On weekends and holidays the one attempt is made this long before the next open.
  Duration pre_open_lead = std::chrono::seconds{60};
  // An attempt whose outcome is never reported counts as failed after this long.
  Duration attempt_timeout = std::chrono::seconds{30};
  // Profile: production true, development false. True: stale data in an open market is retried
  // with the `immediate` strategy; false: with `standard`.
  bool aggressive_retry_during_trading = true;
  // False: ignore the calendar and retry every failure with `standard`.
  bool market_aware_retry = true;
  RetryStrategySetting retry_strategy;  // auto

  friend bool operator==(const ReliabilityConfig&, const ReliabilityConfig&) = default;
};

// The alert rules, by the names the reliability part raises them with (reliability/alerts.h).
inline constexpr std::string_view kAlertRuleNames[] = {"data_stale_during_trading",
                                                       "frequent_reconnections",
                                                       "gateway_down",
                                                       "gateway_lost_ib",
                                                       "circuit_open",
                                                       "gap_detected",
                                                       "backfill_failed",
                                                       "storage_error",
                                                       "disk_low",
                                                       "clock_skew",
                                                       "timezone_unknown",
                                                       "permission_denied",
                                                       "competing_session",
                                                       "retries_exhausted"};

struct AlertRuleConfig {
  bool enabled = true;
  AlertSeverity severity = AlertSeverity::kWarning;
  // After a firing, the same alert (same rule and contract) does not fire again for this long.
  Duration cooldown = std::chrono::hours{1};
  // The condition must hold this long before the alert fires (key `for`, as in Prometheus).
  Duration for_duration = Duration::zero();
  // frequent_reconnections: fires when more than this many retries happened in the last hour.
  std::optional<int64_t> count_threshold;
  // gap_detected: the shortest gap that counts; clock_skew: the largest tolerated skew.
  std::optional<Duration> duration_threshold;
  // gateway_down: while every market is closed the alert is a warning; it takes `severity` this
  // long before the next open (key escalate_before_open).
  std::optional<Duration> escalate_before_open;

  friend bool operator==(const AlertRuleConfig&, const AlertRuleConfig&) = default;
};

using AlertRules = std::map<std::string, AlertRuleConfig, std::less<>>;

// The default rule table: every name of kAlertRuleNames, with the reliability plan's severities and
// cooldowns where it has them (data_stale_during_trading critical / 15 min, frequent_reconnections
// warning / 1 h) and the reliability part's defaults for the others.
AlertRules DefaultAlertRules();

struct AlertsConfig {
  bool enabled = true;
  // Alertmanager-style webhook receiver; empty: no webhook.
  std::string webhook_url;
  // Per delivery attempt (webhook and e-mail).
  Duration timeout = std::chrono::seconds{10};
  // Extra attempts after a failed one, with exponential backoff.
  int32_t retries = 3;
  // Whether a resolved alert is delivered too (Alertmanager's send_resolved).
  bool send_resolved = true;
  // smtp:// or smtps:// server; empty: no e-mail. With it, smtp_from and smtp_to are required.
  std::string smtp_url;
  std::string smtp_from;
  std::vector<std::string> smtp_to;
  std::string smtp_username;
  std::string smtp_password;
  // Conditions raised as one-off events (a gap, a failed backfill, a storage error) resolve this
  // long after their last occurrence.
  Duration event_hold = std::chrono::minutes{5};
  // Every name of kAlertRuleNames is present, and no other.
  AlertRules rules = DefaultAlertRules();

  friend bool operator==(const AlertsConfig&, const AlertsConfig&) = default;
};

struct BackfillConfig {
  bool enabled = true;
  // How far back gaps are filled from IB's history (at startup and after an outage).
  Duration lookback = std::chrono::hours{24};

  friend bool operator==(const BackfillConfig&, const BackfillConfig&) = default;
};

struct LoggingConfig {
  // Profile: production info, development debug.
  LogLevel level = LogLevel::kInfo;
  bool json = false;

  friend bool operator==(const LoggingConfig&, const LoggingConfig&) = default;
};

// One tracked contract: either pinned by `con_id`, or described by symbol/sec_type/exchange/
// currency and resolved by the recorder (futures: the front month, rolled
// `roll_days_before_expiry` days before it expires).
struct ContractConfig {
  std::optional<int64_t> con_id;
  // With con_id: a label only. Without: the IB symbol to resolve.
  std::string symbol;
  std::string sec_type;
  std::string exchange;
  std::string currency;
  // Futures resolved by symbol only.
  int32_t roll_days_before_expiry = 8;
  bool enabled = true;
  std::vector<TickType> tick_types = {TickType::kBidAsk, TickType::kLast};
  RetryStrategySetting retry_strategy;  // auto
  Duration data_staleness_threshold = std::chrono::seconds{300};
  Duration extended_staleness_threshold = std::chrono::seconds{900};
  Duration market_break_tolerance = std::chrono::hours{2};
  Duration first_data_timeout = std::chrono::seconds{30};
  int32_t circuit_breaker_threshold = 5;
  // Who gets the tick-by-tick allowance and the market-data lines first: 1 first. The default
  // (100) comes after any explicit priority; ties keep configuration order. (The original's
  // 1 critical, 2 important, 3 optional still read the same way.) Also an alert label.
  int32_t priority = 100;
  // Replaces IB's trading hours when set (both trading and liquid).
  std::vector<WeeklySession> custom_trading_hours;
  // IANA zone for custom_trading_hours and IB's hours; empty: IB's timeZoneId.
  std::string timezone_override;
  // How many hours of recent data the buffer endpoints serve for this contract.
  int32_t buffer_hours = 1;
  // Market depth (the stream kind `depth`): the rows per side to ask IB for; 0 records no depth.
  int32_t depth_rows = 0;
  // Smart depth: IB's book aggregated across exchanges (UPDATE_MKT_DEPTH_L2 with each row's
  // exchange); false: the contract's exchange only. Only with depth_rows > 0.
  bool smart_depth = false;

  bool IsFutureBySymbol() const { return !con_id && sec_type == "FUT"; }
  // "711280073 (MNQ)" or "MNQ FUT CME USD".
  std::string Describe() const;

  friend bool operator==(const ContractConfig&, const ContractConfig&) = default;
};

struct Config {
  Profile profile = Profile::kProduction;
  GatewayConfig gateway;
  StorageConfig storage;
  HttpConfig http;
  ReliabilityConfig reliability;
  AlertsConfig alerts;
  BackfillConfig backfill;
  LoggingConfig logging;
  NatsConfig nats;
  std::vector<ContractConfig> contracts;

  friend bool operator==(const Config&, const Config&) = default;
};

}  // namespace ibstream::config
