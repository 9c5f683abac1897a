#include "http/dashboard_json.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "http/api_common.h"

namespace ibstream::http {
namespace {

using namespace std::chrono_literals;
using recorder::ContractView;
using recorder::HistoryView;
using recorder::RecorderView;

// A contract's timeline holds at most this many session segments.
constexpr size_t kMaxSegments = 200;

int64_t Ms(TimePoint t) { return ToUnixNanos(t) / 1'000'000; }

Json MsOrNull(const std::optional<TimePoint>& t) { return t ? Json(Ms(*t)) : Json(nullptr); }

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

// What names a contract: its symbol, local symbol and conId.
struct Names {
  std::string symbol;
  std::string label;
};

Names NamesOf(const ContractView& c) {
  Names n;
  n.symbol = c.symbol;
  std::string label = c.symbol.empty() ? c.description : c.symbol;
  if (!c.local_symbol.empty() && c.local_symbol != c.symbol) label += " " + c.local_symbol;
  if (c.contract_id != 0) label += " · " + std::to_string(c.contract_id);
  n.label = std::move(label);
  return n;
}

class NameBook {
 public:
  explicit NameBook(const RecorderView& view) {
    for (const auto& c : view.contracts) {
      if (c.contract_id != 0) names_[c.contract_id] = NamesOf(c);
    }
  }
  // The contract's names; for a conId not tracked, no symbol and the conId as the label.
  Names Of(std::optional<int64_t> id) const {
    if (!id) return Names{"", "gateway"};
    auto it = names_.find(*id);
    if (it != names_.end()) return it->second;
    return Names{"", std::to_string(*id)};
  }

 private:
  std::map<int64_t, Names> names_;
};

void AddNames(Json& object, const NameBook& book, std::optional<int64_t> id) {
  const Names n = book.Of(id);
  object["contract_id"] = id ? Json(*id) : Json(nullptr);
  object["symbol"] = n.symbol.empty() ? Json(nullptr) : Json(n.symbol);
  object["label"] = n.label;
}

// The calendar the recorder uses, else one rebuilt from the hours strings; null when neither.
std::shared_ptr<const calendar::MarketCalendar> CalendarOf(const ContractView& c) {
  if (c.calendar) return c.calendar;
  if (!c.resolved) return nullptr;
  auto built = calendar::MarketCalendar::Create(
      calendar::ContractHours{c.time_zone_id, c.trading_hours, c.liquid_hours});
  if (!built.ok()) return nullptr;
  return std::make_shared<const calendar::MarketCalendar>(std::move(built).value());
}

// The calendar's states over [from, until), clipped to it, in order.
Json SessionsJson(const calendar::MarketCalendar* cal, TimePoint from, TimePoint until) {
  Json segments = Json::array();
  auto add = [&](TimePoint start, TimePoint end, calendar::MarketStatus status) {
    if (end <= start || segments.size() >= kMaxSegments) return;
    segments.push_back({{"from_ms", Ms(start)},
                        {"until_ms", Ms(end)},
                        {"status", Lower(calendar::MarketStatusName(status))}});
  };
  if (cal == nullptr) {
    add(from, until, calendar::MarketStatus::kUnknown);
    return segments;
  }
  const auto& transitions = cal->transitions();
  auto it = std::upper_bound(
      transitions.begin(), transitions.end(), from,
      [](TimePoint t, const calendar::CalendarTransition& tr) { return t < tr.at; });
  // The transition in force at `from` is the one before `it` (the first is at the earliest time).
  if (it != transitions.begin()) --it;
  for (; it != transitions.end() && it->at < until; ++it) {
    const TimePoint end = std::next(it) == transitions.end() ? until : std::next(it)->at;
    add(std::max(it->at, from), std::min(end, until), it->state.status);
  }
  return segments;
}

Json MarketJson(const ContractView& c, TimePoint now) {
  const bool trading = calendar::IsTrading(c.market.status);
  const std::optional<TimePoint> next = trading ? c.market.next_close : c.market.next_open;
  return {
      {"status", std::string(calendar::MarketStatusName(c.market.status))},
      {"next_open", IsoOrNull(c.market.next_open)},
      {"next_close", IsoOrNull(c.market.next_close)},
      {"next_change", next ? Json(trading ? "close" : "open") : Json(nullptr)},
      {"next_change_ms", MsOrNull(next)},
      {"seconds_to_next_change", next ? Json(Seconds(*next - now)) : Json(nullptr)},
  };
}

// The timeline's window: see the header.
std::pair<TimePoint, TimePoint> Window(const RecorderView& view, Duration span) {
  const TimePoint earliest = view.now - span;
  TimePoint from = view.started_at;
  for (const auto& gap : view.gaps) {
    if (gap.end >= earliest) from = std::min(from, gap.start);
  }
  from = std::max(std::min(from, view.now), earliest);
  const Duration ahead = std::max<Duration>(15min, (view.now - from) / 5);
  return {from, view.now + ahead};
}

Json StreamsJson(const RecorderView& view, const NameBook& book, std::optional<int64_t> since) {
  std::map<StreamKey, const recorder::StreamActivity*> activity;
  if (view.history) {
    for (const auto& a : view.history->streams) activity[a.key] = &a;
  }
  Json streams = Json::array();
  for (const auto& c : view.contracts) {
    for (const auto& s : c.streams) {
      Json stream = Json::object();
      AddNames(stream, book, c.contract_id);
      stream["tick_type"] = std::string(TickTypeName(s.key.type));
      stream["route"] = s.route;
      stream["subscribed"] = s.subscribed;
      stream["health"] = std::string(reliability::HealthStatusName(s.health.status));
      stream["ticks"] = s.ticks;
      stream["backfilled_ticks"] = s.backfilled_ticks;
      stream["last_tick_received"] = IsoOrNull(s.last_tick_received);
      stream["last_tick_age_seconds"] =
          s.last_tick_received ? Json(Seconds(view.now - *s.last_tick_received)) : Json(nullptr);
      stream["interrupted_since"] = IsoOrNull(s.interrupted_since);
      stream["interruption_cause"] = s.interruption_cause;
      Json minutes = Json::array();
      Json first = nullptr;
      auto it = activity.find(s.key);
      if (it != activity.end()) {
        const recorder::StreamActivity& a = *it->second;
        size_t skip = 0;
        if (since) {
          const TimePoint since_minute =
              std::chrono::floor<std::chrono::minutes>(FromUnixNanos(*since * 1'000'000));
          if (since_minute > a.first_minute) {
            skip = static_cast<size_t>(
                std::chrono::duration_cast<std::chrono::minutes>(since_minute - a.first_minute)
                    .count());
          }
        }
        skip = std::min(skip, a.per_minute.size());
        first = Ms(a.first_minute + std::chrono::minutes(skip));
        for (size_t i = skip; i < a.per_minute.size(); ++i) minutes.push_back(a.per_minute[i]);
      }
      stream["first_minute_ms"] = first;
      stream["per_minute"] = std::move(minutes);
      streams.push_back(std::move(stream));
    }
  }
  return streams;
}

Json GapsJson(const RecorderView& view, const NameBook& book) {
  Json gaps = Json::array();
  for (const auto& gap : view.gaps) {
    Json g = {{"id", gap.id}};
    AddNames(g, book, gap.stream.contract_id);
    g["tick_type"] = std::string(TickTypeName(gap.stream.type));
    g["start"] = FormatIsoUtc(gap.start);
    g["end"] = FormatIsoUtc(gap.end);
    g["start_ms"] = Ms(gap.start);
    g["end_ms"] = Ms(gap.end);
    g["duration_seconds"] = Seconds(gap.end - gap.start);
    g["cause"] = gap.cause;
    g["state"] = std::string(storage::BackfillStateName(gap.state));
    g["reason"] = gap.reason;
    gaps.push_back(std::move(g));
  }
  return gaps;
}

Json AlertHistoryJson(const HistoryView* history, const NameBook& book,
                      std::optional<int64_t> since) {
  Json alerts = Json::array();
  if (history == nullptr) return alerts;
  for (const auto& a : history->alerts) {
    if (since && a.resolved_at && Ms(a.resolved_at.value()) < *since && Ms(a.fired_at) < *since) {
      continue;
    }
    Json entry = {{"rule", a.rule}, {"severity", std::string(AlertSeverityName(a.severity))}};
    AddNames(entry, book, a.contract_id);
    entry["summary"] = a.summary;
    entry["fired_at"] = FormatIsoUtc(a.fired_at);
    entry["fired_ms"] = Ms(a.fired_at);
    entry["resolved_at"] = IsoOrNull(a.resolved_at);
    entry["resolved_ms"] = MsOrNull(a.resolved_at);
    alerts.push_back(std::move(entry));
  }
  return alerts;
}

Json ConnectionsJson(const HistoryView* history, std::optional<int64_t> since) {
  Json events = Json::array();
  if (history == nullptr) return events;
  for (const auto& e : history->connections) {
    if (since && Ms(e.at) < *since) continue;
    events.push_back({{"kind", std::string(recorder::ConnectionEventKindName(e.kind))},
                      {"at", FormatIsoUtc(e.at)},
                      {"at_ms", Ms(e.at)},
                      {"count", e.count},
                      {"reason", e.reason}});
  }
  return events;
}

}  // namespace

std::string DashboardJson(const RecorderView& view, std::optional<int64_t> since_ms) {
  const HistoryView* history = view.history.get();
  const int minutes = history != nullptr ? history->minutes : 360;
  const auto [from, until] = Window(view, std::chrono::minutes(minutes));
  const NameBook book(view);

  Json contracts = Json::array();
  for (const auto& c : view.contracts) {
    Json contract = Json::object();
    AddNames(contract, book, c.contract_id);
    if (c.contract_id == 0) {
      contract["contract_id"] = nullptr;
      contract["label"] = NamesOf(c).label;
    }
    contract["local_symbol"] = c.local_symbol;
    contract["description"] = c.description;
    contract["resolve_error"] = c.resolve_error;
    contract["market"] = MarketJson(c, view.now);
    const auto cal = CalendarOf(c);
    contract["sessions"] = SessionsJson(cal.get(), from, until);
    contracts.push_back(std::move(contract));
  }
  Json firing = Json::array();
  for (const auto& a : view.alerts) {
    Json entry = {{"rule", a.rule}, {"severity", std::string(AlertSeverityName(a.severity))}};
    AddNames(entry, book, a.contract_id);
    entry["summary"] = a.summary;
    entry["starts_at"] = FormatIsoUtc(a.starts_at);
    entry["starts_ms"] = Ms(a.starts_at);
    firing.push_back(std::move(entry));
  }
  Json body = {
      {"now", FormatIsoUtc(view.now)},
      {"now_ms", Ms(view.now)},
      {"started_at", FormatIsoUtc(view.started_at)},
      {"since_ms", since_ms ? Json(*since_ms) : Json(nullptr)},
      {"overall", std::string(reliability::HealthStatusName(view.overall))},
      {"gateway",
       {{"state", view.gateway.state},
        {"connected", view.gateway.connected},
        {"host", view.gateway.host},
        {"port", view.gateway.port},
        {"connected_since", IsoOrNull(view.gateway.connected_since)},
        {"down_since", IsoOrNull(view.gateway.down_since)},
        {"last_disconnect_reason", view.gateway.last_disconnect_reason}}},
      {"counters",
       {{"ticks_stored", view.counters.ticks_stored},
        {"ticks_backfilled", view.counters.ticks_backfilled},
        {"sessions_lost", view.counters.sessions_lost},
        {"reconnects", view.counters.reconnects},
        {"gaps_opened", view.counters.gaps_opened},
        {"alerts_fired", view.counters.alerts_fired}}},
      {"history_minutes", minutes},
      {"window", {{"from_ms", Ms(from)}, {"until_ms", Ms(until)}}},
      {"contracts", std::move(contracts)},
      {"streams", StreamsJson(view, book, since_ms)},
      {"gaps", GapsJson(view, book)},
      {"alerts_firing", std::move(firing)},
      {"alert_history", AlertHistoryJson(history, book, since_ms)},
      {"connection_events", ConnectionsJson(history, since_ms)},
  };
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Response Dashboard(ApiState& api, const Request& request) {
  const IntParam since = ReadIntParam(request, "since", 0, int64_t{1} << 52);
  if (since.error) return *since.error;
  Response response = JsonResponse(DashboardJson(*api.source->View(), since.value));
  response.headers.emplace_back("Cache-Control", "no-cache");
  return response;
}

}  // namespace ibstream::http
