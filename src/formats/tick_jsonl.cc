#include "formats/tick_jsonl.h"

#include <date/date.h>

#include <charconv>
#include <cmath>

#include "formats/python_float.h"

namespace ibstream::formats {
namespace {

void AppendInt(int64_t value, std::string& out) {
  char text[24];
  out.append(text, std::to_chars(text, text + sizeof(text), value).ptr);
}

void AppendUnsigned(uint64_t value, std::string& out) {
  char text[24];
  out.append(text, std::to_chars(text, text + sizeof(text), value).ptr);
}

void AppendKey(std::string_view key, std::string& out) {
  out += ",\"";
  out += key;
  out += "\":";
}

void AppendPriceField(std::string_view key, double price, std::string& out) {
  AppendKey(key, out);
  if (std::isfinite(price)) {
    AppendPythonFloat(price, out);
  } else {
    out += "null";
  }
}

void AppendSizeField(std::string_view key, const Decimal& size, std::string& out) {
  AppendKey(key, out);
  if (!size.is_set()) {
    out += "null";
    return;
  }
  out += '"';
  size.AppendTo(out);
  out += '"';
}

void AppendBoolField(std::string_view key, bool value, std::string& out) {
  AppendKey(key, out);
  out += value ? "true" : "false";
}

// The length of the valid UTF-8 sequence at the start of `text` (1..4), or 0 if it is invalid.
size_t Utf8SequenceLength(std::string_view text) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const auto continuation = [&](size_t i) { return i < text.size() && (byte(i) & 0xC0) == 0x80; };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (!continuation(1) || !continuation(2)) return 0;
    if (lead == 0xE0 && byte(1) < 0xA0) return 0;   // overlong
    if (lead == 0xED && byte(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
    if (lead == 0xF0 && byte(1) < 0x90) return 0;   // overlong
    if (lead == 0xF4 && byte(1) >= 0x90) return 0;  // beyond U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

void AppendIsoUtc(TimePoint t, std::string& out) {
  const auto day = date::floor<date::days>(t);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<Duration> time{t - day};
  const auto put = [&out](int64_t value, int width) {
    char text[24];
    char* const end = std::to_chars(text, text + sizeof(text), value < 0 ? -value : value).ptr;
    if (value < 0) out += '-';
    for (auto digits = end - text; digits < width; ++digits) out += '0';
    out.append(text, end);
  };
  put(static_cast<int>(ymd.year()), 4);
  out += '-';
  put(static_cast<unsigned>(ymd.month()), 2);
  out += '-';
  put(static_cast<unsigned>(ymd.day()), 2);
  out += 'T';
  put(time.hours().count(), 2);
  out += ':';
  put(time.minutes().count(), 2);
  out += ':';
  put(time.seconds().count(), 2);
  int64_t nanos = time.subseconds().count();
  if (nanos != 0) {
    int width = 9;
    while (nanos % 10 == 0) {
      nanos /= 10;
      --width;
    }
    out += '.';
    put(nanos, width);
  }
  out += 'Z';
}

std::string_view TickSourceName(TickSource source) {
  return source == TickSource::kBackfill ? "backfill" : "live";
}

void AppendJsonString(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  while (!text.empty()) {
    const auto c = static_cast<unsigned char>(text[0]);
    if (c >= 0x80) {
      const size_t length = Utf8SequenceLength(text);
      if (length == 0) {
        out += "\\ufffd";
        text.remove_prefix(1);
      } else {
        out.append(text.substr(0, length));
        text.remove_prefix(length);
      }
      continue;
    }
    text.remove_prefix(1);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void AppendJsonl(const Tick& tick, std::string& out) {
  out += "{\"contract_id\":";
  AppendInt(tick.contract_id, out);
  AppendKey("tick_type", out);
  AppendJsonString(TickTypeName(tick.type), out);
  AppendKey("source", out);
  AppendJsonString(TickSourceName(tick.source), out);
  AppendKey("exchange_time", out);
  out += '"';
  AppendIsoUtc(tick.exchange_time, out);
  out += '"';
  AppendKey("exchange_time_ns", out);
  AppendInt(ToUnixNanos(tick.exchange_time), out);
  AppendKey("receive_time_ns", out);
  AppendInt(ToUnixNanos(tick.receive_time), out);
  AppendKey("sequence", out);
  AppendUnsigned(tick.sequence, out);
  switch (tick.type) {
    case TickType::kBidAsk:
      AppendPriceField("bid_price", tick.bid_price, out);
      AppendSizeField("bid_size", tick.bid_size, out);
      AppendPriceField("ask_price", tick.ask_price, out);
      AppendSizeField("ask_size", tick.ask_size, out);
      AppendBoolField("bid_past_low", tick.attributes & kAttrBidPastLow, out);
      AppendBoolField("ask_past_high", tick.attributes & kAttrAskPastHigh, out);
      break;
    case TickType::kLast:
    case TickType::kAllLast:
      AppendPriceField("price", tick.price, out);
      AppendSizeField("size", tick.size, out);
      AppendKey("exchange", out);
      AppendJsonString(tick.exchange, out);
      AppendKey("special_conditions", out);
      AppendJsonString(tick.special_conditions, out);
      AppendBoolField("past_limit", tick.attributes & kAttrPastLimit, out);
      AppendBoolField("unreported", tick.attributes & kAttrUnreported, out);
      break;
    case TickType::kMidPoint:
      AppendPriceField("price", tick.price, out);
      break;
  }
  out += "}\n";
}

}  // namespace ibstream::formats
