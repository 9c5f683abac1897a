#include "notify/webhook_payload.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "notify/test_alerts.h"

namespace ibstream::notify::webhook_payload_test {
namespace {

using testing::GatewayDownAlert;
using testing::Resolved;
using testing::StaleAlert;

TEST(WebhookPayloadTest, FiringAlertGolden) {
  WebhookPayloadOptions options;
  options.external_url = "http://127.0.0.1:8851/";
  std::string payload = BuildWebhookPayload({StaleAlert()}, options);
  EXPECT_EQ(payload,
            R"({"version":"4","groupKey":"{}:{contract_id=\"711280073\"}","truncatedAlerts":0,)"
            R"("status":"firing","receiver":"ibstream","groupLabels":{"contract_id":"711280073"},)"
            R"("commonLabels":{"alertname":"data_stale_during_trading","contract_id":"711280073",)"
            R"("market_status":"OPEN","severity":"critical","stream":"711280073/bid_ask"},)"
            R"("commonAnnotations":{"summary":"MNQ bid_ask: no data for 312 s while the market )"
            R"(is OPEN"},"externalURL":"http://127.0.0.1:8851/","alerts":[{"status":"firing",)"
            R"("labels":{"alertname":"data_stale_during_trading","contract_id":"711280073",)"
            R"("market_status":"OPEN","severity":"critical","stream":"711280073/bid_ask"},)"
            R"("annotations":{"summary":"MNQ bid_ask: no data for 312 s while the market is )"
            R"(OPEN"},"startsAt":"2025-08-11T21:00:00Z","endsAt":"0001-01-01T00:00:00Z",)"
            R"("generatorURL":"http://127.0.0.1:8851/","fingerprint":"c672802ae8d36f0f"}]})");
}

TEST(WebhookPayloadTest, ResolvedAlertCarriesItsEnd) {
  nlohmann::json payload =
      nlohmann::json::parse(BuildWebhookPayload({Resolved(StaleAlert(), 420)}, {}));
  EXPECT_EQ(payload["status"], "resolved");
  EXPECT_EQ(payload["alerts"][0]["status"], "resolved");
  EXPECT_EQ(payload["alerts"][0]["startsAt"], "2025-08-11T21:00:00Z");
  EXPECT_EQ(payload["alerts"][0]["endsAt"], "2025-08-11T21:07:00Z");
  // Same labels as when it fired: receivers match the resolution to the firing by fingerprint.
  EXPECT_EQ(payload["alerts"][0]["fingerprint"], "c672802ae8d36f0f");
  EXPECT_EQ(payload["receiver"], "ibstream");
  EXPECT_EQ(payload["externalURL"], "");
}

TEST(WebhookPayloadTest, GroupsShareWhatIsCommon) {
  Alert circuit = StaleAlert();
  circuit.rule = "circuit_open";
  circuit.severity = AlertSeverity::kWarning;
  circuit.summary = "breaker open";
  AlertGroup mixed = {Resolved(StaleAlert(), 60), circuit};
  nlohmann::json payload = nlohmann::json::parse(BuildWebhookPayload(mixed, {}));
  EXPECT_EQ(payload["status"], "firing");  // one of them fires
  EXPECT_EQ(payload["alerts"].size(), 2u);
  EXPECT_EQ(payload["groupLabels"], (nlohmann::json{{"contract_id", "711280073"}}));
  EXPECT_EQ(payload["commonLabels"], (nlohmann::json{{"contract_id", "711280073"},
                                                     {"market_status", "OPEN"},
                                                     {"stream", "711280073/bid_ask"}}));
  EXPECT_EQ(payload["commonAnnotations"], nlohmann::json::object());

  nlohmann::json no_contract =
      nlohmann::json::parse(BuildWebhookPayload({GatewayDownAlert(), StaleAlert()}, {}));
  EXPECT_EQ(no_contract["groupKey"], "{}:{}");
  EXPECT_EQ(no_contract["groupLabels"], nlohmann::json::object());
  EXPECT_EQ(no_contract["commonLabels"], (nlohmann::json{{"severity", "critical"}}));
}

TEST(WebhookPayloadTest, LabelsAndFingerprints) {
  Alert alert = GatewayDownAlert();
  alert.labels = {{"alertname", "spoofed"}, {"severity", "info"}, {"contract_id", "1"}};
  LabelSet labels = AlertLabels(alert);
  EXPECT_EQ(labels, (LabelSet{{"alertname", "gateway_down"}, {"severity", "critical"}}));
  EXPECT_EQ(LabelFingerprint(labels), "73f58f6ac546ee0f");
  EXPECT_NE(LabelFingerprint({{"a", "b"}}), LabelFingerprint({{"a", "c"}}));
  EXPECT_NE(LabelFingerprint({{"ab", "c"}}), LabelFingerprint({{"a", "bc"}}));
  EXPECT_EQ(FormatLabelSet({{"b", "x\"y"}, {"a", "1"}}), R"({a="1", b="x\"y"})");
}

TEST(WebhookPayloadTest, InvalidUtf8NeverThrows) {
  Alert alert = GatewayDownAlert();
  alert.summary = "bad \xff\xfe bytes";
  alert.labels = {{"text", "\xc3"}};
  std::string payload = BuildWebhookPayload({alert}, {});
  nlohmann::json parsed = nlohmann::json::parse(payload);
  EXPECT_EQ(parsed["alerts"][0]["annotations"]["summary"], "bad \xef\xbf\xbd\xef\xbf\xbd bytes");
}

}  // namespace
}  // namespace ibstream::notify::webhook_payload_test
