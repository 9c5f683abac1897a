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
};

// Adds --nats, --stream, --subject-prefix, --durable, --recorders, --credentials, --hold-back and
// --until-caught-up to `command`; `options` must outlive it.
void AddNatsMergeOptions(CLI::App* command, NatsMergeCommandOptions* options);

// Runs until caught up, or until SIGINT/SIGTERM. Exit status as `ibstream merge`: 0, 1 when a
// merge skipped damaged data, 2 when nothing could be done.
int RunNatsMergeCommand(const NatsMergeCommandOptions& options, const std::string& out);

}  // namespace ibstream::cli
