#include "storage/closed_file.h"

// ZSTD_d_forceIgnoreChecksum is in zstd's advanced API (a parameter of the stable setter).
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include <algorithm>

#include "storage/coding.h"
#include "storage/crc32c.h"
#include "storage/layout.h"
#include "storage/tick_codec.h"

namespace ibstream::storage {

using fs::FileSystem;
namespace {

constexpr std::string_view kHeaderMagic = "IBSCLSD1";
constexpr std::string_view kFooterMagic = "IBSFOOT1";
constexpr uint16_t kClosedFormatVersion = 1;

void PutSkippableFrame(uint32_t magic, std::string_view payload, std::string* out) {
  PutFixed32(out, magic);
  PutFixed32(out, static_cast<uint32_t>(payload.size()));
  out->append(payload);
}

// Frees a zstd context when it goes out of scope. Frames are decompressed without checking
// zstd's content checksum (XXH64): every reader checks the CRC32C of each record (or of the whole
// raw frame), which covers the same bytes, so the second pass over them was redundant.
struct DCtx {
  DCtx() : ctx(ZSTD_createDCtx()) {
    ZSTD_DCtx_setParameter(ctx, ZSTD_d_forceIgnoreChecksum, ZSTD_d_ignoreChecksum);
  }
  ~DCtx() { ZSTD_freeDCtx(ctx); }
  DCtx(const DCtx&) = delete;
  DCtx& operator=(const DCtx&) = delete;
  ZSTD_DCtx* ctx;
};
struct CCtx {
  CCtx() : ctx(ZSTD_createCCtx()) {}
  ~CCtx() { ZSTD_freeCCtx(ctx); }
  CCtx(const CCtx&) = delete;
  CCtx& operator=(const CCtx&) = delete;
  ZSTD_CCtx* ctx;
};

std::string EncodeIndexEntry(const ClosedFrameInfo& f) {
  std::string out(kClosedIndexEntrySize, '\0');
  char* p = out.data();
  EncodeFixed64(p, f.offset);
  EncodeFixed32(p + 8, f.compressed_size);
  EncodeFixed32(p + 12, f.raw_size);
  EncodeFixed32(p + 16, f.tick_count);
  EncodeFixed32(p + 20, f.raw_crc32c);
  EncodeFixed64(p + 24, static_cast<uint64_t>(f.min_exchange_ns));
  EncodeFixed64(p + 32, static_cast<uint64_t>(f.max_exchange_ns));
  EncodeFixed64(p + 40, f.first_sequence);
  return out;
}

ClosedFrameInfo DecodeIndexEntry(const char* p) {
  ClosedFrameInfo f;
  f.offset = DecodeFixed64(p);
  f.compressed_size = DecodeFixed32(p + 8);
  f.raw_size = DecodeFixed32(p + 12);
  f.tick_count = DecodeFixed32(p + 16);
  f.raw_crc32c = DecodeFixed32(p + 20);
  f.min_exchange_ns = static_cast<int64_t>(DecodeFixed64(p + 24));
  f.max_exchange_ns = static_cast<int64_t>(DecodeFixed64(p + 32));
  f.first_sequence = DecodeFixed64(p + 40);
  return f;
}

}  // namespace

std::string EncodeClosedHeader(const ClosedFileHeader& h) {
  std::string out(kClosedHeaderSize, '\0');
  char* p = out.data();
  std::memcpy(p, kHeaderMagic.data(), 8);
  EncodeFixed16(p + 8, kClosedFormatVersion);
  EncodeFixed16(p + 10, kTickLayoutVersion);
  EncodeFixed32(p + 12, static_cast<uint32_t>(kTicksPerFrame));
  EncodeFixed64(p + 16, static_cast<uint64_t>(h.stream.contract_id));
  p[24] = static_cast<char>(h.stream.type);
  // 25..31 reserved, zero
  EncodeFixed64(p + 32, static_cast<uint64_t>(ToUnixNanos(h.hour)));
  EncodeFixed64(p + 40, h.tick_count);
  EncodeFixed64(p + 48, h.source_id);
  EncodeFixed64(p + 56, static_cast<uint64_t>(h.min_exchange_ns));
  EncodeFixed64(p + 64, static_cast<uint64_t>(h.max_exchange_ns));
  EncodeFixed32(p + 72, crc32c::Value(p, 72));
  return out;
}

Result<ClosedFileHeader> DecodeClosedHeader(std::string_view bytes) {
  if (bytes.size() != kClosedHeaderSize) return Corruption("closed file header: wrong size");
  const char* p = bytes.data();
  if (std::string_view(p, 8) != kHeaderMagic) return Corruption("closed file header: bad magic");
  if (DecodeFixed32(p + 72) != crc32c::Value(p, 72)) {
    return Corruption("closed file header: checksum mismatch");
  }
  if (DecodeFixed16(p + 8) != kClosedFormatVersion || DecodeFixed16(p + 10) != kTickLayoutVersion) {
    return Corruption("closed file header: unsupported version");
  }
  const auto type = static_cast<uint8_t>(p[24]);
  if (!IsStoredTickType(type)) return Corruption("closed file header: unknown tick type");
  ClosedFileHeader h;
  h.stream.contract_id = static_cast<int64_t>(DecodeFixed64(p + 16));
  h.stream.type = static_cast<TickType>(type);
  h.hour = FromUnixNanos(static_cast<int64_t>(DecodeFixed64(p + 32)));
  h.tick_count = DecodeFixed64(p + 40);
  h.source_id = DecodeFixed64(p + 48);
  h.min_exchange_ns = static_cast<int64_t>(DecodeFixed64(p + 56));
  h.max_exchange_ns = static_cast<int64_t>(DecodeFixed64(p + 64));
  return h;
}

Result<std::string> BuildClosedFile(const ClosedFileHeader& header_in,
                                    const std::vector<std::string_view>& records, int level) {
  ClosedFileHeader header = header_in;
  header.tick_count = records.size();
  header.min_exchange_ns = header.max_exchange_ns = 0;
  if (!records.empty()) {
    header.min_exchange_ns = OrderKeyOfRecord(records.front().data()).exchange_ns;
    header.max_exchange_ns = OrderKeyOfRecord(records.back().data()).exchange_ns;
  }
  std::string out;
  PutSkippableFrame(kSkippableHeaderMagic, EncodeClosedHeader(header), &out);

  CCtx cctx;
  ZSTD_CCtx_setParameter(cctx.ctx, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(cctx.ctx, ZSTD_c_checksumFlag, 1);
  ZSTD_CCtx_setParameter(cctx.ctx, ZSTD_c_contentSizeFlag, 1);
  std::vector<ClosedFrameInfo> frames;
  std::string raw;
  for (size_t start = 0; start < records.size(); start += kTicksPerFrame) {
    const size_t end = std::min(records.size(), start + kTicksPerFrame);
    raw.clear();
    ClosedFrameInfo info;
    info.tick_count = static_cast<uint32_t>(end - start);
    info.min_exchange_ns = OrderKeyOfRecord(records[start].data()).exchange_ns;
    info.max_exchange_ns = info.min_exchange_ns;
    info.first_sequence = OrderKeyOfRecord(records[start].data()).sequence;
    for (size_t i = start; i < end; ++i) {
      const std::string_view r = records[i];
      PutFixed32(&raw, crc32c::Value(r));
      raw.append(r);
      info.max_exchange_ns = std::max(info.max_exchange_ns, OrderKeyOfRecord(r.data()).exchange_ns);
    }
    info.raw_size = static_cast<uint32_t>(raw.size());
    info.raw_crc32c = crc32c::Value(raw);
    info.offset = out.size();
    const size_t bound = ZSTD_compressBound(raw.size());
    out.resize(info.offset + bound);
    const size_t n =
        ZSTD_compress2(cctx.ctx, out.data() + info.offset, bound, raw.data(), raw.size());
    if (ZSTD_isError(n)) return Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
    out.resize(info.offset + n);
    info.compressed_size = static_cast<uint32_t>(n);
    frames.push_back(info);
  }

  std::string index;
  PutFixed32(&index, static_cast<uint32_t>(frames.size()));
  for (const ClosedFrameInfo& f : frames) index += EncodeIndexEntry(f);
  PutFixed32(&index, crc32c::Value(index));
  const uint64_t index_offset = out.size();
  PutSkippableFrame(kSkippableIndexMagic, index, &out);

  std::string footer;
  PutFixed64(&footer, index_offset);
  PutFixed32(&footer, static_cast<uint32_t>(out.size() - index_offset));
  PutFixed32(&footer, kClosedFormatVersion);
  footer.append(kFooterMagic);
  PutFixed32(&footer, crc32c::Value(footer));
  PutSkippableFrame(kSkippableFooterMagic, footer, &out);
  return out;
}

Result<std::unique_ptr<ClosedFileReader>> ClosedFileReader::Open(FileSystem* fs,
                                                                 const std::string& path) {
  auto file = fs->NewRandomAccessFile(path);
  if (!file.ok()) return file.status();
  std::unique_ptr<ClosedFileReader> reader(new ClosedFileReader());
  reader->file_ = std::move(*file);
  reader->path_ = path;
  const uint64_t size = reader->file_->Size();
  auto bad = [&](const std::string& why) { return Corruption(path + ": " + why); };
  if (size < 8 + kClosedHeaderSize + kClosedFooterFrameSize) return bad("file too short");

  std::string bytes;
  IBSTREAM_RETURN_IF_ERROR(reader->file_->Read(0, 8 + kClosedHeaderSize, &bytes));
  if (bytes.size() != 8 + kClosedHeaderSize ||
      DecodeFixed32(bytes.data()) != kSkippableHeaderMagic ||
      DecodeFixed32(bytes.data() + 4) != kClosedHeaderSize) {
    return bad("missing header frame");
  }
  auto header = DecodeClosedHeader(std::string_view(bytes).substr(8));
  if (!header.ok()) return bad(header.status().message());
  reader->header_ = *header;

  IBSTREAM_RETURN_IF_ERROR(
      reader->file_->Read(size - kClosedFooterFrameSize, kClosedFooterFrameSize, &bytes));
  const char* f = bytes.data();
  if (bytes.size() != kClosedFooterFrameSize || DecodeFixed32(f) != kSkippableFooterMagic ||
      DecodeFixed32(f + 4) != kClosedFooterFrameSize - 8 ||
      std::string_view(f + 24, 8) != kFooterMagic ||
      DecodeFixed32(f + 32) != crc32c::Value(f + 8, 24)) {
    return bad("bad footer (file cut short or damaged)");
  }
  const uint64_t index_offset = DecodeFixed64(f + 8);
  const uint32_t index_frame_size = DecodeFixed32(f + 16);
  if (index_offset + index_frame_size != size - kClosedFooterFrameSize || index_frame_size < 16) {
    return bad("footer points outside the file");
  }
  IBSTREAM_RETURN_IF_ERROR(reader->file_->Read(index_offset, index_frame_size, &bytes));
  const char* x = bytes.data();
  if (bytes.size() != index_frame_size || DecodeFixed32(x) != kSkippableIndexMagic ||
      DecodeFixed32(x + 4) != index_frame_size - 8) {
    return bad("bad index frame");
  }
  const uint32_t count = DecodeFixed32(x + 8);
  if (uint64_t{count} * kClosedIndexEntrySize + 8 != index_frame_size - 8) {
    return bad("index size does not match its entry count");
  }
  const size_t covered = 4 + size_t{count} * kClosedIndexEntrySize;
  if (DecodeFixed32(x + 8 + covered) != crc32c::Value(x + 8, covered)) {
    return bad("index checksum mismatch");
  }
  uint64_t ticks = 0;
  uint64_t expected_offset = 8 + kClosedHeaderSize;
  for (uint32_t i = 0; i < count; ++i) {
    ClosedFrameInfo info = DecodeIndexEntry(x + 12 + size_t{i} * kClosedIndexEntrySize);
    if (info.offset != expected_offset || info.tick_count == 0) return bad("index out of order");
    expected_offset += info.compressed_size;
    ticks += info.tick_count;
    reader->frames_.push_back(info);
  }
  if (expected_offset != index_offset || ticks != reader->header_.tick_count) {
    return bad("index does not cover the data frames");
  }
  return reader;
}

Status ClosedFileReader::ReadFrame(const ClosedFrameInfo& frame, std::string* raw) const {
  raw->resize(frame.raw_size);
  return ReadFrameInto(frame, raw->data());
}

Status ClosedFileReader::ReadFrameInto(const ClosedFrameInfo& frame, char* dst) const {
  thread_local std::string compressed;
  thread_local DCtx dctx;
  IBSTREAM_RETURN_IF_ERROR(file_->Read(frame.offset, frame.compressed_size, &compressed));
  if (compressed.size() != frame.compressed_size) {
    return Corruption(path_ + ": frame cut short");
  }
  const size_t n =
      ZSTD_decompressDCtx(dctx.ctx, dst, frame.raw_size, compressed.data(), compressed.size());
  if (ZSTD_isError(n) || n != frame.raw_size) {
    return Corruption(path_ + ": frame at " + std::to_string(frame.offset) +
                      " does not decompress: " + (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "size"));
  }
  return Status::Ok();
}

Status ClosedFileReader::ReadFrameRange(const ClosedFrameInfo& frame, int64_t lo, int64_t hi,
                                        const std::function<void(const Tick&)>& sink,
                                        std::string* raw) const {
  IBSTREAM_RETURN_IF_ERROR(ReadFrame(frame, raw));
  Tick tick;
  std::string_view rest = *raw;
  for (uint32_t i = 0; i < frame.tick_count; ++i) {
    IBSTREAM_RETURN_IF_ERROR(NextFrameTick(&rest, &tick));
    const int64_t t = ToUnixNanos(tick.exchange_time);
    if (t >= lo && t < hi) sink(tick);
  }
  if (!rest.empty()) return Corruption(path_ + ": frame holds more bytes than indexed ticks");
  return Status::Ok();
}

Status ClosedFileReader::ReadRange(TimePoint from, TimePoint to,
                                   const std::function<void(const Tick&)>& sink) const {
  const int64_t lo = ToUnixNanos(from);
  const int64_t hi = ToUnixNanos(to);
  std::string raw;
  Status first_damage = Status::Ok();
  int damaged_frames = 0;
  for (const ClosedFrameInfo& frame : frames_) {
    if (frame.max_exchange_ns < lo || frame.min_exchange_ns >= hi) continue;
    // A damaged frame is skipped; the index locates the next one, which is read as usual.
    Status status = ReadFrameRange(frame, lo, hi, sink, &raw);
    if (!status.ok() && damaged_frames++ == 0) first_damage = std::move(status);
  }
  if (damaged_frames > 1) {
    return first_damage.WithContext(std::to_string(damaged_frames) + " damaged frames skipped");
  }
  return first_damage;
}

Status ClosedFileReader::ReadRangeRecords(
    TimePoint from, TimePoint to, ByteBuffer* arena,
    const std::function<void(size_t offset, const TickRecordView& record)>& sink) const {
  const int64_t lo = ToUnixNanos(from);
  const int64_t hi = ToUnixNanos(to);
  Status first_damage = Status::Ok();
  int damaged_frames = 0;
  TickRecordView record;
  for (const ClosedFrameInfo& frame : frames_) {
    if (frame.max_exchange_ns < lo || frame.min_exchange_ns >= hi) continue;
    const size_t base = arena->size();
    arena->Extend(frame.raw_size);  // written whole by the decompression (or left unused)
    Status status = ReadFrameInto(frame, arena->data() + base);
    // As ReadFrameRange: the records before a damaged one are returned, the rest is skipped.
    std::string_view rest(arena->data() + base, frame.raw_size);
    for (uint32_t i = 0; status.ok() && i < frame.tick_count; ++i) {
      const size_t offset = static_cast<size_t>(rest.data() - arena->data()) + 4;
      status = NextFrameRecord(&rest, &record);
      if (status.ok() && record.exchange_ns >= lo && record.exchange_ns < hi) sink(offset, record);
    }
    if (status.ok() && !rest.empty()) {
      status = Corruption(path_ + ": frame holds more bytes than indexed ticks");
    }
    if (!status.ok() && damaged_frames++ == 0) first_damage = std::move(status);
  }
  if (damaged_frames > 1) {
    return first_damage.WithContext(std::to_string(damaged_frames) + " damaged frames skipped");
  }
  return first_damage;
}

Status ClosedFileReader::NextFrameRecord(std::string_view* rest, TickRecordView* record) const {
  if (rest->size() < 4) return Corruption(path_ + ": frame holds fewer ticks than indexed");
  const uint32_t crc = DecodeFixed32(rest->data());
  rest->remove_prefix(4);
  auto used = DecodeTickRecord(*rest, record);
  if (!used.ok()) return used.status().WithContext(path_);
  if (crc32c::Value(rest->data(), *used) != crc) {
    return Corruption(path_ + ": record checksum mismatch");
  }
  rest->remove_prefix(*used);
  return Status::Ok();
}

Status ClosedFileReader::NextFrameTick(std::string_view* rest, Tick* tick) const {
  TickRecordView record;
  IBSTREAM_RETURN_IF_ERROR(NextFrameRecord(rest, &record));
  TickFromRecord(record, tick);
  return Status::Ok();
}

Status ClosedFileReader::Verify() const {
  std::string raw;
  Tick tick;
  uint64_t ticks = 0;
  TickOrderKey previous{};
  bool first = true;
  const int64_t hour_start = ToUnixNanos(header_.hour);
  for (const ClosedFrameInfo& frame : frames_) {
    IBSTREAM_RETURN_IF_ERROR(ReadFrame(frame, &raw));
    if (crc32c::Value(raw) != frame.raw_crc32c) return Corruption(path_ + ": frame checksum");
    std::string_view rest = raw;
    for (uint32_t i = 0; i < frame.tick_count; ++i) {
      IBSTREAM_RETURN_IF_ERROR(NextFrameTick(&rest, &tick));
      const TickOrderKey key = OrderKey(tick);
      if (tick.stream() != header_.stream) return Corruption(path_ + ": tick of another stream");
      if (key.exchange_ns < hour_start || key.exchange_ns >= hour_start + kNanosPerHour) {
        return Corruption(path_ + ": tick outside the file's hour");
      }
      if (key.exchange_ns < frame.min_exchange_ns || key.exchange_ns > frame.max_exchange_ns) {
        return Corruption(path_ + ": tick outside its frame's indexed range");
      }
      if (!first && key < previous) return Corruption(path_ + ": ticks out of order");
      previous = key;
      first = false;
      ++ticks;
    }
    if (!rest.empty()) return Corruption(path_ + ": frame holds more bytes than indexed ticks");
  }
  if (ticks != header_.tick_count) return Corruption(path_ + ": tick count mismatch");
  return Status::Ok();
}

Status ClosedFileReader::CheckFrame(size_t index) const {
  const ClosedFrameInfo& frame = frames_.at(index);
  std::string raw;
  Status status = ReadFrame(frame, &raw);
  if (status.ok() && crc32c::Value(raw) != frame.raw_crc32c) {
    status = Corruption(path_ + ": frame checksum");
  }
  std::string_view rest = raw;
  Tick tick;
  for (uint32_t i = 0; status.ok() && i < frame.tick_count; ++i)
    status = NextFrameTick(&rest, &tick);
  if (status.ok() && !rest.empty()) {
    status = Corruption(path_ + ": frame holds more bytes than indexed ticks");
  }
  if (status.ok()) return status;
  return status.WithContext("frame " + std::to_string(index) + " of " +
                            std::to_string(frames_.size()));
}

}  // namespace ibstream::storage
