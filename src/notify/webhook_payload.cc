#include "notify/webhook_payload.h"

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>

namespace ibstream::notify {
namespace {

using Json = nlohmann::ordered_json;

// Invalid UTF-8 (labels may carry text from the gateway) becomes U+FFFD instead of an exception.
std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Alertmanager's "zero" time, sent as endsAt while an alert fires.
constexpr const char* kZeroTime = "0001-01-01T00:00:00Z";

LabelSet Annotations(const Alert& alert) { return {{"summary", alert.summary}}; }

LabelSet Intersect(const LabelSet& a, const LabelSet& b) {
  LabelSet out;
  for (const auto& [name, value] : a) {
    auto it = b.find(name);
    if (it != b.end() && it->second == value) out.emplace(name, value);
  }
  return out;
}

Json ToJson(const LabelSet& labels) {
  Json out = Json::object();
  for (const auto& [name, value] : labels) out[name] = value;
  return out;
}

}  // namespace

LabelSet AlertLabels(const Alert& alert) {
  LabelSet labels(alert.labels.begin(), alert.labels.end());
  labels["alertname"] = alert.rule;
  labels["severity"] = std::string(AlertSeverityName(alert.severity));
  if (alert.contract_id) {
    labels["contract_id"] = std::to_string(*alert.contract_id);
  } else {
    labels.erase("contract_id");
  }
  return labels;
}

std::string LabelFingerprint(const LabelSet& labels) {
  uint64_t hash = 14695981039346656037ULL;
  auto mix = [&hash](std::string_view bytes) {
    for (unsigned char c : bytes) {
      hash ^= c;
      hash *= 1099511628211ULL;
    }
  };
  for (const auto& [name, value] : labels) {
    mix(name);
    mix("\xff");
    mix(value);
    mix("\xff");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, hash >>= 4) out[static_cast<size_t>(i)] = kHex[hash & 0xf];
  return out;
}

std::string FormatLabelSet(const LabelSet& labels) {
  std::string out = "{";
  for (const auto& [name, value] : labels) {
    if (out.size() > 1) out += ", ";
    out += name + "=" + Dump(Json(value));
  }
  return out + "}";
}

std::string BuildWebhookPayload(const AlertGroup& group, const WebhookPayloadOptions& options) {
  bool firing = std::any_of(group.begin(), group.end(),
                            [](const Alert& a) { return a.state == AlertState::kFiring; });
  LabelSet common_labels = AlertLabels(group.front());
  LabelSet common_annotations = Annotations(group.front());
  Json alerts = Json::array();
  for (const Alert& alert : group) {
    LabelSet labels = AlertLabels(alert);
    common_labels = Intersect(common_labels, labels);
    common_annotations = Intersect(common_annotations, Annotations(alert));
    Json entry;
    entry["status"] = std::string(AlertStateName(alert.state));
    entry["labels"] = ToJson(labels);
    entry["annotations"] = ToJson(Annotations(alert));
    entry["startsAt"] = FormatIsoUtc(alert.starts_at);
    entry["endsAt"] = alert.state == AlertState::kResolved && alert.ends_at
                          ? FormatIsoUtc(*alert.ends_at)
                          : std::string(kZeroTime);
    entry["generatorURL"] = options.external_url;
    entry["fingerprint"] = LabelFingerprint(labels);
    alerts.push_back(std::move(entry));
  }
  LabelSet group_labels;
  if (auto it = common_labels.find("contract_id"); it != common_labels.end()) {
    group_labels.insert(*it);
  }
  Json payload;
  payload["version"] = "4";
  payload["groupKey"] = "{}:" + FormatLabelSet(group_labels);
  payload["truncatedAlerts"] = 0;
  payload["status"] = firing ? "firing" : "resolved";
  payload["receiver"] = options.receiver;
  payload["groupLabels"] = ToJson(group_labels);
  payload["commonLabels"] = ToJson(common_labels);
  payload["commonAnnotations"] = ToJson(common_annotations);
  payload["externalURL"] = options.external_url;
  payload["alerts"] = std::move(alerts);
  return Dump(payload);
}

}  // namespace ibstream::notify
