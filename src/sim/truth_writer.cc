#include "sim/truth_writer.h"

#include <fmt/format.h>

#include <memory>

#include "common/json_text.h"
#include "protocol/field_codec.h"

namespace ibstream::sim {
namespace {

void AppendDecimal(const Decimal& d, std::string& out) {
  out += '"';
  d.AppendTo(out);
  out += '"';
}

}  // namespace

std::string_view SubscriptionEventName(SubscriptionEvent event) {
  switch (event) {
    case SubscriptionEvent::kStart:
      return "start";
    case SubscriptionEvent::kRefused:
      return "refused";
    case SubscriptionEvent::kEnd:
      return "end";
  }
  return "start";
}

Result<std::unique_ptr<TruthWriter>> TruthWriter::Open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return IoError("cannot open truth file " + path);
  return std::unique_ptr<TruthWriter>(new TruthWriter(f));
}

TruthWriter::~TruthWriter() {
  Flush().IgnoreError();
  std::fclose(file_);
}

void TruthWriter::WriteHeader(uint64_t seed, TimePoint start, double speed) {
  fmt::format_to(
      std::back_inserter(buffer_),
      "{{\"type\":\"header\",\"version\":2,\"seed\":{},\"start\":\"{}\",\"speed\":{}}}\n", seed,
      FormatIsoUtc(start), speed);
  MaybeFlush();
}

void TruthWriter::WriteTick(const Tick& tick, std::string_view symbol, int subscribers) {
  AppendTickFields(tick, symbol);
  fmt::format_to(std::back_inserter(buffer_), ",\"delivered\":{},\"subscribers\":{}}}\n",
                 subscribers > 0, subscribers);
  ++ticks_;
  if (subscribers > 0) ++delivered_;
  MaybeFlush();
}

void TruthWriter::WriteDepthUpdate(const Tick& tick, std::string_view symbol, int32_t client_id,
                                   int32_t req_id) {
  AppendTickFields(tick, symbol);
  fmt::format_to(std::back_inserter(buffer_),
                 ",\"client_id\":{},\"req_id\":{},\"delivered\":true,\"subscribers\":1}}\n",
                 client_id, req_id);
  ++ticks_;
  ++delivered_;
  MaybeFlush();
}

void TruthWriter::AppendTickFields(const Tick& tick, std::string_view symbol) {
  std::string& out = buffer_;
  fmt::format_to(std::back_inserter(out),
                 "{{\"type\":\"tick\",\"con_id\":{},\"symbol\":", tick.contract_id);
  AppendJsonString(symbol, out);
  out += ",\"tick_type\":\"";
  out += TickTypeIbName(tick.type);
  fmt::format_to(std::back_inserter(out), "\",\"time\":{},\"time_ns\":{}",
                 ToUnixSeconds(tick.exchange_time), ToUnixNanos(tick.receive_time));
  switch (tick.type) {
    case TickType::kTrade:
      out += ",\"price\":";
      protocol::AppendDouble(tick.price, out);
      out += ",\"size\":";
      AppendDecimal(tick.size, out);
      out += ",\"volume\":";
      AppendDecimal(tick.volume, out);
      break;
    case TickType::kBidAsk:
    case TickType::kQuote:
      out += ",\"bid\":";
      protocol::AppendDouble(tick.bid_price, out);
      out += ",\"ask\":";
      protocol::AppendDouble(tick.ask_price, out);
      out += ",\"bid_size\":";
      AppendDecimal(tick.bid_size, out);
      out += ",\"ask_size\":";
      AppendDecimal(tick.ask_size, out);
      break;
    case TickType::kLast:
    case TickType::kAllLast:
      out += ",\"price\":";
      protocol::AppendDouble(tick.price, out);
      out += ",\"size\":";
      AppendDecimal(tick.size, out);
      out += ",\"exchange\":";
      AppendJsonString(tick.exchange, out);
      out += ",\"special_conditions\":";
      AppendJsonString(tick.special_conditions, out);
      out += (tick.attributes & kAttrUnreported) != 0 ? ",\"unreported\":true"
                                                      : ",\"unreported\":false";
      break;
    case TickType::kMidPoint:
      out += ",\"price\":";
      protocol::AppendDouble(tick.price, out);
      break;
    case TickType::kDepth:  // verify/truth_reader.h reads these fields back
      out += ",\"operation\":\"";
      out += BookOperationName(tick.book_operation);
      out += "\",\"side\":\"";
      out += BookSideName(tick.book_side);
      fmt::format_to(std::back_inserter(out), "\",\"position\":{}", tick.book_position);
      out += ",\"price\":";
      protocol::AppendDouble(tick.price, out);
      if (tick.size.is_set()) {
        out += ",\"size\":";
        AppendDecimal(tick.size, out);
      }
      if (!tick.exchange.empty()) {
        out += ",\"market_maker\":";
        AppendJsonString(tick.exchange, out);
      }
      break;
  }
}

void TruthWriter::WriteFault(FaultKind kind, std::string_view detail, TimePoint start,
                             TimePoint end, bool open) {
  fmt::format_to(std::back_inserter(buffer_),
                 "{{\"type\":\"fault\",\"kind\":\"{}\",\"detail\":", FaultKindName(kind));
  AppendJsonString(detail, buffer_);
  fmt::format_to(std::back_inserter(buffer_), ",\"start\":\"{}\",\"end\":\"{}\",\"open\":{}}}\n",
                 FormatIsoUtc(start), FormatIsoUtc(end), open);
  MaybeFlush();
}

void TruthWriter::WriteSubscription(const SubscriptionRecord& r) {
  fmt::format_to(std::back_inserter(buffer_),
                 "{{\"type\":\"subscription\",\"event\":\"{}\",\"client_id\":{},"
                 "\"req_id\":{},\"con_id\":{},\"symbol\":",
                 SubscriptionEventName(r.event), r.client_id, r.req_id, r.con_id);
  AppendJsonString(r.symbol, buffer_);
  buffer_ += ",\"stream\":";
  AppendJsonString(r.stream, buffer_);
  fmt::format_to(std::back_inserter(buffer_),
                 ",\"at\":\"{}\",\"time_ns\":{},\"reason\":", FormatIsoUtc(r.time),
                 ToUnixNanos(r.time));
  AppendJsonString(r.reason, buffer_);
  buffer_ += "}\n";
  MaybeFlush();
}

void TruthWriter::WriteFooter(TimePoint end) {
  fmt::format_to(std::back_inserter(buffer_),
                 "{{\"type\":\"footer\",\"end\":\"{}\",\"ticks\":{},\"delivered\":{}}}\n",
                 FormatIsoUtc(end), ticks_, delivered_);
  MaybeFlush();
}

void TruthWriter::MaybeFlush() {
  if (buffer_.size() >= (1 << 20)) Flush().IgnoreError();
}

Status TruthWriter::Flush() {
  if (!buffer_.empty() && !failed_) {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size() ||
        std::fflush(file_) != 0) {
      failed_ = true;
    }
  }
  buffer_.clear();
  return failed_ ? IoError("writing the truth file failed") : Status::Ok();
}

}  // namespace ibstream::sim
