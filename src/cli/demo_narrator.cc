#include "cli/demo_narrator.h"

namespace ibstream::cli {
namespace {

std::string EventField(const std::map<std::string, std::string>& fields, const std::string& key) {
  auto it = fields.find(key);
  return it == fields.end() ? std::string() : it->second;
}

// "2025-08-11T22:10:00Z" -> "22:10:00Z" (the demo's runs are short; the date adds nothing).
std::string Clock(const std::string& iso) {
  return iso.size() > 11 && iso[10] == 'T' ? iso.substr(11) : iso;
}

}  // namespace

std::map<std::string, std::string> ParseEventFields(std::string_view line) {
  std::map<std::string, std::string> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    const size_t eq = line.find('=', i);
    if (eq == std::string_view::npos) break;
    const std::string key(line.substr(i, eq - i));
    if (key.find(' ') != std::string::npos) break;  // free text, not a field
    i = eq + 1;
    std::string value;
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (i < line.size() && line[i] != '"') {
        if (line[i] == '\\' && i + 1 < line.size()) ++i;
        value += line[i++];
      }
      ++i;  // the closing quote
    } else {
      while (i < line.size() && line[i] != ' ') value += line[i++];
    }
    fields.emplace(key, std::move(value));
  }
  return fields;
}

std::string DemoNarrator::Name(const std::string& con_id) const {
  auto it = symbols_.find(con_id);
  return it == symbols_.end() ? con_id : it->second;
}

std::string DemoNarrator::StreamName(const std::string& stream) const {
  const size_t slash = stream.find('/');
  if (slash == std::string::npos) return stream;
  return Name(stream.substr(0, slash)) + " " + stream.substr(slash + 1);
}

std::optional<std::string> DemoNarrator::Narrate(std::string_view message, TimePoint now) {
  if (message.substr(0, 6) != "event=") return std::nullopt;
  const std::map<std::string, std::string> f = ParseEventFields(message);
  const std::string event = EventField(f, "event");
  std::string text;
  if (event == "contract_resolved" || event == "contract_from_cache") {
    // "MNQ FUT CME USD", or "265598 (AAPL)" for a contract configured by its id.
    const std::string described = EventField(f, "contract");
    const size_t paren = described.find(" (");
    const std::string symbol = paren != std::string::npos && described.back() == ')'
                                   ? described.substr(paren + 2, described.size() - paren - 3)
                                   : described.substr(0, described.find(' '));
    symbols_[EventField(f, "con_id")] = symbol;
    text =
        "contract  " + described + " is conId " + EventField(f, "con_id") +
        (EventField(f, "local_symbol").empty() ? "" : " (" + EventField(f, "local_symbol") + ")");
  } else if (event == "market_state") {
    const std::string con_id = EventField(f, "contract_id");
    if (!EventField(f, "symbol").empty()) symbols_.emplace(con_id, EventField(f, "symbol"));
    const std::string status = EventField(f, "status");
    text = "market    " + Name(con_id) + " " + status;
    if (status == "OPEN" || status == "EXTENDED") {
      text += ", closes " + Clock(EventField(f, "next_close"));
    } else {
      text += ", opens " + Clock(EventField(f, "next_open"));
    }
  } else if (event == "connected") {
    text = "gateway   connected (port " + EventField(f, "port") + ")";
  } else if (event == "disconnected") {
    text = "gateway   connection lost (" + EventField(f, "reason") + ")";
  } else if (event == "gap") {
    text = "gap       #" + EventField(f, "id") + " " + StreamName(EventField(f, "stream")) + " " +
           Clock(EventField(f, "start")) + " .. " + Clock(EventField(f, "end")) + " (" +
           EventField(f, "cause") + "); backfill queued";
  } else if (event == "backfill_done") {
    text = "backfill  #" + EventField(f, "gap") + " " + StreamName(EventField(f, "stream")) + " " +
           EventField(f, "state") + ", " + EventField(f, "ticks") + " ticks from IB's history";
  } else if (event == "alert") {
    const std::string contract = EventField(f, "contract_id");
    text = std::string(EventField(f, "status") == "firing" ? "ALERT     " : "alert     ") +
           EventField(f, "rule") + " " + EventField(f, "status") +
           (contract.empty() ? "" : " (" + Name(contract) + ")") +
           (EventField(f, "summary").empty() ? "" : ": " + EventField(f, "summary"));
  } else if (event == "stream_route") {
    text = "route     " + EventField(f, "change");
  } else {
    return std::nullopt;
  }
  return Clock(FormatIsoUtc(std::chrono::floor<std::chrono::seconds>(now))) + "  " + text;
}

}  // namespace ibstream::cli
