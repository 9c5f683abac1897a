// The e-mail sink against a loopback SMTP receiver written in the test (test_servers.h).
#include "notify/email_sink.h"

#include <gtest/gtest.h>

#include "notify/test_alerts.h"
#include "notify/test_servers.h"

namespace ibstream::notify::email_sink_test {
namespace {

using std::chrono::milliseconds;
using testing::kStartSeconds;
using testing::Resolved;
using testing::SmtpMessage;
using testing::SmtpTestServer;
using testing::StaleAlert;

constexpr milliseconds kDeadline(10'000);

EmailOptions Options(const std::string& url, int retries = 2) {
  EmailOptions options;
  options.smtp_url = url;
  options.addresses = {"ib@example.com", {"ops@example.com", "oncall@example.com"}};
  options.timeout = std::chrono::seconds(5);
  options.delivery.retries = retries;
  options.delivery.initial_backoff = milliseconds(1);
  options.delivery.max_backoff = milliseconds(4);
  return options;
}

TEST(EmailSinkTest, SendsAPlainTextMessage) {
  SmtpTestServer server;
  ManualClock clock(FromUnixSeconds(kStartSeconds + 5));
  EmailSink sink(Options(server.Url()), clock);
  sink.Submit({StaleAlert()});
  ASSERT_TRUE(sink.WaitIdle(kDeadline));
  ASSERT_EQ(server.messages().size(), 1u);
  const SmtpMessage message = server.messages()[0];
  EXPECT_EQ(message.mail_from, "<ib@example.com>");
  EXPECT_EQ(message.rcpt_to,
            (std::vector<std::string>{"<ops@example.com>", "<oncall@example.com>"}));
  // Exactly the message the sink built, as the server received it.
  EXPECT_EQ(message.data, BuildEmailMessage({StaleAlert()}, Options("").addresses, clock.Now()));
  EXPECT_NE(message.data.find("Subject: [FIRING] critical data_stale_during_trading 711280073"),
            std::string::npos);
  EXPECT_NE(message.data.find("Date: Mon, 11 Aug 2025 21:00:05 +0000\r\n"), std::string::npos);
  EXPECT_NE(message.data.find("\r\n\r\nStatus:    firing\r\n"), std::string::npos);
  EXPECT_EQ(sink.counters(),
            (SinkCounters{.delivered = 1, .failed = 0, .dropped = 0, .retries = 0}));
}

TEST(EmailSinkTest, SendsTheResolution) {
  SmtpTestServer server;
  EmailSink sink(Options(server.Url()), SystemClock::Instance());
  sink.Submit({StaleAlert()});
  sink.Submit({Resolved(StaleAlert(), 420)});
  ASSERT_TRUE(sink.WaitIdle(kDeadline));
  std::vector<SmtpMessage> messages = server.messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_NE(messages[1].data.find("Subject: [RESOLVED] critical data_stale_during_trading"),
            std::string::npos);
  EXPECT_NE(messages[1].data.find("Ended:     2025-08-11T21:07:00Z\r\n"), std::string::npos);
}

TEST(EmailSinkTest, ARefusedRecipientIsNotRetried) {
  SmtpTestServer server(/*rcpt_reply=*/550);
  EmailSink sink(Options(server.Url()), SystemClock::Instance());
  sink.Submit({StaleAlert()});
  ASSERT_TRUE(sink.WaitIdle(kDeadline));
  ASSERT_TRUE(server.WaitForSessions(1, kDeadline));
  EXPECT_EQ(server.messages().size(), 0u);
  EXPECT_EQ(server.sessions(), 1u);
  EXPECT_EQ(sink.counters(),
            (SinkCounters{.delivered = 0, .failed = 1, .dropped = 0, .retries = 0}));
}

TEST(EmailSinkTest, ATemporaryRefusalIsRetried) {
  SmtpTestServer server(/*rcpt_reply=*/451);
  EmailSink sink(Options(server.Url(), /*retries=*/2), SystemClock::Instance());
  sink.Submit({StaleAlert()});
  ASSERT_TRUE(sink.WaitIdle(kDeadline));
  ASSERT_TRUE(server.WaitForSessions(3, kDeadline));
  EXPECT_EQ(sink.counters(),
            (SinkCounters{.delivered = 0, .failed = 1, .dropped = 0, .retries = 2}));
}

TEST(EmailSinkTest, AnUnreachableServerFailsAfterTheRetries) {
  EmailSink sink(Options("smtp://127.0.0.1:" + std::to_string(testing::UnusedPort()), 1),
                 SystemClock::Instance());
  sink.Submit({StaleAlert()});
  ASSERT_TRUE(sink.WaitIdle(kDeadline));
  EXPECT_EQ(sink.counters(),
            (SinkCounters{.delivered = 0, .failed = 1, .dropped = 0, .retries = 1}));
}

}  // namespace
}  // namespace ibstream::notify::email_sink_test
