// What the commands add to a failure or an empty answer so that the user knows the next step:
// where a store's data is, which port a gateway usually listens on, which flag moves a port,
// and the store path or recorder URL of a configuration file (`--config`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "model/tick.h"
#include "storage/inventory.h"

namespace ibstream::cli {

// For an error text that says the connection was refused: the usual TWS/Gateway API ports and
// the flag that picks one; "" for any other error.
std::string ConnectRefusedHint(std::string_view error);

// For an error text that says an address is in use: which flag or key moves the port; "" for
// any other error.
std::string PortInUseHint(std::string_view error, std::string_view how_to_change);

// Why a query of `contract`'s `types` over [from, to) found nothing, from what the store holds:
// the lines to print on stderr and whether the contract has any data at all in the store.
struct EmptyAnswer {
  std::vector<std::string> lines;
  bool contract_known = false;
};
EmptyAnswer ExplainEmptyAnswer(const storage::StoreInventory& inventory, int64_t contract,
                               const std::vector<TickType>& types, TimePoint from, TimePoint to);

// For a stream asked for while its market expects no ticks (a break, a weekend, a holiday, a
// close): the line saying so and when it opens next; "" while it is open or when its hours are
// unknown.
std::string MarketClosedNote(const std::string& symbol, const std::string& time_zone_id,
                             const std::string& trading_hours, const std::string& liquid_hours,
                             TimePoint now);

// `--config FILE` for commands that read a store or ask a running recorder: the effective
// storage.path and the http.listen address as a URL (a wildcard bind address is asked on
// loopback). Errors name the file and the first problem.
Result<std::string> StorePathFromConfig(const std::string& config_file);
Result<std::string> RecorderUrlFromConfig(const std::string& config_file);

}  // namespace ibstream::cli
