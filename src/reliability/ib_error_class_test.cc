#include "reliability/ib_error_class.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace ibstream::reliability::ib_error_class_test {
namespace {

TEST(IbErrorClassTest, CodesFromTheProtocolTable) {
  using C = IbErrorClass;
  const std::vector<std::pair<int, C>> table = {
      {1100, C::kIbLinkLost},
      {2110, C::kIbLinkLost},
      {1101, C::kIbLinkRestoredDataLost},
      {1102, C::kIbLinkRestoredDataKept},
      {1300, C::kSocketLost},
      {502, C::kSocketLost},
      {504, C::kSocketLost},
      {507, C::kSocketLost},
      {509, C::kSocketLost},
      {326, C::kClientIdInUse},
      {2103, C::kFarmDown},
      {2104, C::kFarmOk},
      {10197, C::kCompetingSession},
      {354, C::kPermissionDenied},
      {10089, C::kPermissionDenied},
      {10168, C::kPermissionDenied},
      {10186, C::kPermissionDenied},
      {10189, C::kPermissionDenied},
      {10190, C::kLimitReached},
      {101, C::kLimitReached},
      {309, C::kLimitReached},
      {10167, C::kAdvisory},
      {10090, C::kAdvisory},
      {10091, C::kAdvisory},
      {322, C::kRequestRejected},
      {102, C::kRequestRejected},
      {200, C::kRequestRejected},
      {100, C::kPacing},
      {162, C::kHistorical},
      {2105, C::kHistorical},
      {2106, C::kHistorical},
      {2108, C::kInformational},
      {2158, C::kInformational},
      {0, C::kUnknown},
      {99999, C::kUnknown},
  };
  for (const auto& [code, expected] : table) {
    EXPECT_EQ(ClassifyIbError(code), expected) << code;
  }
}

TEST(IbErrorClassTest, OnlyRefusalsAreTerminal) {
  EXPECT_TRUE(IsTerminalForRequest(ClassifyIbError(10189)));
  EXPECT_TRUE(IsTerminalForRequest(ClassifyIbError(10190)));
  EXPECT_TRUE(IsTerminalForRequest(ClassifyIbError(354)));
  EXPECT_FALSE(IsTerminalForRequest(ClassifyIbError(10167)));  // delayed data follows
  EXPECT_FALSE(IsTerminalForRequest(ClassifyIbError(10090)));  // partial: some ticks flow
  EXPECT_FALSE(IsTerminalForRequest(ClassifyIbError(10197)));
  EXPECT_FALSE(IsTerminalForRequest(ClassifyIbError(322)));
  EXPECT_EQ(IbErrorClassName(ClassifyIbError(10197)), "competing_session");
}

TEST(IbErrorClassTest, CapacitySignalsAreNotPermissionFailures) {
  for (int code : {10190, 101, 309}) {
    EXPECT_TRUE(IsCapacitySignal(ClassifyIbError(code))) << code;
    EXPECT_NE(ClassifyIbError(code), IbErrorClass::kPermissionDenied) << code;
  }
  for (int code : {354, 10089, 10168, 10186, 10189, 10197, 322, 1100}) {
    EXPECT_FALSE(IsCapacitySignal(ClassifyIbError(code))) << code;
  }
}

}  // namespace
}  // namespace ibstream::reliability::ib_error_class_test
