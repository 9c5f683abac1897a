// The configuration, mapped onto the option structs of the parts the recorder composes. Pure
// functions: the configuration is already validated.
#pragma once

#include "client/client.h"
#include "config/config.h"
#include "reliability/contract_options.h"
#include "reliability/reliability_core.h"
#include "storage/store.h"

namespace ibstream::recorder {

// The contract's reliability plan fields.
reliability::ContractReliabilityOptions ContractOptionsFrom(const config::ContractConfig& contract);

// Retry switches, breaker settings and alert rules. The configuration names five rules; the
// others keep the reliability core's documented defaults. `alerts.enabled = false` silences
// delivery (decisions are still tracked and shown by /v1/alerts).
reliability::ReliabilityOptions ReliabilityOptionsFrom(const config::Config& config, uint64_t seed);

// The recorder's gateway session: client id = gateway.client_id + 1000 (the original's rule).
client::ClientOptions ClientOptionsFrom(const config::Config& config);

// Storage root, fsync policy and interval, free-space warning, retention (global).
storage::StoreOptions StoreOptionsFrom(const config::Config& config);

}  // namespace ibstream::recorder
