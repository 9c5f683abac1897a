// Python's `repr(float)`, which the original's v3 JSON files use for every float.
//
// The rule (CPython `float_repr_style == 'short'`): the shortest digits that read back as the same
// double; scientific notation only when the decimal exponent is below -4 or at least 16, written
// with a signed exponent of at least two digits (`1e-05`, `1.5e+16`, `5e-324`); otherwise
// positional notation, and a whole value keeps `.0` (`23260.0`, `1e15` -> `1000000000000000.0`).
// std::to_chars alone picks the notation by length and drops `.0`, so the rule is applied here on
// top of its shortest digits.
#pragma once

#include <string>

namespace ibstream::formats {

// Appends repr(value): "0.0001", "1e-05", "23260.0", "-0.0", "1e+16". Non-finite values come out
// as repr does: "nan", "inf", "-inf". Does not allocate beyond growing `out`.
void AppendPythonFloat(double value, std::string& out);

// Convenience for tests and messages.
std::string PythonFloatRepr(double value);

}  // namespace ibstream::formats
