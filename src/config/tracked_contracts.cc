#include "config/tracked_contracts.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "config/values.h"

namespace ibstream::config {
namespace {

bool ParsePositive(std::string_view text, int64_t& value) {
  if (text.empty() || text.front() == '+' || text.front() == '-') return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && ptr == text.data() + text.size() && value > 0;
}

}  // namespace

Result<std::vector<TickType>> ParseTickTypeList(std::string_view text) {
  std::vector<TickType> types;
  std::vector<std::string_view> items = SplitList(text, ";,");
  if (items.empty()) return InvalidArgument("no tick types");
  for (std::string_view item : items) {
    if (item.empty()) return InvalidArgument("empty tick type");
    Result<TickType> type = ParseTickType(item);
    if (!type.ok() || !IsTickByTick(*type)) {
      std::string why = "unknown tick type '" + std::string(item) +
                        "' (allowed: bid_ask, last, all_last, mid_point or BidAsk, Last, AllLast, "
                        "MidPoint)";
      if (type.ok() && *type == TickType::kDepth) {
        why =
            "tick type 'depth' cannot be configured here: market depth is asked for with the "
            "contract's depth_rows (and smart_depth) (allowed: bid_ask, last, all_last, "
            "mid_point)";
      } else if (type.ok()) {
        why = "tick type '" + std::string(item) +
              "' cannot be configured: quote and trade are recorded automatically (through "
              "reqMktData) when no tick-by-tick slot is free (allowed: bid_ask, last, all_last, "
              "mid_point)";
      }
      return InvalidArgument(why);
    }
    if (std::find(types.begin(), types.end(), *type) != types.end()) {
      return InvalidArgument("tick type '" + std::string(item) + "' appears twice");
    }
    types.push_back(*type);
  }
  return types;
}

std::string FormatTickTypes(const std::vector<TickType>& types, std::string_view separator) {
  std::string out;
  for (TickType type : types) {
    if (!out.empty()) out += separator;
    out += TickTypeName(type);
  }
  return out;
}

Result<std::vector<TrackedContractEntry>> ParseTrackedContracts(std::string_view text) {
  std::vector<TrackedContractEntry> entries;
  std::set<int64_t> seen;
  std::vector<std::string_view> items = SplitList(text, ",");
  for (size_t i = 0; i < items.size(); ++i) {
    std::string_view item = items[i];
    std::string where = "entry " + std::to_string(i + 1) + " '" + std::string(item) + "': ";
    if (item.empty()) return InvalidArgument(where + "empty entry (entries are separated by ',')");
    std::vector<std::string_view> parts = SplitList(item, ":");
    if (parts.size() < 2 || parts.size() > 4) {
      return InvalidArgument(where + "expected conId:symbol[:tickTypes[:bufferHours]], got " +
                             std::to_string(parts.size()) + " part(s)");
    }
    TrackedContractEntry entry;
    if (!ParsePositive(parts[0], entry.con_id)) {
      return InvalidArgument(where + "contract id '" + std::string(parts[0]) +
                             "' is not a positive integer");
    }
    if (!seen.insert(entry.con_id).second) {
      return InvalidArgument(where + "contract id " + std::to_string(entry.con_id) +
                             " is listed twice");
    }
    entry.symbol = std::string(parts[1]);
    if (entry.symbol.empty()) return InvalidArgument(where + "empty symbol");
    entry.tick_types = {TickType::kBidAsk, TickType::kLast};
    if (parts.size() >= 3) {
      Result<std::vector<TickType>> types = ParseTickTypeList(parts[2]);
      if (!types.ok()) return InvalidArgument(where + types.status().message());
      entry.tick_types = *std::move(types);
      entry.has_tick_types = true;
    }
    if (parts.size() == 4) {
      int64_t hours = 0;
      if (!ParsePositive(parts[3], hours) || hours > kMaxBufferHours) {
        return InvalidArgument(where + "buffer hours '" + std::string(parts[3]) +
                               "' is not an integer from 1 to " + std::to_string(kMaxBufferHours));
      }
      entry.buffer_hours = static_cast<int32_t>(hours);
      entry.has_buffer_hours = true;
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::string FormatTrackedContracts(const std::vector<TrackedContractEntry>& entries) {
  std::string out;
  for (const TrackedContractEntry& entry : entries) {
    if (!out.empty()) out += ",";
    out += std::to_string(entry.con_id) + ":" + entry.symbol + ":" +
           FormatTickTypes(entry.tick_types, ";") + ":" + std::to_string(entry.buffer_hours);
  }
  return out;
}

}  // namespace ibstream::config
