// [alerts]: the webhook and e-mail sinks and the alert rules.
#include "config/settings.h"

namespace ibstream::config::internal {

namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

Kind<std::vector<std::string>> EmailListKind() {
  return {"a list of e-mail addresses (a variable: \"a@example.com,b@example.com\")",
          [](const RawValue& raw) -> Result<std::vector<std::string>> {
            Result<std::vector<RawValue>> items = AsList(raw, ",");
            if (!items.ok()) return items.status();
            std::vector<std::string> out;
            for (const RawValue& item : *items) {
              Result<std::string> text = AsString(item);
              if (!text.ok()) return InvalidArgument(Shown(item) + ": " + text.status().message());
              Status valid = ValidateEmailAddress(*text);
              if (!valid.ok()) return InvalidArgument(Quote(*text) + ": " + valid.message());
              out.push_back(*std::move(text));
            }
            return out;
          },
          [](const std::vector<std::string>& list) {
            std::string out = "[";
            for (size_t i = 0; i < list.size(); ++i) out += (i == 0 ? "" : ", ") + Quote(list[i]);
            return out + "]";
          },
          {}};
}

Kind<AlertSeverity> SeverityKind() {
  return EnumKind<AlertSeverity>(
      {AlertSeverity::kInfo, AlertSeverity::kWarning, AlertSeverity::kCritical}, AlertSeverityName);
}

}  // namespace

void AddAlertsSettings(std::vector<Setting<Config>>& s) {
  using C = Config;
  s.push_back(Bind<C>("alerts.enabled", IBSTREAM_FIELD(alerts.enabled), BoolKind())
                  .Original({"IB_STREAM_ENABLE_STREAM_ALERTS"}));
  s.push_back(
      Bind<C>("alerts.webhook_url", IBSTREAM_FIELD(alerts.webhook_url), UrlKind({"http", "https"}))
          .Original({"IB_STREAM_ALERT_WEBHOOK_URL"}));
  s.push_back(Bind<C>("alerts.timeout", IBSTREAM_FIELD(alerts.timeout),
                      DurationKind(seconds(1), minutes(5))));
  s.push_back(Bind<C>("alerts.retries", IBSTREAM_FIELD(alerts.retries), IntKind<int32_t>(0, 20)));
  s.push_back(Bind<C>("alerts.send_resolved", IBSTREAM_FIELD(alerts.send_resolved), BoolKind()));
  s.push_back(Bind<C>("alerts.event_hold", IBSTREAM_FIELD(alerts.event_hold),
                      DurationKind(seconds(1), hours(24))));
  s.push_back(
      Bind<C>("alerts.smtp_url", IBSTREAM_FIELD(alerts.smtp_url), UrlKind({"smtp", "smtps"})));
  s.push_back(Bind<C>("alerts.smtp_from", IBSTREAM_FIELD(alerts.smtp_from), EmailKind()));
  s.push_back(Bind<C>("alerts.smtp_to", IBSTREAM_FIELD(alerts.smtp_to), EmailListKind()));
  s.push_back(Bind<C>("alerts.smtp_username", IBSTREAM_FIELD(alerts.smtp_username),
                      StringKind("any string (empty: no login)", nullptr)));
  s.push_back(Bind<C>("alerts.smtp_password", IBSTREAM_FIELD(alerts.smtp_password),
                      StringKind("any string", nullptr))
                  .Secret());
  const AlertRules default_rules = DefaultAlertRules();
  for (std::string_view rule_name : kAlertRuleNames) {
    std::string rule(rule_name);
    std::string prefix = "alerts.rules." + rule + ".";
    auto field = [rule](auto member) {
      return [ rule, member ](auto& c) -> auto& {
        return c.alerts.rules.find(rule)->second.*member;
      };
    };
    s.push_back(Bind<C>(prefix + "enabled", field(&AlertRuleConfig::enabled), BoolKind()));
    s.push_back(Bind<C>(prefix + "severity", field(&AlertRuleConfig::severity), SeverityKind()));
    s.push_back(Bind<C>(prefix + "cooldown", field(&AlertRuleConfig::cooldown),
                        DurationKind(Duration::zero(), hours(24 * 7))));
    s.push_back(Bind<C>(prefix + "for", field(&AlertRuleConfig::for_duration),
                        DurationKind(Duration::zero(), hours(24))));
    const AlertRuleConfig& defaults = default_rules.find(rule)->second;
    if (defaults.count_threshold) {
      s.push_back(Bind<C>(prefix + "threshold", field(&AlertRuleConfig::count_threshold),
                          IntKind<int64_t>(1, 100000)));
    }
    if (defaults.duration_threshold) {
      s.push_back(Bind<C>(prefix + "threshold", field(&AlertRuleConfig::duration_threshold),
                          DurationKind(milliseconds(1), hours(24))));
    }
    if (defaults.escalate_before_open) {
      s.push_back(Bind<C>(prefix + "escalate_before_open",
                          field(&AlertRuleConfig::escalate_before_open),
                          DurationKind(Duration::zero(), hours(24))));
    }
  }
}

}  // namespace ibstream::config::internal
