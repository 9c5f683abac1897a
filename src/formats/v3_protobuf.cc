#include "formats/v3_protobuf.h"

#include <bit>
#include <cmath>
#include <limits>

namespace ibstream::formats {
namespace {

enum WireType : uint32_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

enum Field : uint32_t {
  kTs = 1,
  kSt = 2,
  kCid = 3,
  kTt = 4,
  kRid = 5,
  kP = 10,
  kS = 11,
  kBp = 12,
  kBs = 13,
  kAp = 14,
  kAs = 15,
  kMp = 16,
  kV = 17,  // trade volume: our extension, not in the original's schema
  kBpl = 20,
  kAph = 21,
  kUpt = 22,
};

void PutVarint(uint64_t value, std::string& out) {
  while (value >= 0x80) {
    out += static_cast<char>((value & 0x7F) | 0x80);
    value >>= 7;
  }
  out += static_cast<char>(value);
}

void PutTag(Field field, WireType type, std::string& out) {
  PutVarint((static_cast<uint64_t>(field) << 3) | type, out);
}

// int64 and int32 fields are varints of the two's-complement 64-bit value (negative: 10 bytes).
void PutIntField(Field field, int64_t value, std::string& out) {
  if (value == 0) return;
  PutTag(field, kVarint, out);
  PutVarint(static_cast<uint64_t>(value), out);
}

void PutDoubleField(Field field, double value, std::string& out) {
  if (std::isnan(value)) return;
  PutTag(field, kFixed64, out);
  const auto bits = std::bit_cast<uint64_t>(value);
  for (int i = 0; i < 8; ++i) out += static_cast<char>((bits >> (8 * i)) & 0xFF);
}

void PutSizeField(Field field, const Decimal& size, std::string& out) {
  if (!size.is_set()) return;
  PutDoubleField(field, DecimalToNearestDouble(size), out);
}

void PutFlagField(Field field, bool set, std::string& out) {
  if (!set) return;
  PutTag(field, kVarint, out);
  out += '\x01';
}

bool FitsInt32(int64_t value) {
  return value >= std::numeric_limits<int32_t>::min() &&
         value <= std::numeric_limits<int32_t>::max();
}

class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}

  bool AtEnd() const { return pos_ >= data_.size(); }

  Status Error(std::string_view what) const {
    return ParseError("byte " + std::to_string(pos_) + ": " + std::string(what));
  }

  Status ReadVarint(uint64_t& out) {
    out = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return Error("truncated varint");
      const auto byte = static_cast<uint8_t>(data_[pos_++]);
      out |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return Status::Ok();
    }
    return Error("varint longer than 10 bytes");
  }

  Status ReadFixed64(uint64_t& out) {
    if (data_.size() - pos_ < 8) return Error("truncated fixed64");
    out = 0;
    for (int i = 0; i < 8; ++i) {
      out |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
    }
    pos_ += 8;
    return Status::Ok();
  }

  Status ReadBytes(std::string_view& out) {
    uint64_t length = 0;
    IBSTREAM_RETURN_IF_ERROR(ReadVarint(length));
    if (length > data_.size() - pos_) return Error("truncated length-delimited field");
    out = data_.substr(pos_, length);
    pos_ += length;
    return Status::Ok();
  }

  Status Skip(uint32_t wire_type) {
    uint64_t ignored = 0;
    std::string_view bytes;
    switch (wire_type) {
      case kVarint:
        return ReadVarint(ignored);
      case kFixed64:
        return ReadFixed64(ignored);
      case kLengthDelimited:
        return ReadBytes(bytes);
      case kFixed32:
        if (data_.size() - pos_ < 4) return Error("truncated fixed32");
        pos_ += 4;
        return Status::Ok();
      default:
        return Error("unsupported wire type " + std::to_string(wire_type));
    }
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

Status AppendMessage(const Tick& tick, int64_t request_id, std::string& out) {
  if (!FitsInt32(tick.contract_id)) {
    return OutOfRange("conId " + std::to_string(tick.contract_id) +
                      " does not fit the v3 protobuf int32 field 'cid'");
  }
  if (!FitsInt32(request_id)) {
    return OutOfRange("request id " + std::to_string(request_id) +
                      " does not fit the v3 protobuf int32 field 'rid'");
  }
  PutIntField(kTs, ToUnixMicros(tick.exchange_time), out);
  PutIntField(kSt, ToUnixMicros(tick.receive_time), out);
  PutIntField(kCid, tick.contract_id, out);
  const std::string_view type_name = V3TickTypeName(tick.type);
  PutTag(kTt, kLengthDelimited, out);
  PutVarint(type_name.size(), out);
  out += type_name;
  PutIntField(kRid, request_id, out);
  switch (tick.type) {
    case TickType::kLast:
    case TickType::kAllLast:
    case TickType::kDepth:  // v3 has no depth shape (writers skip depth): price and size
      PutDoubleField(kP, tick.price, out);
      PutSizeField(kS, tick.size, out);
      break;
    case TickType::kTrade:
      PutDoubleField(kP, tick.price, out);
      PutSizeField(kS, tick.size, out);
      PutSizeField(kV, tick.volume, out);
      break;
    case TickType::kBidAsk:
    case TickType::kQuote:
      PutDoubleField(kBp, tick.bid_price, out);
      PutSizeField(kBs, tick.bid_size, out);
      PutDoubleField(kAp, tick.ask_price, out);
      PutSizeField(kAs, tick.ask_size, out);
      break;
    case TickType::kMidPoint:
      PutDoubleField(kMp, tick.price, out);
      break;
  }
  PutFlagField(kBpl, tick.attributes & kAttrBidPastLow, out);
  PutFlagField(kAph, tick.attributes & kAttrAskPastHigh, out);
  PutFlagField(kUpt, tick.attributes & kAttrUnreported, out);
  return Status::Ok();
}

Status AppendFramed(const Tick& tick, int64_t request_id, std::string& out) {
  const size_t start = out.size();
  out.append(kV3LengthPrefixBytes, '\0');
  Status status = AppendMessage(tick, request_id, out);
  if (!status.ok()) {
    out.resize(start);
    return status;
  }
  const auto length = static_cast<uint32_t>(out.size() - start - kV3LengthPrefixBytes);
  out[start] = static_cast<char>(length >> 24);
  out[start + 1] = static_cast<char>((length >> 16) & 0xFF);
  out[start + 2] = static_cast<char>((length >> 8) & 0xFF);
  out[start + 3] = static_cast<char>(length & 0xFF);
  return Status::Ok();
}

}  // namespace

Status AppendV3Protobuf(const Tick& tick, std::string& out) { return AppendFramed(tick, 0, out); }

Status AppendV3Protobuf(const V3Record& record, std::string& out) {
  return AppendFramed(record.tick, record.request_id, out);
}

Status AppendV3ProtobufMessage(const V3Record& record, std::string& out) {
  return AppendMessage(record.tick, record.request_id, out);
}

Result<V3Record> ParseV3ProtobufMessage(std::string_view message) {
  V3Record record;
  Tick& tick = record.tick;
  int64_t ts = 0, st = 0;
  std::string_view type_name;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  double values[kV - kP + 1] = {nan, nan, nan, nan, nan, nan, nan, nan};
  bool flags[kUpt - kBpl + 1] = {false, false, false};

  WireReader reader(message);
  while (!reader.AtEnd()) {
    uint64_t tag = 0;
    IBSTREAM_RETURN_IF_ERROR(reader.ReadVarint(tag));
    const uint64_t field = tag >> 3;
    const auto wire_type = static_cast<uint32_t>(tag & 7);
    if (field == 0 || field > 0x1FFFFFFF) return reader.Error("bad field number");
    const auto expect = [&](WireType wanted) -> Status {
      if (wire_type == wanted) return Status::Ok();
      return reader.Error("field " + std::to_string(field) + " has wire type " +
                          std::to_string(wire_type) + ", expected " + std::to_string(wanted));
    };
    uint64_t raw = 0;
    if (field == kTs || field == kSt || field == kCid || field == kRid) {
      IBSTREAM_RETURN_IF_ERROR(expect(kVarint));
      IBSTREAM_RETURN_IF_ERROR(reader.ReadVarint(raw));
      switch (field) {
        case kTs:
          ts = static_cast<int64_t>(raw);
          break;
        case kSt:
          st = static_cast<int64_t>(raw);
          break;
        case kCid:  // int32: the low 32 bits, as protobuf parsers read it
          tick.contract_id = static_cast<int32_t>(static_cast<uint32_t>(raw));
          break;
        default:
          record.request_id = static_cast<int32_t>(static_cast<uint32_t>(raw));
          break;
      }
    } else if (field == kTt) {
      IBSTREAM_RETURN_IF_ERROR(expect(kLengthDelimited));
      IBSTREAM_RETURN_IF_ERROR(reader.ReadBytes(type_name));
    } else if (field >= kP && field <= kV) {
      IBSTREAM_RETURN_IF_ERROR(expect(kFixed64));
      IBSTREAM_RETURN_IF_ERROR(reader.ReadFixed64(raw));
      values[field - kP] = std::bit_cast<double>(raw);
    } else if (field >= kBpl && field <= kUpt) {
      IBSTREAM_RETURN_IF_ERROR(expect(kVarint));
      IBSTREAM_RETURN_IF_ERROR(reader.ReadVarint(raw));
      flags[field - kBpl] = raw != 0;
    } else {
      IBSTREAM_RETURN_IF_ERROR(reader.Skip(wire_type));
    }
  }

  if (type_name.empty()) return ParseError("missing tt");
  auto type = ParseV3TickType(type_name);
  if (!type.ok()) return type.status();
  tick.type = *type;
  constexpr int64_t kMaxMicros = std::numeric_limits<int64_t>::max() / 1000;
  if (ts > kMaxMicros || ts < -kMaxMicros || st > kMaxMicros || st < -kMaxMicros) {
    return ParseError("timestamp out of range");
  }
  tick.exchange_time = FromUnixMicros(ts);
  tick.receive_time = FromUnixMicros(st);

  internal::V3Values v3;
  v3.p = values[kP - kP];
  v3.bp = values[kBp - kP];
  v3.ap = values[kAp - kP];
  v3.mp = values[kMp - kP];
  const std::pair<double, Decimal*> sizes[] = {{values[kS - kP], &v3.s},
                                               {values[kBs - kP], &v3.bs},
                                               {values[kAs - kP], &v3.as},
                                               {values[kV - kP], &v3.v}};
  for (const auto& [value, target] : sizes) {
    auto decimal = DecimalFromDouble(value);
    if (!decimal.ok()) return ParseError(decimal.status().message());
    *target = *decimal;
  }
  internal::SetV3Values(tick, v3);
  tick.attributes =
      static_cast<uint8_t>((flags[0] ? kAttrBidPastLow : 0) | (flags[1] ? kAttrAskPastHigh : 0) |
                           (flags[2] ? kAttrUnreported : 0));
  return record;
}

}  // namespace ibstream::formats
