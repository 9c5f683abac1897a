// Closed files: one stream, one UTC hour of IB time, immutable, zstd-compressed, indexed
// (FORMAT.md §4).
//
// The file is a sequence of zstd frames, so `zstd -dc FILE` prints the raw records:
//   1. a skippable frame (magic 0x184D2A50) holding the 76-byte file header;
//   2. data frames: ordinary zstd frames (content size and checksum set), each holding up to
//      kTicksPerFrame records `u32 crc32c(tick record) | tick record`, sorted by
//      (exchange time, receive time, sequence);
//   3. a skippable frame (magic 0x184D2A51) holding the frame index;
//   4. a skippable frame (magic 0x184D2A52) of fixed size 36 bytes: the footer, which locates
//      the index.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "fs/file_system.h"
#include "model/tick.h"
#include "storage/byte_buffer.h"
#include "storage/tick_codec.h"

namespace ibstream::storage {

inline constexpr size_t kTicksPerFrame = 4096;
inline constexpr uint32_t kSkippableHeaderMagic = 0x184D2A50;
inline constexpr uint32_t kSkippableIndexMagic = 0x184D2A51;
inline constexpr uint32_t kSkippableFooterMagic = 0x184D2A52;
inline constexpr size_t kClosedHeaderSize = 76;
inline constexpr size_t kClosedIndexEntrySize = 48;
inline constexpr size_t kClosedFooterFrameSize = 36;

struct ClosedFileHeader {
  StreamKey stream;
  TimePoint hour;
  uint64_t tick_count = 0;
  uint64_t source_id = 0;  // identifies the journals it was made from
  int64_t min_exchange_ns = 0;
  int64_t max_exchange_ns = 0;
};

struct ClosedFrameInfo {
  uint64_t offset = 0;  // file offset of the zstd frame
  uint32_t compressed_size = 0;
  uint32_t raw_size = 0;
  uint32_t tick_count = 0;
  uint32_t raw_crc32c = 0;
  int64_t min_exchange_ns = 0;
  int64_t max_exchange_ns = 0;
  uint64_t first_sequence = 0;
};

std::string EncodeClosedHeader(const ClosedFileHeader& header);
Result<ClosedFileHeader> DecodeClosedHeader(std::string_view bytes);

// Builds a whole closed file in memory. `records` are tick records (tick_codec.h), already
// sorted; every one must belong to `stream` and `hour`. `level` is the zstd level.
Result<std::string> BuildClosedFile(const ClosedFileHeader& header,
                                    const std::vector<std::string_view>& records, int level = 3);

class ClosedFileReader {
 public:
  // Reads and checks the header, footer and index. Corruption for a damaged file.
  static Result<std::unique_ptr<ClosedFileReader>> Open(fs::FileSystem* fs,
                                                        const std::string& path);

  const ClosedFileHeader& header() const { return header_; }
  const std::vector<ClosedFrameInfo>& frames() const { return frames_; }

  // Calls `sink` for every tick with from <= exchange time < to, in file order, decompressing
  // only the frames whose index range overlaps. A frame that fails its checksum (or a record of
  // it) is skipped from there and the following frames are read: the result is then Corruption
  // naming the first damaged frame (and how many were skipped), after every readable tick.
  Status ReadRange(TimePoint from, TimePoint to,
                   const std::function<void(const Tick&)>& sink) const;

  // ReadRange without a Tick per record, for the column reader (column_query.h): the frames
  // that overlap are decompressed one after another onto the end of *arena, which the caller
  // owns (and may reuse), and `sink` gets each matching record's offset in *arena (its u32
  // checksum already checked and skipped) and its decoded fields, whose strings point into
  // *arena until it next grows. Damage is skipped and reported exactly as by ReadRange.
  Status ReadRangeRecords(
      TimePoint from, TimePoint to, ByteBuffer* arena,
      const std::function<void(size_t offset, const TickRecordView& record)>& sink) const;

  // Decompresses everything and checks every checksum, count and bound.
  Status Verify() const;

  // Decompresses frame `index` (< frames().size()) and checks its checksum and its records':
  // Corruption naming the file and the frame when it is damaged. Lets a caller say which
  // frames, and so which ticks and times, a damaged file cannot give back.
  Status CheckFrame(size_t index) const;

 private:
  ClosedFileReader() = default;
  Status ReadFrame(const ClosedFrameInfo& frame, std::string* raw) const;
  // Decompresses the frame into dst[0, frame.raw_size).
  Status ReadFrameInto(const ClosedFrameInfo& frame, char* dst) const;
  // The ticks of one frame within [lo, hi) (Unix nanoseconds) to `sink`; `raw` is scratch.
  Status ReadFrameRange(const ClosedFrameInfo& frame, int64_t lo, int64_t hi,
                        const std::function<void(const Tick&)>& sink, std::string* raw) const;
  // Decodes the next tick of a frame's raw bytes (u32 crc32c, then the tick) into *tick and
  // moves *rest past it. Corruption (naming the file) when the bytes end early, the tick does not
  // decode or its checksum does not match.
  Status NextFrameTick(std::string_view* rest, Tick* tick) const;
  // NextFrameTick without the Tick: the record's fields, strings pointing into *rest's bytes.
  Status NextFrameRecord(std::string_view* rest, TickRecordView* record) const;

  std::unique_ptr<fs::RandomAccessFile> file_;
  std::string path_;
  ClosedFileHeader header_;
  std::vector<ClosedFrameInfo> frames_;
};

}  // namespace ibstream::storage
