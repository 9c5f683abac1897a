// The field codec shared by both directions: NUL-terminated fields and their value encodings.
//
// Reading: FieldReader walks the fields of one frame payload and converts them, remembering the
// first error (a sticky error, like an iostream's failbit): a decoder reads every field it needs
// and checks ok() once. Errors name the message and the field, e.g.
//   "TICK_BY_TICK (99) field 5 'price': expected a number, got 'abc'".
// Writing: MessageWriter appends one length-prefixed message to a caller-owned std::string,
// so a reused string means no allocation per message.
//
// Value encodings (docs/PROTOCOL.md §1.4):
//  * int/long: decimal text; an empty field reads as 0 (both official decoders do so).
//  * double: any strtod form is read (including "Infinity", "inf", "nan", hex, surrounding
//    spaces); an empty field reads as 0. Written as the shortest text that round-trips, in the
//    official Python client's spelling ("0.0", "21500.25", "1e-05", "1e+16"), so our requests are
//    byte-identical to that client's; +/-infinity is written "Infinity"/"-Infinity", NaN "NaN".
//  * bool: an integer, true when non-zero; written "1"/"0".
//  * decimal sizes: common/decimal.h, exact; an empty field or IB's sentinels read as unset; unset
//    is written as an empty field, and a set value that equals a sentinel as "<sentinel>.0".
//  * text: server text (error text, contract longName) carries non-ASCII characters as \uXXXX
//    (server version >= 153). UnescapeUnicode/AppendEscapedUnicode convert.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/decimal.h"
#include "common/status.h"
#include "protocol/counters.h"

namespace ibstream::protocol {

// Strict number parsing of a whole field (no trailing text). Empty text is an error here; the
// FieldReader maps empty fields to 0 before calling these.
Result<int32_t> ParseInt32(std::string_view text);
Result<int64_t> ParseInt64(std::string_view text);
// strtod's language, locale-independent: optional surrounding whitespace, sign, decimal or
// hexadecimal digits, exponent, "inf", "infinity", "nan" (any case). Values beyond the double
// range become +/-infinity or +/-0 like strtod.
Result<double> ParseDouble(std::string_view text);

// Appends the shortest round-trip text of `value` in the Python client's spelling (see above).
void AppendDouble(double value, std::string& out);
std::string FormatDouble(double value);

// Replaces each \uXXXX (4 hex digits; a surrogate pair is one character) with its UTF-8 bytes.
// Other backslashes and malformed escapes are kept as they are; a lone surrogate becomes U+FFFD.
void AppendUnescapedUnicode(std::string_view text, std::string& out);
std::string UnescapeUnicode(std::string_view text);
// Inverse for the server side: keeps printable ASCII, writes every other character (and the
// backslash itself) as \uXXXX (surrogate pairs above U+FFFF). Bytes that are not valid UTF-8 are
// written as \ufffd, one per byte. The output is pure ASCII without NUL.
void AppendEscapedUnicode(std::string_view text, std::string& out);
std::string EscapeUnicode(std::string_view text);

// Reads the fields of one message payload (the bytes after the length prefix).
//
// The payload must outlive the reader; string fields are views into it. Not thread-safe.
class FieldReader {
 public:
  // `message_name` (static storage, e.g. "TICK_BY_TICK (99)") is used in error texts.
  // `counters`, if not null, gets one error counted by kind when the first error happens.
  explicit FieldReader(std::string_view payload, const char* message_name = "message",
                       ProtocolCounters* counters = nullptr);

  FieldReader(const FieldReader&) = delete;
  FieldReader& operator=(const FieldReader&) = delete;

  void set_message_name(const char* message_name) { message_name_ = message_name; }

  // True when every field has been read (a payload's final NUL ends the last field).
  bool AtEnd() const { return pos_ >= payload_.size(); }
  // Fields read so far.
  int fields_read() const { return fields_read_; }
  // Fields not yet read.
  int CountRemaining() const;

  // Typed reads. `field` (static storage) names the field in errors. After an error every read
  // returns a zero value and the first error is kept.
  std::string_view String(const char* field);
  int32_t Int(const char* field);
  int64_t Long(const char* field);
  double Double(const char* field);
  bool Bool(const char* field);
  ibstream::Decimal Dec(const char* field);
  // An int that must be in [0, CountRemaining() / fields_per_item]: bounds repeat counts so a
  // hostile count cannot make a decoder reserve memory for items that are not there.
  int32_t Count(const char* field, int fields_per_item);
  // Skips one field (e.g. a legacy version placeholder); missing is an error.
  void Skip(const char* field);

  bool ok() const { return error_kind_ == kNoError; }
  // OK, or the first error as a ParseError naming message, field number and field name.
  Status status() const;
  DecodeErrorKind error_kind() const { return static_cast<DecodeErrorKind>(error_kind_); }
  // Records an error found by the caller (e.g. a value outside its allowed set).
  void Fail(DecodeErrorKind kind, const char* field, std::string_view detail);

 private:
  bool NextField(const char* field, std::string_view& out);

  static constexpr int kNoError = -1;

  std::string_view payload_;
  size_t pos_ = 0;
  int fields_read_ = 0;
  const char* message_name_;
  ProtocolCounters* counters_;
  int error_kind_ = kNoError;
  std::string error_;  // built only when an error happens
};

// What text a MessageWriter accepts in string fields.
enum class TextPolicy : uint8_t {
  // Client requests: printable ASCII (32..126) plus TAB, LF, CR, as the official clients enforce
  // (their error 579 "Invalid symbol in string").
  kPrintableAscii,
  // Server messages: any bytes except NUL (NUL would split the field).
  kNoNul,
};

// Appends one framed message (4-byte big-endian length, then NUL-terminated fields) to `out`.
//
// Usage: MessageWriter w(out, policy); w.Int(99); ...; IBSTREAM_RETURN_IF_ERROR(w.Finish());
// Finish() patches the length. If any field was refused or the payload exceeds
// kMaxMessageLength, Finish() removes the partial message from `out` and returns the error.
// A writer that is destroyed without Finish() leaves its partial message in `out`: always
// call Finish().
class MessageWriter {
 public:
  MessageWriter(std::string& out, TextPolicy policy, const char* message_name = "message");

  MessageWriter(const MessageWriter&) = delete;
  MessageWriter& operator=(const MessageWriter&) = delete;

  MessageWriter& Int(int64_t value);
  MessageWriter& Double(double value);
  MessageWriter& Bool(bool value);
  MessageWriter& String(std::string_view value, const char* field = "string");
  // Writes \uXXXX-escaped text (server side, error text and longName).
  MessageWriter& EscapedString(std::string_view value);
  // Server side, fields of messages the official Python client decodes on its strict path (it
  // runs every field through a unicode-escape decoder): printable ASCII without backslash.
  MessageWriter& StrictText(std::string_view value, const char* field = "string");
  MessageWriter& Dec(const ibstream::Decimal& value);

  [[nodiscard]] Status Finish();

 private:
  std::string& out_;
  size_t start_;
  TextPolicy policy_;
  const char* message_name_;
  int fields_ = 0;
  std::string error_;
};

}  // namespace ibstream::protocol
