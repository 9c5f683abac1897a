#include "protocol/field_codec.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <system_error>

#include "protocol/constants.h"

namespace ibstream::protocol {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

// The text of a bad value for an error message: at most 40 bytes, non-printables as \xNN.
std::string Quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  const size_t limit = 40;
  for (size_t i = 0; i < text.size() && i < limit; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 32 && c <= 126) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  if (text.size() > limit) out += "...";
  out += "'";
  return out;
}

template <typename Int>
Result<Int> ParseInteger(std::string_view text) {
  std::string_view t = Trim(text);
  if (!t.empty() && t.front() == '+') {
    t.remove_prefix(1);
    if (!t.empty() && t.front() == '-')
      return ParseError("expected an integer, got " + Quote(text));
  }
  Int value = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (t.empty() || ptr != t.data() + t.size()) {
    return ParseError("expected an integer, got " + Quote(text));
  }
  if (ec == std::errc::result_out_of_range) {
    return ParseError("integer out of range: " + Quote(text));
  }
  if (ec != std::errc()) return ParseError("expected an integer, got " + Quote(text));
  return value;
}

bool IsDigitIn(char c, bool hex) {
  if (c >= '0' && c <= '9') return true;
  return hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
}

// from_chars reported result_out_of_range for `text` (unsigned, syntactically valid): like
// strtod, an overflow becomes infinity and an underflow zero. Decides which by the position of
// the first significant digit plus the exponent.
double OutOfRangeValue(std::string_view text, bool hex) {
  int64_t order = 0;  // digits before the point (or minus leading zeros after it)
  bool seen_point = false;
  bool seen_significant = false;
  size_t i = 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.') {
      seen_point = true;
    } else if (IsDigitIn(c, hex)) {
      if (c != '0') seen_significant = true;
      if (!seen_point && seen_significant) ++order;
      if (seen_point && !seen_significant) --order;
    } else {
      break;
    }
  }
  if (!seen_significant) return 0.0;
  int64_t exponent = 0;
  if (i < text.size()) {  // 'e' or 'p', then an optional sign and digits
    ++i;
    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (exponent < 1'000'000'000) exponent = exponent * 10 + (text[i] - '0');
    }
    if (negative) exponent = -exponent;
  }
  // Hex digits are 4 binary digits each and the exponent is binary; the sign is what matters.
  if (hex) order *= 4;
  return order + exponent > 0 ? std::numeric_limits<double>::infinity() : 0.0;
}

void AppendHex4(uint32_t unit, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\u";
  out += kHex[(unit >> 12) & 0xF];
  out += kHex[(unit >> 8) & 0xF];
  out += kHex[(unit >> 4) & 0xF];
  out += kHex[unit & 0xF];
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Reads "\uXXXX" at text[i]; returns the 16-bit unit or -1.
int ReadEscape(std::string_view text, size_t i) {
  if (i + 6 > text.size() || text[i] != '\\' || text[i + 1] != 'u') return -1;
  int unit = 0;
  for (size_t k = i + 2; k < i + 6; ++k) {
    const char c = text[k];
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return -1;
    }
    unit = unit * 16 + digit;
  }
  return unit;
}

// Decodes one UTF-8 character at text[i]; returns its length (0 when invalid) and sets cp.
size_t DecodeUtf8(std::string_view text, size_t i, uint32_t& cp) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  size_t length;
  uint32_t min;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    length = 2;
    cp = b0 & 0x1F;
    min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3;
    cp = b0 & 0x0F;
    min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4;
    cp = b0 & 0x07;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return length;
}

bool IsPrintableAscii(char c) { return c >= 32 && c <= 126; }

}  // namespace

Result<int32_t> ParseInt32(std::string_view text) { return ParseInteger<int32_t>(text); }
Result<int64_t> ParseInt64(std::string_view text) { return ParseInteger<int64_t>(text); }

Result<double> ParseDouble(std::string_view text) {
  std::string_view t = Trim(text);
  bool negative = false;
  if (!t.empty() && (t.front() == '+' || t.front() == '-')) {
    negative = t.front() == '-';
    t.remove_prefix(1);
  }
  if (t.empty() || t.front() == '+' || t.front() == '-') {
    return ParseError("expected a number, got " + Quote(text));
  }
  bool hex = false;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    hex = true;
    t.remove_prefix(2);
    if (t.front() == '+' || t.front() == '-') {
      return ParseError("expected a number, got " + Quote(text));
    }
  }
  double value = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), value,
                                   hex ? std::chars_format::hex : std::chars_format::general);
  if (ptr != t.data() + t.size()) return ParseError("expected a number, got " + Quote(text));
  if (ec == std::errc::result_out_of_range) {
    value = OutOfRangeValue(t, hex);
  } else if (ec != std::errc()) {
    return ParseError("expected a number, got " + Quote(text));
  }
  return negative ? -value : value;
}

void AppendDouble(double value, std::string& out) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value < 0 ? "-Infinity" : "Infinity";
    return;
  }
  if (value == 0) {
    out += std::signbit(value) ? "-0.0" : "0.0";
    return;
  }
  // Shortest round-trip digits, then Python's repr layout: fixed notation for decimal exponents
  // -4..15 (always with a fractional part), otherwise d[.ddd]e(+|-)XX.
  char buffer[40];
  auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  IBSTREAM_CHECK(ec == std::errc(), "to_chars of a double failed");
  const char* p = buffer;
  if (*p == '-') {
    out += '-';
    ++p;
  }
  char digits[24];
  int digit_count = 0;
  for (; p < end && *p != 'e'; ++p) {
    if (*p != '.') digits[digit_count++] = *p;
  }
  int exponent = 0;
  std::from_chars(p + 1 + (p[1] == '+' ? 1 : 0), end, exponent);
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      out += "0.";
      out.append(static_cast<size_t>(-exponent - 1), '0');
      out.append(digits, static_cast<size_t>(digit_count));
      return;
    }
    const int int_digits = exponent + 1;
    if (digit_count <= int_digits) {
      out.append(digits, static_cast<size_t>(digit_count));
      out.append(static_cast<size_t>(int_digits - digit_count), '0');
      out += ".0";
    } else {
      out.append(digits, static_cast<size_t>(int_digits));
      out += '.';
      out.append(digits + int_digits, static_cast<size_t>(digit_count - int_digits));
    }
    return;
  }
  out += digits[0];
  if (digit_count > 1) {
    out += '.';
    out.append(digits + 1, static_cast<size_t>(digit_count - 1));
  }
  out += 'e';
  out += exponent < 0 ? '-' : '+';
  const int magnitude = exponent < 0 ? -exponent : exponent;
  if (magnitude < 10) out += '0';
  char exp_text[8];
  auto [exp_end, exp_ec] = std::to_chars(exp_text, exp_text + sizeof(exp_text), magnitude);
  out.append(exp_text, exp_end);
}

std::string FormatDouble(double value) {
  std::string out;
  AppendDouble(value, out);
  return out;
}

void AppendUnescapedUnicode(std::string_view text, std::string& out) {
  size_t i = 0;
  while (i < text.size()) {
    const size_t backslash = text.find('\\', i);
    if (backslash == std::string_view::npos) {
      out.append(text.substr(i));
      return;
    }
    out.append(text.substr(i, backslash - i));
    i = backslash;
    const int unit = ReadEscape(text, i);
    if (unit < 0) {
      out += '\\';
      ++i;
      continue;
    }
    i += 6;
    auto cp = static_cast<uint32_t>(unit);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      const int low = ReadEscape(text, i);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<uint32_t>(low) - 0xDC00);
        i += 6;
      } else {
        cp = 0xFFFD;
      }
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      cp = 0xFFFD;
    }
    AppendUtf8(cp, out);
  }
}

std::string UnescapeUnicode(std::string_view text) {
  std::string out;
  AppendUnescapedUnicode(text, out);
  return out;
}

void AppendEscapedUnicode(std::string_view text, std::string& out) {
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (IsPrintableAscii(c) && c != '\\') {
      out += c;
      ++i;
      continue;
    }
    uint32_t cp = 0;
    const size_t length = DecodeUtf8(text, i, cp);
    if (length == 0) {
      AppendHex4(0xFFFD, out);
      ++i;
      continue;
    }
    i += length;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      AppendHex4(0xD800 + (cp >> 10), out);
      AppendHex4(0xDC00 + (cp & 0x3FF), out);
    } else {
      AppendHex4(cp, out);
    }
  }
}

std::string EscapeUnicode(std::string_view text) {
  std::string out;
  AppendEscapedUnicode(text, out);
  return out;
}

// --- FieldReader ---

FieldReader::FieldReader(std::string_view payload, const char* message_name,
                         ProtocolCounters* counters)
    : payload_(payload), message_name_(message_name), counters_(counters) {}

int FieldReader::CountRemaining() const {
  int count = 0;
  for (size_t i = pos_; i < payload_.size(); ++i) count += payload_[i] == '\0';
  return count;
}

bool FieldReader::NextField(const char* field, std::string_view& out) {
  if (error_kind_ != kNoError) return false;
  const size_t remaining = payload_.size() - pos_;
  const void* nul =
      pos_ < payload_.size() ? std::memchr(payload_.data() + pos_, '\0', remaining) : nullptr;
  if (nul == nullptr) {
    Fail(DecodeErrorKind::kMissingField, field, "missing");
    return false;
  }
  const size_t end = static_cast<size_t>(static_cast<const char*>(nul) - payload_.data());
  out = payload_.substr(pos_, end - pos_);
  pos_ = end + 1;
  ++fields_read_;
  return true;
}

std::string_view FieldReader::String(const char* field) {
  std::string_view text;
  if (!NextField(field, text)) return {};
  return text;
}

int32_t FieldReader::Int(const char* field) {
  std::string_view text;
  if (!NextField(field, text) || text.empty()) return 0;
  int32_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc() && ptr == text.data() + text.size()) return value;
  Result<int32_t> slow = ParseInt32(text);
  if (slow.ok()) return *slow;
  Fail(DecodeErrorKind::kBadInteger, field, slow.status().message());
  return 0;
}

int64_t FieldReader::Long(const char* field) {
  std::string_view text;
  if (!NextField(field, text) || text.empty()) return 0;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc() && ptr == text.data() + text.size()) return value;
  Result<int64_t> slow = ParseInt64(text);
  if (slow.ok()) return *slow;
  Fail(DecodeErrorKind::kBadInteger, field, slow.status().message());
  return 0;
}

double FieldReader::Double(const char* field) {
  std::string_view text;
  if (!NextField(field, text) || text.empty()) return 0;
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc() && ptr == text.data() + text.size()) return value;
  Result<double> slow = ParseDouble(text);
  if (slow.ok()) return *slow;
  Fail(DecodeErrorKind::kBadDouble, field, slow.status().message());
  return 0;
}

bool FieldReader::Bool(const char* field) { return Long(field) != 0; }

ibstream::Decimal FieldReader::Dec(const char* field) {
  std::string_view text;
  if (!NextField(field, text)) return {};
  Result<ibstream::Decimal> value = ibstream::Decimal::Parse(text);
  if (value.ok()) return *value;
  Fail(DecodeErrorKind::kBadDecimal, field, value.status().message());
  return {};
}

int32_t FieldReader::Count(const char* field, int fields_per_item) {
  const int32_t count = Int(field);
  if (!ok()) return 0;
  if (count < 0) {
    Fail(DecodeErrorKind::kBadCount, field, "negative count " + std::to_string(count));
    return 0;
  }
  if (fields_per_item > 0 && count > CountRemaining() / fields_per_item) {
    Fail(DecodeErrorKind::kBadCount, field,
         "count " + std::to_string(count) + " exceeds the fields left in the message");
    return 0;
  }
  return count;
}

void FieldReader::Skip(const char* field) {
  std::string_view ignored;
  NextField(field, ignored);
}

Status FieldReader::status() const {
  if (ok()) return Status::Ok();
  return ParseError(error_);
}

void FieldReader::Fail(DecodeErrorKind kind, const char* field, std::string_view detail) {
  if (error_kind_ != kNoError) return;
  error_kind_ = static_cast<int>(kind);
  // The failing field is number fields_read_ (1-based) when it was read, the next one when it
  // was missing.
  const int number = kind == DecodeErrorKind::kMissingField ? fields_read_ + 1 : fields_read_;
  error_ = std::string(message_name_) + " field " + std::to_string(number) + " '" + field +
           "': " + std::string(detail);
  if (counters_ != nullptr) ++counters_->error(kind);
}

// --- MessageWriter ---

MessageWriter::MessageWriter(std::string& out, TextPolicy policy, const char* message_name)
    : out_(out), start_(out.size()), policy_(policy), message_name_(message_name) {
  out_.append(4, '\0');
}

MessageWriter& MessageWriter::Int(int64_t value) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out_.append(buffer, end);
  out_ += '\0';
  ++fields_;
  return *this;
}

MessageWriter& MessageWriter::Double(double value) {
  AppendDouble(value, out_);
  out_ += '\0';
  ++fields_;
  return *this;
}

MessageWriter& MessageWriter::Bool(bool value) {
  out_ += value ? '1' : '0';
  out_ += '\0';
  ++fields_;
  return *this;
}

MessageWriter& MessageWriter::String(std::string_view value, const char* field) {
  ++fields_;
  for (const char c : value) {
    const bool allowed = policy_ == TextPolicy::kPrintableAscii
                             ? IsPrintableAscii(c) || c == '\t' || c == '\n' || c == '\r'
                             : c != '\0';
    if (!allowed && error_.empty()) {
      error_ =
          std::string(message_name_) + " field " + std::to_string(fields_) + " '" + field + "': " +
          (policy_ == TextPolicy::kPrintableAscii ? "not printable ASCII: " : "contains NUL: ") +
          Quote(value);
    }
  }
  out_.append(value);
  out_ += '\0';
  return *this;
}

MessageWriter& MessageWriter::StrictText(std::string_view value, const char* field) {
  ++fields_;
  for (const char c : value) {
    if ((!IsPrintableAscii(c) || c == '\\') && error_.empty()) {
      error_ =
          std::string(message_name_) + " field " + std::to_string(fields_) + " '" + field +
          "': the Python client's strict path needs printable ASCII without '\\': " + Quote(value);
    }
  }
  out_.append(value);
  out_ += '\0';
  return *this;
}

MessageWriter& MessageWriter::EscapedString(std::string_view value) {
  AppendEscapedUnicode(value, out_);
  out_ += '\0';
  ++fields_;
  return *this;
}

MessageWriter& MessageWriter::Dec(const ibstream::Decimal& value) {
  const size_t start = out_.size();
  value.AppendTo(out_);
  // A set value whose text is one of IB's unset sentinels would read back as unset; the same
  // value with a fractional zero does not (both official decoders compare the text).
  const std::string_view text = std::string_view(out_).substr(start);
  // (The other integer sentinel, 9223372036854775807, has 19 digits: no Decimal that reads back
  // has that text.)
  if (value.is_set() && text == "2147483647") out_ += ".0";
  out_ += '\0';
  ++fields_;
  return *this;
}

Status MessageWriter::Finish() {
  const size_t length = out_.size() - start_ - 4;
  if (error_.empty() && (length == 0 || length > kMaxMessageLength)) {
    error_ = std::string(message_name_) + ": payload of " + std::to_string(length) +
             " bytes is outside 1.." + std::to_string(kMaxMessageLength);
  }
  if (!error_.empty()) {
    out_.resize(start_);
    return InvalidArgument(error_);
  }
  out_[start_] = static_cast<char>((length >> 24) & 0xFF);
  out_[start_ + 1] = static_cast<char>((length >> 16) & 0xFF);
  out_[start_ + 2] = static_cast<char>((length >> 8) & 0xFF);
  out_[start_ + 3] = static_cast<char>(length & 0xFF);
  return Status::Ok();
}

}  // namespace ibstream::protocol
