#include "formats/python_float.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "common/check.h"

namespace ibstream::formats {

void AppendPythonFloat(double value, std::string& out) {
  if (std::isnan(value)) {
    out += "nan";
    return;
  }
  if (std::isinf(value)) {
    out += value < 0 ? "-inf" : "inf";
    return;
  }
  // Shortest round-trip digits in scientific form: "[-]d[.ddd]e(+|-)dd[d]".
  char text[40];
  const auto [end, ec] =
      std::to_chars(text, text + sizeof(text), value, std::chars_format::scientific);
  IBSTREAM_CHECK(ec == std::errc(), "to_chars of a finite double failed");

  const char* p = text;
  if (*p == '-') {
    out += '-';
    ++p;
  }
  char digits[20];
  int count = 0;
  for (; *p != 'e'; ++p) {
    if (*p != '.') digits[count++] = *p;
  }
  ++p;  // 'e'
  const bool negative_exponent = *p == '-';
  ++p;  // the exponent's sign, always present
  int exponent = 0;
  std::from_chars(p, end, exponent);
  if (negative_exponent) exponent = -exponent;
  // Now |value| = d0.d1d2... * 10^exponent.

  if (exponent < -4 || exponent >= 16) {
    out += digits[0];
    if (count > 1) {
      out += '.';
      out.append(digits + 1, static_cast<size_t>(count - 1));
    }
    out += 'e';
    out += exponent < 0 ? '-' : '+';
    const int magnitude = std::abs(exponent);
    if (magnitude < 10) out += '0';
    char exp_text[8];
    const auto exp_end = std::to_chars(exp_text, exp_text + sizeof(exp_text), magnitude).ptr;
    out.append(exp_text, exp_end);
  } else if (exponent < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exponent - 1), '0');
    out.append(digits, static_cast<size_t>(count));
  } else if (exponent + 1 < count) {
    out.append(digits, static_cast<size_t>(exponent + 1));
    out += '.';
    out.append(digits + exponent + 1, static_cast<size_t>(count - exponent - 1));
  } else {
    out.append(digits, static_cast<size_t>(count));
    out.append(static_cast<size_t>(exponent + 1 - count), '0');
    out += ".0";
  }
}

std::string PythonFloatRepr(double value) {
  std::string out;
  AppendPythonFloat(value, out);
  return out;
}

}  // namespace ibstream::formats
