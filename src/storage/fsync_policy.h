// When the storage writer calls fdatasync: the policy shared by the writer (tick_writer.h) and the
// configuration's `storage.fsync` key. Kept apart from the writer so that naming a policy does not
// pull in the writer's threads and journal.
#pragma once

#include <string_view>

#include "common/status.h"

namespace ibstream::storage {

enum class FsyncPolicy {
  kAlways,  // fdatasync after every group of ticks written (group commit: while one sync runs,
            // the groups written meanwhile wait for the next, which starts when it returns)
  kBatch,   // fdatasync at most every batch_interval (counted from the end of the last one)
  kOff,     // fdatasync only when a journal is sealed (rotation, shutdown) or on Flush()
};

// "always", "batch", "off".
std::string_view FsyncPolicyName(FsyncPolicy policy);
// Accepts exactly the names above; anything else is InvalidArgument naming the allowed values.
Result<FsyncPolicy> ParseFsyncPolicy(std::string_view text);

}  // namespace ibstream::storage
