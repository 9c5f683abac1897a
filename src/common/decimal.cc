#include "common/decimal.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace ibstream {
namespace {

bool IsUnsetSentinel(std::string_view text) {
  return text.empty() || text == "2147483647" || text == "9223372036854775807" ||
         text == "1.7976931348623157E308" || text == "1.7976931348623157e+308" ||
         text == "1.7976931348623157E+308" || text == "1.7976931348623157e308";
}

Status Bad(std::string_view text, const char* why) {
  return ParseError("'" + std::string(text) + "' is not a decimal: " + why);
}

}  // namespace

Decimal Decimal::FromParts(int64_t mantissa, int scale) {
  IBSTREAM_CHECK(scale >= 0 && scale <= kMaxScale, "Decimal scale out of range");
  return Decimal(mantissa, scale);
}

Result<Decimal> Decimal::Parse(std::string_view text) {
  if (IsUnsetSentinel(text)) return Decimal();
  size_t i = 0;
  bool negative = false;
  if (text[i] == '+' || text[i] == '-') {
    negative = text[i] == '-';
    ++i;
  }
  uint64_t mantissa = 0;
  int digits = 0;  // significant digits kept in the mantissa
  int scale = 0;   // digits after the decimal point
  bool any_digit = false;
  bool seen_point = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      if (mantissa == 0 && c == '0') {
        if (seen_point) ++scale;
        continue;  // leading zeros do not count as significant digits
      }
      if (++digits > 18) return Bad(text, "more than 18 significant digits");
      mantissa = mantissa * 10 + static_cast<uint64_t>(c - '0');
      if (seen_point) ++scale;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!any_digit) return Bad(text, "no digits");
  int exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    const char* first = text.data() + i;
    const char* last = text.data() + text.size();
    if (first != last && *first == '+') ++first;
    auto [ptr, ec] = std::from_chars(first, last, exponent);
    if (ec != std::errc() || ptr != last) return Bad(text, "bad exponent");
    i = text.size();
  }
  if (i != text.size()) return Bad(text, "unexpected character");
  // No 18-digit value survives an exponent beyond +/-36, and a bound keeps `scale - exponent`
  // from overflowing and the scaling loop short (untrusted text: "0e999999999" took seconds).
  if (exponent > 36 || exponent < -36) {
    if (mantissa != 0 || exponent < 0) return Bad(text, "exponent out of range");
    exponent = 36;  // zero stays zero
  }
  scale -= exponent;
  while (scale < 0) {
    if (mantissa != 0 && ++digits > 18) return Bad(text, "more than 18 significant digits");
    mantissa *= 10;
    ++scale;
  }
  if (scale > kMaxScale) return Bad(text, "more than 18 digits after the point");
  auto value = static_cast<int64_t>(mantissa);
  return Decimal(negative ? -value : value, scale);
}

double Decimal::ToDouble() const {
  if (!set_) return std::numeric_limits<double>::quiet_NaN();
  if (scale_ == 0) return static_cast<double>(mantissa_);
  // Formatting and re-parsing gives the correctly rounded double, which a division does not.
  std::string text = ToString();
  double out = 0;
  std::from_chars(text.data(), text.data() + text.size(), out);
  return out;
}

std::string Decimal::ToString() const {
  std::string out;
  AppendTo(out);
  return out;
}

void Decimal::AppendTo(std::string& out) const {
  if (!set_) return;
  uint64_t magnitude =
      mantissa_ < 0 ? 0 - static_cast<uint64_t>(mantissa_) : static_cast<uint64_t>(mantissa_);
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), magnitude);
  const auto count = static_cast<int>(end - digits);
  if (mantissa_ < 0) out += '-';
  if (scale_ == 0) {
    out.append(digits, end);
    return;
  }
  if (count <= scale_) {
    out += "0.";
    out.append(static_cast<size_t>(scale_ - count), '0');
    out.append(digits, end);
    return;
  }
  out.append(digits, end - scale_);
  out += '.';
  out.append(end - scale_, end);
}

bool operator==(const Decimal& a, const Decimal& b) {
  if (!a.set_ || !b.set_) return a.set_ == b.set_;
  // Bring both to the larger scale; values that would overflow cannot be equal to one that fits.
  int64_t am = a.mantissa_;
  int64_t bm = b.mantissa_;
  int as = a.scale_;
  int bs = b.scale_;
  while (as < bs) {
    if (am > std::numeric_limits<int64_t>::max() / 10 ||
        am < std::numeric_limits<int64_t>::min() / 10)
      return false;
    am *= 10;
    ++as;
  }
  while (bs < as) {
    if (bm > std::numeric_limits<int64_t>::max() / 10 ||
        bm < std::numeric_limits<int64_t>::min() / 10)
      return false;
    bm *= 10;
    ++bs;
  }
  return am == bm;
}

}  // namespace ibstream
