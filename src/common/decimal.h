// An exact decimal number, as IB sends sizes ("3", "0.0001", "12345.5").
//
// The value is mantissa * 10^-scale. Text round-trips exactly: parsing "3.50" and formatting gives
// "3.50". Sizes are never rounded through a double. IB's "unset" (an empty field or one of its
// sentinels) is a distinct state, not a number.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ibstream {

class Decimal {
 public:
  static constexpr int kMaxScale = 18;

  // The unset decimal.
  constexpr Decimal() = default;

  // An integer value.
  static constexpr Decimal FromInt(int64_t value) { return Decimal(value, 0); }
  // mantissa * 10^-scale; scale must be in [0, kMaxScale].
  static Decimal FromParts(int64_t mantissa, int scale);
  static constexpr Decimal Unset() { return Decimal(); }

  // Parses IB's decimal text: optional sign, digits, optional fraction, optional exponent
  // ("1.5E2"). An empty field and IB's sentinels (2147483647, 9223372036854775807,
  // 1.7976931348623157E308) give Unset(). Anything else that is not a number, or that does not
  // fit 18 significant digits, is a ParseError naming the text.
  static Result<Decimal> Parse(std::string_view text);

  constexpr bool is_set() const { return set_; }
  constexpr int64_t mantissa() const { return mantissa_; }
  constexpr int scale() const { return scale_; }

  // Nearest double (for display and the original's float-based formats); NaN when unset.
  double ToDouble() const;

  // Canonical text: "3", "3.50", "-0.0001"; "" when unset (as IB sends unset on the wire).
  std::string ToString() const;
  // Appends ToString() to `out` without a temporary.
  void AppendTo(std::string& out) const;

  // Equal in value: 3 == 3.0. Two unset decimals are equal; unset never equals a number.
  friend bool operator==(const Decimal& a, const Decimal& b);

 private:
  constexpr Decimal(int64_t mantissa, int scale)
      : mantissa_(mantissa), scale_(static_cast<int8_t>(scale)), set_(true) {}

  int64_t mantissa_ = 0;
  int8_t scale_ = 0;
  bool set_ = false;
};

}  // namespace ibstream
