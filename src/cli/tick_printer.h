// The lines `ibstream stream` prints, one per tick: text for people, or one JSON object per tick
// with --json. Every kind has its own fields:
//   bid_ask   {"contract_id":711280073,"tick_type":"bid_ask","time":"2025-08-11T15:15:30Z",
//              "bid_price":21500.25,"ask_price":21500.5,"bid_size":"3","ask_size":"5",
//              "attributes":{"bid_past_low":false,"ask_past_high":false}}
//   last, all_last  "price", "size", "attributes":{"past_limit","unreported"}, "exchange",
//              "special_conditions"
//   mid_point "price"
//   quote     "bid_price", "ask_price", "bid_size", "ask_size" (reqMktData top of book)
//   trade     "price", "size", "volume" (reqMktData last trade; volume null when unknown)
//   depth     "operation", "side", "position", "price", "size", "market_maker" (reqMktDepth)
// Sizes are exact decimal strings.
//
// Speed: ticks are formatted with to_chars into one reused buffer (no allocation per tick) and
// written with one write(2) per Flush() or per 1 MiB.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/json_text.h"
#include "model/tick.h"

namespace ibstream::cli {

inline constexpr size_t kFlushBytes = 1 << 20;

// Formats ticks into one reused buffer and writes it to `fd` (stdout) in large batches. Not
// thread-safe: one thread prints and flushes.
class TickPrinter {
 public:
  TickPrinter(int64_t contract_id, TickType type, bool json, int fd = STDOUT_FILENO)
      : contract_id_(contract_id), type_name_(TickTypeName(type)), json_(json), fd_(fd) {
    out_.reserve(kFlushBytes + 4096);
    AppendInt(contract_id_, contract_text_);
  }

  // Prints one tick of the subscription (its type is the subscribed one).
  void Print(const Tick& t) {
    switch (t.type) {
      case TickType::kBidAsk:
        BidAsk(t);
        break;
      case TickType::kLast:
      case TickType::kAllLast:
        Last(t);
        break;
      case TickType::kQuote:
        Quote(t);
        break;
      case TickType::kTrade:
        Trade(t);
        break;
      case TickType::kMidPoint:
        MidPoint(t);
        break;
      case TickType::kDepth:
        Depth(t);
        break;
    }
  }

  // A market-depth row change (or a book restart marker).
  void Depth(const Tick& t) {
    if (json_) {
      Head(t.exchange_time);
      Key("operation");
      JsonString(BookOperationName(t.book_operation));
      Key("side");
      JsonString(BookSideName(t.book_side));
      Key("position");
      out_ += std::to_string(t.book_position);
      Key("price");
      Number(t.price);
      Key("size");
      DecimalString(t.size);
      Key("market_maker");
      JsonString(t.exchange);
      out_ += "}\n";
    } else {
      TextHead(t.exchange_time);
      out_ += ' ';
      out_ += BookOperationName(t.book_operation);
      if (t.book_operation != BookOperation::kReset) {
        out_ += ' ';
        out_ += BookSideName(t.book_side);
        out_ += ' ';
        out_ += std::to_string(t.book_position);
        out_ += ' ';
        Number(t.price);
        out_ += " x ";
        t.size.AppendTo(out_);
        if (!t.exchange.empty()) {
          out_ += ' ';
          out_ += t.exchange;
        }
      }
      out_ += '\n';
    }
    Counted();
  }

  void BidAsk(const Tick& t) {
    const bool bid_past_low = (t.attributes & kAttrBidPastLow) != 0;
    const bool ask_past_high = (t.attributes & kAttrAskPastHigh) != 0;
    if (json_) {
      Head(t.exchange_time);
      Key("bid_price");
      Number(t.bid_price);
      Key("ask_price");
      Number(t.ask_price);
      Key("bid_size");
      DecimalString(t.bid_size);
      Key("ask_size");
      DecimalString(t.ask_size);
      out_ += ",\"attributes\":{\"bid_past_low\":";
      Bool(bid_past_low);
      out_ += ",\"ask_past_high\":";
      Bool(ask_past_high);
      out_ += "}}\n";
    } else {
      TextHead(t.exchange_time);
      out_ += " bid ";
      Number(t.bid_price);
      out_ += " x ";
      t.bid_size.AppendTo(out_);
      out_ += "  ask ";
      Number(t.ask_price);
      out_ += " x ";
      t.ask_size.AppendTo(out_);
      if (bid_past_low) out_ += " bid_past_low";
      if (ask_past_high) out_ += " ask_past_high";
      out_ += '\n';
    }
    Counted();
  }

  void Last(const Tick& t) {
    const bool past_limit = (t.attributes & kAttrPastLimit) != 0;
    const bool unreported = (t.attributes & kAttrUnreported) != 0;
    if (json_) {
      Head(t.exchange_time);
      Key("price");
      Number(t.price);
      Key("size");
      DecimalString(t.size);
      out_ += ",\"attributes\":{\"past_limit\":";
      Bool(past_limit);
      out_ += ",\"unreported\":";
      Bool(unreported);
      out_ += "}";
      Key("exchange");
      JsonString(t.exchange);
      Key("special_conditions");
      JsonString(t.special_conditions);
      out_ += "}\n";
    } else {
      TextHead(t.exchange_time);
      out_ += ' ';
      Number(t.price);
      out_ += " x ";
      t.size.AppendTo(out_);
      out_ += ' ';
      out_ += t.exchange;
      if (!t.special_conditions.empty()) {
        out_ += " [";
        out_ += t.special_conditions;
        out_ += ']';
      }
      if (past_limit) out_ += " past_limit";
      if (unreported) out_ += " unreported";
      out_ += '\n';
    }
    Counted();
  }

  // A reqMktData top-of-book snapshot: bid and ask, no attributes.
  void Quote(const Tick& t) {
    if (json_) {
      Head(t.exchange_time);
      Key("bid_price");
      Number(t.bid_price);
      Key("ask_price");
      Number(t.ask_price);
      Key("bid_size");
      DecimalString(t.bid_size);
      Key("ask_size");
      DecimalString(t.ask_size);
      out_ += "}\n";
    } else {
      TextHead(t.exchange_time);
      out_ += " bid ";
      Number(t.bid_price);
      out_ += " x ";
      t.bid_size.AppendTo(out_);
      out_ += "  ask ";
      Number(t.ask_price);
      out_ += " x ";
      t.ask_size.AppendTo(out_);
      out_ += '\n';
    }
    Counted();
  }

  // A reqMktData last trade: price, size and the day's volume (null or absent when unknown).
  void Trade(const Tick& t) {
    if (json_) {
      Head(t.exchange_time);
      Key("price");
      Number(t.price);
      Key("size");
      DecimalString(t.size);
      Key("volume");
      DecimalString(t.volume);
      out_ += "}\n";
    } else {
      TextHead(t.exchange_time);
      out_ += ' ';
      Number(t.price);
      out_ += " x ";
      t.size.AppendTo(out_);
      if (t.volume.is_set()) {
        out_ += " volume ";
        t.volume.AppendTo(out_);
      }
      out_ += '\n';
    }
    Counted();
  }

  void MidPoint(const Tick& t) {
    if (json_) {
      Head(t.exchange_time);
      Key("price");
      Number(t.price);
      out_ += "}\n";
    } else {
      TextHead(t.exchange_time);
      out_ += " mid ";
      Number(t.price);
      out_ += '\n';
    }
    Counted();
  }

  // Writes what is buffered. False when stdout is gone (EPIPE) or failing; after a failure
  // nothing more is written.
  bool Flush() {
    if (write_failed_) {
      out_.clear();
      return false;
    }
    size_t done = 0;
    while (done < out_.size()) {
      ssize_t n = write(fd_, out_.data() + done, out_.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        write_failed_ = true;
        write_errno_ = errno;
        out_.clear();
        return false;
      }
      done += static_cast<size_t>(n);
    }
    out_.clear();
    return true;
  }

  int64_t printed() const { return printed_; }
  // What is formatted and not yet written.
  const std::string& pending() const { return out_; }
  // Whether a write to stdout failed (the stream then stops), and its errno.
  bool write_failed() const { return write_failed_; }
  int write_errno() const { return write_errno_; }

 private:
  void Counted() {
    ++printed_;
    if (out_.size() >= kFlushBytes) Flush();
  }

  void Head(TimePoint time) {
    out_ += "{\"contract_id\":";
    out_ += contract_text_;
    out_ += ",\"tick_type\":\"";
    out_ += type_name_;
    out_ += "\",\"time\":\"";
    out_ += TimeText(time);
    out_ += '"';
  }

  void TextHead(TimePoint time) {
    out_ += TimeText(time);
    out_ += ' ';
    out_ += contract_text_;
    out_ += ' ';
    out_ += type_name_;
  }

  // IB's times are whole seconds and repeat for many ticks: format each second once.
  const std::string& TimeText(TimePoint time) {
    if (time != cached_time_ || cached_time_text_.empty()) {
      cached_time_ = time;
      cached_time_text_ = FormatIsoUtc(time);
    }
    return cached_time_text_;
  }

  void Key(const char* key) {
    out_ += ",\"";
    out_ += key;
    out_ += "\":";
  }

  void Number(double value) {
    if (!std::isfinite(value)) {
      out_ += json_ ? "null" : "nan";
      return;
    }
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
    out_.append(buffer, ec == std::errc() ? end : buffer);
  }

  static void AppendInt(int64_t value, std::string& out) {
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
    out.append(buffer, ec == std::errc() ? end : buffer);
  }

  void DecimalString(const Decimal& d) {
    if (!d.is_set()) {
      out_ += "null";
      return;
    }
    out_ += '"';
    d.AppendTo(out_);
    out_ += '"';
  }

  void Bool(bool b) { out_ += b ? "true" : "false"; }

  // Gateway text is untrusted: escaped as JSON, invalid UTF-8 replaced.
  void JsonString(std::string_view s) { AppendJsonString(s, out_); }

  int64_t contract_id_;
  std::string contract_text_;
  std::string_view type_name_;
  bool json_;
  int fd_;
  std::string out_;
  TimePoint cached_time_;
  std::string cached_time_text_;
  int64_t printed_ = 0;
  bool write_failed_ = false;
  int write_errno_ = 0;
};

}  // namespace ibstream::cli
