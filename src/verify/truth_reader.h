// Reads the simulator's ground-truth file (format versions 1 and 2, written by
// sim/truth_writer.h; version 2 adds the subscription records).
//
// The reader lives with the comparison rather than beside the writer: the simulator never reads
// its truth back, and the verify part needs the format without linking the simulator's server.
// The format is the writer's; truth_reader_test.cc writes with sim::TruthWriter and reads back.
//
// The file is streamed: records reach the visitor one at a time, in file order, so a truth of a
// whole week needs no more memory than one line. A truth file is untrusted input: a line that is
// not a valid record is a ParseError naming the line number, except a torn last line (the
// simulator was killed mid-write), which is counted and skipped.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "model/tick.h"

namespace ibstream::verify {

struct TruthHeader {
  int version = 0;
  uint64_t seed = 0;
  TimePoint start;
  double speed = 0;
};

// One generated tick (or, for the fallback kinds "Quote" and "Trade", one top-of-book snapshot
// the simulator published to reqMktData subscribers). `tick.source` is kLive, `tick.sequence` 0;
// `tick.receive_time` is the virtual instant the simulator released it (`time_ns`),
// `tick.exchange_time` the whole second the wire carried (`time`).
struct TruthTick {
  Tick tick;
  std::string symbol;
  bool delivered = false;  // sent to at least one subscription of its type
  int subscribers = 0;
  // A Depth record: the subscription it was sent to (its "MktDepth" subscription records carry
  // the same ids); 0 when the record does not say.
  int32_t client_id = 0;
  int32_t req_id = 0;
};

struct TruthFault {
  std::string kind;  // sim::FaultKindName: "close", "farm_down", "gateway_restart", ...
  std::string detail;
  TimePoint start;
  TimePoint end;
  bool open = false;  // still active when the simulator stopped
};

// One subscription record: a client asked for a stream and was served ("start") or refused
// ("refused"), or a served subscription ended ("end", `reason` "cancel" when the client
// cancelled it).
struct TruthSubscription {
  enum class Event { kStart, kRefused, kEnd };
  Event event = Event::kStart;
  int32_t client_id = 0;
  int32_t req_id = 0;
  int32_t con_id = 0;
  std::string symbol;
  // "BidAsk", "Last", "AllLast", "MidPoint", "MktData", "MktDepth" or what was asked
  std::string stream;
  TimePoint time;  // the virtual instant (`time_ns`)
  std::string reason;

  // The tick-by-tick type of `stream`; nullopt for "MktData" or an unknown name.
  std::optional<TickType> tick_type() const;
  // The stream kinds the subscription asks for: its tick-by-tick type, or for "MktData" (a
  // reqMktData line) both fallback kinds, quote and trade; empty for an unknown name.
  std::vector<TickType> stream_kinds() const;
};

struct TruthFooter {
  TimePoint end;
  uint64_t ticks = 0;
  uint64_t delivered = 0;
};

// Callbacks for the record kinds; unset ones are skipped. A callback's error stops the read and
// is returned.
struct TruthVisitor {
  std::function<Status(const TruthHeader&)> on_header;
  std::function<Status(const TruthTick&)> on_tick;
  std::function<Status(const TruthFault&)> on_fault;
  std::function<Status(const TruthSubscription&)> on_subscription;
  std::function<Status(const TruthFooter&)> on_footer;
};

struct TruthReadStats {
  uint64_t lines = 0;
  uint64_t ticks = 0;
  uint64_t faults = 0;
  uint64_t subscriptions = 0;
  bool has_header = false;
  bool has_footer = false;      // false: the simulator did not finish the file
  bool torn_last_line = false;  // an incomplete last line was skipped
};

// Parses one line (without its newline). Exposed for tests.
Status ParseTruthLine(std::string_view line, const TruthVisitor& visitor, TruthReadStats* stats);

// Reads the file at `path`. Errors: IoError when it cannot be read, ParseError ("truth line N:
// ...") for a malformed record or a file that does not start with a version 1 header.
Status ReadTruthFile(const std::string& path, const TruthVisitor& visitor, TruthReadStats* stats);

}  // namespace ibstream::verify
