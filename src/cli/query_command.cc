// `ibstream query`: ticks of one contract over a range of IB time, merged in time order, from
// our storage (--data) or from an archive of the original's v3 files (--v3).
//
//   ibstream query (--data DIR | --config FILE | --v3 DIR [--v3-prefer json|protobuf]) --contract
//   ID
//                  [--types bid_ask,last] [--from T] [--to T | --last 1h]
//                  [--format jsonl|csv|v3-json|v3-protobuf] [--out FILE]
//   ibstream query (--data DIR | --config FILE) --contract ID --book --at T [--rows N]
//                  [--lookback 1d] [--format text|json] [--out FILE]
//
// --book prints the market-depth book at T instead of ticks: the last book restart at or before T
// and every depth record after it up to T (records at T count), N rows per side (query_book.h).
//
// T is ISO 8601 with an offset ("2025-08-21T14:00:00Z"). The range is [from, to); without
// --from it starts at the epoch, without --to it ends now. Formats are a table below.
//
// --v3 DIR reads DIR/v3/{json,protobuf}/YYYY/MM/DD/HH/ as the original wrote it (DIR is its
// IB_STREAM_STORAGE_PATH; the v3 directory itself works too), one format per hour and tick type
// (JSON unless --v3-prefer protobuf; formats/v3_archive.h has the rules).
//
// Exit status: 0 when everything read was sound; 1 when the output is complete except for damage
// that was skipped (--data: closed files that fail their checks, journals with a damaged header
// or damaged records, files where a date or hour directory should be; --v3: bad records or
// unreadable files), with a summary line on stderr followed by up to 16 lines naming each file
// (or place), the bytes left unread and why; 2 when nothing could be done (bad arguments, no
// such store or archive, a contract the store holds nothing of, the output could not be
// written). An empty answer is never silent: stderr says so and, for a store, where the
// contract's data is (storage/inventory.h).
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "cli/query_book.h"
#include "cli/user_hints.h"
#include "common/clock.h"
#include "formats/tick_csv.h"
#include "formats/tick_jsonl.h"
#include "formats/v3_archive.h"
#include "formats/v3_json.h"
#include "formats/v3_protobuf.h"
#include "fs/file_system.h"
#include "storage/inventory.h"
#include "storage/query.h"

namespace ibstream::cli {
namespace {

struct QueryOptions {
  std::string data;
  std::string config;
  std::string v3;
  std::string v3_prefer = "json";
  int64_t contract = 0;
  std::string types;
  std::string from;
  std::string to;
  std::string last;
  std::string format;  // default jsonl; with --book text
  std::string out;
  bool book = false;
  std::string at;
  int rows = 0;
  std::string lookback = "1d";
};

// One output format: an optional header, then one rendering per tick.
struct OutputFormat {
  const char* name;
  void (*header)(std::string& out);  // may be null
  Status (*row)(const Tick& tick, std::string& out);
};

void CsvHeader(std::string& out) { formats::AppendCsvHeader(out); }
Status CsvRow(const Tick& tick, std::string& out) {
  formats::AppendCsvRow(tick, out);
  return Status::Ok();
}
Status JsonlRow(const Tick& tick, std::string& out) {
  formats::AppendJsonl(tick, out);
  return Status::Ok();
}
// The original's v3 layouts, byte-compatible (src/formats/README.md): JSON lines, and protobuf
// records with a 4-byte big-endian length prefix.
Status V3JsonRow(const Tick& tick, std::string& out) {
  formats::AppendV3Json(tick, out);
  return Status::Ok();
}
Status V3ProtobufRow(const Tick& tick, std::string& out) {
  return formats::AppendV3Protobuf(tick, out);
}

constexpr OutputFormat kFormats[] = {
    {"jsonl", nullptr, &JsonlRow},
    {"csv", &CsvHeader, &CsvRow},
    {"v3-json", nullptr, &V3JsonRow},
    {"v3-protobuf", nullptr, &V3ProtobufRow},
};

int FailQuery(const std::string& message) {
  std::cerr << "ibstream query: " << message << "\n";
  return 2;
}

// "90s", "15m", "1h", "2d"; at most 36500 days, so that `--to` minus the span stays a time.
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
  int64_t unit_seconds = 0;
  switch (text.back()) {
    case 's':
      unit_seconds = 1;
      break;
    case 'm':
      unit_seconds = 60;
      break;
    case 'h':
      unit_seconds = 3600;
      break;
    case 'd':
      unit_seconds = 86400;
      break;
    default:
      return InvalidArgument("bad duration unit in '" + text + "' (s, m, h or d)");
  }
  constexpr int64_t kMaxSpanSeconds = int64_t{36500} * 86400;
  if (n * unit_seconds > kMaxSpanSeconds) {
    return OutOfRange("duration '" + text + "' is longer than 36500 days");
  }
  return Duration(std::chrono::seconds(n * unit_seconds));
}

// The time range of the command line: [from, to).
struct Range {
  TimePoint from;
  TimePoint to;
};

Result<Range> ParseRange(const QueryOptions& o) {
  Range range{FromUnixSeconds(0), SystemClock::Instance().Now()};
  if (!o.to.empty()) {
    auto to = ParseIsoTime(o.to);
    if (!to.ok()) return InvalidArgument("--to: " + to.status().message());
    range.to = *to;
  }
  if (!o.last.empty()) {
    auto span = ParseSpan(o.last);
    if (!span.ok()) return InvalidArgument("--last: " + span.status().message());
    range.from = range.to - *span;
  }
  if (!o.from.empty()) {
    auto from = ParseIsoTime(o.from);
    if (!from.ok()) return InvalidArgument("--from: " + from.status().message());
    range.from = *from;
  }
  return range;
}

// --types, or all six stream kinds (the four tick-by-tick kinds and the quote/trade fallback;
// depth records only by name).
Result<std::vector<TickType>> ParseTypes(const std::string& text) {
  std::vector<TickType> types;
  if (text.empty()) {
    return std::vector<TickType>(std::begin(kAllStreamKinds), std::end(kAllStreamKinds));
  }
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    auto type = ParseTickType(text.substr(start, comma - start));
    if (!type.ok()) return type.status();
    types.push_back(*type);
    start = comma + 1;
  }
  return types;
}

// Reports what a --v3 read skipped; the exit status.
int ReportV3(const formats::V3ArchiveStats& stats) {
  if (stats.unrecognized_files > 0) {
    std::cerr << "ibstream query: note: " << stats.unrecognized_files
              << " names in the v3 tree are neither dates nor v3 files (ignored)\n";
  }
  if (stats.clean()) return 0;
  std::cerr << "ibstream query: the v3 archive is damaged: " << stats.bad_records
            << " bad records and " << stats.unreadable
            << " unreadable files or directories were skipped; the output holds everything else\n";
  for (const std::string& problem : stats.problems) std::cerr << "  " << problem << "\n";
  return 1;
}

// Reports what a --data read skipped as damaged; the exit status.
int ReportSkipped(const storage::QueryStats& stats, const std::string& data) {
  if (stats.complete()) return 0;
  constexpr size_t kMaxListed = 16;
  std::cerr << "ibstream query: the store is damaged: " << stats.skipped.size()
            << " damaged files or regions (" << stats.skipped_bytes
            << " bytes) were skipped; the output holds everything else; run `ibstream verify "
               "--data "
            << data << "`\n";
  for (size_t i = 0; i < stats.skipped.size() && i < kMaxListed; ++i) {
    const storage::SkippedData& s = stats.skipped[i];
    std::cerr << "  " << s.path << ": " << s.bytes << " bytes skipped: " << s.reason << "\n";
  }
  if (stats.skipped.size() > kMaxListed) {
    std::cerr << "  ... and " << stats.skipped.size() - kMaxListed << " more\n";
  }
  return 1;
}

// Says on stderr that nothing matched and, for a store, where the contract's data is; the exit
// status (2 when the store holds nothing of the contract).
int ReportEmpty(const QueryOptions& o, const std::vector<TickType>& types, const Range& range) {
  if (!o.v3.empty()) {
    std::cerr << "ibstream query: no ticks of contract " << o.contract << " from "
              << FormatIsoUtc(range.from) << " to " << FormatIsoUtc(range.to)
              << " in the v3 archive " << o.v3 << "\n";
    return 0;
  }
  auto inventory = storage::ReadInventory(fs::PosixFileSystem(), o.data);
  if (!inventory.ok()) return FailQuery(inventory.status().message());
  const EmptyAnswer answer =
      ExplainEmptyAnswer(*inventory, o.contract, types, range.from, range.to);
  for (const std::string& line : answer.lines) std::cerr << "ibstream query: " << line << "\n";
  return answer.contract_known ? 0 : 2;
}

// --book: the depth book at --at (query_book.h).
int RunBook(const QueryOptions& o) {
  if (o.data.empty()) return FailQuery("--book reads a store: give --data DIR or --config FILE");
  if (o.at.empty()) return FailQuery("--book needs --at T (ISO 8601)");
  if (!o.format.empty() && o.format != "text" && o.format != "json") {
    return FailQuery("unknown --format '" + o.format + "' with --book (text, json)");
  }
  if (o.rows < 0) return FailQuery("--rows must be 0 (all) or more");
  if (!o.types.empty() || !o.from.empty() || !o.to.empty() || !o.last.empty()) {
    return FailQuery(
        "--book takes --at (and --rows, --lookback), not --types, --from, --to or --last");
  }
  BookQuery query;
  query.data = o.data;
  query.contract = o.contract;
  auto at = ParseIsoTime(o.at);
  if (!at.ok()) return FailQuery("--at: " + at.status().message());
  query.at = *at;
  query.rows = o.rows;
  auto lookback = ParseSpan(o.lookback);
  if (!lookback.ok()) return FailQuery("--lookback: " + lookback.status().message());
  query.lookback = *lookback;
  query.json = o.format == "json";
  const Status is_store = storage::CheckIsStore(fs::PosixFileSystem(), o.data);
  if (!is_store.ok()) return FailQuery(is_store.message());
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(nullptr, &std::fclose);
  if (!o.out.empty()) {
    file.reset(std::fopen(o.out.c_str(), "wb"));
    if (!file) return FailQuery("cannot open --out " + o.out);
  }
  return RunBookQuery(query, file ? file.get() : stdout);
}

int RunQuery(QueryOptions o) {
  // Standard output carries the report: log lines (damaged data skipped) go to standard error.
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("query", std::make_shared<spdlog::sinks::stderr_sink_mt>()));
  if (!o.config.empty()) {
    Result<std::string> path = StorePathFromConfig(o.config);
    if (!path.ok()) return FailQuery(path.status().message());
    o.data = *path;
  }
  if (o.book) return RunBook(o);
  if (!o.at.empty() || o.rows != 0) return FailQuery("--at and --rows go with --book");
  if (o.format.empty()) o.format = "jsonl";
  const OutputFormat* format = nullptr;
  for (const OutputFormat& f : kFormats) {
    if (o.format == f.name) format = &f;
  }
  if (format == nullptr) {
    return FailQuery("unknown --format '" + o.format + "' (jsonl, csv, v3-json, v3-protobuf)");
  }
  if (o.data.empty() == o.v3.empty()) {
    return FailQuery("give one of --data DIR, --config FILE and --v3 DIR");
  }
  if (o.v3_prefer != "json" && o.v3_prefer != "protobuf") {
    return FailQuery("unknown --v3-prefer '" + o.v3_prefer + "' (json, protobuf)");
  }
  Result<std::vector<TickType>> types = ParseTypes(o.types);
  if (!types.ok()) return FailQuery(types.status().message());
  const bool depth = std::find(types->begin(), types->end(), TickType::kDepth) != types->end();
  if (depth && (format->header != nullptr || std::string_view(format->name).starts_with("v3"))) {
    return FailQuery("depth records are printed as jsonl only (or as a book: --book --at T)");
  }
  Result<Range> range = ParseRange(o);
  if (!range.ok()) return FailQuery(range.status().message());
  if (!o.data.empty()) {
    const Status is_store = storage::CheckIsStore(fs::PosixFileSystem(), o.data);
    if (!is_store.ok()) return FailQuery(is_store.message());
  }

  std::FILE* out = stdout;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(nullptr, &std::fclose);
  if (!o.out.empty()) {
    file.reset(std::fopen(o.out.c_str(), "wb"));
    if (!file) return FailQuery("cannot open --out " + o.out);
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
  auto sink = [&](const Tick& tick) -> Status {
    IBSTREAM_RETURN_IF_ERROR(format->row(tick, buffer));
    if (++count % 100000 == 0 && show_progress) {
      std::fprintf(stderr, "\r%llu ticks, up to %s", static_cast<unsigned long long>(count),
                   FormatIsoUtc(tick.exchange_time).c_str());
    }
    if (buffer.size() >= (1 << 20)) return flush();
    return Status::Ok();
  };

  storage::QueryStats stats;
  formats::V3ArchiveStats v3_stats;
  Status status;
  if (!o.data.empty()) {
    storage::QueryRequest request;
    for (TickType type : *types) request.streams.push_back({o.contract, type});
    request.from = range->from;
    request.to = range->to;
    status = storage::QueryTicks(fs::PosixFileSystem(), o.data, request, sink, &stats);
  } else {
    formats::V3ArchiveRequest request;
    request.dir = o.v3;
    request.contract_id = o.contract;
    request.types = *types;
    request.from = range->from;
    request.to = range->to;
    request.prefer =
        o.v3_prefer == "protobuf" ? formats::V3Format::kProtobuf : formats::V3Format::kJson;
    status = formats::ReadV3Archive(request, sink, &v3_stats);
  }
  const Status flushed = flush();
  if (show_progress && count >= 100000) std::fprintf(stderr, "\n");
  if (status.code() == StatusCode::kNotFound)
    return FailQuery(status.message());  // no such archive
  if (!status.ok()) return FailQuery(status.ToString());
  if (!flushed.ok() || std::fflush(out) != 0) return FailQuery("writing the output failed");
  const int damage = o.v3.empty() ? ReportSkipped(stats, o.data) : ReportV3(v3_stats);
  if (count > 0) return damage;
  return std::max(damage, ReportEmpty(o, *types, *range));
}

}  // namespace

void AddQueryCommand(CLI::App& app) {
  auto options = std::make_shared<QueryOptions>();
  CLI::App* command =
      app.add_subcommand("query",
                         "Print stored ticks (or the original's v3 archive) of a contract over a "
                         "time range; exit 1 when damaged data was skipped");
  auto* data = command->add_option("--data", options->data, "Storage directory");
  auto* config =
      command
          ->add_option("--config", options->config,
                       "Instead of --data: the recorder's configuration file (its storage.path)")
          ->excludes(data);
  command
      ->add_option("--v3", options->v3,
                   "Instead of --data: an archive of the original's v3 files (the directory "
                   "holding v3/)")
      ->excludes(data)
      ->excludes(config);
  command
      ->add_option("--v3-prefer", options->v3_prefer,
                   "With --v3: the format read when an hour has both (json or protobuf)")
      ->capture_default_str();
  command->add_option("--contract", options->contract, "IB contract id (conId)")->required();
  command->add_option("--types", options->types,
                      "Comma-separated stream kinds (bid_ask,last,all_last,mid_point,quote,trade; "
                      "depth for the raw depth records); default all but depth");
  command->add_option("--from", options->from, "Start of IB time, inclusive (ISO 8601)")
      ->check(IsoTime());
  auto* to = command->add_option("--to", options->to, "End of IB time, exclusive (default now)")
                 ->check(IsoTime());
  command->add_option("--last", options->last, "Span before --to (90s, 15m, 1h, 2d)")->excludes(to);
  command->add_option("--format", options->format,
                      "jsonl (default), csv, v3-json or v3-protobuf (the original's layouts); "
                      "with --book: text (default) or json");
  command->add_option("--out", options->out, "Write to FILE instead of stdout");
  command->add_flag("--book", options->book,
                    "Print the market-depth book at --at (rebuilt from the stored depth records)");
  command->add_option("--at", options->at, "With --book: the instant (ISO 8601)")->check(IsoTime());
  command->add_option("--rows", options->rows, "With --book: rows per side (default all)");
  command
      ->add_option("--lookback", options->lookback,
                   "With --book: how far before --at to look for the book's last restart")
      ->capture_default_str();
  command->callback([options] { SetExitCode(RunQuery(*options)); });
}

}  // namespace ibstream::cli
