#include "notify/email_message.h"

#include <gtest/gtest.h>

#include "notify/test_alerts.h"

namespace ibstream::notify::email_message_test {
namespace {

using testing::GatewayDownAlert;
using testing::kStartSeconds;
using testing::Resolved;
using testing::StaleAlert;

const EmailAddresses kAddresses{"ib@example.com", {"ops@example.com", "oncall@example.com"}};

TEST(EmailMessageTest, SingleAlertGolden) {
  std::string message =
      BuildEmailMessage({StaleAlert()}, kAddresses, FromUnixSeconds(kStartSeconds + 5));
  EXPECT_EQ(message,
            "Date: Mon, 11 Aug 2025 21:00:05 +0000\r\n"
            "From: ib@example.com\r\n"
            "To: ops@example.com, oncall@example.com\r\n"
            "Subject: [FIRING] critical data_stale_during_trading 711280073: MNQ bid_ask: no data "
            "for 312 s while the market is OPEN\r\n"
            "Message-ID: <" +
                message.substr(message.find("Message-ID: <") + 13, 16) +
                ".1754946005000000000@ibstream>\r\n"
                "MIME-Version: 1.0\r\n"
                "Content-Type: text/plain; charset=utf-8\r\n"
                "Content-Transfer-Encoding: 8bit\r\n"
                "Auto-Submitted: auto-generated\r\n"
                "\r\n"
                "Status:    firing\r\n"
                "Rule:      data_stale_during_trading\r\n"
                "Severity:  critical\r\n"
                "Contract:  711280073\r\n"
                "Summary:   MNQ bid_ask: no data for 312 s while the market is OPEN\r\n"
                "Started:   2025-08-11T21:00:00Z\r\n"
                "  market_status = OPEN\r\n"
                "  stream = 711280073/bid_ask\r\n"
                "\r\n"
                "-- \r\n"
                "ibstream alert notification\r\n");
}

TEST(EmailMessageTest, MessageIdsDifferPerAlertAndTime) {
  auto id = [](const std::string& message) {
    size_t start = message.find("Message-ID: <");
    return message.substr(start, message.find('>', start) - start);
  };
  TimePoint now = FromUnixSeconds(kStartSeconds);
  EXPECT_NE(id(BuildEmailMessage({StaleAlert()}, kAddresses, now)),
            id(BuildEmailMessage({GatewayDownAlert()}, kAddresses, now)));
  EXPECT_NE(id(BuildEmailMessage({StaleAlert()}, kAddresses, now)),
            id(BuildEmailMessage({StaleAlert()}, kAddresses, now + std::chrono::seconds(1))));
}

TEST(EmailMessageTest, Subjects) {
  EXPECT_EQ(EmailSubject({Resolved(StaleAlert(), 60)}),
            "[RESOLVED] critical data_stale_during_trading 711280073: MNQ bid_ask: no data for "
            "312 s while the market is OPEN");
  Alert circuit = StaleAlert();
  circuit.rule = "circuit_open";
  EXPECT_EQ(EmailSubject({StaleAlert(), circuit, StaleAlert()}),
            "[FIRING:3] 711280073: data_stale_during_trading, circuit_open");
  EXPECT_EQ(EmailSubject({GatewayDownAlert(), StaleAlert()}),
            "[FIRING:2] gateway_down, data_stale_during_trading");
}

TEST(EmailMessageTest, HeadersCannotBeInjected) {
  Alert alert = GatewayDownAlert();
  alert.summary = "x\r\nBcc: victim@example.com";
  alert.labels = {{"note", "a\r\nb"}};
  std::string message = BuildEmailMessage({alert}, kAddresses, FromUnixSeconds(kStartSeconds));
  EXPECT_EQ(message.find("\r\nBcc:"), std::string::npos);
  EXPECT_NE(message.find("Subject: [FIRING] critical gateway_down: x  Bcc: victim@example.com\r\n"),
            std::string::npos);
  EXPECT_NE(message.find("  note = a  b\r\n"), std::string::npos);
}

TEST(EmailMessageTest, LongAndNonAsciiSubjects) {
  Alert alert = GatewayDownAlert();
  alert.summary = std::string(300, 'x');
  EXPECT_EQ(EmailSubject({alert}).size(), 203u);  // 200 bytes and "..."
  alert.summary = "Zeitzone für MNQ unbekannt";
  std::string message = BuildEmailMessage({alert}, kAddresses, FromUnixSeconds(kStartSeconds));
  // "[FIRING] critical gateway_down: Zeitzone für MNQ unbekannt" as UTF-8 base64 words of at
  // most 45 bytes, folded.
  EXPECT_NE(message.find("Subject: =?UTF-8?B?W0ZJUklOR10gY3JpdGljYWwgZ2F0ZXdheV9kb3duOiBaZWl0em9"
                         "uZSBmw7xy?=\r\n =?UTF-8?B?IE1OUSB1bmJla2FubnQ=?=\r\n"),
            std::string::npos)
      << message;
}

}  // namespace
}  // namespace ibstream::notify::email_message_test
