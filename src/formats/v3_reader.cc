#include "formats/v3_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "formats/v3_json.h"
#include "formats/v3_protobuf.h"

namespace ibstream::formats {
namespace {

bool IsBlank(std::string_view line) {
  return std::all_of(line.begin(), line.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

uint32_t ReadBigEndian32(std::string_view bytes) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(bytes[0])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(bytes[1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(bytes[2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(bytes[3]));
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

void V3ReadStats::AddError(std::string message) {
  ++errors;
  if (error_messages.size() < kMaxErrorMessages) error_messages.push_back(std::move(message));
}

// ---------------------------------------------------------------------------------------------
// JSON lines

V3JsonLinesDecoder::V3JsonLinesDecoder(V3RecordCallback on_record, V3ReadStats& stats)
    : on_record_(std::move(on_record)), stats_(stats) {}

void V3JsonLinesDecoder::Feed(std::string_view chunk) {
  const auto overlong = [this] {
    ++line_number_;
    stats_.AddError("line " + std::to_string(line_number_) + ": longer than " +
                    std::to_string(kV3MaxLineBytes) + " bytes");
  };
  while (!chunk.empty()) {
    const size_t newline = chunk.find('\n');
    if (newline == std::string_view::npos) {
      if (skipping_) return;
      if (partial_.size() + chunk.size() > kV3MaxLineBytes) {
        overlong();
        partial_.clear();
        skipping_ = true;
        return;
      }
      partial_.append(chunk);
      return;
    }
    const std::string_view piece = chunk.substr(0, newline);
    chunk.remove_prefix(newline + 1);
    if (skipping_) {  // the overlong line ends here; it was counted when it overflowed
      skipping_ = false;
      continue;
    }
    if (partial_.size() + piece.size() > kV3MaxLineBytes) {
      overlong();
      partial_.clear();
      continue;
    }
    if (partial_.empty()) {
      DecodeLine(piece, true);
    } else {
      partial_.append(piece);
      DecodeLine(partial_, true);
      partial_.clear();
    }
  }
}

void V3JsonLinesDecoder::Finish() {
  if (!skipping_ && !partial_.empty()) DecodeLine(partial_, false);
  partial_.clear();
  skipping_ = false;
}

void V3JsonLinesDecoder::DecodeLine(std::string_view line, bool terminated) {
  ++line_number_;
  if (IsBlank(line)) return;
  auto record = ParseV3JsonLine(line);
  if (!record.ok()) {
    stats_.AddError("line " + std::to_string(line_number_) + (terminated ? "" : " (unterminated)") +
                    ": " + record.status().message());
    return;
  }
  record->tick.sequence = line_number_;
  ++stats_.records;
  on_record_(*record);
}

// ---------------------------------------------------------------------------------------------
// Protobuf

V3ProtobufDecoder::V3ProtobufDecoder(V3RecordCallback on_record, V3ReadStats& stats)
    : on_record_(std::move(on_record)), stats_(stats) {}

void V3ProtobufDecoder::Feed(std::string_view chunk) {
  if (broken_) return;
  if (!partial_.empty()) {
    // Complete the pending record from the front of the chunk, then decode it alone.
    if (partial_.size() < kV3LengthPrefixBytes) {
      const size_t take = std::min(kV3LengthPrefixBytes - partial_.size(), chunk.size());
      partial_.append(chunk.substr(0, take));
      chunk.remove_prefix(take);
      if (partial_.size() < kV3LengthPrefixBytes) return;
    }
    const uint64_t whole = kV3LengthPrefixBytes + uint64_t{ReadBigEndian32(partial_)};
    if (whole - kV3LengthPrefixBytes <= kV3MaxRecordBytes) {
      const size_t take = std::min<uint64_t>(whole - partial_.size(), chunk.size());
      partial_.append(chunk.substr(0, take));
      chunk.remove_prefix(take);
      if (partial_.size() < whole) return;
    }
    DecodeRecords(partial_);  // one whole record, or the overlong prefix that breaks framing
    partial_.clear();
    if (broken_) return;
  }
  const size_t consumed = DecodeRecords(chunk);
  if (!broken_) partial_.assign(chunk.substr(consumed));
}

size_t V3ProtobufDecoder::DecodeRecords(std::string_view data) {
  size_t pos = 0;
  while (data.size() - pos >= kV3LengthPrefixBytes) {
    const uint32_t length = ReadBigEndian32(data.substr(pos));
    const std::string where =
        "record " + std::to_string(record_number_ + 1) + " at byte " + std::to_string(offset_);
    if (length > kV3MaxRecordBytes) {
      stats_.AddError(where + ": length prefix " + std::to_string(length) +
                      " is not a v3 record; framing lost, rest of input ignored");
      broken_ = true;
      return pos;
    }
    if (data.size() - pos - kV3LengthPrefixBytes < length) break;
    ++record_number_;
    auto record = ParseV3ProtobufMessage(data.substr(pos + kV3LengthPrefixBytes, length));
    pos += kV3LengthPrefixBytes + length;
    offset_ += kV3LengthPrefixBytes + length;
    if (!record.ok()) {
      stats_.AddError(where + ": " + record.status().message());
      continue;
    }
    record->tick.sequence = record_number_;
    ++stats_.records;
    on_record_(*record);
  }
  return pos;
}

void V3ProtobufDecoder::Finish() {
  if (!broken_ && !partial_.empty()) {
    std::string message = "record " + std::to_string(record_number_ + 1) + " at byte " +
                          std::to_string(offset_) + ": torn record at end of input (" +
                          std::to_string(partial_.size()) + " bytes";
    if (partial_.size() >= kV3LengthPrefixBytes) {
      message += " of " + std::to_string(kV3LengthPrefixBytes + ReadBigEndian32(partial_));
    }
    stats_.AddError(message + ")");
  }
  partial_.clear();
}

// ---------------------------------------------------------------------------------------------
// Buffers and files

void DecodeV3JsonLines(std::string_view data, const V3RecordCallback& on_record,
                       V3ReadStats& stats) {
  V3JsonLinesDecoder decoder(on_record, stats);
  decoder.Feed(data);
  decoder.Finish();
}

void DecodeV3ProtobufRecords(std::string_view data, const V3RecordCallback& on_record,
                             V3ReadStats& stats) {
  V3ProtobufDecoder decoder(on_record, stats);
  decoder.Feed(data);
  decoder.Finish();
}

namespace {

template <typename Decoder>
Status ReadWith(const std::string& path, Decoder& decoder) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open " + path + ": " + std::strerror(errno));
  std::string buffer(256 * 1024, '\0');
  Status status;
  while (true) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      status = IoError("cannot read " + path + ": " + std::strerror(errno));
      break;
    }
    if (n == 0) break;
    decoder.Feed(std::string_view(buffer.data(), static_cast<size_t>(n)));
  }
  ::close(fd);
  if (status.ok()) decoder.Finish();
  return status;
}

}  // namespace

Status ReadV3File(const std::string& path, const V3RecordCallback& on_record, V3ReadStats& stats) {
  if (EndsWith(path, ".jsonl")) {
    V3JsonLinesDecoder decoder(on_record, stats);
    return ReadWith(path, decoder);
  }
  if (EndsWith(path, ".pb")) {
    V3ProtobufDecoder decoder(on_record, stats);
    return ReadWith(path, decoder);
  }
  return InvalidArgument(path + ": not a v3 file (expected .jsonl or .pb)");
}

}  // namespace ibstream::formats
