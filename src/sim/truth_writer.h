// The ground truth: every tick the simulator generated and every fault window, as JSON lines.
//
// Format (version 1), one JSON object per line:
//   {"type":"header","version":1,"seed":7,"start":"2025-08-11T20:50:00Z","speed":60}
//   {"type":"tick","con_id":711202509,"symbol":"MNQ","tick_type":"BidAsk",
//    "time":1754945400,"time_ns":1754945400250000000,"bid":21500.25,"ask":21500.5,
//    "bid_size":"3","ask_size":"5","delivered":true,"subscribers":1}
//   {"type":"tick",...,"tick_type":"AllLast","price":21500.5,"size":"2","exchange":"CME",
//    "special_conditions":"","unreported":false,...}
//   {"type":"tick",...,"tick_type":"MidPoint","price":21500.375,...}
//   {"type":"fault","kind":"farm_down","detail":"farm_down farm=usfuture duration=30s",
//    "start":"2025-08-11T21:10:00Z","end":"2025-08-11T21:10:30Z","open":false}
//   {"type":"footer","end":"...","ticks":12345,"delivered":12000}
// `time` is IB's exchange time (whole seconds, what the wire carries); `time_ns` the virtual
// instant the simulator released the tick. `delivered` is true when the tick was sent to at least
// one subscription of its type; `subscribers` counts them. A perfect recorder subscribed to a
// stream holds every tick of it (delivered live or filled from history). Fault records are
// written when the fault ends (`open`: true for faults still active at shutdown).
//
// Not thread-safe: owned by the simulator's loop thread. Writes are buffered; Flush() and the
// destructor write them out.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "model/tick.h"
#include "sim/fault.h"

namespace ibstream::sim {

class TruthWriter {
 public:
  // Opens (truncates) `path`.
  static Result<std::unique_ptr<TruthWriter>> Open(const std::string& path);
  ~TruthWriter();

  TruthWriter(const TruthWriter&) = delete;
  TruthWriter& operator=(const TruthWriter&) = delete;

  void WriteHeader(uint64_t seed, TimePoint start, double speed);
  // `tick.contract_id`, type, prices, sizes, exchange and attributes are written; `symbol` too.
  void WriteTick(const Tick& tick, std::string_view symbol, int subscribers);
  void WriteFault(FaultKind kind, std::string_view detail, TimePoint start, TimePoint end,
                  bool open);
  void WriteFooter(TimePoint end);
  [[nodiscard]] Status Flush();

  uint64_t ticks_delivered() const { return delivered_; }

 private:
  explicit TruthWriter(std::FILE* file) : file_(file) {}
  void MaybeFlush();

  std::FILE* file_;
  std::string buffer_;
  uint64_t ticks_ = 0;
  uint64_t delivered_ = 0;
  bool failed_ = false;
};

}  // namespace ibstream::sim
