// `ibstream tail`: one live stream out of several recorders' copies of it (pure; table-tested).
//
// Per stream (contract and kind), in the spirit of the merge's rule (src/merge/README.md): each
// exchange second is printed from ONE recorder. One recorder, the owner, is followed and its
// ticks pass as they arrive. Another recorder's ticks are held: a held tick of a second already
// printed is a copy and is dropped; one still held when the newest tick of the stream (from
// anyone) is `switch_after` later means the owner had nothing in that second (it lost it, or
// lags), so that recorder's held ticks pass, in order, and it becomes the owner. A tick of a
// second printed from another recorder never passes.
//
// Market depth is different: two recorders' depth records are not copies of each other but changes
// of two books (each recorder's subscription), so a record of one cannot follow the other's. A
// depth stream prints its owner's records as they arrive and nothing of the others; each
// recorder's book is kept (storage::OrderBookBuilder). When another recorder, whose book started
// with a reset, has records `switch_after` newer than the owner's last, the owner is taken as gone
// and the stream switches: a reset record, then that recorder's whole book as insert records (asks,
// then bids, row 0 first, at its newest record's time), then its records as they arrive. A reader
// applying what is printed always holds the owner's book.
//
// Time is the ticks' exchange time: no clock. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/clock.h"
#include "model/tick.h"
#include "storage/order_book.h"

namespace ibstream::cluster {

class TailDedup {
 public:
  explicit TailDedup(Duration switch_after) : switch_after_(switch_after) {}

  // A tick of `recorder`; returns the ticks to print now, in order.
  std::vector<Tick> Offer(const std::string& recorder, const Tick& tick);

  // Ticks held (copies not yet decided), all streams.
  size_t held() const;

 private:
  struct HeldTick {
    std::string recorder;
    Tick tick;
  };
  struct StreamTail {
    std::string owner;
    std::map<int64_t, std::string> printed;  // recent seconds printed, and from which recorder
    int64_t newest = 0;                      // newest exchange time (ns) seen of the stream
    std::vector<HeldTick> held;              // other recorders' ticks, in arrival order
  };
  struct DepthTail {
    std::string owner;
    TimePoint owner_last = TimePoint::min();                 // the owner's newest record printed
    std::map<std::string, storage::OrderBookBuilder> books;  // every recorder's, by recorder
  };
  std::vector<Tick> OfferDepth(const std::string& recorder, const Tick& tick);
  void Release(StreamTail& s, std::vector<Tick>* out);
  // Passes `tick` of `recorder` unless its second was printed from another recorder.
  static void Pass(StreamTail& s, const std::string& recorder, const Tick& tick,
                   std::vector<Tick>* out);

  Duration switch_after_;
  std::map<StreamKey, StreamTail> streams_;
  std::map<StreamKey, DepthTail> depth_;
};

}  // namespace ibstream::cluster
