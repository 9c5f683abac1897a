#include "cluster/wire.h"

#include <charconv>

#include "storage/coding.h"
#include "storage/tick_codec.h"

namespace ibstream::cluster {

namespace {

using storage::DecodeFixed16;
using storage::DecodeFixed32;
using storage::DecodeFixed64;
using storage::EncodeFixed16;
using storage::EncodeFixed32;
using storage::EncodeFixed64;

constexpr size_t kMaxNameLength = 64;
constexpr size_t kEventFixedSize = kWireHeaderSize + 40;

bool ValidToken(std::string_view token) {
  if (token.empty()) return false;
  for (char c : token) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void AppendHeader(MessageKind kind, std::string* out) {
  char header[kWireHeaderSize] = {};
  header[0] = static_cast<char>(kWireVersion);
  header[1] = static_cast<char>(kind);
  out->append(header, sizeof(header));
}

Status CheckHeader(std::string_view body, MessageKind expected) {
  auto kind = PeekKind(body);
  if (!kind.ok()) return kind.status();
  if (*kind != expected) {
    return Corruption("message kind " + std::to_string(static_cast<int>(*kind)) + ", expected " +
                      std::to_string(static_cast<int>(expected)));
  }
  return Status::Ok();
}

std::string Join(std::string_view a, std::string_view b) {
  std::string out;
  out.reserve(a.size() + 1 + b.size());
  out.append(a).append(".").append(b);
  return out;
}

}  // namespace

bool ValidSubjectPrefix(std::string_view prefix) {
  if (prefix.empty() || prefix.size() > kMaxNameLength) return false;
  size_t start = 0;
  while (true) {
    const size_t dot = prefix.find('.', start);
    if (!ValidToken(prefix.substr(start, dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool ValidRecorderId(std::string_view id) { return id.size() <= kMaxNameLength && ValidToken(id); }

std::string TickSubject(std::string_view prefix, std::string_view recorder_id,
                        const StreamKey& stream) {
  std::string out = Join(prefix, recorder_id);
  out.append(".").append(std::to_string(stream.contract_id));
  out.append(".").append(TickTypeName(stream.type));
  return out;
}

std::string GapsSubject(std::string_view prefix, std::string_view recorder_id) {
  return Join(Join(prefix, recorder_id), "gaps");
}

std::string EventsSubject(std::string_view prefix, std::string_view recorder_id) {
  return Join(Join(prefix, recorder_id), "events");
}

std::string StreamSubjects(std::string_view prefix) { return Join(prefix, ">"); }

std::string TickMessageId(std::string_view recorder_id, const JournalPosition& position) {
  std::string out(recorder_id);
  out.append(".t.").append(std::to_string(position.hour_ns));
  out.append(".").append(std::to_string(position.generation));
  if (position.salvaged) out.append("s");
  out.append(".").append(std::to_string(position.record));
  return out;
}

std::string GapMessageId(std::string_view recorder_id, const storage::GapRecord& gap) {
  std::string out(recorder_id);
  out.append(".g.").append(std::to_string(gap.id));
  out.append(".").append(std::to_string(ToUnixNanos(gap.updated_at)));
  out.append(".").append(storage::BackfillStateName(gap.state));
  return out;
}

std::string EventMessageId(std::string_view recorder_id, uint64_t run_id, uint64_t sequence) {
  std::string out(recorder_id);
  out.append(".e.").append(std::to_string(run_id));
  out.append(".").append(std::to_string(sequence));
  return out;
}

Result<ParsedSubject> ParseSubject(std::string_view prefix, std::string_view subject) {
  if (subject.size() <= prefix.size() + 1 || subject.substr(0, prefix.size()) != prefix ||
      subject[prefix.size()] != '.') {
    return InvalidArgument("subject \"" + std::string(subject) + "\" is not under \"" +
                           std::string(prefix) + "\"");
  }
  std::string_view rest = subject.substr(prefix.size() + 1);
  const size_t dot = rest.find('.');
  ParsedSubject parsed;
  parsed.recorder_id = std::string(rest.substr(0, dot));
  if (dot == std::string_view::npos || !ValidRecorderId(parsed.recorder_id)) {
    return InvalidArgument("subject \"" + std::string(subject) + "\" names no recorder");
  }
  rest = rest.substr(dot + 1);
  if (rest == "gaps") {
    parsed.kind = MessageKind::kGap;
    return parsed;
  }
  if (rest == "events") {
    parsed.kind = MessageKind::kEvent;
    return parsed;
  }
  const size_t kind_dot = rest.find('.');
  if (kind_dot == std::string_view::npos) {
    return InvalidArgument("subject \"" + std::string(subject) + "\" has no stream kind");
  }
  const std::string_view id_text = rest.substr(0, kind_dot);
  int64_t con_id = 0;
  const auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), con_id);
  if (ec != std::errc() || end != id_text.data() + id_text.size() || con_id <= 0) {
    return InvalidArgument("subject \"" + std::string(subject) + "\" has no valid conId");
  }
  const std::string_view kind_text = rest.substr(kind_dot + 1);
  auto type = ParseTickType(kind_text);
  if (!type.ok() || TickTypeName(*type) != kind_text) {
    return InvalidArgument("subject \"" + std::string(subject) + "\" has an unknown stream kind");
  }
  parsed.kind = MessageKind::kTick;
  parsed.stream = StreamKey{con_id, *type};
  return parsed;
}

Result<MessageKind> PeekKind(std::string_view body) {
  if (body.size() < kWireHeaderSize) {
    return Corruption("message of " + std::to_string(body.size()) + " bytes is shorter than its " +
                      std::to_string(kWireHeaderSize) + "-byte header");
  }
  if (static_cast<uint8_t>(body[0]) != kWireVersion) {
    return Corruption("wire version " + std::to_string(static_cast<uint8_t>(body[0])) +
                      " (this build reads version 1)");
  }
  const uint8_t kind = static_cast<uint8_t>(body[1]);
  if (kind < 1 || kind > 3) return Corruption("unknown message kind " + std::to_string(kind));
  for (size_t i = 2; i < kWireHeaderSize; ++i) {
    if (body[i] != 0) return Corruption("reserved header bytes are not zero");
  }
  return static_cast<MessageKind>(kind);
}

void AppendTickBody(const JournalPosition& position, std::string_view record, std::string* out) {
  AppendHeader(MessageKind::kTick, out);
  char pos[kTickPreambleSize - kWireHeaderSize] = {};
  EncodeFixed64(pos, static_cast<uint64_t>(position.hour_ns));
  EncodeFixed32(pos + 8, position.generation);
  pos[12] = position.salvaged ? 1 : 0;
  EncodeFixed64(pos + 16, position.record);
  out->append(pos, sizeof(pos));
  out->append(record);
}

std::string EncodeTickBody(const JournalPosition& position, std::string_view record) {
  std::string out;
  out.reserve(kTickPreambleSize + record.size());
  AppendTickBody(position, record, &out);
  return out;
}

Result<DecodedTick> DecodeTickBody(std::string_view body) {
  IBSTREAM_RETURN_IF_ERROR(CheckHeader(body, MessageKind::kTick));
  if (body.size() < kTickPreambleSize) return Corruption("tick message cut short");
  const char* p = body.data() + kWireHeaderSize;
  DecodedTick out;
  out.position.hour_ns = static_cast<int64_t>(DecodeFixed64(p));
  out.position.generation = DecodeFixed32(p + 8);
  const uint8_t flags = static_cast<uint8_t>(p[12]);
  if ((flags & ~uint8_t{1}) != 0 || p[13] != 0 || p[14] != 0 || p[15] != 0) {
    return Corruption("tick message has unknown flags");
  }
  out.position.salvaged = (flags & 1) != 0;
  out.position.record = DecodeFixed64(p + 16);
  const std::string_view record = body.substr(kTickPreambleSize);
  auto used = storage::DecodeTick(record, &out.tick);
  if (!used.ok()) return used.status().WithContext("tick message");
  if (*used != record.size()) {
    return Corruption("tick message has " + std::to_string(record.size() - *used) +
                      " bytes after its record");
  }
  return out;
}

std::string EncodeGapBody(const storage::GapRecord& gap) {
  std::string out;
  AppendHeader(MessageKind::kGap, &out);
  out.append(storage::EncodeGapRecord(gap));
  return out;
}

Result<storage::GapRecord> DecodeGapBody(std::string_view body) {
  IBSTREAM_RETURN_IF_ERROR(CheckHeader(body, MessageKind::kGap));
  auto gap = storage::DecodeGapRecord(body.substr(kWireHeaderSize));
  if (!gap.ok()) return gap.status().WithContext("gap message");
  return gap;
}

std::string EncodeEventBody(const Event& event) {
  std::string out;
  out.reserve(kEventFixedSize + event.name.size() + event.summary.size());
  AppendHeader(MessageKind::kEvent, &out);
  char fixed[kEventFixedSize - kWireHeaderSize] = {};
  EncodeFixed64(fixed, static_cast<uint64_t>(ToUnixNanos(event.time)));
  EncodeFixed64(fixed + 8, event.sequence);
  EncodeFixed64(fixed + 16, static_cast<uint64_t>(event.has_contract ? event.contract_id : 0));
  fixed[24] = event.has_contract ? 1 : 0;
  fixed[25] = static_cast<char>(event.category);
  fixed[26] = static_cast<char>(event.severity);
  fixed[27] = static_cast<char>(event.state);
  const std::string_view name = std::string_view(event.name).substr(0, 0xffff);
  EncodeFixed16(fixed + 28, static_cast<uint16_t>(name.size()));
  EncodeFixed32(fixed + 32, static_cast<uint32_t>(event.summary.size()));
  out.append(fixed, sizeof(fixed));
  out.append(name).append(event.summary);
  return out;
}

Result<Event> DecodeEventBody(std::string_view body) {
  IBSTREAM_RETURN_IF_ERROR(CheckHeader(body, MessageKind::kEvent));
  if (body.size() < kEventFixedSize) return Corruption("event message cut short");
  const char* p = body.data() + kWireHeaderSize;
  Event event;
  event.time = FromUnixNanos(static_cast<int64_t>(DecodeFixed64(p)));
  event.sequence = DecodeFixed64(p + 8);
  event.contract_id = static_cast<int64_t>(DecodeFixed64(p + 16));
  const uint8_t has_contract = static_cast<uint8_t>(p[24]);
  const uint8_t category = static_cast<uint8_t>(p[25]);
  event.severity = static_cast<uint8_t>(p[26]);
  const uint8_t state = static_cast<uint8_t>(p[27]);
  if (has_contract > 1 || (has_contract == 0 && event.contract_id != 0)) {
    return Corruption("event message has an invalid contract flag");
  }
  if (category < 1 || category > 2) return Corruption("event message has an unknown category");
  if (event.severity > 2) return Corruption("event message has an unknown severity");
  if (state > 2) return Corruption("event message has an unknown state");
  if (DecodeFixed16(p + 30) != 0) return Corruption("event message has reserved bytes set");
  event.has_contract = has_contract == 1;
  event.category = static_cast<EventCategory>(category);
  event.state = static_cast<EventState>(state);
  const size_t name_length = DecodeFixed16(p + 28);
  const uint64_t summary_length = DecodeFixed32(p + 32);
  if (DecodeFixed32(p + 36) != 0) return Corruption("event message has reserved bytes set");
  if (body.size() - kEventFixedSize != name_length + summary_length) {
    return Corruption("event message lengths do not match its size");
  }
  event.name = std::string(body.substr(kEventFixedSize, name_length));
  event.summary = std::string(body.substr(kEventFixedSize + name_length));
  return event;
}

}  // namespace ibstream::cluster
