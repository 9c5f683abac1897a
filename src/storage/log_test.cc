// The LevelDB log-format reader cases (db/log_test.cc), rewritten for our framing, plus the
// cases our changes add: salt mismatch, length covered by the checksum, golden bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "storage/coding.h"
#include "storage/crc32c.h"
#include "storage/log_format.h"
#include "storage/log_reader.h"
#include "storage/log_writer.h"

namespace ibstream::storage::log::log_test {

using fs::RandomAccessFile;
namespace {

constexpr uint64_t kSalt = 0x0123456789abcdefULL;

std::string BigString(const std::string& partial, size_t n) {
  std::string result;
  while (result.size() < n) result += partial;
  result.resize(n);
  return result;
}

std::string NumberString(int n) { return std::to_string(n) + "."; }

std::string RandomSkewedString(int i, std::mt19937* rng) {
  const int bits = static_cast<int>((*rng)() % 17);
  const size_t len = (*rng)() % (1u << bits);
  return BigString(NumberString(i), len);
}

// A RandomAccessFile over a string the test can damage.
class StringFile final : public RandomAccessFile {
 public:
  explicit StringFile(const std::string* data) : data_(data) {}
  Status Read(uint64_t offset, size_t n, std::string* out) const override {
    if (force_error_) {
      force_error_ = false;
      return IoError("read error");
    }
    out->clear();
    if (offset < data_->size()) out->assign(*data_, offset, n);
    return Status::Ok();
  }
  uint64_t Size() const override { return data_->size(); }
  mutable bool force_error_ = false;

 private:
  const std::string* data_;
};

class CollectingReporter final : public Reader::Reporter {
 public:
  void Corruption(uint64_t bytes, const Status& reason) override {
    dropped += bytes;
    message += reason.message();
  }
  uint64_t dropped = 0;
  std::string message;
};

class LogTest : public ::testing::Test {
 protected:
  void Write(const std::string& msg) {
    ASSERT_FALSE(reading_) << "Write() after starting to read";
    writer_.AddRecord(msg, &dest_);
  }
  size_t WrittenBytes() const { return dest_.size(); }

  std::string Read() {
    if (!reading_) {
      reading_ = true;
      reader_ = std::make_unique<Reader>(&source_, 0, read_salt_, &report_, initial_offset_);
    }
    std::string scratch;
    std::string_view record;
    if (reader_->ReadRecord(&record, &scratch)) return std::string(record);
    return "EOF";
  }

  void IncrementByte(size_t offset, int delta) {
    dest_[offset] = static_cast<char>(dest_[offset] + delta);
  }
  void SetByte(size_t offset, char value) { dest_[offset] = value; }
  void ShrinkSize(size_t bytes) { dest_.resize(dest_.size() - bytes); }
  void FixChecksum(size_t header_offset, size_t len) {
    char salt[8];
    EncodeFixed64(salt, kSalt);
    uint32_t crc = crc32c::Extend(crc32c::Value(salt, 8), &dest_[header_offset + 4], 3);
    crc = crc32c::Extend(crc, &dest_[header_offset + kHeaderSize], len);
    EncodeFixed32(&dest_[header_offset], crc);
  }
  void ForceError() { source_.force_error_ = true; }
  uint64_t DroppedBytes() const { return report_.dropped; }
  std::string ReportMessage() const { return report_.message; }
  bool MatchError(const std::string& msg) const {
    return report_.message.find(msg) != std::string::npos;
  }
  void ReopenForAppend() { writer_ = Writer(kSalt, dest_.size()); }
  void StartReadingAt(uint64_t offset) { initial_offset_ = offset; }

  std::string dest_;
  StringFile source_{&dest_};
  Writer writer_{kSalt};
  CollectingReporter report_;
  std::unique_ptr<Reader> reader_;
  bool reading_ = false;
  uint64_t initial_offset_ = 0;
  uint64_t read_salt_ = kSalt;
};

TEST_F(LogTest, Empty) { ASSERT_EQ("EOF", Read()); }

TEST_F(LogTest, ReadWrite) {
  Write("foo");
  Write("bar");
  Write("");
  Write("xxxx");
  ASSERT_EQ("foo", Read());
  ASSERT_EQ("bar", Read());
  ASSERT_EQ("", Read());
  ASSERT_EQ("xxxx", Read());
  ASSERT_EQ("EOF", Read());
  ASSERT_EQ("EOF", Read());  // end of file stays end of file
}

TEST_F(LogTest, ManyBlocks) {
  for (int i = 0; i < 100000; ++i) Write(NumberString(i));
  for (int i = 0; i < 100000; ++i) ASSERT_EQ(NumberString(i), Read());
  ASSERT_EQ("EOF", Read());
}

TEST_F(LogTest, Fragmentation) {
  Write("small");
  Write(BigString("medium", 50000));
  Write(BigString("large", 100000));
  ASSERT_EQ("small", Read());
  ASSERT_EQ(BigString("medium", 50000), Read());
  ASSERT_EQ(BigString("large", 100000), Read());
  ASSERT_EQ("EOF", Read());
}

TEST_F(LogTest, MarginalTrailer) {
  // Leaves exactly one header's worth of room: the next record is an empty FIRST there.
  const size_t n = kBlockSize - 2 * kHeaderSize;
  Write(BigString("foo", n));
  ASSERT_EQ(kBlockSize - kHeaderSize, WrittenBytes());
  Write("");
  Write("bar");
  ASSERT_EQ(BigString("foo", n), Read());
  ASSERT_EQ("", Read());
  ASSERT_EQ("bar", Read());
  ASSERT_EQ("EOF", Read());
}

TEST_F(LogTest, MarginalTrailer2) {
  const size_t n = kBlockSize - 2 * kHeaderSize;
  Write(BigString("foo", n));
  ASSERT_EQ(kBlockSize - kHeaderSize, WrittenBytes());
  Write("bar");
  ASSERT_EQ(BigString("foo", n), Read());
  ASSERT_EQ("bar", Read());
  ASSERT_EQ("EOF", Read());
  ASSERT_EQ(0u, DroppedBytes());
  ASSERT_EQ("", ReportMessage());
}

TEST_F(LogTest, ShortTrailer) {
  const size_t n = kBlockSize - 2 * kHeaderSize + 4;
  Write(BigString("foo", n));
  ASSERT_EQ(kBlockSize - kHeaderSize + 4, WrittenBytes());
  Write("");
  Write("bar");
  ASSERT_EQ(BigString("foo", n), Read());
  ASSERT_EQ("", Read());
  ASSERT_EQ("bar", Read());
  ASSERT_EQ("EOF", Read());
}

TEST_F(LogTest, AlignedEof) {
  const size_t n = kBlockSize - 2 * kHeaderSize + 4;
  Write(BigString("foo", n));
  ASSERT_EQ(kBlockSize - kHeaderSize + 4, WrittenBytes());
  ASSERT_EQ(BigString("foo", n), Read());
  ASSERT_EQ("EOF", Read());
}

TEST_F(LogTest, OpenForAppend) {
  Write("hello");
  ReopenForAppend();
  Write("world");
  ASSERT_EQ("hello", Read());
  ASSERT_EQ("world", Read());
  ASSERT_EQ("EOF", Read());
}

TEST_F(LogTest, RandomRead) {
  const int n = 500;
  std::mt19937 write_rng(301);
  for (int i = 0; i < n; ++i) Write(RandomSkewedString(i, &write_rng));
  std::mt19937 read_rng(301);
  for (int i = 0; i < n; ++i) ASSERT_EQ(RandomSkewedString(i, &read_rng), Read());
  ASSERT_EQ("EOF", Read());
}

TEST_F(LogTest, ReadError) {
  Write("foo");
  ForceError();
  ASSERT_EQ("EOF", Read());
  ASSERT_EQ(kBlockSize, DroppedBytes());
  ASSERT_TRUE(MatchError("read error"));
  ASSERT_TRUE(reader_->read_error());
}

TEST_F(LogTest, BadRecordType) {
  Write("foo");
  IncrementByte(6, 100);  // type byte
  FixChecksum(0, 3);
  ASSERT_EQ("EOF", Read());
  ASSERT_EQ(3u, DroppedBytes());
  ASSERT_TRUE(MatchError("unknown record type"));
}

TEST_F(LogTest, TruncatedTrailingRecordIsIgnored) {
  Write("foo");
  ShrinkSize(4);  // drop all payload and one header byte
  ASSERT_EQ("EOF", Read());
  ASSERT_EQ(0u, DroppedBytes());
  ASSERT_EQ("", ReportMessage());
}

TEST_F(LogTest, BadLength) {
  const size_t payload = kBlockSize - kHeaderSize;
  Write(BigString("bar", payload));
  Write("foo");
  IncrementByte(4, 1);  // the length now runs past the block
  ASSERT_EQ("foo", Read());
  ASSERT_EQ(kBlockSize, DroppedBytes());
  ASSERT_TRUE(MatchError("bad record length"));
}

TEST_F(LogTest, BadLengthAtEndIsIgnored) {
  Write("foo");
  ShrinkSize(1);
  ASSERT_EQ("EOF", Read());
  ASSERT_EQ(0u, DroppedBytes());
  ASSERT_EQ("", ReportMessage());
}

TEST_F(LogTest, ChecksumMismatch) {
  Write("foooooo");
  IncrementByte(0, 14);
  ASSERT_EQ("EOF", Read());
  ASSERT_EQ(14u, DroppedBytes());
  ASSERT_TRUE(MatchError("checksum mismatch"));
}

TEST_F(LogTest, UnexpectedMiddleType) {
  Write("foo");
  SetByte(6, static_cast<char>(kMiddleType));
  FixChecksum(0, 3);
  ASSERT_EQ("EOF", Read());
  ASSERT_EQ(3u, DroppedBytes());
  ASSERT_TRUE(MatchError("missing start"));
}

TEST_F(LogTest, UnexpectedLastType) {
  Write("foo");
  SetByte(6, static_cast<char>(kLastType));
  FixChecksum(0, 3);
  ASSERT_EQ("EOF", Read());
  ASSERT_EQ(3u, DroppedBytes());
  ASSERT_TRUE(MatchError("missing start"));
}

TEST_F(LogTest, UnexpectedFullType) {
  Write("foo");
  Write("bar");
  SetByte(6, static_cast<char>(kFirstType));
  FixChecksum(0, 3);
  ASSERT_EQ("bar", Read());
  ASSERT_EQ("EOF", Read());
  ASSERT_EQ(3u, DroppedBytes());
  ASSERT_TRUE(MatchError("partial record without end"));
}

TEST_F(LogTest, UnexpectedFirstType) {
  Write("foo");
  Write(BigString("bar", 100000));
  SetByte(6, static_cast<char>(kFirstType));
  FixChecksum(0, 3);
  ASSERT_EQ(BigString("bar", 100000), Read());
  ASSERT_EQ("EOF", Read());
  ASSERT_EQ(3u, DroppedBytes());
  ASSERT_TRUE(MatchError("partial record without end"));
}

TEST_F(LogTest, MissingLastIsIgnored) {
  Write(BigString("bar", kBlockSize));
  ShrinkSize(14);  // removes the LAST fragment's header and payload
  ASSERT_EQ("EOF", Read());
  ASSERT_EQ("", ReportMessage());
  ASSERT_EQ(0u, DroppedBytes());
}

TEST_F(LogTest, PartialLastIsIgnored) {
  Write(BigString("bar", kBlockSize));
  ShrinkSize(1);
  ASSERT_EQ("EOF", Read());
  ASSERT_EQ("", ReportMessage());
  ASSERT_EQ(0u, DroppedBytes());
}

TEST_F(LogTest, SkipIntoMultiRecord) {
  // Starting inside a fragmented record skips its MIDDLE/LAST fragments without reporting.
  Write(BigString("foo", 3 * kBlockSize));
  Write("correct");
  StartReadingAt(kBlockSize);
  ASSERT_EQ("correct", Read());
  ASSERT_EQ("", ReportMessage());
  ASSERT_EQ(0u, DroppedBytes());
  ASSERT_EQ("EOF", Read());
}

TEST_F(LogTest, ErrorJoinsRecords) {
  // A wiped middle block must not splice the start of one record onto the end of another.
  Write(BigString("foo", kBlockSize));
  Write(BigString("bar", kBlockSize));
  Write("correct");
  for (size_t offset = kBlockSize; offset < 2 * kBlockSize; ++offset) SetByte(offset, 'x');
  ASSERT_EQ("correct", Read());
  ASSERT_EQ("EOF", Read());
  const uint64_t dropped = DroppedBytes();
  ASSERT_LE(dropped, 2 * kBlockSize + 100);
  ASSERT_GE(dropped, 2 * kBlockSize);
}

TEST_F(LogTest, ZeroFilledTailIsSkippedSilently) {
  Write("foo");
  dest_.append(100, '\0');  // preallocated space
  ASSERT_EQ("foo", Read());
  ASSERT_EQ("EOF", Read());
  ASSERT_EQ(0u, DroppedBytes());
}

TEST_F(LogTest, SaltMismatchRejectsEveryRecord) {
  Write("foo");
  Write("bar");
  read_salt_ = kSalt + 1;  // bytes from another file (or an earlier incarnation)
  ASSERT_EQ("EOF", Read());
  ASSERT_TRUE(MatchError("checksum mismatch"));
}

TEST_F(LogTest, LengthIsCoveredByTheChecksum) {
  // Shortening the length keeps the record inside the block; LevelDB would checksum the
  // shorter payload. Ours covers the length, so the damage is caught.
  Write("foooo");
  Write("bar");
  IncrementByte(4, -2);
  ASSERT_EQ("EOF", Read());
  ASSERT_TRUE(MatchError("checksum mismatch"));
}

TEST_F(LogTest, GoldenBytesOfARecord) {
  Write("ab");
  char salt[8];
  EncodeFixed64(salt, kSalt);
  const std::string covered = std::string(salt, 8) + std::string("\x02\x00\x01", 3) + "ab";
  const uint32_t crc = crc32c::Value(covered);
  std::string expected(4, '\0');
  EncodeFixed32(expected.data(), crc);
  expected += std::string("\x02\x00\x01", 3) + "ab";
  ASSERT_EQ(expected, dest_);
  // The value itself, computed once with an independent CRC32C (a bitwise Python implementation).
  EXPECT_EQ(crc, 0xf11a0927u);
}

// The ReadStart... family: start at many offsets; the first record returned is the first
// record that starts at or after the offset.
TEST_F(LogTest, ReadFromArbitraryOffsets) {
  const std::vector<size_t> sizes = {10000, 10000, 2 * kBlockSize - 1000,
                                     1,     13716, kBlockSize - kHeaderSize};
  std::vector<uint64_t> starts;
  for (size_t i = 0; i < sizes.size(); ++i) {
    uint64_t start = writer_.area_offset();
    if (kBlockSize - start % kBlockSize < kHeaderSize) start += kBlockSize - start % kBlockSize;
    starts.push_back(start);
    Write(std::string(sizes[i], static_cast<char>('a' + i)));
  }
  const uint64_t end = dest_.size();
  std::vector<uint64_t> offsets = {0,
                                   1,
                                   10000,
                                   starts[1],
                                   starts[2] - 1,
                                   starts[2],
                                   starts[3] - 1,
                                   kBlockSize - 4,
                                   kBlockSize + 1,
                                   2 * kBlockSize + 1,
                                   starts[3],
                                   starts[4],
                                   3 * kBlockSize - 3,
                                   starts[5],
                                   end,
                                   end + 100};
  for (uint64_t offset : offsets) {
    SCOPED_TRACE(offset);
    CollectingReporter reporter;
    Reader reader(&source_, 0, kSalt, &reporter, offset);
    std::string scratch;
    std::string_view record;
    size_t expected = 0;
    while (expected < starts.size() && starts[expected] < offset) ++expected;
    if (expected == starts.size()) {
      EXPECT_FALSE(reader.ReadRecord(&record, &scratch));
    } else {
      ASSERT_TRUE(reader.ReadRecord(&record, &scratch));
      EXPECT_EQ(record.size(), sizes[expected]);
      EXPECT_EQ(record[0], static_cast<char>('a' + expected));
      EXPECT_EQ(reader.LastRecordOffset(), starts[expected]);
    }
    EXPECT_EQ(reporter.dropped, 0u);
  }
}

// In-place framing (Reserve, encode, Commit) must produce the bytes AddRecord produces: the same
// padding, the same FULL records, the same FIRST/MIDDLE/LAST fragments for a payload that does
// not fit the rest of the block, the same checksums.
TEST(LogReserveTest, ReserveCommitIsByteIdenticalToAddRecord) {
  const uint64_t seed = 20260101;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(static_cast<uint32_t>(seed));
  Writer by_copy(kSalt);
  Writer in_place(kSalt);
  std::string expected;
  ByteBuffer actual;
  std::vector<std::string> payloads;
  for (int i = 0; i < 3000; ++i) {
    std::string payload = RandomSkewedString(i, &rng);
    // Sizes that end exactly at a block boundary or leave less than a header in it.
    const size_t room = kBlockSize - in_place.area_offset() % kBlockSize;
    if (i % 50 == 7 && room > kHeaderSize) payload.resize(room - kHeaderSize, 'x');
    if (i % 50 == 23 && room > kHeaderSize + 3) payload.resize(room - kHeaderSize - 3, 'y');
    by_copy.AddRecord(payload, &expected);
    // Every third record has its first bytes written by Reserve (a prefix).
    const size_t prefix = i % 3 == 0 ? std::min<size_t>(payload.size(), i % 9) : 0;
    const Writer::Reservation r =
        in_place.Reserve(payload.size(), &actual, std::string_view(payload).substr(0, prefix));
    const std::string_view rest = std::string_view(payload).substr(prefix);
    if (!rest.empty()) std::memcpy(r.payload, rest.data(), rest.size());
    if (i % 2 == 0) {
      in_place.Commit(&actual);
    } else {
      // The producer's own checksum: the reservation's crc extended over the rest.
      in_place.Commit(&actual, crc32c::Extend(r.crc, rest.data(), rest.size()));
    }
    ASSERT_EQ(in_place.area_offset(), by_copy.area_offset()) << "record " << i;
    payloads.push_back(std::move(payload));
  }
  ASSERT_EQ(actual.size(), expected.size());
  EXPECT_TRUE(actual.view() == expected) << "framed bytes differ";

  // And they read back.
  StringFile file(&expected);
  CollectingReporter reporter;
  Reader reader(&file, 0, kSalt, &reporter);
  std::string scratch;
  std::string_view record;
  size_t n = 0;
  while (reader.ReadRecord(&record, &scratch)) {
    ASSERT_LT(n, payloads.size());
    EXPECT_EQ(record, payloads[n]) << "record " << n;
    ++n;
  }
  EXPECT_EQ(n, payloads.size());
  EXPECT_EQ(reporter.dropped, 0u);
}

TEST(LogReserveTest, GoldenBytesOfAReservedRecord) {
  Writer writer(kSalt);
  ByteBuffer out;
  const Writer::Reservation r = writer.Reserve(2, &out);
  r.payload[0] = 'a';
  r.payload[1] = 'b';
  writer.Commit(&out, crc32c::Extend(r.crc, r.payload, 2));
  // The record of LogTest.GoldenBytesOfARecord: crc 0xf11a0927, length 2, FULL, "ab".
  EXPECT_EQ(out.view(), std::string("\x27\x09\x1a\xf1\x02\x00\x01"
                                    "ab",
                                    9));
}

TEST(LogReserveTest, APayloadLargerThanTheBlockIsFramedFromTheSpill) {
  Writer by_copy(kSalt);
  Writer in_place(kSalt);
  std::string expected;
  ByteBuffer actual;
  const std::string big = BigString("spill.", 3 * kBlockSize + 100);
  for (const std::string& payload : {std::string("small"), big, std::string("after")}) {
    by_copy.AddRecord(payload, &expected);
    const Writer::Reservation r = in_place.Reserve(payload.size(), &actual);
    std::memcpy(r.payload, payload.data(), payload.size());
    if (payload.size() == big.size()) {
      // A spilled payload's checksum argument is ignored (its fragments are checksummed anew).
      in_place.Commit(&actual, 0);
    } else {
      in_place.Commit(&actual);
    }
  }
  EXPECT_TRUE(actual.view() == expected);
}

TEST(LogReserveDeathTest, MisuseIsAnInvariantViolation) {
  Writer writer(kSalt);
  ByteBuffer out;
  EXPECT_DEATH(writer.Commit(&out), "without a reservation");
  (void)writer.Reserve(4, &out);
  EXPECT_DEATH((void)writer.Reserve(4, &out), "already open");
  std::string s;
  EXPECT_DEATH(writer.AddRecord("x", &s), "during a reservation");
  Writer other(kSalt);
  EXPECT_DEATH((void)other.Reserve(20, &out, "123456789"), "prefix too long");
  EXPECT_DEATH((void)other.Reserve(1, &out, "12"), "prefix too long");
#ifndef NDEBUG
  EXPECT_DEATH(writer.Commit(&out, 12345), "wrong payload checksum");
#endif
}

TEST(LogHeaderTest, GoldenBytesAndValidation) {
  FileHeader h;
  h.magic = "IBSJRNL1";
  h.content_version = 1;
  h.salt = kSalt;
  h.hour_start_ns = 1755784800LL * 1000000000LL;
  h.generation = 3;
  h.flags = kFlagSalvaged;
  const std::string bytes = EncodeFileHeader(h);
  ASSERT_EQ(bytes.size(), kFileHeaderSize);
  std::string expected = "IBSJRNL1";
  expected += std::string("\x01\x00\x01\x00\x00\x80\x00\x00", 8);
  expected += std::string("\xef\xcd\xab\x89\x67\x45\x23\x01", 8);
  expected += std::string("\x00\xc0\x07\x1a\xf9\xcc\x5d\x18", 8);
  expected += std::string("\x03\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00", 12);
  EXPECT_EQ(bytes.substr(0, 44), expected);
  EXPECT_EQ(DecodeFixed32(bytes.data() + 44), crc32c::Value(expected));

  auto back = DecodeFileHeader(bytes, "IBSJRNL1");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->salt, kSalt);
  EXPECT_EQ(back->generation, 3u);
  EXPECT_EQ(back->hour_start_ns, h.hour_start_ns);
  EXPECT_FALSE(DecodeFileHeader(bytes, "IBSGAPS1").ok());
  std::string damaged = bytes;
  damaged[20] ^= 1;
  EXPECT_EQ(DecodeFileHeader(damaged, "IBSJRNL1").status().code(), StatusCode::kCorruption);
  EXPECT_FALSE(DecodeFileHeader(bytes.substr(0, 47), "IBSJRNL1").ok());
}

}  // namespace
}  // namespace ibstream::storage::log::log_test
