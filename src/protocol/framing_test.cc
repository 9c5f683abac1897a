#include "protocol/framing.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace ibstream::protocol::framing_test {
namespace {

using namespace std::string_literals;

std::string Frame(std::string_view payload) {
  std::string out;
  AppendFrame(payload, out);
  return out;
}

// Drains every complete frame; fails the test on an error.
std::vector<std::string> Drain(FrameReader& reader) {
  std::vector<std::string> frames;
  while (true) {
    auto frame = reader.Next();
    EXPECT_TRUE(frame.ok()) << frame.status().ToString();
    if (!frame.ok() || !frame->has_value()) break;
    frames.emplace_back(**frame);
  }
  return frames;
}

TEST(FramingTest, LengthPrefixIsBigEndian) {
  std::string out;
  AppendLengthPrefix(0x01020304, out);
  EXPECT_EQ(out, "\x01\x02\x03\x04");
  EXPECT_EQ(Frame("98\0"
                  "2001\0"s),
            "\0\0\0\x08"
            "98\0"
            "2001\0"s);
}

TEST(FramingTest, OneFrame) {
  FrameReader reader;
  reader.Append(
      Frame("49\0"
            "1\0"s));
  auto frame = reader.Next();
  ASSERT_TRUE(frame.ok());
  ASSERT_TRUE(frame->has_value());
  EXPECT_EQ(**frame,
            "49\0"
            "1\0"s);
  auto none = reader.Next();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(FramingTest, PartialReadsByteByByte) {
  const std::string stream = Frame("first\0"s) + Frame("second\0x\0"s) + Frame("3\0"s);
  ProtocolCounters counters;
  FrameReader reader(&counters);
  std::vector<std::string> frames;
  for (const char c : stream) {
    reader.Append(std::string_view(&c, 1));
    for (std::string& f : Drain(reader)) frames.push_back(std::move(f));
  }
  EXPECT_EQ(frames, (std::vector<std::string>{"first\0"s, "second\0x\0"s, "3\0"s}));
  EXPECT_EQ(counters.frames_read, 3u);
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(FramingTest, ManyFramesInOneRead) {
  std::string stream;
  std::vector<std::string> want;
  for (int i = 0; i < 1000; ++i) {
    want.push_back(std::to_string(i) + "\0payload\0"s);
    stream += Frame(want.back());
  }
  FrameReader reader;
  reader.Append(stream);
  EXPECT_EQ(Drain(reader), want);
}

TEST(FramingTest, RandomSplitsGiveTheSameFrames) {
  const uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::string stream;
  std::vector<std::string> want;
  for (int i = 0; i < 500; ++i) {
    std::string payload(rng() % 300 + 1, 'a' + static_cast<char>(i % 26));
    payload.back() = '\0';
    want.push_back(payload);
    stream += Frame(payload);
  }
  FrameReader reader;
  std::vector<std::string> got;
  size_t pos = 0;
  while (pos < stream.size()) {
    const size_t n = std::min<size_t>(rng() % 700 + 1, stream.size() - pos);
    auto span = reader.WritableSpan(n);
    ASSERT_GE(span.size(), n);
    std::memcpy(span.data(), stream.data() + pos, n);
    reader.Commit(n);
    pos += n;
    for (std::string& f : Drain(reader)) got.push_back(std::move(f));
  }
  EXPECT_EQ(got, want);
}

TEST(FramingTest, BufferDoesNotGrowInSteadyState) {
  const std::string frame = Frame(std::string(100, 'x'));
  FrameReader reader;
  // Warm up, then reads of 4 KiB at odd offsets must reuse the same buffer.
  std::string stream;
  for (int i = 0; i < 2000; ++i) stream += frame;
  size_t pos = 0;
  size_t capacity_after_warmup = 0;
  int rounds = 0;
  while (pos < stream.size()) {
    const size_t n = std::min<size_t>(4096 + 7, stream.size() - pos);
    auto span = reader.WritableSpan(4096 + 7);
    std::memcpy(span.data(), stream.data() + pos, n);
    reader.Commit(n);
    pos += n;
    Drain(reader);
    if (++rounds == 3) capacity_after_warmup = reader.capacity();
  }
  EXPECT_EQ(reader.capacity(), capacity_after_warmup);
  EXPECT_LE(reader.capacity(), 4 * 4096u);
}

TEST(FramingTest, ZeroLengthIsAStickyError) {
  ProtocolCounters counters;
  FrameReader reader(&counters);
  reader.Append("\0\0\0\0"s + Frame("ok\0"s));
  auto frame = reader.Next();
  ASSERT_FALSE(frame.ok());
  EXPECT_EQ(frame.status().code(), StatusCode::kParseError);
  EXPECT_NE(frame.status().message().find("bad frame length 0"), std::string::npos);
  EXPECT_TRUE(reader.failed());
  EXPECT_FALSE(reader.Next().ok());  // the stream cannot be resynchronised
  EXPECT_EQ(counters.error(DecodeErrorKind::kBadFrameLength), 1u);
}

TEST(FramingTest, OversizeIsRejectedBeforeItsBytesArrive) {
  FrameReader reader;
  reader.Append("\x01\0\0\0"s);  // 16 MiB: one more than kMaxMessageLength
  auto frame = reader.Next();
  ASSERT_FALSE(frame.ok());
  EXPECT_NE(frame.status().message().find("16777216"), std::string::npos);
  EXPECT_LT(reader.capacity(), 1024u * 1024u);

  FrameReader at_limit;
  at_limit.Append("\x00\xff\xff\xff"s);  // exactly the limit: accepted, waits for the bytes
  auto waiting = at_limit.Next();
  ASSERT_TRUE(waiting.ok());
  EXPECT_FALSE(waiting->has_value());
}

TEST(FramingTest, SmallerLimitForTests) {
  FrameReader reader(nullptr, 8);
  reader.Append(Frame("12345678"));
  EXPECT_TRUE(reader.Next().ok());
  reader.Append(Frame("123456789"));
  EXPECT_FALSE(reader.Next().ok());
}

TEST(FramingTest, ApiPrefixBeforeTheFirstFrame) {
  FrameReader reader;
  reader.ExpectApiPrefix();
  const std::string hello = "API\0"s + Frame("v176..187") +
                            Frame(
                                "71\0"
                                "2\0"
                                "7\0\0"s);
  std::vector<std::string> frames;
  for (const char c : hello) {
    reader.Append(std::string_view(&c, 1));
    for (std::string& f : Drain(reader)) frames.push_back(std::move(f));
  }
  EXPECT_EQ(frames, (std::vector<std::string>{"v176..187",
                                              "71\0"
                                              "2\0"
                                              "7\0\0"s}));
}

TEST(FramingTest, WrongPrefixFailsAsSoonAsItDiffers) {
  ProtocolCounters counters;
  FrameReader reader(&counters);
  reader.ExpectApiPrefix();
  reader.Append("AP");
  auto partial = reader.Next();
  ASSERT_TRUE(partial.ok());
  EXPECT_FALSE(partial->has_value());
  reader.Append("X");
  EXPECT_FALSE(reader.Next().ok());
  EXPECT_EQ(counters.error(DecodeErrorKind::kBadHello), 1u);

  FrameReader http;
  http.ExpectApiPrefix();
  http.Append("GET / HTTP/1.1\r\n");
  EXPECT_FALSE(http.Next().ok());
}

TEST(FramingTest, TruncatedFrameWaits) {
  FrameReader reader;
  const std::string frame = Frame(
      "99\0"
      "2001\0"s);
  reader.Append(frame.substr(0, frame.size() - 1));
  auto frame1 = reader.Next();
  ASSERT_TRUE(frame1.ok());
  EXPECT_FALSE(frame1->has_value());
  EXPECT_EQ(reader.buffered(), frame.size() - 1);
  reader.Append(frame.substr(frame.size() - 1));
  EXPECT_EQ(Drain(reader).size(), 1u);
}

}  // namespace
}  // namespace ibstream::protocol::framing_test
