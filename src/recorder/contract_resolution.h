// Turning a tracked contract of the configuration into an IB contract: the request to send, the
// front month of a future resolved by symbol, and a cache of resolved details on disk so that a
// restart without a gateway still knows each contract's hours.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "config/config.h"
#include "fs/file_system.h"
#include "protocol/contract.h"

namespace ibstream::recorder {

// The reqContractDetails query for a tracked contract: by conId when given, else by
// symbol/secType/exchange/currency (all months of a future).
protocol::Contract RequestFor(const config::ContractConfig& contract);

// The contract month to record for a future resolved by symbol: among `candidates`, the one with
// the earliest last trade date that is more than `roll_days` days after `now` (the roll happens
// `roll_days` before expiry). Empty when none qualifies. Dates are IB's lastTradeDate (sv >= 182)
// or the first token of lastTradeDateOrContractMonth, "YYYYMMDD".
std::optional<size_t> SelectFrontMonth(const std::vector<protocol::ContractDetails>& candidates,
                                       TimePoint now, int roll_days);

// The last trade day of a contract's details as a UTC midnight; empty when IB gave none.
std::optional<TimePoint> LastTradeDay(const protocol::ContractDetails& details);

// A stable file-name key for a tracked contract: "con_711280073" or "sym_MNQ_FUT_CME_USD".
std::string CacheKey(const config::ContractConfig& contract);

// The largest contract-details cache file read back (a real one is a few kilobytes).
inline constexpr uint64_t kMaxContractCacheFileBytes = 4 << 20;

// Contract details persisted as JSON under `<dir>/<key>.json`, written through `fs` with
// fs::WriteFileAtomically (a crash leaves the old or the new file). Only the fields the recorder
// uses are kept.
Status SaveContractDetails(fs::FileSystem* fs, const std::string& dir, const std::string& key,
                           const protocol::ContractDetails& details);
// NotFound when there is no cache file; ParseError (naming the file) when it is damaged;
// ResourceExhausted when it is larger than kMaxContractCacheFileBytes.
Result<protocol::ContractDetails> LoadContractDetails(fs::FileSystem* fs, const std::string& dir,
                                                      const std::string& key);

// IB-format tradingHours for `custom_trading_hours` weekly sessions, for the local days
// [first_day, first_day + days) in `zone` ("20250811:0830-20250811:1500;..."). The days are
// local dates given as days since the epoch.
std::string WeeklySessionsToIbHours(const std::vector<config::WeeklySession>& sessions,
                                    int64_t first_local_day, int days);

}  // namespace ibstream::recorder
