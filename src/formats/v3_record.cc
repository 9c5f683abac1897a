#include "formats/v3_record.h"

#include <charconv>
#include <cmath>

namespace ibstream::formats {

std::string_view V3TickTypeName(TickType type) { return TickTypeName(type); }

Result<TickType> ParseV3TickType(std::string_view name) {
  for (TickType type : kAllStreamKinds) {
    if (name == TickTypeName(type)) return type;
  }
  return ParseError("unknown v3 tick type '" + std::string(name) +
                    "' (expected bid_ask, last, all_last, mid_point, quote or trade)");
}

int64_t ToUnixMicros(TimePoint t) {
  return std::chrono::floor<std::chrono::microseconds>(t.time_since_epoch()).count();
}

TimePoint FromUnixMicros(int64_t micros) {
  return TimePoint(std::chrono::duration_cast<Duration>(std::chrono::microseconds(micros)));
}

double DecimalToNearestDouble(const Decimal& value) {
  if (!value.is_set()) return std::nan("");
  const int64_t mantissa = value.mantissa();
  const int scale = value.scale();
  // Both operands exact (|mantissa| <= 2^53, 10^scale <= 10^22) makes the one IEEE division
  // correctly rounded.
  constexpr int64_t kExact = int64_t{1} << 53;
  if (mantissa >= -kExact && mantissa <= kExact) {
    static constexpr double kPowers[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8, 1e9,
                                         1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};
    return static_cast<double>(mantissa) / kPowers[scale];
  }
  char text[48];
  char* end = std::to_chars(text, text + 32, mantissa).ptr;
  *end++ = 'e';
  *end++ = '-';
  end = std::to_chars(end, text + sizeof(text), scale).ptr;
  double out = 0;
  std::from_chars(text, end, out);
  return out;
}

Result<Decimal> DecimalFromDouble(double value) {
  if (std::isnan(value)) return Decimal::Unset();
  if (std::isinf(value)) return OutOfRange("an infinite size is not a decimal");
  char text[40];
  const auto [end, ec] = std::to_chars(text, text + sizeof(text), value);
  if (ec != std::errc()) return OutOfRange("size not representable as text");
  auto parsed = Decimal::Parse(std::string_view(text, static_cast<size_t>(end - text)));
  if (!parsed.ok()) return OutOfRange("size " + std::string(text, end) + " does not fit a decimal");
  // IB's unset sentinels (2147483647, 1.7976931348623157e+308) read back as unset, as on the wire.
  if (!parsed->is_set()) return Decimal::Unset();
  int64_t mantissa = parsed->mantissa();
  int scale = parsed->scale();
  while (scale > 0 && mantissa % 10 == 0) {
    mantissa /= 10;
    --scale;
  }
  return Decimal::FromParts(mantissa, scale);
}

namespace internal {

void SetV3Values(Tick& tick, const V3Values& values) {
  switch (tick.type) {
    case TickType::kBidAsk:
    case TickType::kQuote:
      tick.bid_price = values.bp;
      tick.bid_size = values.bs;
      tick.ask_price = values.ap;
      tick.ask_size = values.as;
      break;
    case TickType::kLast:
    case TickType::kAllLast:
    case TickType::kDepth:  // never a v3 type name (ParseV3TickType)
      tick.price = values.p;
      tick.size = values.s;
      break;
    case TickType::kTrade:
      tick.price = values.p;
      tick.size = values.s;
      tick.volume = values.v;
      break;
    case TickType::kMidPoint:
      tick.price = values.mp;
      break;
  }
}

}  // namespace internal
}  // namespace ibstream::formats
