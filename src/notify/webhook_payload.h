// The webhook's JSON body, shaped like Alertmanager's webhook payload (version "4") so that
// receivers written for Alertmanager accept it. See README.md for an example.
#pragma once

#include <map>
#include <string>

#include "model/alert.h"
#include "notify/sink.h"

namespace ibstream::notify {

struct WebhookPayloadOptions {
  // "receiver" of the payload.
  std::string receiver = "ibstream";
  // "externalURL" (where the dashboard is) and every alert's "generatorURL"; may be empty.
  std::string external_url;
};

using LabelSet = std::map<std::string, std::string>;

// An alert's labels: `alertname` (the rule), `severity`, `contract_id` when it has one, then the
// alert's own labels (which cannot replace those three).
LabelSet AlertLabels(const Alert& alert);

// 16 hexadecimal digits: FNV-1a (64 bit) over the sorted labels. Stable across runs and versions.
std::string LabelFingerprint(const LabelSet& labels);

// `{name="value", ...}` in name order, values escaped as in Alertmanager's group keys.
std::string FormatLabelSet(const LabelSet& labels);

// The JSON text for one notification (`group` not empty). "status" is "firing" when any alert of
// the group fires, else "resolved"; "groupLabels" is {contract_id} when every alert concerns the
// same contract, else {}; "commonLabels"/"commonAnnotations" are what all alerts share.
std::string BuildWebhookPayload(const AlertGroup& group, const WebhookPayloadOptions& options);

}  // namespace ibstream::notify
