// `ibstream merge`: several recorders' stores of the same contracts into one store in the normal
// format (src/merge/README.md has the rule).
//
//   ibstream merge --from [NAME=]DIR --from [NAME=]DIR [--from ...] --out DIR
//                  [--start T] [--end T] [--contract ID]
//   ibstream merge --nats URL [--stream NAME] [--recorders A,B] --out DIR [--until-caught-up
//                  [--timeout S]] [--http HOST:PORT]  (merge_nats.h)
//
// NAME (default: DIR's last component) is how merged gap records cite the recorder. T is ISO 8601
// with an offset. Without --start a stream continues where the last merge into --out stopped (or
// starts at the first second any source recorded); without --end it runs to the last second any
// source recorded. Rerunning with a later --end appends.
//
// Exit status: 0 when every source read was sound; 1 when damaged source data was skipped (its
// seconds taken from another source where one covered them), reported on stderr as `query` does;
// 2 when nothing could be done (bad arguments, a source that is not a store, the merged store
// cannot be written).
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/merge_nats.h"
#include "cli/option_checks.h"
#include "common/clock.h"
#include "fs/file_system.h"
#include "merge/merger.h"

namespace ibstream::cli {
namespace {

struct MergeCommandOptions {
  std::vector<std::string> from;
  std::string out;
  std::string start;
  std::string end;
  int64_t contract = 0;
  NatsMergeCommandOptions nats;
};

int Fail(const std::string& message) {
  std::cerr << "ibstream merge: " << message << "\n";
  return 2;
}

struct NamedSource {
  std::string name;
  std::string root;
};

// "NAME=DIR" or "DIR" (named by its last component).
Result<NamedSource> ParseFrom(const std::string& text) {
  NamedSource source;
  const size_t eq = text.find('=');
  if (eq != std::string::npos && text.find('/') > eq) {
    source.name = text.substr(0, eq);
    source.root = text.substr(eq + 1);
  } else {
    source.root = text;
    source.name = std::filesystem::path(text).lexically_normal().filename().string();
    if (source.name.empty()) {
      source.name = std::filesystem::path(text).lexically_normal().parent_path().filename();
    }
  }
  if (source.name.empty() || source.root.empty()) {
    return InvalidArgument("bad --from '" + text + "' (DIR or NAME=DIR)");
  }
  return source;
}

std::string SameFileKey(const std::string& path) {
  std::error_code error;
  const auto canonical = std::filesystem::weakly_canonical(path, error);
  return error ? path : canonical.string();
}

void PrintStream(const merge::StreamMergeReport& s) {
  std::cout << ToString(s.stream) << " " << FormatIsoUtc(s.from) << ".." << FormatIsoUtc(s.to)
            << ": " << s.ticks << " ticks";
  for (const auto& [name, seconds] : s.seconds_by_source) {
    std::cout << ", " << name << " " << seconds << " s";
  }
  std::cout << ", " << s.switches << " switches";
  if (s.gap_seconds > 0) {
    std::cout << ", " << s.gap_seconds << " s lost by every source";
    if (s.damaged_seconds > 0) std::cout << " (" << s.damaged_seconds << " s damaged)";
  }
  std::cout << "\n";
}

// What was skipped as damaged, as `ibstream query` reports it; the exit status.
int ReportDamage(const merge::MergeReport& report, const std::vector<NamedSource>& sources) {
  constexpr size_t kMaxListed = 16;
  for (const merge::SourceDamage& d : report.damage) {
    std::string root;
    for (const NamedSource& s : sources) {
      if (s.name == d.source) root = s.root;
    }
    if (!d.skipped.empty()) {
      std::cerr << "ibstream merge: source " << d.source << " is damaged: " << d.skipped.size()
                << " damaged files or regions (" << d.skipped_bytes
                << " bytes) were skipped; their seconds were taken from another source where one "
                   "covered them; run `ibstream verify --data "
                << root << "`\n";
      for (size_t i = 0; i < d.skipped.size() && i < kMaxListed; ++i) {
        const storage::SkippedData& s = d.skipped[i];
        std::cerr << "  " << s.path << ": " << s.bytes << " bytes skipped: " << s.reason << "\n";
      }
      if (d.skipped.size() > kMaxListed) {
        std::cerr << "  ... and " << d.skipped.size() - kMaxListed << " more\n";
      }
    }
    if (!d.ledger.clean()) {
      std::cerr << "ibstream merge: source " << d.source << " has a damaged gap ledger: "
                << d.ledger.corrupt_bytes + d.ledger.truncated_bytes
                << " bytes skipped (gaps recorded there are unknown to the merge)\n";
      for (const std::string& problem : d.ledger.problems) std::cerr << "  " << problem << "\n";
    }
  }
  return report.damaged() ? 1 : 0;
}

int RunMerge(const MergeCommandOptions& o) {
  std::vector<NamedSource> named;
  for (const std::string& text : o.from) {
    auto source = ParseFrom(text);
    if (!source.ok()) return Fail(source.status().message());
    if (SameFileKey(source->root) == SameFileKey(o.out)) {
      return Fail("--out " + o.out + " is also a --from: the merged store must be a new one");
    }
    named.push_back(*source);
  }
  merge::MergeOptions options;
  options.out = o.out;
  if (!o.start.empty()) options.start = *ParseIsoTime(o.start);  // checked by IsoTime()
  if (!o.end.empty()) options.end = *ParseIsoTime(o.end);
  if (options.start && options.end && *options.end <= *options.start) {
    return Fail("--end must be after --start");
  }
  if (o.contract != 0) options.contract = o.contract;

  std::vector<std::unique_ptr<merge::MergeSource>> owned;
  std::vector<merge::MergeSource*> sources;
  for (const NamedSource& s : named) {
    auto source = merge::OpenStoreSource(fs::PosixFileSystem(), s.name, s.root);
    if (!source.ok()) return Fail("--from " + s.root + ": " + source.status().message());
    sources.push_back(source->get());
    owned.push_back(std::move(*source));
  }
  auto report =
      merge::MergeStores(fs::PosixFileSystem(), SystemClock::Instance(), sources, options);
  if (!report.ok()) return Fail(report.status().ToString());
  for (const merge::StreamMergeReport& s : report->streams) PrintStream(s);
  std::cout << report->ticks << " ticks written to " << o.out
            << "; merged gap records: " << report->gap_records_added << " added, "
            << report->gap_records_extended << " extended\n";
  for (const StreamKey& depth : report->depth_not_merged) {
    std::cerr << "ibstream merge: " << ToString(depth)
              << " not merged: market depth cannot be merged (each recorder's book is its own); "
                 "read it from a recorder's store\n";
  }
  if (report->streams.empty() && report->depth_not_merged.empty()) {
    std::cerr << "ibstream merge: nothing to merge: "
              << (o.contract != 0 ? "the sources hold nothing of contract " +
                                        std::to_string(o.contract) + " in that range"
                                  : std::string("everything in that range was merged already"))
              << "\n";
  }
  return ReportDamage(*report, named);
}

}  // namespace

void AddMergeCommand(CLI::App& app) {
  auto options = std::make_shared<MergeCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "merge",
      "Merge several recorders' stores into one: per stream and second the ticks of one source "
      "that recorded it without a gap; exit 1 when damaged data was skipped");
  command
      ->add_option("--from", options->from,
                   "A recorder's store, DIR or NAME=DIR (give two or more; NAME defaults to the "
                   "directory's name)")
      ->expected(1, -1);
  command->add_option("--out", options->out, "The merged store (created when absent)")->required();
  command->add_option("--start", options->start, "First second to merge (ISO 8601)")
      ->check(IsoTime());
  command->add_option("--end", options->end, "End of the merge, exclusive (ISO 8601)")
      ->check(IsoTime());
  command->add_option("--contract", options->contract, "Only this contract's streams (conId)")
      ->check(CLI::PositiveNumber);
  AddNatsMergeOptions(command, &options->nats);
  command->callback([options] {
    const MergeCommandOptions& o = *options;
    if (o.nats.url.empty() && !o.nats.http_listen.empty()) {
      SetExitCode(Fail("--http serves a running merge: it goes with --nats"));
    } else if (o.nats.url.empty()) {
      SetExitCode(o.from.empty() ? Fail("give the recorders' stores (--from) or --nats URL")
                                 : RunMerge(o));
    } else if (!o.from.empty()) {
      SetExitCode(Fail("--from and --nats are exclusive"));
    } else if (!o.start.empty() || !o.end.empty() || o.contract != 0) {
      SetExitCode(Fail("--start, --end and --contract are for --from stores"));
    } else {
      SetExitCode(RunNatsMergeCommand(o.nats, o.out));
    }
  });
}

}  // namespace ibstream::cli
