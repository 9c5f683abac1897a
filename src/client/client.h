// The asynchronous TWS API client: connect and handshake, request ids and routing, liveness
// probe, outgoing pacing. No Asio in this header.
//
// Threading. A Client lives on one EventLoop (client/event_loop.h), whose single thread is the
// client's thread. Every callback given to the client (ClientCallbacks, request callbacks, tick
// handlers) is invoked on that thread, never inside the call that registered it. All public
// methods are thread-safe: they allocate what must be returned at once (request ids, atomically)
// and post the rest to the loop. Construct the Client on any thread; destroy it on the client's
// thread or after the loop has stopped, and never from inside one of its own callbacks.
//
// Lifecycle. Connect() tries `host` on each of `ports` in order (each attempt bounded by
// connect_timeout), sends the hello ("v176..187" plus connect options), checks the ack's server
// version, sends START_API and reports ready once both NEXT_VALID_ID and MANAGED_ACCTS arrived.
// A ready session ends with exactly one DisconnectEvent (EOF, reset, read/write error, probe
// timeout, protocol error, client id in use, or Disconnect()); then every pending one-shot request
// fails with Unavailable and every subscription is forgotten (the ids are dead: resubscribe with
// new ids after reconnecting). Connect() may be called again after a disconnect.
//
// Pacing. Every message after the hello goes through one FIFO queue drained by a TokenBucket
// (client/token_bucket.h): nothing is dropped, order is kept, at most `pace_burst +
// pace_rate * W` messages leave in any window W.
//
// Liveness. While ready, every probe_interval the client sends reqCurrentTime; if the reply has
// not arrived within probe_deadline the connection is declared half-open and closed
// (kProbeTimeout). Timers wait Clock::ToRealDuration of these spans; timestamps come from the
// injected Clock.
//
// Untrusted input. A framing or decode error from the gateway gives a ProtocolErrorEvent (with
// the running error count) and a clean close (kProtocolError); nothing the gateway sends can
// crash the client.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/events.h"
#include "common/clock.h"
#include "common/status.h"
#include "model/tick.h"
#include "protocol/contract.h"
#include "protocol/counters.h"
#include "protocol/server_messages.h"

namespace ibstream::client {

class EventLoop;

struct ClientOptions {
  std::string host = "127.0.0.1";
  // Tried in order until one accepts a TCP connection.
  std::vector<uint16_t> ports = {4002};
  int32_t client_id = 0;
  // Bound on each TCP connect attempt, and separately on the handshake (ack to ready).
  Duration connect_timeout = std::chrono::seconds(10);
  // Appended to the hello, e.g. "+PACEAPI" (TWS then paces above 50/s instead of refusing).
  std::string connect_options;
  // START_API's optionalCapabilities; normally empty.
  std::string optional_capabilities;
  // Liveness probe; a zero interval disables it.
  Duration probe_interval = std::chrono::seconds(30);
  Duration probe_deadline = std::chrono::seconds(10);
  // Outgoing pacing (see token_bucket.h: these defaults never exceed 50 in any second).
  double pace_rate = 40;
  int pace_burst = 10;
  // The first request id this client allocates; ids then increase by one.
  int32_t first_request_id = 1;
};

// Connection-level events. Any may be empty.
struct ClientCallbacks {
  std::function<void(const ConnectionNotice&)> on_notice;
  std::function<void(const DisconnectEvent&)> on_disconnected;
  std::function<void(const ProtocolErrorEvent&)> on_protocol_error;
  // After all messages of one socket read were dispatched: a natural point to flush output.
  std::function<void()> on_read_batch_end;
  // Each answer to reqCurrentTime, the liveness probe's included (every probe_interval while
  // ready): the gateway's clock against the client's.
  std::function<void(const ServerTimeSample&)> on_server_time;
};

// Handlers of one tick-by-tick subscription delivered as domain Ticks (Client::SubscribeTicks).
struct TickHandlers {
  // Each tick, converted by the client: contract_id = the subscribed contract's con_id, type =
  // the subscribed type (Last and AllLast share IB's message), source kLive, sequence 0,
  // exchange_time from IB, receive_time = now on the client's clock. The Tick is one object the
  // client reuses for every tick of every subscription: valid during the call only, copy what
  // you keep (copy-assigning into a kept Tick reuses its string buffers). No allocation per tick
  // once the exchange / special-conditions strings have grown.
  std::function<void(const Tick&)> tick;
  // An ERR_MSG for this request (10189, 10190, 322, ...). The subscription stays registered:
  // whether the code is terminal is the caller's decision (cancel it if so).
  std::function<void(const RequestError&)> error;
};

// One page of reqHistoricalTicks.
struct HistoricalTicksQuery {
  protocol::Contract contract;
  // kBidAsk asks BID_ASK, kMidPoint MIDPOINT, kLast and kAllLast TRADES; the returned ticks carry
  // this type.
  TickType type = TickType::kBidAsk;
  // Exactly one of the two is non-empty: "20250811 09:30:00 US/Central" or "20250811-14:30:05".
  std::string start_date_time;
  std::string end_date_time;
  int32_t number_of_ticks = 1000;  // at most 1000
  bool use_rth = false;
  bool ignore_size = false;
};

// Counters for metrics. A consistent snapshot, refreshed after each socket read and write.
struct ClientStats {
  uint64_t connections = 0;          // sessions that became ready
  uint64_t messages_sent = 0;        // paced messages written (START_API and after)
  uint64_t messages_queued = 0;      // waiting in the pacing queue now
  uint64_t pacing_waits = 0;         // times the queue had to wait for a token
  uint64_t notices = 0;              // ConnectionNotices delivered
  uint64_t request_errors = 0;       // ERR_MSGs routed to a request
  uint64_t unroutable_messages = 0;  // data for a request id the client does not know
  uint64_t bad_market_data = 0;      // reqMktData last timestamps that were not unix seconds
  uint64_t probes_sent = 0;
  uint64_t probe_timeouts = 0;
  uint64_t protocol_errors = 0;         // framing and decode errors (each closes the connection)
  protocol::ProtocolCounters protocol;  // frames read, messages decoded, errors by kind
};

// Builds the Status a one-shot request fails with for an IB error: "IB error 200 (request 7): No
// security definition ...", code NotFound for 200, Unavailable otherwise; IB's code travels as the
// Status's typed detail code.
Status StatusFromRequestError(const RequestError& error);
// The IB code a Status made by StatusFromRequestError carries (its typed detail code), if any.
// Never read from the message text: a Status that merely says "IB error 162" has no code.
std::optional<int32_t> IbErrorCode(const Status& status);

class Client {
 public:
  // `loop` and `clock` must outlive the client.
  Client(EventLoop& loop, const Clock& clock, ClientOptions options, ClientCallbacks callbacks);
  ~Client();

  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Starts connecting; `done` gets the session or the failure (kClientIdInUse for error 326,
  // kConnectFailed / kConnectTimeout / kHandshakeFailed / kEof ...). FailedPrecondition when a
  // connection is already open or opening.
  void Connect(std::function<void(const ConnectResult&)> done);
  // Closes the connection (DisconnectEvent kClosedByUser if it was ready). Messages already
  // decoded from the current read are not delivered after this call returns when it is made on
  // the client's thread.
  void Disconnect();

  // A fresh request id (never reused by this client). Thread-safe.
  int32_t NextRequestId();

  // Requests made while not ready fail at once (on the client's thread) with Unavailable, or for
  // subscriptions with RequestError code 504 "Not connected" (IB's own client-side code). Each
  // returns the request id it used.

  // reqContractDetails: every CONTRACT_DATA until CONTRACT_DATA_END; an IB error (200: no such
  // contract -> NotFound) ends the request.
  int32_t RequestContractDetails(
      const protocol::Contract& contract,
      std::function<void(Result<std::vector<protocol::ContractDetails>>)> done);

  // reqTickByTickData with ticks delivered as domain Ticks (see TickHandlers) until
  // CancelTickByTick or a disconnect.
  int32_t SubscribeTicks(const protocol::Contract& contract, TickType type, TickHandlers handlers,
                         int32_t number_of_ticks = 0, bool ignore_size = false);
  // cancelTickByTickData; the handlers are dropped at once (late
  // ticks are counted unroutable).
  void CancelTickByTick(int32_t req_id);

  // reqMktData (no generic ticks, streaming, not a snapshot): IB's top-of-book stream for
  // `contract`, delivered as domain Ticks of the fallback kinds until CancelMarketData or a
  // disconnect. handlers.tick gets a TickType::kQuote tick (the whole top of book: bid and ask
  // price and size) whenever one of them changes, and a TickType::kTrade tick (price, size, the
  // day's volume) for each last trade, its exchange time IB's last timestamp (tick string 45,
  // whole seconds); a last price/size update followed by another with no timestamp in between is
  // delivered stamped with its receive time. Quotes carry their receive time as exchange time.
  // Fields as for SubscribeTicks (contract_id = con_id, source kLive, sequence 0, one reused Tick).
  // handlers.error gets this request's ERR_MSGs (10190 is not one of them; 101 "max number of
  // tickers", 354 "not subscribed", 10197 "competing session", ...): the subscription stays
  // registered, whether the code is terminal is the caller's decision.
  int32_t SubscribeMarketData(const protocol::Contract& contract, TickHandlers handlers);
  // cancelMktData; the handlers are dropped at once (late ticks are counted unroutable).
  void CancelMarketData(int32_t req_id);

  // reqMktDepth for `rows` rows per side (smart: IB's book aggregated across exchanges), until
  // CancelMarketDepth or a disconnect. handlers.tick gets one TickType::kDepth tick per
  // UPDATE_MKT_DEPTH / UPDATE_MKT_DEPTH_L2: book_position, book_operation, book_side, price,
  // size, exchange = the row's market maker (L2; empty for L1), exchange_time = receive_time =
  // now on the client's clock (IB sends no depth time). Other fields as for SubscribeTicks.
  // handlers.error gets this request's ERR_MSGs (309 "max number of market depth requests",
  // 10092 "deep market data not supported", ...); the subscription stays registered.
  int32_t SubscribeMarketDepth(const protocol::Contract& contract, int rows, bool smart,
                               TickHandlers handlers);
  // cancelMktDepth; the handlers are dropped at once.
  void CancelMarketDepth(int32_t req_id);

  // reqHistoricalTicks, one page, as domain Ticks (source kBackfill, exchange time in whole
  // seconds, receive time = now on the client's clock).
  int32_t RequestHistoricalTicks(const HistoricalTicksQuery& query,
                                 std::function<void(Result<std::vector<Tick>>)> done);

  // reqHeadTimeStamp with formatDate 2 (epoch seconds). `what_to_show`: TRADES, BID_ASK, ...
  int32_t RequestHeadTimestamp(const protocol::Contract& contract, std::string what_to_show,
                               bool use_rth, std::function<void(Result<TimePoint>)> done);

  // reqMatchingSymbols.
  int32_t RequestMatchingSymbols(
      std::string pattern,
      std::function<void(Result<std::vector<protocol::ContractDescription>>)> done);

  // reqCurrentTime (no request id: replies are matched in order, shared with the probe).
  void RequestCurrentTime(std::function<void(Result<TimePoint>)> done);

  // reqMarketDataType (1 real-time, 2 frozen, 3 delayed, 4 delayed-frozen); TWS sends no reply.
  void SetMarketDataType(int32_t market_data_type);

  // Thread-safe snapshot.
  ClientStats stats() const;

 private:
  class Impl;
  std::atomic<int32_t> next_request_id_;
  std::shared_ptr<Impl> impl_;
};

}  // namespace ibstream::client
