// Readers of the original's v3 archives: JSON lines and length-prefixed protobuf.
//
// Files are untrusted. A malformed JSON line or protobuf message is counted, described and
// skipped, and reading goes on with the next line or record. A protobuf file whose framing breaks
// (a length prefix larger than kV3MaxRecordBytes, or a record cut short at the end of the file: a
// torn write) ends the read with one counted error, because the format has no sync marker to
// resume from. Nothing here crashes on garbage.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "formats/v3_record.h"

namespace ibstream::formats {

// v3 records are under 200 bytes; a prefix above this is corruption, not a record.
inline constexpr uint32_t kV3MaxRecordBytes = 1 << 20;
// A JSON line longer than this is malformed (and skipped up to its newline).
inline constexpr size_t kV3MaxLineBytes = 1 << 20;

struct V3ReadStats {
  static constexpr size_t kMaxErrorMessages = 16;

  uint64_t records = 0;  // records delivered to the callback
  uint64_t errors = 0;   // malformed lines/records, overlong lines, broken framing, torn tails
  // The first kMaxErrorMessages errors, e.g. "line 3: column 17: expected ':'" or
  // "record 5 at byte 340: byte 12: truncated fixed64".
  std::vector<std::string> error_messages;

  void AddError(std::string message);
};

// Called once per good record, in file order. The tick's `sequence` is the record's 1-based
// position in its input (the line number for JSON, malformed and blank lines included).
using V3RecordCallback = std::function<void(const V3Record&)>;

// Decodes v3 JSON lines from chunks of any size. Blank lines are skipped silently; a last line
// without '\n' is still decoded. Not thread-safe; `stats` must outlive the decoder.
class V3JsonLinesDecoder {
 public:
  V3JsonLinesDecoder(V3RecordCallback on_record, V3ReadStats& stats);
  V3JsonLinesDecoder(const V3JsonLinesDecoder&) = delete;
  V3JsonLinesDecoder& operator=(const V3JsonLinesDecoder&) = delete;

  void Feed(std::string_view chunk);
  // Decodes the unterminated last line, if any. Call once, after the last Feed.
  void Finish();

 private:
  void DecodeLine(std::string_view line, bool terminated);

  V3RecordCallback on_record_;
  V3ReadStats& stats_;
  std::string partial_;    // the start of a line that continues in the next chunk
  bool skipping_ = false;  // inside an overlong line, discarding up to its newline
  uint64_t line_number_ = 0;
};

// Decodes big-endian-length-prefixed v3 protobuf records from chunks of any size.
class V3ProtobufDecoder {
 public:
  V3ProtobufDecoder(V3RecordCallback on_record, V3ReadStats& stats);
  V3ProtobufDecoder(const V3ProtobufDecoder&) = delete;
  V3ProtobufDecoder& operator=(const V3ProtobufDecoder&) = delete;

  void Feed(std::string_view chunk);
  // Reports a record cut short by the end of input (a torn tail). Call once, after the last Feed.
  void Finish();

 private:
  // Decodes every whole record at the front of `data`; returns the bytes consumed.
  size_t DecodeRecords(std::string_view data);

  V3RecordCallback on_record_;
  V3ReadStats& stats_;
  std::string partial_;  // the start of a record that continues in the next chunk
  bool broken_ = false;  // framing lost: the rest of the input is ignored
  uint64_t record_number_ = 0;
  uint64_t offset_ = 0;  // input offset of the next undecoded byte
};

// Whole-buffer conveniences: Feed(data) then Finish().
void DecodeV3JsonLines(std::string_view data, const V3RecordCallback& on_record,
                       V3ReadStats& stats);
void DecodeV3ProtobufRecords(std::string_view data, const V3RecordCallback& on_record,
                             V3ReadStats& stats);

// Reads one v3 file, choosing the decoder by the extension (.jsonl or .pb; anything else is
// InvalidArgument). IoError when the file cannot be opened or read; records decoded before a
// read error have been delivered. Malformed content is not an error status: it is in `stats`.
[[nodiscard]] Status ReadV3File(const std::string& path, const V3RecordCallback& on_record,
                                V3ReadStats& stats);

}  // namespace ibstream::formats
