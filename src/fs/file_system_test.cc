#include "fs/file_system.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "fs/fault_file_system.h"

namespace ibstream::fs::file_system_test {
namespace {

std::string Contents(FileSystem& fs, const std::string& path) {
  auto data = ReadFileToString(&fs, path);
  return data.ok() ? *data : "<" + data.status().ToString() + ">";
}

// A fresh directory under the test's temporary directory, removed afterwards.
class PosixDir {
 public:
  explicit PosixDir(const std::string& name)
      : path_(::testing::TempDir() + "/fs_test_" + name + "_" + std::to_string(::getpid())) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~PosixDir() { std::filesystem::remove_all(path_); }
  PosixDir(const PosixDir&) = delete;
  PosixDir& operator=(const PosixDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// --- The path helpers: table tests ---

TEST(PathTest, JoinPath) {
  struct Case {
    std::string_view dir, name, want;
  };
  for (const Case& c : {Case{"a/b", "c", "a/b/c"}, Case{"a/b/", "c", "a/b/c"}, Case{"/", "c", "/c"},
                        Case{"", "c", "c"}}) {
    EXPECT_EQ(JoinPath(c.dir, c.name), c.want) << c.dir << " + " << c.name;
  }
}

TEST(PathTest, ParentDir) {
  struct Case {
    std::string_view path, want;
  };
  for (const Case& c : {Case{"a/b/c", "a/b"}, Case{"c", "."}, Case{"/c", "/"}, Case{"/a/b/", "/a"},
                        Case{"/", "/"}}) {
    EXPECT_EQ(ParentDir(c.path), c.want) << c.path;
  }
}

// --- WriteFileAtomically ---

TEST(WriteFileAtomicallyTest, CreatesAndReplacesOnPosix) {
  PosixDir dir("atomic");
  FileSystem& fs = *PosixFileSystem();
  const std::string path = JoinPath(dir.path(), "state.json");
  ASSERT_TRUE(WriteFileAtomically(&fs, path, "old").ok());
  EXPECT_EQ(Contents(fs, path), "old");
  ASSERT_TRUE(WriteFileAtomically(&fs, path, "new contents").ok());
  EXPECT_EQ(Contents(fs, path), "new contents");
  EXPECT_FALSE(fs.Exists(path + ".tmp"));
}

TEST(WriteFileAtomicallyTest, ErrorNamesThePathAndKeepsTheOldFile) {
  FaultFileSystem fs;
  ASSERT_TRUE(fs.WriteRaw("/d/state", "old").ok());
  fs.SetSyncError(true);
  const Status status = WriteFileAtomically(&fs, "/d/state", "new");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("/d/state"), std::string::npos) << status.ToString();
  fs.SetSyncError(false);
  EXPECT_EQ(Contents(fs, "/d/state"), "old");
  EXPECT_FALSE(fs.Exists("/d/state.tmp")) << "the temp file is removed after a failure";
}

TEST(WriteFileAtomicallyTest, MissingDirectoryIsNotFound) {
  FaultFileSystem fs;
  const Status status = WriteFileAtomically(&fs, "/missing/state", "x");
  EXPECT_EQ(status.code(), StatusCode::kNotFound) << status.ToString();
  EXPECT_NE(status.message().find("/missing/state"), std::string::npos) << status.ToString();
}

TEST(WriteFileAtomicallyTest, NoSpaceStaysResourceExhausted) {
  FaultFileSystem fs;
  ASSERT_TRUE(fs.WriteRaw("/d/state", "old").ok());
  fs.SetNoSpace(true);
  const Status status = WriteFileAtomically(&fs, "/d/state", "new");
  EXPECT_TRUE(IsNoSpace(status)) << status.ToString();
  fs.SetNoSpace(false);
  EXPECT_EQ(Contents(fs, "/d/state"), "old");
}

// A power cut at every point of the protocol leaves the old or the new contents, never a mix;
// once the call returned OK, the new contents survive.
TEST(WriteFileAtomicallyTest, CrashAtEveryStepLeavesOldOrNew) {
  const std::string old_text(3000, 'o');  // more than a sector, so a torn write would show
  const std::string new_text(5000, 'n');
  for (int64_t ops = 0; ops < 12; ++ops) {
    for (uint64_t seed = 1; seed <= 4; ++seed) {
      SCOPED_TRACE("ops=" + std::to_string(ops) + " seed=" + std::to_string(seed));
      FaultFileSystem fs;
      ASSERT_TRUE(fs.WriteRaw("/d/state", old_text).ok());
      fs.DieAfterOperations(ops);
      const Status status = WriteFileAtomically(&fs, "/d/state", new_text);
      fs.Crash(seed);
      const std::string after = Contents(fs, "/d/state");
      if (status.ok()) {
        EXPECT_EQ(after, new_text);
      } else {
        EXPECT_TRUE(after == old_text || after == new_text) << after.substr(0, 40);
      }
    }
  }
}

TEST(WriteFileAtomicallyTest, CrashBeforeAnyWriteOfANewFileLeavesNothingOrTheFile) {
  for (int64_t ops = 0; ops < 10; ++ops) {
    SCOPED_TRACE("ops=" + std::to_string(ops));
    FaultFileSystem fs;
    ASSERT_TRUE(CreateDirs(&fs, "/d").ok());
    fs.DieAfterOperations(ops);
    const Status status = WriteFileAtomically(&fs, "/d/state", "fresh");
    fs.Crash(7);
    if (status.ok() || fs.Exists("/d/state")) {
      EXPECT_EQ(Contents(fs, "/d/state"), "fresh");
    }
  }
}

// --- ReadFile ---

TEST(ReadFileTest, Limits) {
  FaultFileSystem fs;
  ASSERT_TRUE(fs.WriteRaw("/d/f", "0123456789").ok());
  struct Case {
    uint64_t max_bytes;
    StatusCode want;
  };
  for (const Case& c :
       {Case{10, StatusCode::kOk}, Case{100, StatusCode::kOk},
        Case{9, StatusCode::kResourceExhausted}, Case{0, StatusCode::kResourceExhausted}}) {
    auto data = ReadFile(&fs, "/d/f", c.max_bytes);
    EXPECT_EQ(data.status().code(), c.want) << c.max_bytes;
    if (data.ok()) {
      EXPECT_EQ(*data, "0123456789");
    } else {
      EXPECT_NE(data.status().message().find("/d/f"), std::string::npos);
      EXPECT_NE(data.status().message().find("10 bytes"), std::string::npos);
    }
  }
  EXPECT_EQ(ReadFile(&fs, "/d/missing", 100).status().code(), StatusCode::kNotFound);
}

TEST(ReadFileTest, EmptyFileOnPosix) {
  PosixDir dir("read");
  FileSystem& fs = *PosixFileSystem();
  const std::string path = JoinPath(dir.path(), "empty");
  ASSERT_TRUE(WriteFileAtomically(&fs, path, "").ok());
  auto data = ReadFile(&fs, path, 0);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ(*data, "");
}

// A device that reports size 0 but never ends is refused after max_bytes + 1 bytes, not read
// until memory runs out; one that ends within the bound is read whole.
TEST(ReadFileTest, DevicesReportingSizeZeroAreBounded) {
  FileSystem& fs = *PosixFileSystem();
  auto zero = ReadFile(&fs, "/dev/zero", 1000);
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(zero.status().message().find("/dev/zero"), std::string::npos);
  EXPECT_NE(zero.status().message().find("1000 bytes"), std::string::npos);
  // 200,000 bytes: more than one read chunk beyond the reported size.
  EXPECT_EQ(ReadFile(&fs, "/dev/zero", 200'000).status().code(), StatusCode::kResourceExhausted);
  auto null = ReadFile(&fs, "/dev/null", 1000);
  ASSERT_TRUE(null.ok()) << null.status().ToString();
  EXPECT_EQ(*null, "");
}

// --- NewAppendableFile, on both implementations ---

void ExpectAppendable(FileSystem& fs, const std::string& dir) {
  const std::string path = JoinPath(dir, "log");
  {
    auto file = fs.NewAppendableFile(path);  // created when absent
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    EXPECT_EQ((*file)->Size(), 0u);
    ASSERT_TRUE((*file)->Append("abc").ok());
    ASSERT_TRUE((*file)->Sync().ok());
    ASSERT_TRUE((*file)->Close().ok());
  }
  ASSERT_TRUE(fs.SyncDir(dir).ok());
  auto file = fs.NewAppendableFile(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ((*file)->Size(), 3u);
  ASSERT_TRUE((*file)->Append("def").ok());
  EXPECT_EQ((*file)->Size(), 6u);
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_EQ(Contents(fs, path), "abcdef");
  EXPECT_EQ(fs.NewAppendableFile(JoinPath(dir, "no/such/dir")).status().code(),
            StatusCode::kNotFound);
}

TEST(NewAppendableFileTest, Posix) {
  PosixDir dir("append");
  ExpectAppendable(*PosixFileSystem(), dir.path());
}

TEST(NewAppendableFileTest, Fault) {
  FaultFileSystem fs;
  ASSERT_TRUE(CreateDirs(&fs, "/d").ok());
  ExpectAppendable(fs, "/d");
}

TEST(NewAppendableFileTest, UnsyncedAppendsAreLostInACrash) {
  FaultFileSystem fs;
  ASSERT_TRUE(fs.WriteRaw("/d/log", "kept").ok());
  auto file = fs.NewAppendableFile("/d/log");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("-synced").ok());
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Append("-lost").ok());
  fs.Crash(3, {.keep_unsynced_prefix = false, .garble_sector = false});
  EXPECT_EQ(Contents(fs, "/d/log"), "kept-synced");
}

}  // namespace
}  // namespace ibstream::fs::file_system_test
