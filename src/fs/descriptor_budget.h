// The process's file descriptors as a budget: storage (journals, hourly files, the gap ledger),
// the gateway connection and the logs must always be able to open what they need, so network
// clients get only what is left after a reserve.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/status.h"

namespace ibstream::fs {

struct DescriptorLimits {
  uint64_t soft_before = 0;  // RLIMIT_NOFILE's soft limit when the process started
  uint64_t soft = 0;         // the soft limit now
  uint64_t hard = 0;
};

// Raises RLIMIT_NOFILE's soft limit to its hard limit, at most `ceiling` (a soft limit already
// higher is left alone), and returns the limits. systemd starts services with a soft limit of
// 1024 and a much higher hard limit; the unit may set LimitNOFILE itself.
Result<DescriptorLimits> RaiseDescriptorLimit(uint64_t ceiling);

// The descriptors storage and the rest of the recorder keep for themselves: a fixed part (logs,
// the gap ledger, hourly files being closed, the gateway socket, the HTTP listener) and a few
// per recorded stream (its journal, the file it reads while it closes an hour, a backfill).
uint64_t ReservedDescriptors(size_t streams);

// The connection limit for network clients: `configured`, lowered so that `reserved`
// descriptors stay free under `soft_limit`; never below 1 (a limit too low for the reserve
// still answers one client, and its refusals are counted).
size_t ConnectionLimitWithin(size_t configured, uint64_t soft_limit, uint64_t reserved);

// The lowest descriptor number a network client may not keep (http::ServerOptions::
// descriptor_ceiling): `soft_limit` minus `reserved`. 0 (no ceiling) when the limit is unknown
// (UINT64_MAX) or not above the reserve (ConnectionLimitWithin's floor of one client applies).
uint64_t DescriptorCeiling(uint64_t soft_limit, uint64_t reserved);

}  // namespace ibstream::fs
