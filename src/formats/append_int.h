// Decimal integer text for the writers of this part (tick_csv.cc, tick_jsonl.cc, v3_json.cc),
// appended without allocating a temporary string. Not for use outside formats/.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>

namespace ibstream::formats {

// Appends `value` in decimal (a leading '-' when negative) to `out`.
inline void AppendInt(int64_t value, std::string& out) {
  char text[24];
  out.append(text, std::to_chars(text, text + sizeof(text), value).ptr);
}

}  // namespace ibstream::formats
