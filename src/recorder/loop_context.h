// What the recorder's loop-thread parts (contract registry, stream session, backfill runner,
// view builder) share. Owned by Recorder::Impl, which outlives every part; everything in it is
// touched on the loop thread only, except `options.config.storage` and the clock (read-only).
#pragma once

#include <cstdint>
#include <map>

#include "common/clock.h"
#include "fs/file_system.h"
#include "recorder/recorder.h"
#include "recorder/recorder_view.h"
#include "reliability/fill_time.h"
#include "reliability/reliability_core.h"
#include "storage/store.h"

namespace ibstream::recorder {

struct LoopContext {
  // ReloadContracts replaces options.config.contracts (loop thread).
  RecorderOptions& options;
  const Clock& clock;
  reliability::ReliabilityCore& core;
  RecorderCounters& counters;
  // The recorder's file system (not owned): every durable file of the recorder goes through it.
  // Thread-safe, as every FileSystem.
  fs::FileSystem* fs;
  // Open from Start() on (before the loop runs); never null where the parts use it.
  storage::Store* store = nullptr;
  // The filled gaps' timings against IB's pacing (reliability/fill_time.h), by ledger id: the
  // most recent kMaxGapFills, written by the backfill runner, published in the view.
  static constexpr size_t kMaxGapFills = 1000;
  std::map<uint64_t, reliability::GapFillTiming> gap_fills{};
  // Set by Stop() on the loop thread: no new connection, subscription or evaluation.
  bool stopping = false;
};

}  // namespace ibstream::recorder
