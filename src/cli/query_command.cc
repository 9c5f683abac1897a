// `ibstream query`: ticks of one contract over a range of IB time, merged in time order.
//
//   ibstream query --data DIR --contract ID [--types bid_ask,last] [--from T] [--to T | --last 1h]
//                  [--format jsonl|csv|v3-json|v3-protobuf] [--out FILE]
//
// T is ISO 8601 with an offset ("2025-08-21T14:00:00Z"). The range is [from, to); without
// --from it starts at the epoch, without --to it ends now. Formats are a table below.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "common/clock.h"
#include "export/tick_csv.h"
#include "export/tick_jsonl.h"
#include "export/v3_json.h"
#include "export/v3_protobuf.h"
#include "storage/file_system.h"
#include "storage/query.h"

namespace ibstream::cli {
namespace {

struct QueryOptions {
  std::string data;
  int64_t contract = 0;
  std::string types;
  std::string from;
  std::string to;
  std::string last;
  std::string format = "jsonl";
  std::string out;
};

// One output format: an optional header, then one rendering per tick.
struct OutputFormat {
  const char* name;
  void (*header)(std::string& out);  // may be null
  Status (*row)(const Tick& tick, std::string& out);
};

void CsvHeader(std::string& out) { AppendCsvHeader(out); }
Status CsvRow(const Tick& tick, std::string& out) {
  AppendCsvRow(tick, out);
  return Status::Ok();
}
Status JsonlRow(const Tick& tick, std::string& out) {
  AppendJsonl(tick, out);
  return Status::Ok();
}
// The original's v3 layouts, byte-compatible (src/export/README.md): JSON lines, and protobuf
// records with a 4-byte big-endian length prefix.
Status V3JsonRow(const Tick& tick, std::string& out) {
  AppendV3Json(tick, out);
  return Status::Ok();
}
Status V3ProtobufRow(const Tick& tick, std::string& out) { return AppendV3Protobuf(tick, out); }

constexpr OutputFormat kFormats[] = {
    {"jsonl", nullptr, &JsonlRow},
    {"csv", &CsvHeader, &CsvRow},
    {"v3-json", nullptr, &V3JsonRow},
    {"v3-protobuf", nullptr, &V3ProtobufRow},
};

int Fail(const std::string& message) {
  std::cerr << "ibstream query: " << message << "\n";
  return 2;
}

// "90s", "15m", "1h", "2d".
Result<Duration> ParseSpan(const std::string& text) {
  if (text.size() < 2)
    return InvalidArgument("bad duration '" + text + "' (e.g. 90s, 15m, 1h, 2d)");
  int64_t n = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9' || n > 1000000000) {
      return InvalidArgument("bad duration '" + text + "' (e.g. 90s, 15m, 1h, 2d)");
    }
    n = n * 10 + (text[i] - '0');
  }
  switch (text.back()) {
    case 's':
      return Duration(std::chrono::seconds(n));
    case 'm':
      return Duration(std::chrono::minutes(n));
    case 'h':
      return Duration(std::chrono::hours(n));
    case 'd':
      return Duration(std::chrono::hours(24 * n));
    default:
      return InvalidArgument("bad duration unit in '" + text + "' (s, m, h or d)");
  }
}

int RunQuery(const QueryOptions& o) {
  const OutputFormat* format = nullptr;
  for (const OutputFormat& f : kFormats) {
    if (o.format == f.name) format = &f;
  }
  if (format == nullptr) {
    return Fail("unknown --format '" + o.format + "' (jsonl, csv, v3-json, v3-protobuf)");
  }

  storage::QueryRequest request;
  if (o.types.empty()) {
    for (TickType type : kAllTickTypes) request.streams.push_back({o.contract, type});
  } else {
    size_t start = 0;
    while (start <= o.types.size()) {
      size_t comma = o.types.find(',', start);
      if (comma == std::string::npos) comma = o.types.size();
      auto type = ParseTickType(o.types.substr(start, comma - start));
      if (!type.ok()) return Fail(type.status().message());
      request.streams.push_back({o.contract, *type});
      start = comma + 1;
    }
  }
  const TimePoint now = SystemClock::Instance().Now();
  request.to = now;
  if (!o.to.empty()) {
    auto to = ParseIsoTime(o.to);
    if (!to.ok()) return Fail("--to: " + to.status().message());
    request.to = *to;
  }
  request.from = FromUnixSeconds(0);
  if (!o.last.empty()) {
    auto span = ParseSpan(o.last);
    if (!span.ok()) return Fail("--last: " + span.status().message());
    request.from = request.to - *span;
  }
  if (!o.from.empty()) {
    auto from = ParseIsoTime(o.from);
    if (!from.ok()) return Fail("--from: " + from.status().message());
    request.from = *from;
  }

  std::FILE* out = stdout;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(nullptr, &std::fclose);
  if (!o.out.empty()) {
    file.reset(std::fopen(o.out.c_str(), "wb"));
    if (!file) return Fail("cannot open --out " + o.out);
    out = file.get();
  }
  const bool show_progress = ::isatty(STDERR_FILENO) && (out != stdout || !::isatty(STDOUT_FILENO));
  std::string buffer;
  if (format->header != nullptr) format->header(buffer);
  uint64_t count = 0;
  auto flush = [&]() -> Status {
    if (!buffer.empty() && std::fwrite(buffer.data(), 1, buffer.size(), out) != buffer.size()) {
      return IoError("write failed");
    }
    buffer.clear();
    return Status::Ok();
  };
  storage::QueryStats stats;
  const Status status = storage::QueryTicks(
      storage::PosixFileSystem(), o.data, request,
      [&](const Tick& tick) -> Status {
        IBSTREAM_RETURN_IF_ERROR(format->row(tick, buffer));
        if (++count % 100000 == 0 && show_progress) {
          std::fprintf(stderr, "\r%llu ticks, up to %s", static_cast<unsigned long long>(count),
                       FormatIsoUtc(tick.exchange_time).c_str());
        }
        if (buffer.size() >= (1 << 20)) return flush();
        return Status::Ok();
      },
      &stats);
  const Status flushed = flush();
  if (show_progress && count >= 100000) std::fprintf(stderr, "\n");
  if (!status.ok()) return Fail(status.ToString());
  if (!flushed.ok() || std::fflush(out) != 0) return Fail("writing the output failed");
  if (stats.corrupt_files > 0) {
    std::cerr << "ibstream query: " << stats.corrupt_files
              << " damaged files were skipped; run `ibstream verify --data " << o.data << "`\n";
    return 1;
  }
  return 0;
}

}  // namespace

void AddQueryCommand(CLI::App& app) {
  auto options = std::make_shared<QueryOptions>();
  CLI::App* command =
      app.add_subcommand("query", "Print stored ticks of a contract over a time range");
  command->add_option("--data", options->data, "Storage directory")->required();
  command->add_option("--contract", options->contract, "IB contract id (conId)")->required();
  command->add_option("--types", options->types,
                      "Comma-separated tick types (bid_ask,last,all_last,mid_point); default all");
  command->add_option("--from", options->from, "Start of IB time, inclusive (ISO 8601)");
  auto* to = command->add_option("--to", options->to, "End of IB time, exclusive (default now)");
  command->add_option("--last", options->last, "Span before --to (90s, 15m, 1h, 2d)")->excludes(to);
  command
      ->add_option("--format", options->format,
                   "jsonl, csv, v3-json or v3-protobuf (the original's layouts)")
      ->capture_default_str();
  command->add_option("--out", options->out, "Write to FILE instead of stdout");
  command->callback([options] { SetExitCode(RunQuery(*options)); });
}

}  // namespace ibstream::cli
