#include "fs/fault_file_system.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ibstream::fs::fault_file_system_test {
namespace {

std::string Contents(FaultFileSystem& fs, const std::string& path) {
  auto data = ReadFileToString(&fs, path);
  return data.ok() ? *data : "<" + data.status().ToString() + ">";
}

TEST(FaultFileSystemTest, CrashDropsUnsyncedDataAndEntries) {
  FaultFileSystem fs;
  ASSERT_TRUE(CreateDirs(&fs, "/d").ok());
  auto file = fs.NewWritableFile("/d/a", true);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("synced").ok());
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE(fs.SyncDir("/d").ok());
  ASSERT_TRUE((*file)->Append("-lost").ok());
  auto other = fs.NewWritableFile("/d/b", true);  // entry never synced
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->Append("x").ok());
  ASSERT_TRUE((*other)->Sync().ok());

  fs.Crash(1, {.keep_unsynced_prefix = false, .garble_sector = false});
  EXPECT_EQ(Contents(fs, "/d/a"), "synced");
  EXPECT_FALSE(fs.Exists("/d/b"));
  EXPECT_FALSE((*file)->Append("stale").ok()) << "handles from before the crash must fail";
}

TEST(FaultFileSystemTest, UnsyncedRenameReverts) {
  FaultFileSystem fs;
  ASSERT_TRUE(fs.WriteRaw("/d/a", "old").ok());
  ASSERT_TRUE(fs.WriteRaw("/d/a.tmp", "new").ok());
  ASSERT_TRUE(fs.Rename("/d/a.tmp", "/d/a").ok());
  EXPECT_EQ(Contents(fs, "/d/a"), "new");
  fs.Crash(2);
  EXPECT_EQ(Contents(fs, "/d/a"), "old");
  EXPECT_EQ(Contents(fs, "/d/a.tmp"), "new");
}

TEST(FaultFileSystemTest, UnsyncedDirectoryLosesItsChildren) {
  FaultFileSystem fs;
  ASSERT_TRUE(fs.CreateDir("/top").ok());  // parent never synced
  ASSERT_TRUE(fs.WriteRaw("/top/f", "data").ok());
  fs.Crash(3);
  EXPECT_FALSE(fs.Exists("/top/f"));
  EXPECT_FALSE(fs.Exists("/top"));
}

TEST(FaultFileSystemTest, KeepsAPrefixOfTheLostTailForSomeSeeds) {
  bool saw_partial = false;
  for (uint64_t seed = 0; seed < 50 && !saw_partial; ++seed) {
    FaultFileSystem fs;
    ASSERT_TRUE(fs.WriteRaw("/f", "base").ok());
    auto file = fs.NewRandomAccessFile("/f");
    auto w = fs.NewWritableFile("/g", true);
    ASSERT_TRUE(fs.SyncDir("/").ok());
    ASSERT_TRUE((*w)->Append("0123456789").ok());
    fs.Crash(seed, {.keep_unsynced_prefix = true, .garble_sector = false});
    const std::string g = Contents(fs, "/g");
    EXPECT_EQ(g, std::string("0123456789").substr(0, g.size()));
    saw_partial = !g.empty() && g.size() < 10;
  }
  EXPECT_TRUE(saw_partial);
}

TEST(FaultFileSystemTest, SyncHookSeesThePathAndRunsWithoutTheLock) {
  FaultFileSystem fs;
  ASSERT_TRUE(CreateDirs(&fs, "/d").ok());
  std::vector<std::string> synced;
  // The hook uses the file system itself: it must not be called under the file system's lock.
  fs.SetSyncHook([&](const std::string& path) {
    synced.push_back(path);
    EXPECT_TRUE(fs.Exists(path));
  });
  auto file = fs.NewWritableFile("/d/a", true);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("x").ok());
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE(fs.SyncDir("/d").ok());  // directory syncs do not call it
  fs.SetSyncHook(nullptr);
  ASSERT_TRUE((*file)->Sync().ok());
  EXPECT_EQ(synced, std::vector<std::string>{"/d/a"});
}

TEST(FaultFileSystemTest, InjectedErrors) {
  FaultFileSystem fs;
  auto file = fs.NewWritableFile("/f", true);
  ASSERT_TRUE(file.ok());
  fs.SetNoSpace(true);
  Status s = (*file)->Append(std::string(100, 'x'));
  EXPECT_TRUE(IsNoSpace(s)) << s.ToString();
  EXPECT_LT((*file)->Size(), 100u) << "a torn write leaves at most a prefix";
  fs.SetNoSpace(false);
  fs.SetWriteError(true);
  EXPECT_EQ((*file)->Append("y").code(), StatusCode::kIoError);
  fs.SetWriteError(false);
  fs.SetSyncError(true);
  EXPECT_FALSE((*file)->Sync().ok());
  fs.SetSyncError(false);
  fs.DieAfterOperations(1);
  EXPECT_TRUE((*file)->Append("z").ok());
  EXPECT_FALSE((*file)->Append("z").ok());
  EXPECT_TRUE(fs.dead());
}

}  // namespace
}  // namespace ibstream::fs::fault_file_system_test
