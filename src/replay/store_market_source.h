// A recorded store as the simulator's market (`ibstream sim --replay STORE`): the ticks stored
// for the selected contracts inside a window, served second by second as recorded events
// (sim/market_source.h), so that the simulator delivers them live at their recorded exchange
// times on its clock and answers historical requests from them.
//
// What is served: every stored tick-by-tick stream (bid_ask, last, all_last, mid_point) as it
// was stored, one recorded event per tick; the reqMktData fallback kinds (quote, trade) of a
// contract feed reqMktData only, and only when the contract has no bid_ask (for quote) or last
// (for trade) stream, which then say the same thing. Inside a second, ticks keep their stored
// order (receive order) and are spread by their receive time's offset from the second.
// Nothing is invented: a second without stored ticks (a gap, a closed market, time outside the
// window) has no events.
//
// Reading: through storage's query API, one contract-hour at a time, on first use; at most
// `cached_hours` contract-hours are kept (least recently used go first). Damage found while
// reading (a damaged file or journal region, a failed query) never fails a second: it is logged
// once per file (`event=replay_damaged_data`), counted (ReplayStats) and that data is a gap.
//
// Thread-safety: every method is thread-safe (one mutex); the simulator calls EventsOf from its
// loop thread, stats() may be read from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "fs/file_system.h"
#include "model/tick.h"
#include "sim/market_source.h"
#include "sim/tick_generator.h"
#include "storage/inventory.h"

namespace ibstream::replay {

struct ReplayOptions {
  std::string store;  // the store's root (the recorder's storage.path)
  // The replayed window of exchange time, [start, end); the defaults take everything.
  TimePoint start = TimePoint::min();
  TimePoint end = TimePoint::max();
  // The contracts (IB conIds) to serve; empty: every contract the store holds.
  std::vector<int64_t> contracts;
  size_t cached_hours = 16;
};

struct ReplayStats {
  uint64_t hours_loaded = 0;    // contract-hours read from the store
  uint64_t ticks_loaded = 0;    // ticks those held
  uint64_t damaged_pieces = 0;  // damaged files/regions skipped by the queries (each once)
  uint64_t skipped_bytes = 0;   // their bytes
  uint64_t query_errors = 0;    // queries that failed (their hour is served empty)
};

class StoreMarketSource final : public sim::MarketSource {
 public:
  // Reads what the store holds. Errors: NotFound when `options.store` is not a store, or holds
  // nothing of the selected contracts (the message says what it holds); InvalidArgument for an
  // empty window. `fs` must outlive the source.
  static Result<std::shared_ptr<StoreMarketSource>> Open(fs::FileSystem* fs, ReplayOptions options);

  StoreMarketSource(const StoreMarketSource&) = delete;
  StoreMarketSource& operator=(const StoreMarketSource&) = delete;

  void EventsOf(const sim::SimContract& contract, int64_t second, sim::SessionPhase phase,
                std::vector<sim::MarketEvent>& out) const override;

  // The first stored tick of `contract` of one of `kinds` inside the window (only the kinds
  // served: depth never, the fallback kinds as EventsOf serves them); nullopt when none. Reads
  // the store from the stream's first hour on until a tick is found.
  std::optional<TimePoint> FirstTickOf(const sim::SimContract& contract,
                                       const std::vector<TickType>& kinds) const override;
  // The second after `contract`'s last stored tick inside the window (any served kind), or the
  // data's first second when it has none there. Reads the store from the last hour back.
  std::optional<int64_t> EndSecondOf(const sim::SimContract& contract) const override;

  // The selected contracts (ascending) and their stored streams, as the store's inventory
  // gives them (bounds in whole hours for closed files).
  const std::vector<int64_t>& contracts() const { return contracts_; }
  const std::map<StreamKey, storage::StreamExtent>& streams() const { return streams_; }
  // The stored data's extent, clamped to the window: where a replay starts and ends.
  TimePoint first() const { return first_; }
  TimePoint last() const { return last_; }
  const ReplayOptions& options() const { return options_; }

  ReplayStats stats() const;

 private:
  // One contract-hour: the events of each second of the hour (index: second - hour start).
  struct Hour {
    std::vector<std::vector<sim::MarketEvent>> seconds;
    uint64_t last_use = 0;
  };

  StoreMarketSource(fs::FileSystem* fs, ReplayOptions options)
      : fs_(fs), options_(std::move(options)) {}
  // The hour starting at `hour_start` (Unix seconds) of `contract`, loaded when missing.
  const Hour& HourOf(int64_t contract, int64_t hour_start) const;
  void Load(int64_t contract, int64_t hour_start, Hour& hour) const;
  // The streams of `contract` that EventsOf serves.
  std::vector<StreamKey> ServedStreams(int64_t contract) const;
  // The exchange time of the first (or, `last`, the last) stored tick of those of `streams`
  // whose kind is in `kinds`, inside the window; read hour by hour inward from the extent's
  // edge. Damage is reported by Load when the hour is served; here it is a gap.
  std::optional<TimePoint> EdgeTick(int64_t contract, const std::vector<TickType>& kinds,
                                    bool last) const;
  sim::MarketEvent EventOf(const Tick& t, int64_t second) const;
  const std::string* Intern(const std::string& text) const;

  fs::FileSystem* fs_;
  ReplayOptions options_;
  std::vector<int64_t> contracts_;
  std::map<StreamKey, storage::StreamExtent> streams_;
  TimePoint first_;
  TimePoint last_;

  mutable std::mutex mu_;
  mutable std::map<std::pair<int64_t, int64_t>, Hour> hours_;
  mutable uint64_t uses_ = 0;
  mutable std::set<std::string> strings_;           // exchanges and conditions (stable addresses)
  mutable std::set<std::string> damaged_reported_;  // paths already logged
  mutable ReplayStats stats_;
};

}  // namespace ibstream::replay
