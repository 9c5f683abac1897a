// The ground truth: every tick the simulator generated and every fault window, as JSON lines.
//
// Format (version 2), one JSON object per line:
//   {"type":"header","version":2,"seed":7,"start":"2025-08-11T20:50:00Z","speed":60}
//   {"type":"tick","con_id":711202509,"symbol":"MNQ","tick_type":"BidAsk",
//    "time":1754945400,"time_ns":1754945400250000000,"bid":21500.25,"ask":21500.5,
//    "bid_size":"3","ask_size":"5","delivered":true,"subscribers":1}
//   {"type":"tick",...,"tick_type":"AllLast","price":21500.5,"size":"2","exchange":"CME",
//    "special_conditions":"","unreported":false,...}
//   {"type":"tick",...,"tick_type":"MidPoint","price":21500.375,...}
//   {"type":"tick",...,"tick_type":"Quote","bid":21500.25,"ask":21500.5,"bid_size":"3",
//    "ask_size":"5",...}
//   {"type":"tick",...,"tick_type":"Trade","price":21500.5,"size":"2","volume":"1841",...}
//   {"type":"fault","kind":"farm_down","detail":"farm_down farm=usfuture duration=30s",
//    "start":"2025-08-11T21:10:00Z","end":"2025-08-11T21:10:30Z","open":false}
//   {"type":"subscription","event":"start","client_id":0,"req_id":1001,"con_id":711202509,
//    "symbol":"MNQ","stream":"BidAsk","at":"2025-08-11T20:50:01Z","time_ns":1754945401000000000,
//    "reason":""}
//   {"type":"footer","end":"...","ticks":12345,"delivered":12000}
// `time` is IB's exchange time (whole seconds, what the wire carries); `time_ns` the virtual
// instant the simulator released the tick. `delivered` is true when the tick was sent to at least
// one subscription of its type; `subscribers` counts them. A perfect recorder subscribed to a
// stream holds every tick of it (delivered live or filled from history). Fault records are
// written when the fault ends (`open`: true for faults still active at shutdown).
//
// Quote and Trade records are the reqMktData updates (the fallback stream kinds): one per kind
// per update published on the 250 ms grid, `time_ns` its grid instant, `subscribers` the reqMktData
// subscriptions it went to. A Quote's `time` is the grid instant's second; a Trade's is the last
// trade's second, with the day's cumulative `volume` ("" when unset). verify judges them by
// coverage of the seconds with data.
//
// A Depth record (TickType::kDepth) is one market-depth update sent to one reqMktDepth
// subscription: "operation" (insert, update, delete, reset), "side" (bid, ask), "position",
// "price" and, when set, "size" and "market_maker"; "client_id" and "req_id" name the
// subscription (its depth book is its own: rows and smart depth are per request), `time_ns` is
// the instant it was sent, `delivered` is true and `subscribers` 1:
//   {"type":"tick","con_id":265598,"symbol":"AAPL","tick_type":"Depth","time":1754945400,
//    "time_ns":1754945400250000000,"operation":"insert","side":"bid","position":0,
//    "price":227.5,"size":"300","client_id":7,"req_id":12,"delivered":true,"subscribers":1}
//
// Subscription records say who asked for which stream and from when to when, so a stream is
// judged from its first ask even when nothing was ever delivered to it. `event` is "start" (a
// subscription began to be served), "refused" (asked for and not served; `reason` is IB's error
// code and text) or "end" (`reason`: "cancel" when the client cancelled it, otherwise why the
// simulator dropped it: the session closed, connectivity restored with data lost). `stream` is
// the tick-by-tick type's IB name ("BidAsk", "Last", "AllLast", "MidPoint"), "MktData" for a
// reqMktData line, "MktDepth" for a reqMktDepth request, or the unknown type a refused request
// named. `con_id` is the contract served,
// or the one the request named (0 when none) when it could not be resolved; `symbol` likewise.
// `at` is the virtual instant (ISO, with its fraction) and `time_ns` the same in nanoseconds.
// Subscriptions still served when the simulator stops get no end record: they run to the footer.
// Version 1 files are the same without subscription records.
//
// Not thread-safe: owned by the simulator's loop thread. Writes are buffered; Flush() and the
// destructor write them out.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "model/tick.h"
#include "sim/fault.h"

namespace ibstream::sim {

enum class SubscriptionEvent { kStart, kRefused, kEnd };
std::string_view SubscriptionEventName(SubscriptionEvent event);

// One subscription record (see the format above).
struct SubscriptionRecord {
  SubscriptionEvent event = SubscriptionEvent::kStart;
  int32_t client_id = 0;
  int32_t req_id = 0;
  int32_t con_id = 0;
  std::string_view symbol;
  std::string_view stream;
  TimePoint time;
  std::string_view reason;
};

class TruthWriter {
 public:
  // Opens (truncates) `path`.
  static Result<std::unique_ptr<TruthWriter>> Open(const std::string& path);
  ~TruthWriter();

  TruthWriter(const TruthWriter&) = delete;
  TruthWriter& operator=(const TruthWriter&) = delete;

  void WriteHeader(uint64_t seed, TimePoint start, double speed);
  // `tick.contract_id`, type, prices, sizes, exchange and attributes are written; `symbol` too.
  // A Quote or Trade tick (TickType::kQuote/kTrade) writes the fallback record of its kind.
  void WriteTick(const Tick& tick, std::string_view symbol, int subscribers);
  // A Depth record: one update of `tick` (TickType::kDepth) sent to subscription `req_id` of
  // client `client_id`.
  void WriteDepthUpdate(const Tick& tick, std::string_view symbol, int32_t client_id,
                        int32_t req_id);
  void WriteFault(FaultKind kind, std::string_view detail, TimePoint start, TimePoint end,
                  bool open);
  void WriteSubscription(const SubscriptionRecord& record);
  void WriteFooter(TimePoint end);
  [[nodiscard]] Status Flush();

  uint64_t ticks_delivered() const { return delivered_; }

 private:
  explicit TruthWriter(std::FILE* file) : file_(file) {}
  void MaybeFlush();
  // The tick record up to (not including) "delivered".
  void AppendTickFields(const Tick& tick, std::string_view symbol);

  std::FILE* file_;
  std::string buffer_;
  uint64_t ticks_ = 0;
  uint64_t delivered_ = 0;
  bool failed_ = false;
};

}  // namespace ibstream::sim
