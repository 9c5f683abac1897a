#include "storage/generation_log.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "fs/fault_file_system.h"
#include "storage/log_format.h"
#include "storage/log_writer.h"

namespace ibstream::storage::log::generation_log_test {
namespace {

constexpr std::string_view kTestMagic = "IBSTEST1";
constexpr uint8_t kTestKind = 7;
constexpr uint64_t kTestSalt = 0x1234567890abcdefULL;
constexpr char kTestDir[] = "/data/logs";

TEST(GenerationName, ParsesOnlyItsOwnNames) {
  struct Case {
    std::string_view name;
    std::optional<uint32_t> generation;
  };
  const Case cases[] = {
      {"ledger.1.log", 1u},
      {"ledger.0.log", 0u},
      {"ledger.4294967295.log", 4294967295u},
      {"ledger.4294967296.log", std::nullopt},  // does not fit
      {"ledger..log", std::nullopt},
      {"ledger.log", std::nullopt},
      {"ledger.-1.log", std::nullopt},
      {"ledger.+1.log", std::nullopt},
      {"ledger.1a.log", std::nullopt},
      {"ledger.1.log.tmp", std::nullopt},
      {"ledger.1.log.damaged-20250821T140000Z", std::nullopt},
      {"ledgers.1.log", std::nullopt},
      {"ledger_1.log", std::nullopt},
      {"routes.1.log", std::nullopt},
      {"", std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ParseGenerationName(c.name, "ledger"), c.generation) << c.name;
  }
  EXPECT_EQ(GenerationName("routes", 12), "routes.12.log");
  EXPECT_EQ(ParseGenerationName(GenerationName("routes", 12), "routes"), 12u);
}

TEST(GenerationName, ListsGenerationsOldestFirst) {
  fs::FaultFileSystem fs;
  auto none = ListGenerations(&fs, kTestDir, "ledger");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());  // no directory: no generations

  for (const char* name : {"ledger.10.log", "ledger.2.log", "ledger.2.log.tmp", "routes.1.log",
                           "ledger.3.log.damaged-20250821T140000Z"}) {
    ASSERT_TRUE(fs.WriteRaw(std::string(kTestDir) + "/" + name, "x").ok());
  }
  auto listed = ListGenerations(&fs, kTestDir, "ledger");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(*listed, (std::vector<std::pair<uint32_t, std::string>>{{2, "ledger.2.log"},
                                                                    {10, "ledger.10.log"}}));
}

// A generation file: its header, then each record framed (kind byte first).
std::string TestGenerationBytes(const std::vector<std::string>& records) {
  FileHeader header;
  header.magic = std::string(kTestMagic);
  header.content_version = 1;
  header.salt = kTestSalt;
  header.generation = 1;
  std::string bytes = EncodeFileHeader(header);
  Writer writer(kTestSalt);
  for (const std::string& r : records) writer.AddRecord(r, &bytes);
  return bytes;
}

std::string TestRecord(uint8_t kind, std::string_view payload) {
  return std::string(1, static_cast<char>(kind)) + std::string(payload);
}

struct ReadCase {
  const char* what;
  std::string bytes;
  std::vector<std::string> payloads;  // handed to the callback, in order
  uint64_t corrupt_bytes = 0;         // kSomeBytes: more than none
  uint64_t truncated_bytes = 0;
  std::vector<std::string> problem_words;  // each problem line, in order, contains its word
};
constexpr uint64_t kSomeBytes = ~uint64_t{0};

TEST(ReadGenerationFile, ReportsEachKindOfDamage) {
  const std::vector<std::string> records = {TestRecord(kTestKind, "one"),
                                            TestRecord(kTestKind + 1, "other kind"),
                                            TestRecord(kTestKind, "two")};
  const std::string good = TestGenerationBytes(records);
  std::vector<std::string> with_bad_records = records;
  with_bad_records.push_back(TestRecord(kTestKind, "bad"));  // the callback rejects it
  const std::string with_bad = TestGenerationBytes(with_bad_records);
  std::string bad_header = good;
  bad_header[0] ^= 1;  // magic and header checksum fail
  std::string flipped = good;
  flipped[kFileHeaderSize + kHeaderSize + 2] ^= 0x40;  // inside the first record's payload
  std::string cut = good;
  cut.resize(cut.size() - 2);  // the last record ("two", 7 + 4 bytes framed) is incomplete

  const ReadCase cases[] = {
      {"clean, other kinds skipped", good, {"one", "two"}, 0, 0, {}},
      {"a record that does not decode", with_bad, {"one", "two"}, 4, 0, {"does not decode"}},
      {"an empty file", "", {}, 0, 0, {}},
      {"only a header's bytes", good.substr(0, kFileHeaderSize), {}, 0, 0, {}},
      {"a torn header", good.substr(0, 20), {}, 0, 0, {}},
      {"a bad header", bad_header, {}, bad_header.size(), 0, {"unreadable header"}},
      {"a checksum failure", flipped, {}, kSomeBytes, 0, {"bytes dropped"}},
      {"cut short", cut, {"one"}, 0, kHeaderSize + 4 - 2, {"truncated"}},
  };
  for (const ReadCase& c : cases) {
    SCOPED_TRACE(c.what);
    fs::FaultFileSystem fs;
    const std::string path = "/data/logs/test.1.log";
    ASSERT_TRUE(fs.WriteRaw(path, c.bytes).ok());
    std::vector<std::string> seen;
    const GenerationRecordFn on_record = [&seen](uint8_t, std::string_view payload) {
      if (payload == "bad") return Corruption("rejected");
      seen.emplace_back(payload);
      return Status::Ok();
    };
    LogDamage damage;
    Status status = ReadGenerationFile(&fs, path, "test.1.log", {kTestMagic, {kTestKind}, {}},
                                       on_record, &damage);
    ASSERT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(seen, c.payloads);
    if (c.corrupt_bytes == kSomeBytes) {
      EXPECT_GT(damage.corrupt_bytes, 0u);
    } else {
      EXPECT_EQ(damage.corrupt_bytes, c.corrupt_bytes);
    }
    EXPECT_EQ(damage.truncated_bytes, c.truncated_bytes);
    ASSERT_EQ(damage.problems.size(), c.problem_words.size());
    for (size_t i = 0; i < c.problem_words.size(); ++i) {
      EXPECT_EQ(damage.problems[i].rfind("test.1.log: ", 0), 0u) << damage.problems[i];
      EXPECT_NE(damage.problems[i].find(c.problem_words[i]), std::string::npos)
          << damage.problems[i];
    }
    const std::vector<std::string> damaged = c.problem_words.empty()
                                                 ? std::vector<std::string>{}
                                                 : std::vector<std::string>{"test.1.log"};
    EXPECT_EQ(damage.damaged_files, damaged);
    EXPECT_EQ(damage.clean(), c.problem_words.empty());
  }
}

TEST(ReadGenerationFile, EveryKindAskedForIsHandedOverWithItsKindAndOthersAreSkipped) {
  fs::FaultFileSystem fs;
  const std::string path = "/data/logs/test.1.log";
  ASSERT_TRUE(
      fs.WriteRaw(path, TestGenerationBytes(
                            {TestRecord(kTestKind, "one"), TestRecord(kTestKind + 1, "fill"),
                             TestRecord(kTestKind + 2, "later"), TestRecord(kTestKind, "two")}))
          .ok());
  std::vector<std::pair<uint8_t, std::string>> seen;
  LogDamage damage;
  ASSERT_TRUE(ReadGenerationFile(
                  &fs, path, "test.1.log", {kTestMagic, {kTestKind, kTestKind + 1}, {}},
                  [&seen](uint8_t kind, std::string_view payload) {
                    seen.emplace_back(kind, std::string(payload));
                    return Status::Ok();
                  },
                  &damage)
                  .ok());
  EXPECT_TRUE(damage.clean());
  const std::vector<std::pair<uint8_t, std::string>> want = {
      {kTestKind, "one"}, {kTestKind + 1, "fill"}, {kTestKind, "two"}};
  EXPECT_EQ(seen, want);
}

TEST(ReadGenerationFile, AMissingFileIsAnError) {
  fs::FaultFileSystem fs;
  LogDamage damage;
  Status status = ReadGenerationFile(
      &fs, "/data/logs/test.9.log", "test.9.log", {kTestMagic, {kTestKind}, {}},
      [](uint8_t, std::string_view) { return Status::Ok(); }, &damage);
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(damage.clean());
  EXPECT_TRUE(damage.problems.empty());
}

}  // namespace
}  // namespace ibstream::storage::log::generation_log_test
