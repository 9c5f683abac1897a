#include "formats/tick_csv.h"

#include <charconv>
#include <cmath>

#include "formats/append_int.h"
#include "formats/python_float.h"
#include "formats/tick_jsonl.h"

namespace ibstream::formats {
namespace {

void AppendPrice(double price, std::string& out) {
  if (std::isfinite(price)) AppendPythonFloat(price, out);
}

const char* Bool(bool value) { return value ? "true" : "false"; }

}  // namespace

void AppendCsvHeader(std::string& out) {
  out +=
      "contract_id,tick_type,source,exchange_time,exchange_time_ns,receive_time_ns,sequence,"
      "price,size,bid_price,bid_size,ask_price,ask_size,exchange,special_conditions,"
      "past_limit,unreported,bid_past_low,ask_past_high,volume\r\n";
}

void AppendCsvField(std::string_view field, std::string& out) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void AppendCsvRow(const Tick& tick, std::string& out) {
  AppendInt(tick.contract_id, out);
  out += ',';
  out += TickTypeName(tick.type);
  out += ',';
  out += TickSourceName(tick.source);
  out += ',';
  AppendIsoUtc(tick.exchange_time, out);
  out += ',';
  AppendInt(ToUnixNanos(tick.exchange_time), out);
  out += ',';
  AppendInt(ToUnixNanos(tick.receive_time), out);
  out += ',';
  char text[24];
  out.append(text, std::to_chars(text, text + sizeof(text), tick.sequence).ptr);
  out += ',';
  const bool trade = tick.type == TickType::kLast || tick.type == TickType::kAllLast;
  const bool quote = tick.type == TickType::kBidAsk;
  const bool fallback_trade = tick.type == TickType::kTrade;
  const bool has_bid_ask = quote || tick.type == TickType::kQuote;
  // price, size
  if (trade || fallback_trade || tick.type == TickType::kMidPoint) AppendPrice(tick.price, out);
  out += ',';
  if (trade || fallback_trade) tick.size.AppendTo(out);
  out += ',';
  // bid_price, bid_size, ask_price, ask_size
  if (has_bid_ask) AppendPrice(tick.bid_price, out);
  out += ',';
  if (has_bid_ask) tick.bid_size.AppendTo(out);
  out += ',';
  if (has_bid_ask) AppendPrice(tick.ask_price, out);
  out += ',';
  if (has_bid_ask) tick.ask_size.AppendTo(out);
  out += ',';
  // exchange, special_conditions, past_limit, unreported
  if (trade) AppendCsvField(tick.exchange, out);
  out += ',';
  if (trade) AppendCsvField(tick.special_conditions, out);
  out += ',';
  if (trade) out += Bool(tick.attributes & kAttrPastLimit);
  out += ',';
  if (trade) out += Bool(tick.attributes & kAttrUnreported);
  out += ',';
  // bid_past_low, ask_past_high
  if (quote) out += Bool(tick.attributes & kAttrBidPastLow);
  out += ',';
  if (quote) out += Bool(tick.attributes & kAttrAskPastHigh);
  out += ',';
  // volume (trade only)
  if (fallback_trade) tick.volume.AppendTo(out);
  out += "\r\n";
}

}  // namespace ibstream::formats
