#include "storage/fsync_policy.h"

#include <string>

namespace ibstream::storage {

std::string_view FsyncPolicyName(FsyncPolicy policy) {
  switch (policy) {
    case FsyncPolicy::kAlways:
      return "always";
    case FsyncPolicy::kBatch:
      return "batch";
    case FsyncPolicy::kOff:
      return "off";
  }
  return "unknown";
}

Result<FsyncPolicy> ParseFsyncPolicy(std::string_view text) {
  if (text == "always") return FsyncPolicy::kAlways;
  if (text == "batch") return FsyncPolicy::kBatch;
  if (text == "off") return FsyncPolicy::kOff;
  return InvalidArgument("unknown fsync policy '" + std::string(text) +
                         "' (allowed: always, batch, off)");
}

}  // namespace ibstream::storage
