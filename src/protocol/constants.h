// Constants of the TWS API socket protocol: negotiated versions, limits, message ids.
//
// Facts from docs/PROTOCOL.md (the project's clean-room description of the protocol).
//
// Why we negotiate server versions 176..187 and nothing else:
//  * 176 (MIN_SERVER_VER_BOND_ISSUERID) is the first version whose request layouts are the ones we
//    encode: reqContractDetails ends with issuerId, SYMBOL_SAMPLES items end with description and
//    issuerId. Below 176 those layouts differ (and below 164 CONTRACT_DATA still carries a version
//    field and other size fields), which we do not implement.
//  * 187 is the highest version the 10.30 API knows (MAX_CLIENT_VER). Above it the layouts change
//    in ways we have no reference for (194 adds errorTime to ERR_MSG and drops its version field,
//    201 switches to protobuf), so advertising more would let a newer TWS send bytes we misread.
//  * Inside 176..187 every request and message we handle has the same layout, except
//    CONTRACT_DATA: +17 FUND fields at 179 (secType FUND only), +lastTradeDate at 182, +the
//    ineligibility-reason list at 186. Those three are gated on the negotiated version.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ibstream::protocol {

// The server-version range this library implements and the client advertises ("v176..187").
inline constexpr int kMinServerVersion = 176;
inline constexpr int kMaxServerVersion = 187;

constexpr bool IsSupportedServerVersion(int server_version) {
  return server_version >= kMinServerVersion && server_version <= kMaxServerVersion;
}

// Server versions at which a layout inside our range changes.
inline constexpr int kServerVersionFundDataFields = 179;        // CONTRACT_DATA FUND block
inline constexpr int kServerVersionLastTradeDate = 182;         // CONTRACT_DATA lastTradeDate
inline constexpr int kServerVersionIneligibilityReasons = 186;  // CONTRACT_DATA ineligibility
// Older thresholds that are always met in our range; kept so gated code reads like the spec.
inline constexpr int kServerVersionEncodeMsgAscii7 = 153;      // \uXXXX escaping of server text
inline constexpr int kServerVersionAdvancedOrderReject = 166;  // ERR_MSG advancedOrderRejectJson

// Largest frame payload either side accepts (MAX_MSG_LEN, 16 MiB - 1). Length 0 is also invalid.
inline constexpr uint32_t kMaxMessageLength = 0xFFFFFF;

// The 4 raw bytes the client sends before its first (version-range) frame.
inline constexpr std::string_view kApiPrefix{"API\0", 4};

// IB's "unset" sentinels (UNSET_INTEGER, UNSET_LONG); Decimal has its own unset state.
inline constexpr int32_t kUnsetInteger = 2147483647;
inline constexpr int64_t kUnsetLong = 9223372036854775807LL;

// Message ids sent by the client (field 1 of a request).
enum class OutgoingId : int {
  kReqMktData = 1,
  kCancelMktData = 2,
  kReqIds = 8,
  kReqContractData = 9,
  kReqMktDepth = 10,
  kReqHistoricalData = 20,
  kCancelHistoricalData = 25,
  kReqRealTimeBars = 50,
  kCancelRealTimeBars = 51,
  kCancelMktDepth = 11,
  kReqCurrentTime = 49,
  kReqMarketDataType = 59,
  kStartApi = 71,
  kReqMatchingSymbols = 81,
  kReqMktDepthExchanges = 82,
  kReqHeadTimestamp = 87,
  kCancelHeadTimestamp = 90,
  kReqHistoricalTicks = 96,
  kReqTickByTickData = 97,
  kCancelTickByTickData = 98,
};

// Message ids sent by the server (field 1 of a message).
enum class IncomingId : int {
  kTickPrice = 1,
  kTickSize = 2,
  kErrMsg = 4,
  kNextValidId = 9,
  kContractData = 10,
  kMarketDepth = 12,
  kMarketDepthL2 = 13,
  kManagedAccts = 15,
  kHistoricalData = 17,
  kTickGeneric = 45,
  kTickString = 46,
  kCurrentTime = 49,
  kRealTimeBars = 50,
  kContractDataEnd = 52,
  kTickSnapshotEnd = 57,
  kMarketDataType = 58,
  kSymbolSamples = 79,
  kMktDepthExchanges = 80,
  kTickReqParams = 81,
  kHeadTimestamp = 88,
  kHistoricalDataUpdate = 90,
  kHistoricalTicks = 96,
  kHistoricalTicksBidAsk = 97,
  kHistoricalTicksLast = 98,
  kTickByTick = 99,
};

}  // namespace ibstream::protocol
