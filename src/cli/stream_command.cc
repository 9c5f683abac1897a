// `ibstream stream`: print live tick-by-tick data of one contract (like the original's
// `ib-stream` CLI).
//
//   ibstream stream CONID [--type BidAsk|Last|AllLast|MidPoint] [-n N] [--json]
//                   [--host H] [--port P] [--client-id N] [--timeout SECONDS]
//
// The contract is first resolved with reqContractDetails (an unknown conId fails with IB error
// 200), then subscribed. One line per tick; with --json one object per tick:
//   {"contract_id":711280073,"tick_type":"bid_ask","time":"2025-08-11T15:15:30Z",
//    "bid_price":21500.25,"ask_price":21500.5,"bid_size":"3","ask_size":"5",
//    "attributes":{"bid_past_low":false,"ask_past_high":false}}
// Last/AllLast carry "price", "size", "attributes":{"past_limit","unreported"}, "exchange" and
// "special_conditions"; MidPoint carries "price". Sizes are exact decimal strings.
//
// Ticks arrive as domain Ticks (Client::SubscribeTicks). Speed: they are formatted on the client's
// thread with to_chars into one reused buffer (no allocation per tick) and written with one
// write(2) per socket read or per 1 MiB. A failed write to stdout (a closed pipe included) ends
// the command with a message and exit code 1.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "client/client.h"
#include "client/event_loop.h"
#include "common/clock.h"
#include "common/json_text.h"
#include "model/tick.h"

namespace ibstream::cli {
namespace {

struct StreamOptions {
  int64_t contract_id = 0;
  std::string type = "BidAsk";
  int64_t count = 0;  // 0: until interrupted
  bool json = false;
  std::string host = "127.0.0.1";
  int port = 4002;
  int client_id = 2;
  double timeout_seconds = 10;
};

constexpr size_t kFlushBytes = 1 << 20;

// Formats ticks into one reused buffer and writes it to stdout in large batches.
class TickPrinter {
 public:
  TickPrinter(int64_t contract_id, TickType type, bool json)
      : contract_id_(contract_id), type_name_(TickTypeName(type)), json_(json) {
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
      case TickType::kMidPoint:
        MidPoint(t);
        break;
    }
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
      ssize_t n = write(STDOUT_FILENO, out_.data() + done, out_.size() - done);
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
  std::string out_;
  TimePoint cached_time_;
  std::string cached_time_text_;
  int64_t printed_ = 0;
  bool write_failed_ = false;
  int write_errno_ = 0;
};

// The outcome the client's thread hands to the main thread.
struct Outcome {
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  std::string error;  // empty: success

  void Finish(std::string message) {
    std::lock_guard<std::mutex> lock(mutex);
    if (done) return;
    done = true;
    error = std::move(message);
    cv.notify_all();
  }
};

int RunStream(const StreamOptions& options) {
  auto fail = [](const std::string& message) {
    std::cerr << "ibstream stream: " << message << "\n";
    return 1;
  };
  Result<TickType> type = ParseTickType(options.type);
  if (!type.ok()) return fail(type.status().message());
  if (options.contract_id <= 0 || options.contract_id > INT32_MAX) {
    return fail("CONID must be a positive 32-bit contract id, got " +
                std::to_string(options.contract_id));
  }
  if (options.port <= 0 || options.port > 65535) return fail("--port must be in 1..65535");
  if (options.count < 0) return fail("-n must not be negative");

  client::ClientOptions client_options;
  client_options.host = options.host;
  client_options.ports = {static_cast<uint16_t>(options.port)};
  client_options.client_id = options.client_id;
  client_options.connect_timeout =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double>(options.timeout_seconds));
  client_options.probe_interval = std::chrono::seconds(30);

  auto outcome = std::make_shared<Outcome>();
  auto printer = std::make_shared<TickPrinter>(options.contract_id, *type, options.json);
  client::EventLoop loop;
  client::ClientCallbacks callbacks;
  callbacks.on_read_batch_end = [printer, outcome] {
    if (!printer->Flush()) outcome->Finish("");  // reported below through write_failed()
  };
  callbacks.on_disconnected = [outcome](const client::DisconnectEvent& e) {
    outcome->Finish("connection lost (" + std::string(client::DisconnectReasonName(e.reason)) +
                    "): " + e.detail.message());
  };
  callbacks.on_protocol_error = [outcome](const client::ProtocolErrorEvent& e) {
    outcome->Finish("bad data from the gateway: " + e.error.message());
  };
  client::Client ib(loop, SystemClock::Instance(), client_options, std::move(callbacks));
  loop.RunInBackground();

  const int64_t limit = options.count;
  auto on_tick = [printer, outcome, limit, &ib] {
    if (limit > 0 && printer->printed() >= limit) {
      printer->Flush();
      ib.Disconnect();
      outcome->Finish("");
    }
  };
  client::TickHandlers handlers;
  handlers.tick = [printer, limit, on_tick](const Tick& t) {
    if (limit > 0 && printer->printed() >= limit) return;
    printer->Print(t);
    on_tick();
  };
  handlers.error = [outcome](const client::RequestError& e) {
    // Advisory codes (delayed data, partial subscriptions) do not end the stream.
    if (e.code == 10167 || e.code == 10090 || e.code == 10091) {
      std::cerr << "ibstream stream: note: IB " << e.code << ": " << e.text << "\n";
      return;
    }
    outcome->Finish("subscription refused: IB error " + std::to_string(e.code) + ": " + e.text);
  };

  const TickType tick_type = *type;
  const int64_t contract_id = options.contract_id;
  ib.Connect([&ib, outcome, handlers, tick_type, contract_id](const client::ConnectResult& r) {
    if (!r.status.ok()) {
      outcome->Finish(r.status.message());
      return;
    }
    protocol::Contract query;
    query.con_id = static_cast<int32_t>(contract_id);
    ib.RequestContractDetails(query, [&ib, outcome, handlers, tick_type, contract_id](
                                         Result<std::vector<protocol::ContractDetails>> details) {
      if (!details.ok()) {
        std::optional<int32_t> code = client::IbErrorCode(details.status());
        outcome->Finish(code == 200 ? "unknown contract " + std::to_string(contract_id) +
                                          " (IB error 200: no security definition)"
                                    : details.status().message());
        return;
      }
      if (details->empty()) {
        outcome->Finish("unknown contract " + std::to_string(contract_id));
        return;
      }
      protocol::Contract contract = details->front().contract;
      contract.con_id = static_cast<int32_t>(contract_id);
      ib.SubscribeTicks(contract, tick_type, handlers);
    });
  });

  {
    std::unique_lock<std::mutex> lock(outcome->mutex);
    outcome->cv.wait(lock, [&] { return outcome->done; });
  }
  loop.Stop();
  loop.Join();
  printer->Flush();
  if (!outcome->error.empty()) return fail(outcome->error);
  if (printer->write_failed()) {
    return fail(std::string("writing to stdout failed: ") + std::strerror(printer->write_errno()));
  }
  return 0;
}

}  // namespace

void AddStreamCommand(CLI::App& app) {
  auto options = std::make_shared<StreamOptions>();
  CLI::App* command = app.add_subcommand("stream", "Print live tick-by-tick data of a contract");
  command->add_option("CONID", options->contract_id, "IB contract id")->required();
  command->add_option("--type,-t", options->type, "BidAsk, Last, AllLast or MidPoint")
      ->capture_default_str();
  command->add_option("-n,--number", options->count, "Stop after N ticks (0: run until stopped)")
      ->capture_default_str();
  command->add_flag("--json,-j", options->json, "One JSON object per tick");
  command->add_option("--host", options->host, "TWS/Gateway host")->capture_default_str();
  command->add_option("--port", options->port, "TWS/Gateway API port")->capture_default_str();
  command->add_option("--client-id", options->client_id, "API client id")->capture_default_str();
  command->add_option("--timeout", options->timeout_seconds, "Connect timeout in seconds")
      ->check(PositiveFinite(86400))
      ->capture_default_str();
  command->callback([options] { SetExitCode(RunStream(*options)); });
}

}  // namespace ibstream::cli
