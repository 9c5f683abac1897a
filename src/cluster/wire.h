// What a recorder publishes to NATS JetStream: subjects, message ids and message bodies
// (docs/CLUSTER.md "Message format"). Pure functions: no I/O, no clock.
//
// Subjects (every token is checked by ValidSubjectPrefix / ValidRecorderId):
//   <prefix>.<recorder_id>.<conId>.<kind>   one tick; kind is bid_ask, last, all_last, mid_point,
//                                           quote, trade or depth (a market-depth record, its
//                                           book change in the tick record); live and
//                                           backfilled ticks share the subject, the body's
//                                           source byte (and the Ibs-Source header) tell them
//                                           apart
//   <prefix>.<recorder_id>.gaps             a gap record or a change of its backfill state
//   <prefix>.<recorder_id>.events           a health or alert event
//
// Bodies, version 1, little-endian. Every body starts with an 8-byte header:
//   off size field
//    0   1   u8 wire version = 1
//    1   1   u8 message kind: 1 tick, 2 gap, 3 event
//    2   6   reserved, 0
// then, by kind:
//   tick:  i64 journal hour ns | u32 journal generation | u8 flags (bit0: salvaged journal) |
//          3 reserved bytes | u64 record index within that journal |
//          the tick record of storage/FORMAT.md §2 (92 bytes + strings), exactly as stored
//   gap:   the gap snapshot of storage/FORMAT.md §3.4 (48 bytes + cause + reason)
//   event: i64 time ns | u64 sequence | i64 contract id | u8 has contract | u8 category
//          (1 alert, 2 health) | u8 severity (0 info, 1 warning, 2 critical) | u8 state
//          (0 firing, 1 resolved, 2 none) | u16 name length N | u16 reserved | u32 summary
//          length S | u32 reserved | N name bytes | S summary bytes
//
// Message ids (the Nats-Msg-Id header, what JetStream deduplicates on) are deterministic:
//   tick:  "<recorder_id>.t.<hour ns>.<generation>[s].<record index>" (its journal position)
//   gap:   "<recorder_id>.g.<gap id>.<updated ns>.<state>"
//   event: "<recorder_id>.e.<run id>.<sequence>"
// so a message published again after a crash carries the id it had the first time.
//
// Decoding is for untrusted bytes: any malformed body gives a Corruption status, never a crash.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "model/tick.h"
#include "storage/gap_ledger.h"

namespace ibstream::cluster {

inline constexpr uint8_t kWireVersion = 1;
inline constexpr size_t kWireHeaderSize = 8;
inline constexpr size_t kTickPreambleSize = 32;  // header + journal position, before the record

// The message id header JetStream deduplicates on, and the header that marks a tick's source.
inline constexpr const char* kMsgIdHeader = "Nats-Msg-Id";
inline constexpr const char* kSourceHeader = "Ibs-Source";

enum class MessageKind : uint8_t { kTick = 1, kGap = 2, kEvent = 3 };

// Where a tick record sits in a recorder's local journal: the journal file (its UTC hour, its
// generation, whether recovery salvaged it) and the index of the tick among that file's tick
// records (0, 1, ...). Journal files are never rewritten in place, so this names one tick for
// good.
struct JournalPosition {
  int64_t hour_ns = 0;
  uint32_t generation = 0;
  bool salvaged = false;
  uint64_t record = 0;
  friend auto operator<=>(const JournalPosition&, const JournalPosition&) = default;
};

// A health or alert event as published on <prefix>.<recorder_id>.events.
enum class EventCategory : uint8_t { kAlert = 1, kHealth = 2 };
enum class EventState : uint8_t { kFiring = 0, kResolved = 1, kNone = 2 };
struct Event {
  TimePoint time;
  uint64_t sequence = 0;  // per run, from 1
  bool has_contract = false;
  int64_t contract_id = 0;
  EventCategory category = EventCategory::kAlert;
  uint8_t severity = 0;  // 0 info, 1 warning, 2 critical
  EventState state = EventState::kNone;
  std::string name;     // the alert rule or health event, e.g. "gateway_down"
  std::string summary;  // one line for a human
  friend bool operator==(const Event&, const Event&) = default;
};

// A subject prefix is one or more dot-separated tokens of [A-Za-z0-9_-]; a recorder id is one
// such token. Both at most 64 characters.
bool ValidSubjectPrefix(std::string_view prefix);
bool ValidRecorderId(std::string_view id);

std::string TickSubject(std::string_view prefix, std::string_view recorder_id,
                        const StreamKey& stream);
std::string GapsSubject(std::string_view prefix, std::string_view recorder_id);
std::string EventsSubject(std::string_view prefix, std::string_view recorder_id);
// "<prefix>.>": every subject of every recorder under the prefix (the stream's subjects).
std::string StreamSubjects(std::string_view prefix);

std::string TickMessageId(std::string_view recorder_id, const JournalPosition& position);
std::string GapMessageId(std::string_view recorder_id, const storage::GapRecord& gap);
std::string EventMessageId(std::string_view recorder_id, uint64_t run_id, uint64_t sequence);

// What a subject under `prefix` names. For gaps and events, `stream` is unset.
struct ParsedSubject {
  std::string recorder_id;
  MessageKind kind = MessageKind::kTick;
  StreamKey stream;
};
Result<ParsedSubject> ParseSubject(std::string_view prefix, std::string_view subject);

// Tick bodies. `record` is an encoded tick record (storage/tick_codec.h), copied as is: the
// publisher sends journal bytes without decoding them.
std::string EncodeTickBody(const JournalPosition& position, std::string_view record);
// Appends the same bytes to `out` (no allocation once `out` has grown).
void AppendTickBody(const JournalPosition& position, std::string_view record, std::string* out);
struct DecodedTick {
  JournalPosition position;
  Tick tick;
};
Result<DecodedTick> DecodeTickBody(std::string_view body);

std::string EncodeGapBody(const storage::GapRecord& gap);
Result<storage::GapRecord> DecodeGapBody(std::string_view body);

std::string EncodeEventBody(const Event& event);
Result<Event> DecodeEventBody(std::string_view body);

// The kind of a body (its header checked), for a consumer that dispatches on it.
Result<MessageKind> PeekKind(std::string_view body);

}  // namespace ibstream::cluster
