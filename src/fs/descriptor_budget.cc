#include "fs/descriptor_budget.h"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace ibstream::fs {

namespace {

constexpr uint64_t kFixedReserve = 64;
constexpr uint64_t kPerStreamReserve = 3;

uint64_t Finite(rlim_t v) { return v == RLIM_INFINITY ? UINT64_MAX : static_cast<uint64_t>(v); }

}  // namespace

Result<DescriptorLimits> RaiseDescriptorLimit(uint64_t ceiling) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
    return IoError(std::string("getrlimit(RLIMIT_NOFILE): ") + std::strerror(errno));
  }
  DescriptorLimits limits;
  limits.soft_before = Finite(rl.rlim_cur);
  limits.hard = Finite(rl.rlim_max);
  const uint64_t wanted = std::min(limits.hard, ceiling);
  if (limits.soft_before < wanted) {
    rlimit raised = rl;
    raised.rlim_cur = static_cast<rlim_t>(wanted);
    if (setrlimit(RLIMIT_NOFILE, &raised) != 0) {
      return IoError("setrlimit(RLIMIT_NOFILE, " + std::to_string(wanted) +
                     "): " + std::strerror(errno));
    }
    limits.soft = wanted;
  } else {
    limits.soft = limits.soft_before;
  }
  return limits;
}

uint64_t ReservedDescriptors(size_t streams) {
  return kFixedReserve + kPerStreamReserve * static_cast<uint64_t>(streams);
}

size_t ConnectionLimitWithin(size_t configured, uint64_t soft_limit, uint64_t reserved) {
  const uint64_t left = soft_limit > reserved ? soft_limit - reserved : 0;
  const uint64_t limit = std::min<uint64_t>(configured, left);
  return static_cast<size_t>(std::max<uint64_t>(limit, 1));
}

uint64_t DescriptorCeiling(uint64_t soft_limit, uint64_t reserved) {
  if (soft_limit == UINT64_MAX || soft_limit <= reserved) return 0;
  return soft_limit - reserved;
}

}  // namespace ibstream::fs
