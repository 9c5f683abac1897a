#include "notify/log_sink.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace ibstream::notify {
namespace {

using Json = nlohmann::ordered_json;

bool NeedsQuotes(std::string_view value) {
  if (value.empty()) return true;
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      return true;
    }
  }
  return false;
}

// A logfmt value: bare when safe, else quoted with \" \\ \n escapes.
std::string LogfmtValue(std::string_view value) {
  if (!NeedsQuotes(value)) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

spdlog::level::level_enum LevelOf(const Alert& alert) {
  if (alert.state == AlertState::kResolved) return spdlog::level::info;
  switch (alert.severity) {
    case AlertSeverity::kCritical:
      return spdlog::level::err;
    case AlertSeverity::kWarning:
      return spdlog::level::warn;
    case AlertSeverity::kInfo:
      break;
  }
  return spdlog::level::info;
}

}  // namespace

std::string FormatAlertLogLine(const Alert& alert, bool json) {
  if (json) {
    Json line;
    line["event"] = "alert";
    line["status"] = std::string(AlertStateName(alert.state));
    line["rule"] = alert.rule;
    line["severity"] = std::string(AlertSeverityName(alert.severity));
    if (alert.contract_id) line["contract_id"] = *alert.contract_id;
    line["summary"] = alert.summary;
    line["starts_at"] = FormatIsoUtc(alert.starts_at);
    if (alert.ends_at) line["ends_at"] = FormatIsoUtc(*alert.ends_at);
    Json labels = Json::object();
    for (const auto& [name, value] : alert.labels) labels[name] = value;
    line["labels"] = std::move(labels);
    return line.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
  std::string line = "event=alert status=" + std::string(AlertStateName(alert.state)) +
                     " rule=" + LogfmtValue(alert.rule) +
                     " severity=" + std::string(AlertSeverityName(alert.severity));
  if (alert.contract_id) line += " contract_id=" + std::to_string(*alert.contract_id);
  line += " starts_at=" + FormatIsoUtc(alert.starts_at);
  if (alert.ends_at) line += " ends_at=" + FormatIsoUtc(*alert.ends_at);
  line += " summary=" + LogfmtValue(alert.summary);
  for (const auto& [name, value] : alert.labels) {
    line += " " + LogfmtValue(name) + "=" + LogfmtValue(value);
  }
  return line;
}

LogSink::LogSink(std::shared_ptr<spdlog::logger> logger, LogSinkOptions options)
    : logger_(logger ? std::move(logger) : spdlog::default_logger()), options_(options) {}

void LogSink::Submit(const AlertGroup& group) {
  for (const Alert& alert : group) {
    logger_->log(LevelOf(alert), "{}", FormatAlertLogLine(alert, options_.json));
  }
  delivered_.fetch_add(1, std::memory_order_relaxed);
}

SinkCounters LogSink::counters() const {
  SinkCounters counters;
  counters.delivered = delivered_.load(std::memory_order_relaxed);
  return counters;
}

}  // namespace ibstream::notify
