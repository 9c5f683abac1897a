#include "client/events.h"

#include <gtest/gtest.h>

#include <set>

namespace ibstream::client::events_test {
namespace {

TEST(EventsTest, EveryRecorderCodeHasAKind) {
  struct Case {
    int32_t code;
    NoticeKind kind;
    std::string_view name;
  };
  const Case cases[] = {
      {100, NoticeKind::kMaxRateExceeded, "max_rate_exceeded"},
      {326, NoticeKind::kClientIdInUse, "client_id_in_use"},
      {1100, NoticeKind::kConnectivityLost, "connectivity_lost"},
      {1101, NoticeKind::kRestoredDataLost, "restored_data_lost"},
      {1102, NoticeKind::kRestoredDataMaintained, "restored_data_maintained"},
      {1300, NoticeKind::kSocketPortReset, "socket_port_reset"},
      {2103, NoticeKind::kMarketDataFarmBroken, "market_data_farm_broken"},
      {2104, NoticeKind::kMarketDataFarmOk, "market_data_farm_ok"},
      {2105, NoticeKind::kHistoricalFarmBroken, "historical_farm_broken"},
      {2106, NoticeKind::kHistoricalFarmOk, "historical_farm_ok"},
      {2107, NoticeKind::kHistoricalFarmInactive, "historical_farm_inactive"},
      {2108, NoticeKind::kMarketDataFarmInactive, "market_data_farm_inactive"},
      {2110, NoticeKind::kServerLinkBroken, "server_link_broken"},
      {2119, NoticeKind::kMarketDataFarmConnecting, "market_data_farm_connecting"},
      {2157, NoticeKind::kSecDefFarmBroken, "sec_def_farm_broken"},
      {2158, NoticeKind::kSecDefFarmOk, "sec_def_farm_ok"},
      {10197, NoticeKind::kCompetingSession, "competing_session"},
      {2100, NoticeKind::kOther, "other"},
      {0, NoticeKind::kOther, "other"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(NoticeKindForCode(c.code), c.kind) << c.code;
    EXPECT_EQ(NoticeKindName(NoticeKindForCode(c.code)), c.name) << c.code;
  }
}

TEST(EventsTest, FarmNameFromText) {
  EXPECT_EQ(FarmNameFromText("Market data farm connection is OK:usfarm"), "usfarm");
  EXPECT_EQ(FarmNameFromText("Market data farm connection is OK:usfarm.nj"), "usfarm.nj");
  EXPECT_EQ(FarmNameFromText("HMDS data farm connection is broken:ushmds"), "ushmds");
  EXPECT_EQ(FarmNameFromText("Sec-def data farm connection is OK:secdefil"), "secdefil");
  EXPECT_EQ(FarmNameFromText("Market data farm is connecting:usfarm"), "usfarm");
  EXPECT_EQ(FarmNameFromText(
                "HMDS data farm connection is inactive but should be available upon demand.ushmds"),
            "ushmds");
  EXPECT_EQ(FarmNameFromText("Connectivity between IB and Trader Workstation has been lost."), "");
  EXPECT_EQ(FarmNameFromText("Error processing request.-'bQ' : cause - Duplicate ticker id"), "");
  EXPECT_EQ(FarmNameFromText("ends with a colon:"), "");
  EXPECT_EQ(FarmNameFromText(""), "");
}

TEST(EventsTest, DisconnectReasonNamesAreDistinct) {
  const DisconnectReason reasons[] = {
      DisconnectReason::kNone,           DisconnectReason::kConnectFailed,
      DisconnectReason::kConnectTimeout, DisconnectReason::kHandshakeFailed,
      DisconnectReason::kClientIdInUse,  DisconnectReason::kEof,
      DisconnectReason::kReset,          DisconnectReason::kReadError,
      DisconnectReason::kWriteError,     DisconnectReason::kProbeTimeout,
      DisconnectReason::kProtocolError,  DisconnectReason::kClosedByUser};
  std::set<std::string_view> names;
  for (DisconnectReason r : reasons) names.insert(DisconnectReasonName(r));
  EXPECT_EQ(names.size(), std::size(reasons));
}

}  // namespace
}  // namespace ibstream::client::events_test
