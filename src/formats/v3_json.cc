#include "formats/v3_json.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "formats/append_int.h"
#include "formats/python_float.h"

namespace ibstream::formats {
namespace {

// A float as Python's json.dumps writes it: repr, or the non-standard infinity tokens.
void AppendJsonFloat(double value, std::string& out) {
  if (std::isinf(value)) {
    out += value < 0 ? "-Infinity" : "Infinity";
    return;
  }
  AppendPythonFloat(value, out);
}

// `key_prefix` is `,"bp":` and so on. A NaN price is the null the original omitted.
void AppendPrice(std::string_view key_prefix, double price, std::string& out) {
  if (std::isnan(price)) return;
  out += key_prefix;
  AppendJsonFloat(price, out);
}

void AppendSize(std::string_view key_prefix, const Decimal& size, std::string& out) {
  if (!size.is_set()) return;
  out += key_prefix;
  AppendJsonFloat(DecimalToNearestDouble(size), out);
}

// A cursor over one line of JSON. Every error names the 1-based column.
class JsonCursor {
 public:
  explicit JsonCursor(std::string_view text) : text_(text) {}

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool AtEnd() const { return pos_ >= text_.size(); }

  bool TryConsume(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  Status Expect(char c) {
    if (TryConsume(c)) return Status::Ok();
    return Error(std::string("expected '") + c + "'");
  }

  Status Error(std::string_view what) const {
    std::string message = "column " + std::to_string(pos_ + 1) + ": " + std::string(what);
    if (pos_ >= text_.size()) message += " at end of line";
    return ParseError(std::move(message));
  }

  // A string; `out` views the line when there are no escapes, else `scratch_`.
  Status ReadString(std::string_view& out) {
    SkipSpace();
    if (pos_ >= text_.size() || text_[pos_] != '"') return Error("expected a string");
    ++pos_;
    const size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != '"' && text_[pos_] != '\\') {
      if (static_cast<unsigned char>(text_[pos_]) < 0x20)
        return Error("control character in string");
      ++pos_;
    }
    if (pos_ >= text_.size()) return Error("unterminated string");
    if (text_[pos_] == '"') {
      out = text_.substr(start, pos_ - start);
      ++pos_;
      return Status::Ok();
    }
    scratch_.assign(text_.substr(start, pos_ - start));
    while (true) {
      if (pos_ >= text_.size()) return Error("unterminated string");
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        out = scratch_;
        return Status::Ok();
      }
      if (static_cast<unsigned char>(c) < 0x20) return Error("control character in string");
      if (c != '\\') {
        scratch_ += c;
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= text_.size()) return Error("unterminated escape");
      const char e = text_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          scratch_ += e;
          break;
        case 'b':
          scratch_ += '\b';
          break;
        case 'f':
          scratch_ += '\f';
          break;
        case 'n':
          scratch_ += '\n';
          break;
        case 'r':
          scratch_ += '\r';
          break;
        case 't':
          scratch_ += '\t';
          break;
        case 'u': {
          uint32_t code = 0;
          IBSTREAM_RETURN_IF_ERROR(ReadHex4(code));
          if (code >= 0xD800 && code <= 0xDBFF) {
            uint32_t low = 0;
            if (pos_ + 1 >= text_.size() || text_[pos_] != '\\' || text_[pos_ + 1] != 'u') {
              return Error("unpaired surrogate");
            }
            pos_ += 2;
            IBSTREAM_RETURN_IF_ERROR(ReadHex4(low));
            if (low < 0xDC00 || low > 0xDFFF) return Error("unpaired surrogate");
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          } else if (code >= 0xDC00 && code <= 0xDFFF) {
            return Error("unpaired surrogate");
          }
          AppendUtf8(code);
          break;
        }
        default:
          --pos_;
          return Error("bad escape");
      }
    }
  }

  // A JSON number, or one of Python's NaN, Infinity, -Infinity.
  Status ReadNumberToken(std::string_view& token) {
    SkipSpace();
    const size_t start = pos_;
    for (std::string_view special : {"NaN", "Infinity", "-Infinity"}) {
      if (text_.substr(pos_, special.size()) == special) {
        pos_ += special.size();
        token = special;
        return Status::Ok();
      }
    }
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    if (pos_ >= text_.size() || !IsDigit(text_[pos_])) return Error("expected a number");
    if (text_[pos_] == '0') {
      ++pos_;
    } else {
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (pos_ >= text_.size() || !IsDigit(text_[pos_])) return Error("expected a digit");
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (pos_ >= text_.size() || !IsDigit(text_[pos_])) return Error("expected a digit");
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    token = text_.substr(start, pos_ - start);
    return Status::Ok();
  }

  // true, false or null.
  bool TryLiteral(std::string_view literal) {
    SkipSpace();
    if (text_.substr(pos_, literal.size()) != literal) return false;
    pos_ += literal.size();
    return true;
  }

  Status ReadInt(int64_t& out) {
    if (TryLiteral("null")) return Status::Ok();
    std::string_view token;
    IBSTREAM_RETURN_IF_ERROR(ReadNumberToken(token));
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), out);
    if (ec != std::errc() || end != token.data() + token.size()) {
      return Error("expected an integer, got '" + std::string(token) + "'");
    }
    return Status::Ok();
  }

  // A float; null and NaN leave NaN.
  Status ReadFloat(double& out) {
    out = std::numeric_limits<double>::quiet_NaN();
    if (TryLiteral("null")) return Status::Ok();
    std::string_view token;
    IBSTREAM_RETURN_IF_ERROR(ReadNumberToken(token));
    if (token == "NaN") return Status::Ok();
    if (token == "Infinity" || token == "-Infinity") {
      out = token[0] == '-' ? -std::numeric_limits<double>::infinity()
                            : std::numeric_limits<double>::infinity();
      return Status::Ok();
    }
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), out);
    if (ec != std::errc() || end != token.data() + token.size()) {
      return Error("number '" + std::string(token) + "' out of range");
    }
    return Status::Ok();
  }

  // true/false; null leaves false.
  Status ReadBool(bool& out) {
    if (TryLiteral("true")) {
      out = true;
    } else if (TryLiteral("false") || TryLiteral("null")) {
      out = false;
    } else {
      return Error("expected true or false");
    }
    return Status::Ok();
  }

  Status SkipValue(int depth) {
    if (depth > kMaxDepth) return Error("nesting too deep");
    SkipSpace();
    if (pos_ >= text_.size()) return Error("expected a value");
    const char c = text_[pos_];
    if (c == '"') {
      std::string_view ignored;
      return ReadString(ignored);
    }
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++pos_;
      if (TryConsume(close)) return Status::Ok();
      while (true) {
        if (c == '{') {
          std::string_view ignored;
          IBSTREAM_RETURN_IF_ERROR(ReadString(ignored));
          IBSTREAM_RETURN_IF_ERROR(Expect(':'));
        }
        IBSTREAM_RETURN_IF_ERROR(SkipValue(depth + 1));
        if (TryConsume(',')) continue;
        return Expect(close);
      }
    }
    if (TryLiteral("true") || TryLiteral("false") || TryLiteral("null")) return Status::Ok();
    std::string_view ignored;
    return ReadNumberToken(ignored);
  }

 private:
  static constexpr int kMaxDepth = 32;

  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  Status ReadHex4(uint32_t& out) {
    if (pos_ + 4 > text_.size()) return Error("short \\u escape");
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = text_[pos_++];
      out <<= 4;
      if (h >= '0' && h <= '9') {
        out |= static_cast<uint32_t>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        out |= static_cast<uint32_t>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        out |= static_cast<uint32_t>(h - 'A' + 10);
      } else {
        --pos_;
        return Error("bad \\u escape");
      }
    }
    return Status::Ok();
  }

  void AppendUtf8(uint32_t code) {
    if (code < 0x80) {
      scratch_ += static_cast<char>(code);
    } else if (code < 0x800) {
      scratch_ += static_cast<char>(0xC0 | (code >> 6));
      scratch_ += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      scratch_ += static_cast<char>(0xE0 | (code >> 12));
      scratch_ += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      scratch_ += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      scratch_ += static_cast<char>(0xF0 | (code >> 18));
      scratch_ += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      scratch_ += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      scratch_ += static_cast<char>(0x80 | (code & 0x3F));
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string scratch_;
};

Status ReadSize(JsonCursor& cursor, std::string_view key, Decimal& out) {
  double value = 0;
  IBSTREAM_RETURN_IF_ERROR(cursor.ReadFloat(value));
  auto decimal = DecimalFromDouble(value);
  if (!decimal.ok()) return cursor.Error(std::string(key) + ": " + decimal.status().message());
  out = *decimal;
  return Status::Ok();
}

void AppendV3JsonLine(const Tick& tick, int64_t request_id, std::string& out) {
  out += "{\"ts\":";
  AppendInt(ToUnixMicros(tick.exchange_time), out);
  out += ",\"st\":";
  AppendInt(ToUnixMicros(tick.receive_time), out);
  out += ",\"cid\":";
  AppendInt(tick.contract_id, out);
  out += ",\"tt\":\"";
  out += V3TickTypeName(tick.type);
  out += "\",\"rid\":";
  AppendInt(request_id, out);
  switch (tick.type) {
    case TickType::kLast:
    case TickType::kAllLast:
    case TickType::kDepth:  // v3 has no depth shape (writers skip depth): price and size
      AppendPrice(",\"p\":", tick.price, out);
      AppendSize(",\"s\":", tick.size, out);
      break;
    case TickType::kTrade:
      AppendPrice(",\"p\":", tick.price, out);
      AppendSize(",\"s\":", tick.size, out);
      AppendSize(",\"v\":", tick.volume, out);
      break;
    case TickType::kBidAsk:
    case TickType::kQuote:
      AppendPrice(",\"bp\":", tick.bid_price, out);
      AppendSize(",\"bs\":", tick.bid_size, out);
      AppendPrice(",\"ap\":", tick.ask_price, out);
      AppendSize(",\"as\":", tick.ask_size, out);
      break;
    case TickType::kMidPoint:
      AppendPrice(",\"mp\":", tick.price, out);
      break;
  }
  if (tick.attributes & kAttrBidPastLow) out += ",\"bpl\":true";
  if (tick.attributes & kAttrAskPastHigh) out += ",\"aph\":true";
  if (tick.attributes & kAttrUnreported) out += ",\"upt\":true";
  out += "}\n";
}

}  // namespace

void AppendV3Json(const Tick& tick, std::string& out) { AppendV3JsonLine(tick, 0, out); }

void AppendV3Json(const V3Record& record, std::string& out) {
  AppendV3JsonLine(record.tick, record.request_id, out);
}

Result<V3Record> ParseV3JsonLine(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

  V3Record record;
  Tick& tick = record.tick;
  bool have_ts = false, have_cid = false, have_tt = false;
  int64_t ts = 0, st = 0;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  double p = nan, bp = nan, ap = nan, mp = nan;
  Decimal s, bs, as, v;
  bool bpl = false, aph = false, upt = false;

  JsonCursor cursor(line);
  IBSTREAM_RETURN_IF_ERROR(cursor.Expect('{'));
  if (!cursor.TryConsume('}')) {
    while (true) {
      std::string_view key;
      IBSTREAM_RETURN_IF_ERROR(cursor.ReadString(key));
      // `key` may view the cursor's scratch space: copy the short key before reading on.
      char key_copy[4] = {};
      const bool short_key = key.size() <= 3;
      if (short_key) key.copy(key_copy, key.size());
      const std::string_view name = short_key ? std::string_view(key_copy, key.size()) : "";
      IBSTREAM_RETURN_IF_ERROR(cursor.Expect(':'));
      if (name == "ts") {
        IBSTREAM_RETURN_IF_ERROR(cursor.ReadInt(ts));
        have_ts = true;
      } else if (name == "st") {
        IBSTREAM_RETURN_IF_ERROR(cursor.ReadInt(st));
      } else if (name == "cid") {
        IBSTREAM_RETURN_IF_ERROR(cursor.ReadInt(tick.contract_id));
        have_cid = true;
      } else if (name == "tt") {
        std::string_view value;
        IBSTREAM_RETURN_IF_ERROR(cursor.ReadString(value));
        auto type = ParseV3TickType(value);
        if (!type.ok()) return cursor.Error(type.status().message());
        tick.type = *type;
        have_tt = true;
      } else if (name == "rid") {
        IBSTREAM_RETURN_IF_ERROR(cursor.ReadInt(record.request_id));
      } else if (name == "p") {
        IBSTREAM_RETURN_IF_ERROR(cursor.ReadFloat(p));
      } else if (name == "s") {
        IBSTREAM_RETURN_IF_ERROR(ReadSize(cursor, name, s));
      } else if (name == "bp") {
        IBSTREAM_RETURN_IF_ERROR(cursor.ReadFloat(bp));
      } else if (name == "bs") {
        IBSTREAM_RETURN_IF_ERROR(ReadSize(cursor, name, bs));
      } else if (name == "ap") {
        IBSTREAM_RETURN_IF_ERROR(cursor.ReadFloat(ap));
      } else if (name == "as") {
        IBSTREAM_RETURN_IF_ERROR(ReadSize(cursor, name, as));
      } else if (name == "mp") {
        IBSTREAM_RETURN_IF_ERROR(cursor.ReadFloat(mp));
      } else if (name == "v") {
        IBSTREAM_RETURN_IF_ERROR(ReadSize(cursor, name, v));
      } else if (name == "bpl") {
        IBSTREAM_RETURN_IF_ERROR(cursor.ReadBool(bpl));
      } else if (name == "aph") {
        IBSTREAM_RETURN_IF_ERROR(cursor.ReadBool(aph));
      } else if (name == "upt") {
        IBSTREAM_RETURN_IF_ERROR(cursor.ReadBool(upt));
      } else {
        IBSTREAM_RETURN_IF_ERROR(cursor.SkipValue(0));
      }
      if (cursor.TryConsume(',')) continue;
      IBSTREAM_RETURN_IF_ERROR(cursor.Expect('}'));
      break;
    }
  }
  cursor.SkipSpace();
  if (!cursor.AtEnd()) return cursor.Error("unexpected text after the object");
  if (!have_ts) return ParseError("missing \"ts\"");
  if (!have_cid) return ParseError("missing \"cid\"");
  if (!have_tt) return ParseError("missing \"tt\"");
  // µs beyond ±2^63 ns (year 2262) cannot be a TimePoint.
  constexpr int64_t kMaxMicros = std::numeric_limits<int64_t>::max() / 1000;
  if (ts > kMaxMicros || ts < -kMaxMicros || st > kMaxMicros || st < -kMaxMicros) {
    return ParseError("timestamp out of range");
  }
  tick.exchange_time = FromUnixMicros(ts);
  tick.receive_time = FromUnixMicros(st);
  internal::SetV3Values(tick, internal::V3Values{p, s, bp, bs, ap, as, mp, v});
  tick.attributes = static_cast<uint8_t>(
      (bpl ? kAttrBidPastLow : 0) | (aph ? kAttrAskPastHigh : 0) | (upt ? kAttrUnreported : 0));
  return record;
}

}  // namespace ibstream::formats
