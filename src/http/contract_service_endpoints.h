// The original contract service's (ib-contract's) read endpoints, answered from the recorder's
// own contract details (the tracked contracts, as resolved or read back from the details cache):
// /lookup/{symbol}, /lookup/{symbol}/{sec_type}, /contracts/{id} and /trading-hours/{id}. No IB
// request is made: a contract the recorder does not track is not found. docs/ORIGINAL-API.md says
// how each differs from the original. Internal to src/http.
#pragma once

#include "http/api_state.h"
#include "http/http_types.h"

namespace ibstream::http {

// GET /lookup/{symbol} and /lookup/{symbol}/{sec_type}: the tracked contracts of the symbol
// (case-insensitive), grouped by security type. 400 for a security type the original did not
// know (STK, FUT, OPT, CASH, IND, CFD, BOND, FUND, CMDTY) or a symbol that is empty or longer
// than 32 characters.
Response LookupSymbol(ApiState& api, const Request& request);
// GET /contracts/{id}: the contract's details; "N/A" for what the recorder does not keep.
Response ContractDetails(ApiState& api, const Request& request);
// GET /trading-hours/{id}: the contract's time zone and IB's trading and liquid hours strings.
Response TradingHours(ApiState& api, const Request& request);

}  // namespace ibstream::http
