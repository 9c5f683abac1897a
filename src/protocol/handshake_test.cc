#include "protocol/handshake.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/framing.h"

namespace ibstream::protocol::handshake_test {
namespace {

using namespace std::string_literals;

TEST(HandshakeTest, ClientHelloBytes) {
  std::string out;
  ASSERT_TRUE(EncodeClientHello(ClientHello{}, out).ok());
  EXPECT_EQ(out, "API\0\0\0\0\x09v176..187"s);

  out.clear();
  ASSERT_TRUE(EncodeClientHello({176, 176, "+PACEAPI"}, out).ok());
  EXPECT_EQ(out, "API\0\0\0\0\x0dv176 +PACEAPI"s);

  EXPECT_FALSE(EncodeClientHello({187, 176, ""}, out).ok());
  EXPECT_FALSE(EncodeClientHello({176, 187, "bad\x01"}, out).ok());
}

TEST(HandshakeTest, ParseClientHelloForms) {
  struct Case {
    std::string payload;
    ClientHello want;
  };
  const Case cases[] = {
      {"v100..187", {100, 187, ""}},
      {"v100..187 +PACEAPI", {100, 187, "+PACEAPI"}},
      {"v176..176 ", {176, 176, ""}},  // third-party clients' trailing space
      {"  v176  ", {176, 176, ""}},
      {"v176", {176, 176, ""}},
      {"v176..187   +PACEAPI  ", {176, 187, "+PACEAPI"}},
      {"v176..187 a b", {176, 187, "a b"}},
  };
  for (const Case& c : cases) {
    Result<ClientHello> got = ParseClientHello(c.payload);
    ASSERT_TRUE(got.ok()) << c.payload << ": " << got.status().ToString();
    EXPECT_EQ(*got, c.want) << c.payload;
  }
}

TEST(HandshakeTest, ParseClientHelloRejectsGarbage) {
  for (const char* bad :
       {"", " ", "176..187", "v", "v..187", "v176..", "vabc", "v187..176", "v1x..187", "v-1..187",
        "v176...187", "GET / HTTP/1.1", "v99999999999..1"}) {
    Result<ClientHello> got = ParseClientHello(bad);
    EXPECT_FALSE(got.ok()) << bad;
    EXPECT_EQ(got.status().code(), StatusCode::kParseError) << bad;
  }
}

TEST(HandshakeTest, ChooseServerVersion) {
  EXPECT_EQ(ChooseServerVersion({100, 187, ""}, 176, 187), 187);
  EXPECT_EQ(ChooseServerVersion({100, 200, ""}, 176, 187), 187);
  EXPECT_EQ(ChooseServerVersion({176, 180, ""}, 176, 187), 180);
  EXPECT_EQ(ChooseServerVersion({100, 150, ""}, 176, 187), std::nullopt);
  EXPECT_EQ(ChooseServerVersion({188, 200, ""}, 176, 187), std::nullopt);
}

TEST(HandshakeTest, ConnectAckRoundTripAndBytes) {
  std::string out;
  ASSERT_TRUE(EncodeConnectAck({187, "20250811 10:15:30 CDT"}, out).ok());
  // The worked example of docs/PROTOCOL.md §7(a).
  EXPECT_EQ(out,
            "\0\0\0\x1a"
            "187\0"
            "20250811 10:15:30 CDT\0"s);
  FrameReader reader;
  reader.Append(out);
  auto frame = reader.Next();
  ASSERT_TRUE(frame.ok() && frame->has_value());
  Result<ConnectAck> ack = DecodeConnectAck(**frame);
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->server_version, 187);
  EXPECT_EQ(ack->time, "20250811 10:15:30 CDT");
  EXPECT_TRUE(CheckServerVersion(ack->server_version).ok());

  // Zone text with spaces is kept raw.
  Result<ConnectAck> gmt = DecodeConnectAck(
      "176\0"
      "20240229 12:41:55 Greenwich Mean Time\0"s);
  ASSERT_TRUE(gmt.ok());
  EXPECT_EQ(gmt->time, "20240229 12:41:55 Greenwich Mean Time");
}

TEST(HandshakeTest, ConnectAckErrors) {
  for (const std::string& bad :
       {"187\0"s, "187\0time\0extra\0"s, "abc\0time\0"s, "187\0\0"s, "187"s, ""s}) {
    EXPECT_FALSE(DecodeConnectAck(bad).ok()) << bad;
  }
  std::string out;
  EXPECT_FALSE(EncodeConnectAck({187, ""}, out).ok());
}

TEST(HandshakeTest, CheckServerVersionRange) {
  EXPECT_TRUE(CheckServerVersion(176).ok());
  EXPECT_TRUE(CheckServerVersion(187).ok());
  Status old = CheckServerVersion(152);
  EXPECT_EQ(old.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(old.message(), "unsupported server version 152, need 176..187");
  EXPECT_FALSE(CheckServerVersion(188).ok());
  EXPECT_FALSE(CheckServerVersion(-1).ok());  // redirect: not supported
}

}  // namespace
}  // namespace ibstream::protocol::handshake_test
