// `ibstream merge --nats URL`: the merge fed from what recorders publish to NATS JetStream
// (src/cluster/nats_merge.h) instead of from their stores. merge_command.cc owns the `merge`
// subcommand and hands over here when --nats is given.
#pragma once

#include <string>

namespace CLI {
class App;
}  // namespace CLI

namespace ibstream::cli {

struct NatsMergeCommandOptions {
  std::string url;
  std::string stream = "IBSTREAM";
  std::string subject_prefix = "ibstream";
  std::string durable = "ibstream-merge";
  std::string recorders;  // "a,b"; empty: every recorder
  std::string credentials_file;
  double hold_back_seconds = 60;
  bool until_caught_up = false;
  // With until_caught_up: seconds NATS may stay unreachable before the merge gives up (exit 2).
  double timeout_seconds = 60;
  bool timeout_given = false;  // --timeout was on the command line
  // "HOST:PORT": serve the read API over the merge (merge_http.h); empty: no HTTP.
  std::string http_listen;
  // A file holding the --http server's bearer token (merge_http.h); empty: commands refused.
  std::string token_file;
  // Continuously, with --recorders: seconds to wait for a named recorder not yet heard from
  // before deciding without it (cluster::NatsMergeOptions::unheard_wait).
  double unheard_wait_seconds = 300;
};

// Adds --nats, --stream, --subject-prefix, --durable, --recorders, --credentials, --hold-back,
// --wait-for-recorders, --until-caught-up, --timeout, --http and --token-file to `command`;
// `options` must outlive it.
void AddNatsMergeOptions(CLI::App* command, NatsMergeCommandOptions* options);

// Runs until caught up, or until SIGINT/SIGTERM. Exit status as `ibstream merge`: 0, 1 when a
// merge skipped damaged data, 2 when nothing could be done (bad options, the --http address
// cannot be bound or its --token-file read, NATS unreachable for --timeout with
// --until-caught-up).
int RunNatsMergeCommand(const NatsMergeCommandOptions& options, const std::string& out);

}  // namespace ibstream::cli
