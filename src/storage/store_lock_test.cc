// The store's owner lock: one holder at a time (also within one process), the holder's pid in the
// refusal, free again once released or moved from, and the store directory created when missing.
#include "storage/store_lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

namespace ibstream::storage::store_lock_test {
namespace {

class StoreLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("store_lock_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Root() const { return (dir_ / "store").string(); }
  std::filesystem::path dir_;
};

TEST_F(StoreLockTest, OneHolderAtATime) {
  auto first = StoreLock::Acquire(Root());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->held());
  EXPECT_TRUE(std::filesystem::exists(StoreLockPath(Root())));

  auto second = StoreLock::Acquire(Root());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("in use"), std::string::npos);
  EXPECT_NE(second.status().message().find("pid " + std::to_string(::getpid())), std::string::npos)
      << second.status().ToString();

  first->Release();
  EXPECT_FALSE(first->held());
  auto third = StoreLock::Acquire(Root());
  EXPECT_TRUE(third.ok()) << third.status().ToString();
}

TEST_F(StoreLockTest, MovedLocksStayHeldAndDestructionReleases) {
  {
    auto lock = StoreLock::Acquire(Root());
    ASSERT_TRUE(lock.ok());
    StoreLock moved = std::move(lock).value();
    EXPECT_TRUE(moved.held());
    StoreLock assigned;
    assigned = std::move(moved);
    EXPECT_TRUE(assigned.held());
    EXPECT_FALSE(StoreLock::Acquire(Root()).ok());
  }
  EXPECT_TRUE(StoreLock::Acquire(Root()).ok());
}

TEST_F(StoreLockTest, AStoreThatCannotBeCreatedIsAnError) {
  std::filesystem::create_directories(dir_);
  const std::string file = (dir_ / "file").string();
  { std::ofstream(file) << "x"; }
  auto lock = StoreLock::Acquire(file + "/store");
  ASSERT_FALSE(lock.ok());
  EXPECT_EQ(lock.status().code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace ibstream::storage::store_lock_test
