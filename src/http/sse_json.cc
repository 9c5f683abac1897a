#include "http/sse_json.h"

#include <cmath>

#include "common/json_text.h"
#include "formats/python_float.h"
#include "formats/v3_record.h"
#include "http/recorder_api.h"

namespace ibstream::http {
namespace {

void AppendFloatOrNull(double value, std::string& out) {
  if (std::isnan(value) || std::isinf(value)) {
    out += "null";
  } else {
    formats::AppendPythonFloat(value, out);
  }
}

void AppendBool(bool value, std::string& out) { out += value ? "true" : "false"; }

}  // namespace

std::string EnvelopeTimestamp(TimePoint now) {
  return FormatIsoUtc(std::chrono::floor<std::chrono::microseconds>(now));
}

std::string Envelope(std::string_view type, std::string_view stream_id, TimePoint now,
                     std::string_view data_json, std::string_view metadata_json) {
  std::string out = "{\"type\": ";
  AppendJsonString(type, out);
  out += ", \"stream_id\": ";
  AppendJsonString(stream_id, out);
  out += ", \"timestamp\": \"";
  out += EnvelopeTimestamp(now);
  out += "\", \"data\": ";
  out += data_json;
  if (!metadata_json.empty()) {
    out += ", \"metadata\": ";
    out += metadata_json;
  }
  out += '}';
  return out;
}

std::string TickDataJson(const Tick& tick) {
  std::string out;
  out.reserve(320);
  out += "{\"contract_id\": ";
  out += std::to_string(tick.contract_id);
  out += ", \"tick_type\": \"";
  const bool trade = tick.type == TickType::kLast || tick.type == TickType::kAllLast;
  // As in the original the formatter's fields come last, so a trade's tick_type is IB's name.
  out += trade ? TickTypeIbName(tick.type) : TickTypeName(tick.type);
  out += "\", \"type\": \"";
  // The fallback kinds (not in the original) are labelled by their own names.
  const bool fallback = !IsTickByTick(tick.type);
  out += fallback                         ? TickTypeName(tick.type)
         : tick.type == TickType::kBidAsk ? "bid_ask"
         : trade                          ? "time_sales"
                                          : "midpoint";
  out += "\", \"timestamp\": \"";
  out += FormatIsoUtc(std::chrono::floor<std::chrono::seconds>(tick.exchange_time));
  out += "\", \"unix_time\": ";
  out += std::to_string(ToUnixSeconds(tick.exchange_time));
  switch (tick.type) {
    case TickType::kDepth:  // a market-depth row change
      out += ", \"operation\": \"";
      out += BookOperationName(tick.book_operation);
      out += "\", \"side\": \"";
      out += BookSideName(tick.book_side);
      out += "\", \"position\": ";
      out += std::to_string(tick.book_position);
      out += ", \"price\": ";
      AppendFloatOrNull(tick.price, out);
      out += ", \"size\": ";
      AppendFloatOrNull(formats::DecimalToNearestDouble(tick.size), out);
      out += ", \"market_maker\": ";
      AppendJsonString(tick.exchange, out);
      break;
    case TickType::kTrade:
      out += ", \"price\": ";
      AppendFloatOrNull(tick.price, out);
      out += ", \"size\": ";
      AppendFloatOrNull(formats::DecimalToNearestDouble(tick.size), out);
      out += ", \"volume\": ";
      AppendFloatOrNull(formats::DecimalToNearestDouble(tick.volume), out);
      break;
    case TickType::kQuote:  // IB's top of book: no attributes
    case TickType::kBidAsk:
      out += ", \"bid_price\": ";
      AppendFloatOrNull(tick.bid_price, out);
      out += ", \"ask_price\": ";
      AppendFloatOrNull(tick.ask_price, out);
      out += ", \"bid_size\": ";
      AppendFloatOrNull(formats::DecimalToNearestDouble(tick.bid_size), out);
      out += ", \"ask_size\": ";
      AppendFloatOrNull(formats::DecimalToNearestDouble(tick.ask_size), out);
      if (tick.type == TickType::kQuote) break;
      out += ", \"bid_past_low\": ";
      AppendBool(tick.attributes & kAttrBidPastLow, out);
      out += ", \"ask_past_high\": ";
      AppendBool(tick.attributes & kAttrAskPastHigh, out);
      break;
    case TickType::kLast:
    case TickType::kAllLast:
      out += ", \"price\": ";
      AppendFloatOrNull(tick.price, out);
      out += ", \"size\": ";
      AppendFloatOrNull(formats::DecimalToNearestDouble(tick.size), out);
      out += ", \"exchange\": ";
      AppendJsonString(tick.exchange, out);
      out += ", \"conditions\": ";
      AppendJsonString(tick.special_conditions, out);
      out += ", \"past_limit\": ";
      AppendBool(tick.attributes & kAttrPastLimit, out);
      out += ", \"unreported\": ";
      AppendBool(tick.attributes & kAttrUnreported, out);
      break;
    case TickType::kMidPoint:
      out += ", \"midpoint\": ";
      AppendFloatOrNull(tick.price, out);
      break;
  }
  out += ", \"source\": \"";
  out += tick.source == TickSource::kLive ? "live" : "backfill";
  out += "\"}";
  return out;
}

}  // namespace ibstream::http
