#include "fs/descriptor_budget.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>

namespace ibstream::fs::descriptor_budget_test {
namespace {

TEST(DescriptorBudgetTest, ConnectionLimitLeavesTheReserveFree) {
  struct Row {
    size_t configured;
    uint64_t soft;
    uint64_t reserved;
    size_t expected;
  };
  const Row rows[] = {
      {256, 65536, 100, 256},            // plenty: the configured limit
      {256, 1024, 100, 256},             // 924 left: still the configured limit
      {256, 300, 100, 200},              // lowered to what the reserve leaves
      {256, 356, 100, 256},              // exactly enough
      {256, 100, 100, 1},                // nothing left: one client, refusals counted
      {256, 50, 100, 1},                 // a soft limit under the reserve
      {1, 65536, 100, 1},                // configured 1 stays 1
      {65536, UINT64_MAX, 1000, 65536},  // an unlimited soft limit
  };
  for (const Row& r : rows) {
    EXPECT_EQ(ConnectionLimitWithin(r.configured, r.soft, r.reserved), r.expected)
        << r.configured << " " << r.soft << " " << r.reserved;
  }
}

TEST(DescriptorBudgetTest, CeilingIsTheLimitLessTheReserve) {
  struct Case {
    uint64_t soft_limit, reserved, want;
  };
  const Case cases[] = {
      {1024, 70, 954},      // clients keep descriptors 0..953; 954..1023 stay for storage
      {160, 70, 90},        //
      {70, 70, 0},          // no room above the reserve: no ceiling (the count limit floors at 1)
      {40, 70, 0},          //
      {UINT64_MAX, 70, 0},  // limit unknown or unlimited: no ceiling
      {UINT64_MAX - 1, 70, UINT64_MAX - 71},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DescriptorCeiling(c.soft_limit, c.reserved), c.want)
        << c.soft_limit << " " << c.reserved;
  }
}

TEST(DescriptorBudgetTest, ReserveGrowsWithTheStreams) {
  EXPECT_EQ(ReservedDescriptors(0), 64u);
  EXPECT_EQ(ReservedDescriptors(8), 64u + 24u);
  EXPECT_LT(ReservedDescriptors(8), ReservedDescriptors(9));
}

// Each test runs in a process of its own (CTest), so changing the limit here touches no other.
TEST(DescriptorBudgetTest, RaisesTheSoftLimitToTheHardOneUpToTheCeiling) {
  rlimit original{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &original), 0);
  if (original.rlim_max != RLIM_INFINITY && original.rlim_max < 128) {
    GTEST_SKIP() << "hard descriptor limit too low to test: " << original.rlim_max;
  }
  rlimit lowered = original;
  lowered.rlim_cur = 64;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);

  const uint64_t hard =
      original.rlim_max == RLIM_INFINITY ? UINT64_MAX : static_cast<uint64_t>(original.rlim_max);
  auto raised = RaiseDescriptorLimit(100);
  ASSERT_TRUE(raised.ok()) << raised.status().ToString();
  EXPECT_EQ(raised->soft_before, 64u);
  EXPECT_EQ(raised->soft, std::min<uint64_t>(hard, 100));
  EXPECT_EQ(raised->hard, hard);
  rlimit now{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_EQ(static_cast<uint64_t>(now.rlim_cur), raised->soft);

  // A soft limit already above the ceiling is left alone.
  auto again = RaiseDescriptorLimit(80);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->soft_before, raised->soft);
  EXPECT_EQ(again->soft, raised->soft);

  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &original), 0);
}

}  // namespace
}  // namespace ibstream::fs::descriptor_budget_test
