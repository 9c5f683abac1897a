// What `ibstream demo` prints on the terminal: one readable line per event that shows what the
// product does (markets opening and closing, the gateway lost and back, gaps and their backfill,
// alerts firing and resolving, streams moved between tick-by-tick and the fallback), read from the
// recorder's own `event=` log lines. Everything else goes to the log file only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace ibstream::cli {

// The `key=value` fields of one log line (values may be "quoted" with \" escapes); the first
// field's key is "event" for an event line.
std::map<std::string, std::string> ParseEventFields(std::string_view line);

class DemoNarrator {
 public:
  // The line to print for one log message (its text without the logger's prefix), prefixed with
  // the virtual time `now`; nullopt for a message the terminal does not show.
  std::optional<std::string> Narrate(std::string_view message, TimePoint now);

  // "711280073" -> "MNQ", from the contract_resolved / market_state lines seen so far (the id
  // itself when none named it).
  std::string Name(const std::string& con_id) const;

 private:
  // "711280073/last" -> "MNQ last".
  std::string StreamName(const std::string& stream) const;

  std::map<std::string, std::string> symbols_;
};

}  // namespace ibstream::cli
