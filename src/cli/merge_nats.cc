#include "cli/merge_nats.h"

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>

#include "cli/merge_http.h"
#include "cluster/nats_merge.h"
#include "cluster/publisher.h"
#include "common/clock.h"
#include "fs/file_system.h"

namespace ibstream::cli {
namespace {

std::atomic<bool> nats_merge_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void StopNatsMerge(int) { nats_merge_stop.store(true); }

std::vector<std::string> SplitRecorders(const std::string& text) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (begin <= text.size() && !text.empty()) {
    const size_t comma = std::min(text.find(',', begin), text.size());
    if (comma > begin) out.push_back(text.substr(begin, comma - begin));
    begin = comma + 1;
  }
  return out;
}

}  // namespace

void AddNatsMergeOptions(CLI::App* command, NatsMergeCommandOptions* options) {
  command->add_option("--nats", options->url,
                      "Merge what recorders publish to this NATS server (nats://HOST:PORT) "
                      "instead of --from stores");
  command->add_option("--stream", options->stream, "The JetStream stream (with --nats)")
      ->capture_default_str();
  command->add_option("--subject-prefix", options->subject_prefix, "Subject prefix (with --nats)")
      ->capture_default_str();
  command
      ->add_option("--durable", options->durable,
                   "The durable consumer's name: where the merge resumes (with --nats)")
      ->capture_default_str();
  command->add_option("--recorders", options->recorders,
                      "Only these recorder ids, comma-separated (with --nats; default: all)");
  command->add_option("--credentials", options->credentials_file, "A NATS .creds file");
  command
      ->add_option("--hold-back", options->hold_back_seconds,
                   "Seconds a continuous merge stays behind the slowest recorder (with --nats)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command
      ->add_option("--wait-for-recorders", options->unheard_wait_seconds,
                   "With --recorders, continuously: seconds to wait for a named recorder not yet "
                   "heard from before deciding seconds without it (with --nats)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command->add_flag("--until-caught-up", options->until_caught_up,
                    "Merge everything the stream holds, then exit (with --nats; default: run "
                    "until SIGINT/SIGTERM)");
  command
      ->add_option("--timeout", options->timeout_seconds,
                   "With --until-caught-up: give up (exit 2) when NATS has been unreachable this "
                   "many seconds")
      ->check(CLI::PositiveNumber)
      ->each([options](const std::string&) { options->timeout_given = true; })
      ->capture_default_str();
  command->add_option("--http", options->http_listen,
                      "Serve the read API over the merged store while the merge runs "
                      "(HOST:PORT, or :PORT for 127.0.0.1; port 0: a free port, printed)");
  command->add_option("--token-file", options->token_file,
                      "With --http: a file holding the bearer token its commands require "
                      "(as the recorder's http.bearer_token; without it they answer 403)");
}

int RunNatsMergeCommand(const NatsMergeCommandOptions& o, const std::string& out) {
  cluster::NatsMergeOptions options;
  options.url = o.url;
  options.stream = o.stream;
  options.subject_prefix = o.subject_prefix;
  options.durable = o.durable;
  options.recorders = SplitRecorders(o.recorders);
  options.credentials_file = o.credentials_file;
  options.out = out;
  options.until_caught_up = o.until_caught_up;
  options.hold_back =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double>(o.hold_back_seconds));
  options.unheard_wait =
      std::chrono::milliseconds(static_cast<int64_t>(std::min(o.unheard_wait_seconds, 1e9) * 1000));
  options.after_merge = [](const merge::MergeReport& report) {
    if (report.ticks > 0 || report.gap_records_added > 0) {
      std::cout << "merged " << report.ticks
                << " ticks; merged gap records: " << report.gap_records_added << " added, "
                << report.gap_records_extended << " extended\n"
                << std::flush;
    }
    return true;
  };
  if (o.timeout_given && !o.until_caught_up) {
    std::cerr << "ibstream merge: --timeout goes with --until-caught-up (a continuous merge "
                 "waits for NATS until SIGTERM)\n";
    return 2;
  }
  if (!o.token_file.empty() && o.http_listen.empty()) {
    std::cerr << "ibstream merge: --token-file goes with --http\n";
    return 2;
  }
  if (o.until_caught_up) {
    options.unreachable_timeout =
        std::chrono::milliseconds(static_cast<int64_t>(std::min(o.timeout_seconds, 1e9) * 1000));
  }
  std::shared_ptr<MergeApi> api;
  std::unique_ptr<MergeHttpServer> server;
  if (!o.http_listen.empty()) {
    auto listen = ParseMergeHttpListen(o.http_listen);
    if (!listen.ok()) {
      std::cerr << "ibstream merge: " << listen.status().message() << "\n";
      return 2;
    }
    if (!o.token_file.empty()) {
      auto token = ReadMergeHttpToken(fs::PosixFileSystem(), o.token_file);
      if (!token.ok()) {
        std::cerr << "ibstream merge: " << token.status().message() << "\n";
        return 2;
      }
      listen->bearer_token = std::move(*token);
    }
    api = std::make_shared<MergeApi>(fs::PosixFileSystem(), SystemClock::Instance(),
                                     MergeApiOptions{out, o.url});
    api->Attach(&options);
    auto started = MergeHttpServer::Start(api, *listen);
    if (!started.ok()) {
      std::cerr << "ibstream merge: --http " << o.http_listen << ": " << started.status().ToString()
                << "\n";
      return 2;
    }
    server = std::move(*started);
    std::cout << "serving the merged store at " << server->url() << " (port " << server->port()
              << ")\n"
              << std::flush;
  }
  std::signal(SIGINT, StopNatsMerge);
  std::signal(SIGTERM, StopNatsMerge);
  auto stats = cluster::RunNatsMerge(fs::PosixFileSystem(), SystemClock::Instance(), options,
                                     nats_merge_stop);
  if (server) server->Stop();
  cluster::ShutdownNatsLibrary();
  if (!stats.ok()) {
    std::cerr << "ibstream merge: " << stats.status().ToString() << "\n";
    return 2;
  }
  std::cout << stats->messages << " messages (" << stats->ticks << " ticks, " << stats->gaps
            << " gap records), " << stats->merged_ticks << " ticks written to " << out << "\n";
  if (stats->depth_skipped > 0) {
    std::cerr << "ibstream merge: " << stats->depth_skipped
              << " market-depth messages were acknowledged and not merged: market depth cannot "
                 "be merged (each recorder's book is its own); read it from a recorder's store\n";
  }
  if (stats->bad_messages > 0) {
    std::cerr << "ibstream merge: " << stats->bad_messages
              << " messages could not be read and were skipped (see the log)\n";
  }
  if (stats->damaged) {
    std::cerr << "ibstream merge: damaged data was skipped (see the log)\n";
    return 1;
  }
  return 0;
}

}  // namespace ibstream::cli
