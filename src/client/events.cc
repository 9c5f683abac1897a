#include "client/events.h"

namespace ibstream::client {

NoticeKind NoticeKindForCode(int32_t code) {
  switch (code) {
    case 100:
      return NoticeKind::kMaxRateExceeded;
    case 326:
      return NoticeKind::kClientIdInUse;
    case 1100:
      return NoticeKind::kConnectivityLost;
    case 1101:
      return NoticeKind::kRestoredDataLost;
    case 1102:
      return NoticeKind::kRestoredDataMaintained;
    case 1300:
      return NoticeKind::kSocketPortReset;
    case 2103:
      return NoticeKind::kMarketDataFarmBroken;
    case 2104:
      return NoticeKind::kMarketDataFarmOk;
    case 2105:
      return NoticeKind::kHistoricalFarmBroken;
    case 2106:
      return NoticeKind::kHistoricalFarmOk;
    case 2107:
      return NoticeKind::kHistoricalFarmInactive;
    case 2108:
      return NoticeKind::kMarketDataFarmInactive;
    case 2110:
      return NoticeKind::kServerLinkBroken;
    case 2119:
      return NoticeKind::kMarketDataFarmConnecting;
    case 2157:
      return NoticeKind::kSecDefFarmBroken;
    case 2158:
      return NoticeKind::kSecDefFarmOk;
    case 10197:
      return NoticeKind::kCompetingSession;
    default:
      return NoticeKind::kOther;
  }
}

std::string_view NoticeKindName(NoticeKind kind) {
  switch (kind) {
    case NoticeKind::kOther:
      return "other";
    case NoticeKind::kMaxRateExceeded:
      return "max_rate_exceeded";
    case NoticeKind::kClientIdInUse:
      return "client_id_in_use";
    case NoticeKind::kConnectivityLost:
      return "connectivity_lost";
    case NoticeKind::kRestoredDataLost:
      return "restored_data_lost";
    case NoticeKind::kRestoredDataMaintained:
      return "restored_data_maintained";
    case NoticeKind::kSocketPortReset:
      return "socket_port_reset";
    case NoticeKind::kMarketDataFarmBroken:
      return "market_data_farm_broken";
    case NoticeKind::kMarketDataFarmOk:
      return "market_data_farm_ok";
    case NoticeKind::kHistoricalFarmBroken:
      return "historical_farm_broken";
    case NoticeKind::kHistoricalFarmOk:
      return "historical_farm_ok";
    case NoticeKind::kHistoricalFarmInactive:
      return "historical_farm_inactive";
    case NoticeKind::kMarketDataFarmInactive:
      return "market_data_farm_inactive";
    case NoticeKind::kServerLinkBroken:
      return "server_link_broken";
    case NoticeKind::kMarketDataFarmConnecting:
      return "market_data_farm_connecting";
    case NoticeKind::kSecDefFarmBroken:
      return "sec_def_farm_broken";
    case NoticeKind::kSecDefFarmOk:
      return "sec_def_farm_ok";
    case NoticeKind::kCompetingSession:
      return "competing_session";
  }
  return "other";
}

std::string_view FarmNameFromText(std::string_view text) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  // A farm name is one token of letters, digits and dots ("usfarm", "usfarm.nj", "ushmds").
  auto is_farm = [](std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-';
      if (!ok) return false;
    }
    return true;
  };
  size_t colon = text.rfind(':');
  if (colon != std::string_view::npos) {
    std::string_view after = trim(text.substr(colon + 1));
    if (is_farm(after)) return after;
  }
  constexpr std::string_view kDemand = "upon demand.";
  size_t demand = text.rfind(kDemand);
  if (demand != std::string_view::npos) {
    std::string_view after = trim(text.substr(demand + kDemand.size()));
    if (is_farm(after)) return after;
  }
  return {};
}

std::string_view DisconnectReasonName(DisconnectReason reason) {
  switch (reason) {
    case DisconnectReason::kNone:
      return "none";
    case DisconnectReason::kConnectFailed:
      return "connect_failed";
    case DisconnectReason::kConnectTimeout:
      return "connect_timeout";
    case DisconnectReason::kHandshakeFailed:
      return "handshake_failed";
    case DisconnectReason::kClientIdInUse:
      return "client_id_in_use";
    case DisconnectReason::kEof:
      return "eof";
    case DisconnectReason::kReset:
      return "reset";
    case DisconnectReason::kReadError:
      return "read_error";
    case DisconnectReason::kWriteError:
      return "write_error";
    case DisconnectReason::kProbeTimeout:
      return "probe_timeout";
    case DisconnectReason::kProtocolError:
      return "protocol_error";
    case DisconnectReason::kClosedByUser:
      return "closed_by_user";
  }
  return "none";
}

}  // namespace ibstream::client
