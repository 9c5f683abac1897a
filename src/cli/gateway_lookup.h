// One-shot contract lookups through a TWS/Gateway, for the commands that need contract details
// (`contract`, `hours --contract`): connect, ask, disconnect.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "protocol/contract.h"

namespace ibstream::cli {

struct GatewayTarget {
  std::string host = "127.0.0.1";
  int port = 4002;
  int client_id = 3;
  double timeout_seconds = 10;
};

// What a contract-details lookup answers.
using DetailsResult = Result<std::vector<protocol::ContractDetails>>;

// reqContractDetails for `query`. Errors: cannot connect (the message names host and port), no
// answer within twice the timeout, IB's error (200: NotFound, see client::IbErrorCode).
DetailsResult LookupContractDetails(const GatewayTarget& gateway, const protocol::Contract& query);

}  // namespace ibstream::cli
