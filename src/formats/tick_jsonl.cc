#include "formats/tick_jsonl.h"

#include <date/date.h>

#include <charconv>
#include <cmath>

#include "common/json_text.h"
#include "formats/append_int.h"
#include "formats/python_float.h"

namespace ibstream::formats {
namespace {

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
    case TickType::kQuote:
      AppendPriceField("bid_price", tick.bid_price, out);
      AppendSizeField("bid_size", tick.bid_size, out);
      AppendPriceField("ask_price", tick.ask_price, out);
      AppendSizeField("ask_size", tick.ask_size, out);
      break;
    case TickType::kTrade:
      AppendPriceField("price", tick.price, out);
      AppendSizeField("size", tick.size, out);
      AppendSizeField("volume", tick.volume, out);
      break;
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
    case TickType::kDepth:
      AppendKey("operation", out);
      AppendJsonString(BookOperationName(tick.book_operation), out);
      AppendKey("side", out);
      AppendJsonString(BookSideName(tick.book_side), out);
      AppendKey("position", out);
      AppendInt(tick.book_position, out);
      AppendPriceField("price", tick.price, out);
      AppendSizeField("size", tick.size, out);
      AppendKey("market_maker", out);
      AppendJsonString(tick.exchange, out);
      break;
  }
  out += "}\n";
}

}  // namespace ibstream::formats
