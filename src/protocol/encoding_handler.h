// A ServerMessageHandler that encodes every message it receives with EncodeServerMessage:
// decode -> encode round trips (conformance tests, the fuzzer) and relaying decoded messages.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "protocol/server_messages.h"

namespace ibstream::protocol {

class EncodingHandler : public ServerMessageHandler {
 public:
  // Appends to `out` (owned by the caller, must outlive this handler) for `server_version`.
  EncodingHandler(int server_version, std::string& out)
      : server_version_(server_version), out_(out) {}

  // The first encoding error, OK if none.
  const Status& status() const { return status_; }
  // Messages encoded so far.
  int encoded() const { return encoded_; }
  // Unknown messages seen (not encodable: their layout is unknown).
  int unknown() const { return unknown_; }

  void OnError(const ErrorMessage& m) override { Encode(m); }
  void OnNextValidId(const NextValidId& m) override { Encode(m); }
  void OnManagedAccounts(const ManagedAccounts& m) override { Encode(m); }
  void OnCurrentTime(const CurrentTime& m) override { Encode(m); }
  void OnContractDetails(const ContractDetails& m) override { Encode(m); }
  void OnContractDataEnd(const ContractDataEnd& m) override { Encode(m); }
  void OnTickSnapshotEnd(const TickSnapshotEnd& m) override { Encode(m); }
  void OnTickPrice(const TickPrice& m) override { Encode(m); }
  void OnTickSize(const TickSize& m) override { Encode(m); }
  void OnTickGeneric(const TickGeneric& m) override { Encode(m); }
  void OnTickString(const TickString& m) override { Encode(m); }
  void OnTickReqParams(const TickReqParams& m) override { Encode(m); }
  void OnMarketDataType(const MarketDataType& m) override { Encode(m); }
  void OnSymbolSamples(const SymbolSamples& m) override { Encode(m); }
  void OnHeadTimestamp(const HeadTimestamp& m) override { Encode(m); }
  void OnHistoricalTicks(const HistoricalTicks& m) override { Encode(m); }
  void OnHistoricalTicksBidAsk(const HistoricalTicksBidAsk& m) override { Encode(m); }
  void OnHistoricalTicksLast(const HistoricalTicksLast& m) override { Encode(m); }
  void OnTickByTickLast(const TickByTickLast& m) override { Encode(m); }
  void OnTickByTickBidAsk(const TickByTickBidAsk& m) override { Encode(m); }
  void OnTickByTickMidPoint(const TickByTickMidPoint& m) override { Encode(m); }
  void OnMarketDepth(const MarketDepth& m) override { Encode(m); }
  void OnMarketDepthL2(const MarketDepthL2& m) override { Encode(m); }
  void OnMktDepthExchanges(const MktDepthExchanges& m) override { Encode(m); }
  void OnAccountValue(const AccountValue& m) override { Encode(m); }
  void OnPortfolioValue(const PortfolioValue& m) override { Encode(m); }
  void OnAccountUpdateTime(const AccountUpdateTime& m) override { Encode(m); }
  void OnAccountDownloadEnd(const AccountDownloadEnd& m) override { Encode(m); }
  void OnAccountSummary(const AccountSummary& m) override { Encode(m); }
  void OnAccountSummaryEnd(const AccountSummaryEnd& m) override { Encode(m); }
  void OnPositionData(const PositionData& m) override { Encode(m); }
  void OnPositionEnd(const PositionEnd& m) override { Encode(m); }
  void OnExecutionDataEnd(const ExecutionDataEnd& m) override { Encode(m); }
  void OnOpenOrderEnd(const OpenOrderEnd& m) override { Encode(m); }
  void OnCompletedOrdersEnd(const CompletedOrdersEnd& m) override { Encode(m); }
  void OnSmartComponents(const SmartComponents& m) override { Encode(m); }
  void OnMarketRule(const MarketRule& m) override { Encode(m); }
  void OnUnknownMessage(int32_t, std::string_view) override { ++unknown_; }

 private:
  template <typename Message>
  void Encode(const Message& m) {
    Status s = EncodeServerMessage(m, server_version_, out_);
    if (s.ok()) {
      ++encoded_;
    } else if (status_.ok()) {
      status_ = std::move(s);
    }
  }

  int server_version_;
  std::string& out_;
  Status status_;
  int encoded_ = 0;
  int unknown_ = 0;
};

}  // namespace ibstream::protocol
