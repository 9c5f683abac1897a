// A small blocking TWS API client for tests and benchmarks of the simulator: POSIX sockets, the
// protocol library's codec, and everything received kept in order. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/decimal.h"
#include "common/status.h"
#include "model/tick.h"
#include "protocol/framing.h"
#include "protocol/requests.h"
#include "protocol/requests_account.h"
#include "protocol/server_messages.h"
#include "sim/depth_book.h"

namespace ibstream::sim {

struct ReceivedError {
  int32_t id = 0;
  int32_t code = 0;
  std::string text;
  // How many tick-by-tick ticks, reqMktData ticks, depth updates, real-time bars and
  // keepUpToDate bar updates had arrived before it.
  size_t ticks_before = 0;
  size_t mkt_data_before = 0;
  size_t depth_before = 0;
  size_t realtime_bars_before = 0;
  size_t bar_updates_before = 0;
};

struct ReceivedTick {
  int32_t req_id = 0;
  Tick tick;  // contract_id 0; type, exchange_time, prices, sizes, exchange, attributes
};

// One reqMktData tick (TICK_PRICE, TICK_SIZE or TICK_STRING), in arrival order.
struct ReceivedMktData {
  enum class Kind { kPrice, kSize, kString };
  int32_t req_id = 0;
  Kind kind = Kind::kPrice;
  int32_t tick_type = 0;    // IB tick type: 1 bid, 2 ask, 4 last, 0/3/5 sizes, 8 volume, 45 ...
  double price = 0;         // kPrice
  Decimal size;             // kPrice (its size) and kSize
  std::string text;         // kString
  size_t ticks_before = 0;  // how many tick-by-tick ticks had arrived before it
};

struct ReceivedHistorical {
  int32_t req_id = 0;
  std::vector<Tick> ticks;
  bool done = false;
};

// One UPDATE_MKT_DEPTH or UPDATE_MKT_DEPTH_L2 as received.
struct ReceivedDepth {
  int32_t req_id = 0;
  DepthUpdate update;
  bool l2 = false;  // UPDATE_MKT_DEPTH_L2
  std::string market_maker;
  bool smart = false;
};

// One bar of HISTORICAL_DATA or HISTORICAL_DATA_UPDATE, owned.
struct ReceivedBar {
  int32_t req_id = 0;
  std::string date;
  double open = 0, high = 0, low = 0, close = 0;
  Decimal volume, wap;
  int32_t count = 0;
};

// One HISTORICAL_DATA: the window and its bars.
struct ReceivedBars {
  int32_t req_id = 0;
  std::string start, end;
  std::vector<ReceivedBar> bars;
};

class TestClient : public protocol::ServerMessageHandler {
 public:
  struct Options {
    int32_t client_id = 1;
    int min_version = 100;
    int max_version = 187;
    bool start_api = true;        // send START_API and wait for managedAccounts + nextValidId
    std::string connect_options;  // the hello's connect options, e.g. "+PACEAPI"
    std::chrono::milliseconds timeout{10000};
  };

  // After this, frames are only counted (messages()), not decoded: for benchmarks, where the
  // client's decoding would otherwise be measured.
  void CountOnly() { count_only_ = true; }

  // Connects to 127.0.0.1:port and performs the handshake. Errors: connect refused, the server
  // closing during the handshake (Unavailable), timeout.
  static Result<std::unique_ptr<TestClient>> Connect(uint16_t port, const Options& options);
  ~TestClient() override;

  template <typename Request>
  [[nodiscard]] Status Send(const Request& request) {
    std::string bytes;
    IBSTREAM_RETURN_IF_ERROR(protocol::EncodeRequest(request, server_version_, bytes));
    return SendRaw(bytes);
  }
  [[nodiscard]] Status SendRaw(std::string_view bytes);

  // Reads until `done()` holds, the connection closes or `timeout` passes; returns done().
  bool WaitFor(const std::function<bool()>& done,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
  // Sends reqCurrentTime and waits for its answer: everything the server queued before has
  // then arrived.
  bool RoundTrip();
  // Reads whatever is available within `window` (for "nothing arrives" checks).
  void Drain(std::chrono::milliseconds window);

  bool closed() const { return closed_; }
  bool protocol_error() const { return protocol_error_; }
  int server_version() const { return server_version_; }
  const std::string& accounts() const { return accounts_; }
  int64_t next_valid_id() const { return next_valid_id_; }
  const std::vector<int>& message_ids() const { return message_ids_; }
  // How many messages with this message id (after the connect ack) have arrived.
  uint64_t MessagesOf(int message_id) const;
  uint64_t messages() const { return messages_; }

  std::vector<ReceivedError> errors;
  std::vector<ReceivedTick> ticks;  // TICK_BY_TICK, in arrival order
  std::vector<protocol::ContractDetails> details;
  std::vector<int32_t> details_end;
  std::vector<ReceivedHistorical> historical;
  std::vector<protocol::ContractDescription> symbol_samples;
  std::vector<std::string> head_timestamps;
  std::vector<int64_t> current_times;
  std::vector<std::pair<int32_t, int32_t>> tick_prices;  // (req_id, tick type)
  std::vector<ReceivedMktData> mkt_data;                 // every reqMktData tick
  std::vector<int32_t> snapshot_ends;
  std::vector<int32_t> market_data_types;

  std::vector<ReceivedDepth> depth;  // in arrival order
  std::vector<protocol::DepthMktDataDescription> depth_exchanges;
  std::vector<ReceivedBars> historical_bars;  // HISTORICAL_DATA
  std::vector<ReceivedBar> bar_updates;       // HISTORICAL_DATA_UPDATE
  std::vector<protocol::RealTimeBar> realtime_bars;
  // The book of depth request `req_id` rebuilt from what arrived (ApplyDepthUpdate); an error
  // when an update cannot be applied.
  Result<DepthBook> DepthBookOf(int32_t req_id) const;

  // The account family's answers (protocol/server_messages_account.h) in arrival order, one line
  // each: "accountValue KEY VALUE CURRENCY ACCOUNT", "accountTime HH:MM", "accountDownloadEnd
  // ACCOUNT", "accountSummary REQID ACCOUNT TAG VALUE CURRENCY", "accountSummaryEnd REQID",
  // "position ...", "positionEnd", "execDetailsEnd REQID", "openOrderEnd", "completedOrdersEnd",
  // "smartComponents REQID N", "marketRule ID LOWEDGE:INCREMENT...", "portfolio ...".
  std::vector<std::string> account_events;

  bool HasError(int32_t code, int32_t id = INT32_MIN) const;
  size_t TicksFor(int32_t req_id) const;

  // ServerMessageHandler
  void OnError(const protocol::ErrorMessage& m) override;
  void OnNextValidId(const protocol::NextValidId& m) override { next_valid_id_ = m.order_id; }
  void OnManagedAccounts(const protocol::ManagedAccounts& m) override {
    accounts_ = std::string(m.accounts);
  }
  void OnCurrentTime(const protocol::CurrentTime& m) override { current_times.push_back(m.time); }
  void OnContractDetails(const protocol::ContractDetails& m) override { details.push_back(m); }
  void OnContractDataEnd(const protocol::ContractDataEnd& m) override {
    details_end.push_back(m.req_id);
  }
  void OnTickSnapshotEnd(const protocol::TickSnapshotEnd& m) override {
    snapshot_ends.push_back(m.req_id);
  }
  void OnTickPrice(const protocol::TickPrice& m) override;
  void OnTickSize(const protocol::TickSize& m) override;
  void OnTickString(const protocol::TickString& m) override;
  // In test_client_account.cc.
  void OnAccountValue(const protocol::AccountValue& m) override;
  void OnPortfolioValue(const protocol::PortfolioValue& m) override;
  void OnAccountUpdateTime(const protocol::AccountUpdateTime& m) override;
  void OnAccountDownloadEnd(const protocol::AccountDownloadEnd& m) override;
  void OnAccountSummary(const protocol::AccountSummary& m) override;
  void OnAccountSummaryEnd(const protocol::AccountSummaryEnd& m) override;
  void OnPositionData(const protocol::PositionData& m) override;
  void OnPositionEnd(const protocol::PositionEnd& m) override;
  void OnExecutionDataEnd(const protocol::ExecutionDataEnd& m) override;
  void OnOpenOrderEnd(const protocol::OpenOrderEnd& m) override;
  void OnCompletedOrdersEnd(const protocol::CompletedOrdersEnd& m) override;
  void OnSmartComponents(const protocol::SmartComponents& m) override;
  void OnMarketRule(const protocol::MarketRule& m) override;
  void OnMarketDataType(const protocol::MarketDataType& m) override {
    market_data_types.push_back(m.market_data_type);
  }
  void OnSymbolSamples(const protocol::SymbolSamples& m) override {
    symbol_samples.insert(symbol_samples.end(), m.descriptions.begin(), m.descriptions.end());
  }
  void OnHeadTimestamp(const protocol::HeadTimestamp& m) override {
    head_timestamps.emplace_back(m.head_timestamp);
  }
  void OnHistoricalTicks(const protocol::HistoricalTicks& m) override;
  void OnHistoricalTicksBidAsk(const protocol::HistoricalTicksBidAsk& m) override;
  void OnHistoricalTicksLast(const protocol::HistoricalTicksLast& m) override;
  void OnTickByTickLast(const protocol::TickByTickLast& m) override;
  void OnTickByTickBidAsk(const protocol::TickByTickBidAsk& m) override;
  void OnTickByTickMidPoint(const protocol::TickByTickMidPoint& m) override;
  void OnMarketDepth(const protocol::MarketDepth& m) override;
  void OnMarketDepthL2(const protocol::MarketDepthL2& m) override;
  void OnMktDepthExchanges(const protocol::MktDepthExchanges& m) override {
    depth_exchanges.insert(depth_exchanges.end(), m.descriptions.begin(), m.descriptions.end());
  }
  void OnHistoricalData(const protocol::HistoricalData& m) override {
    ReceivedBars& r = historical_bars.emplace_back();
    r.req_id = m.req_id;
    r.start = m.start_date;
    r.end = m.end_date;
    for (const protocol::Bar& b : m.bars) r.bars.push_back(Owned(m.req_id, b));
  }
  void OnHistoricalDataUpdate(const protocol::HistoricalDataUpdate& m) override {
    bar_updates.push_back(Owned(m.req_id, m.bar));
  }
  void OnRealTimeBar(const protocol::RealTimeBar& m) override { realtime_bars.push_back(m); }

 private:
  TestClient(int fd, const Options& options) : fd_(fd), options_(options) {}
  static ReceivedBar Owned(int32_t req_id, const protocol::Bar& b) {
    return ReceivedBar{req_id, std::string(b.date), b.open, b.high, b.low, b.close, b.volume,
                       b.wap,  b.bar_count};
  }
  // One read (waiting at most `wait`); false when nothing could be read.
  bool ReadOnce(std::chrono::milliseconds wait);
  void Decode();

  int fd_;
  Options options_;
  bool closed_ = false;
  bool protocol_error_ = false;
  bool acked_ = false;
  bool count_only_ = false;
  int server_version_ = 0;
  std::string accounts_;
  int64_t next_valid_id_ = -1;
  uint64_t messages_ = 0;
  std::vector<int> message_ids_;            // first 64 message ids, for ordering checks
  std::map<int, uint64_t> message_counts_;  // by message id
  protocol::FrameReader reader_;
  std::unique_ptr<protocol::ServerMessageDecoder> decoder_;
};

}  // namespace ibstream::sim
