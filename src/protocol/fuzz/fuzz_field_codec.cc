// Fuzzes the field codec's text conversions: numbers, decimals, \uXXXX escaping.
//
// Input: one field's text. Checked properties:
//  * ParseDouble/ParseInt64/Decimal::Parse never crash; what they accept formats back to text
//    that parses to the same value (doubles bit for bit, NaN as NaN; decimals through
//    MessageWriter/FieldReader);
//  * EscapeUnicode gives printable ASCII whose unescaping is the input when the input is valid
//    UTF-8, and escaping is stable: Escape(Unescape(Escape(x))) == Escape(x).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "common/decimal.h"
#include "protocol/field_codec.h"

namespace ibstream::protocol {
namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "fuzz_field_codec: property violated: %s\n", what);
  std::abort();
}

bool IsValidUtf8(std::string_view s) {
  // Same rules as the escaper: shortest form, no surrogates, at most U+10FFFF.
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    uint32_t min;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      n = 2, cp = b & 0x1F, min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
      n = 3, cp = b & 0x0F, min = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
      n = 4, cp = b & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

void CheckField(std::string_view text) {
  if (Result<double> d = ParseDouble(text); d.ok()) {
    const std::string formatted = FormatDouble(*d);
    Result<double> back = ParseDouble(formatted);
    if (!back.ok()) Fail("formatted double does not parse");
    if (std::isnan(*d) ? !std::isnan(*back) : std::memcmp(&*d, &*back, sizeof(double)) != 0) {
      Fail("double round trip");
    }
  }
  if (Result<int64_t> i = ParseInt64(text); i.ok()) {
    Result<int64_t> back = ParseInt64(std::to_string(*i));
    if (!back.ok() || *back != *i) Fail("int round trip");
  }
  if (Result<int32_t> i = ParseInt32(text); i.ok()) {
    Result<int64_t> wide = ParseInt64(text);
    if (!wide.ok() || *wide != *i) Fail("int32 and int64 disagree");
  }
  if (Result<Decimal> dec = Decimal::Parse(text); dec.ok()) {
    // Through the protocol's writer and reader, which keep set values that look like sentinels.
    std::string frame;
    MessageWriter writer(frame, TextPolicy::kNoNul, "fuzz");
    writer.Dec(*dec);
    if (!writer.Finish().ok()) Fail("decimal does not encode");
    FieldReader reader(std::string_view(frame).substr(4), "fuzz");
    const Decimal back = reader.Dec("value");
    if (!reader.ok() || !(back == *dec)) Fail("decimal round trip");
  }

  const std::string escaped = EscapeUnicode(text);
  for (const char c : escaped) {
    if (c < 32 || c > 126) Fail("escaped text is not printable ASCII");
  }
  const std::string unescaped = UnescapeUnicode(escaped);
  if (IsValidUtf8(text) && unescaped != text) Fail("escape round trip");
  if (EscapeUnicode(unescaped) != escaped) Fail("escaping is not stable");
  (void)UnescapeUnicode(text);
}

}  // namespace
}  // namespace ibstream::protocol

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ibstream::protocol::CheckField(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
