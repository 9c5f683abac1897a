// `ibstream tail`: the merged live stream of one contract from what the recorders publish to NATS
// JetStream, each tick once however many recorders publish it (src/cluster/nats_tail.h).
//
//   ibstream tail --nats URL --contract ID [--types bid_ask,last] [--json] [-n N]
//                 [--stream NAME] [--subject-prefix P] [--credentials FILE]
//
// Lines as `ibstream stream` prints them (tick_printer.h). Runs until SIGINT/SIGTERM or N ticks.
// Exit status: 0; 1 when writing to stdout failed; 2 for bad arguments.
#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/tick_printer.h"
#include "cluster/nats_tail.h"
#include "cluster/publisher.h"

namespace ibstream::cli {
namespace {

std::atomic<bool> tail_stop{false};

extern "C" void StopTail(int) { tail_stop.store(true); }

struct TailOptions {
  std::string url;
  int64_t contract = 0;
  std::string types;
  bool json = false;
  int64_t count = 0;
  std::string stream = "IBSTREAM";
  std::string subject_prefix = "ibstream";
  std::string credentials_file;
};

int RunTail(const TailOptions& o) {
  cluster::NatsTailOptions options;
  options.url = o.url;
  options.contract_id = o.contract;
  options.stream = o.stream;
  options.subject_prefix = o.subject_prefix;
  options.credentials_file = o.credentials_file;
  size_t start = 0;
  while (!o.types.empty() && start <= o.types.size()) {
    const size_t comma = std::min(o.types.find(',', start), o.types.size());
    auto type = ParseTickType(o.types.substr(start, comma - start));
    if (!type.ok()) {
      std::cerr << "ibstream tail: --types: " << type.status().message() << "\n";
      return 2;
    }
    options.types.push_back(*type);
    start = comma + 1;
  }
  std::map<TickType, std::unique_ptr<TickPrinter>> printers;
  bool write_failed = false;
  int64_t printed = 0;
  options.on_tick = [&](const std::string&, const Tick& tick) {
    auto& printer = printers[tick.type];
    if (!printer) printer = std::make_unique<TickPrinter>(o.contract, tick.type, o.json);
    printer->Print(tick);
    // One line at a time: a live tail, with kinds interleaved in arrival order.
    if (!printer->Flush()) {
      write_failed = true;
      return false;
    }
    return o.count == 0 || ++printed < o.count;
  };
  std::signal(SIGINT, StopTail);
  std::signal(SIGTERM, StopTail);
  auto stats = cluster::RunNatsTail(options, tail_stop);
  cluster::ShutdownNatsLibrary();
  if (!stats.ok()) {
    std::cerr << "ibstream tail: " << stats.status().message() << "\n";
    return 2;
  }
  if (write_failed) {
    std::cerr << "ibstream tail: writing to stdout failed\n";
    return 1;
  }
  return 0;
}

}  // namespace

void AddTailCommand(CLI::App& app) {
  auto options = std::make_shared<TailOptions>();
  CLI::App* command = app.add_subcommand(
      "tail",
      "Print one contract's live ticks as the recorders publish them to NATS, each tick once");
  command->add_option("--nats", options->url, "The NATS server (nats://HOST:PORT)")->required();
  command->add_option("--contract", options->contract, "The contract (conId)")
      ->required()
      ->check(CLI::PositiveNumber);
  command->add_option("--types", options->types,
                      "Stream kinds, comma-separated (bid_ask,last,...; default: all)");
  command->add_flag("--json", options->json, "One JSON object per tick");
  command
      ->add_option("-n,--count", options->count,
                   "Stop after N ticks (default: run until "
                   "interrupted)")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--stream", options->stream, "The JetStream stream")->capture_default_str();
  command->add_option("--subject-prefix", options->subject_prefix, "Subject prefix")
      ->capture_default_str();
  command->add_option("--credentials", options->credentials_file, "A NATS .creds file");
  command->callback([options] { SetExitCode(RunTail(*options)); });
}

}  // namespace ibstream::cli
