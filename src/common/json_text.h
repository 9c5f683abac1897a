// JSON text built by hand: the one string escaper every part uses where it writes JSON without a
// JSON library (per-tick output paths that must not allocate a document per record).
#pragma once

#include <string>
#include <string_view>

namespace ibstream {

// Appends `text` as a JSON string literal, quotes included. Escapes '"' and '\\'; writes \n, \r,
// \t, \b and \f as such; every other byte below 0x20, and 0x7F, as \u00XX (lower-case hex).
// Valid UTF-8 sequences are copied as they are; each byte that does not start a valid sequence
// (overlong forms, surrogates, code points above U+10FFFF, truncated sequences, stray
// continuation bytes) becomes \ufffd. The output is therefore always valid JSON and valid UTF-8.
// Appends to `out` and allocates only when `out` grows.
void AppendJsonString(std::string_view text, std::string& out);

}  // namespace ibstream
