#include "reliability/ib_error_class.h"

namespace ibstream::reliability {

IbErrorClass ClassifyIbError(int code) {
  switch (code) {
    case 1100:
    case 2110:
      return IbErrorClass::kIbLinkLost;
    case 1101:
      return IbErrorClass::kIbLinkRestoredDataLost;
    case 1102:
      return IbErrorClass::kIbLinkRestoredDataKept;
    case 1300:
    case 502:
    case 504:
    case 507:
    case 509:
      return IbErrorClass::kSocketLost;
    case 326:
      return IbErrorClass::kClientIdInUse;
    case 2103:
      return IbErrorClass::kFarmDown;
    case 2104:
      return IbErrorClass::kFarmOk;
    case 10197:
      return IbErrorClass::kCompetingSession;
    case 354:
    case 10089:
    case 10168:
    case 10186:
    case 10189:
      return IbErrorClass::kPermissionDenied;
    case 101:
    case 309:
    case 10190:
      return IbErrorClass::kLimitReached;
    case 10090:
    case 10091:
    case 10167:
      return IbErrorClass::kAdvisory;
    case 102:
    case 200:
    case 322:
      return IbErrorClass::kRequestRejected;
    case 100:
      return IbErrorClass::kPacing;
    case 162:
    case 165:
    case 366:
    case 2105:
    case 2106:
    case 2107:
      return IbErrorClass::kHistorical;
    case 300:
    case 2108:
    case 2119:
    case 2157:
    case 2158:
      return IbErrorClass::kInformational;
    default:
      return IbErrorClass::kUnknown;
  }
}

std::string_view IbErrorClassName(IbErrorClass error_class) {
  switch (error_class) {
    case IbErrorClass::kIbLinkLost:
      return "ib_link_lost";
    case IbErrorClass::kIbLinkRestoredDataLost:
      return "ib_link_restored_data_lost";
    case IbErrorClass::kIbLinkRestoredDataKept:
      return "ib_link_restored_data_kept";
    case IbErrorClass::kSocketLost:
      return "socket_lost";
    case IbErrorClass::kClientIdInUse:
      return "client_id_in_use";
    case IbErrorClass::kFarmDown:
      return "farm_down";
    case IbErrorClass::kFarmOk:
      return "farm_ok";
    case IbErrorClass::kCompetingSession:
      return "competing_session";
    case IbErrorClass::kPermissionDenied:
      return "permission_denied";
    case IbErrorClass::kLimitReached:
      return "limit_reached";
    case IbErrorClass::kAdvisory:
      return "advisory";
    case IbErrorClass::kRequestRejected:
      return "request_rejected";
    case IbErrorClass::kPacing:
      return "pacing";
    case IbErrorClass::kHistorical:
      return "historical";
    case IbErrorClass::kInformational:
      return "informational";
    case IbErrorClass::kUnknown:
      return "unknown";
  }
  return "unknown";
}

}  // namespace ibstream::reliability
