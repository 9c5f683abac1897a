#include "reliability/stream_health.h"

#include <algorithm>

namespace ibstream::reliability {
namespace {

const ContractReliabilityOptions kDefaultOptions{};

TimePoint Latest(TimePoint a, std::optional<TimePoint> b) { return b && *b > a ? *b : a; }

// When a status change really happened: the calendar's announced instant when it falls between
// the previous report and this one, else the time of this report.
TimePoint ChangeInstant(std::optional<TimePoint> announced, TimePoint previous_update,
                        TimePoint now) {
  if (announced && *announced >= previous_update && *announced <= now) return *announced;
  return now;
}

}  // namespace

std::string_view DataFlowName(DataFlow flow) {
  switch (flow) {
    case DataFlow::kFlowing:
      return "flowing";
    case DataFlow::kAwaitingData:
      return "awaiting_data";
    case DataFlow::kSilent:
      return "silent";
    case DataFlow::kStale:
      return "stale";
    case DataFlow::kNotExpected:
      return "not_expected";
    case DataFlow::kBreakTooLong:
      return "break_too_long";
    case DataFlow::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view StreamIssueName(StreamIssue issue) {
  switch (issue) {
    case StreamIssue::kNone:
      return "none";
    case StreamIssue::kPermissionDenied:
      return "permission_denied";
    case StreamIssue::kLimitReached:
      return "limit_reached";
    case StreamIssue::kSocketDown:
      return "socket_down";
    case StreamIssue::kGatewayLostIb:
      return "gateway_lost_ib";
    case StreamIssue::kFarmDown:
      return "farm_down";
    case StreamIssue::kCompetingSession:
      return "competing_session";
    case StreamIssue::kRequestRejected:
      return "request_rejected";
    case StreamIssue::kNoData:
      return "no_data";
    case StreamIssue::kDelayedData:
      return "delayed_data";
  }
  return "none";
}

void StreamHealthMonitor::AddStream(const StreamKey& stream,
                                    const ContractReliabilityOptions& options,
                                    std::optional<TimePoint> added_at) {
  contracts_[stream.contract_id].options = options;
  auto [it, inserted] = streams_.try_emplace(stream);
  if (inserted) it->second.added_at = added_at;
}

void StreamHealthMonitor::RemoveStream(const StreamKey& stream) {
  streams_.erase(stream);
  for (const auto& [key, state] : streams_) {
    if (key.contract_id == stream.contract_id) return;
  }
  contracts_.erase(stream.contract_id);
}

std::vector<StreamKey> StreamHealthMonitor::Streams() const {
  std::vector<StreamKey> keys;
  keys.reserve(streams_.size());
  for (const auto& [key, state] : streams_) keys.push_back(key);
  return keys;
}

const StreamHealthMonitor::ContractState* StreamHealthMonitor::Contract(int64_t contract_id) const {
  auto it = contracts_.find(contract_id);
  return it == contracts_.end() ? nullptr : &it->second;
}

calendar::MarketState StreamHealthMonitor::market_state(int64_t contract_id) const {
  const ContractState* c = Contract(contract_id);
  return c != nullptr && c->has_state ? c->state : calendar::MarketState{};
}

const ContractReliabilityOptions& StreamHealthMonitor::options(int64_t contract_id) const {
  const ContractState* c = Contract(contract_id);
  return c != nullptr ? c->options : kDefaultOptions;
}

void StreamHealthMonitor::OnMarketState(int64_t contract_id, const calendar::MarketState& state,
                                        TimePoint now) {
  ContractState& c = contracts_[contract_id];
  if (!c.has_state) {
    c.has_state = true;
    c.status_since = now;
    c.trading_since = now;
  } else if (state.status != c.state.status) {
    const bool was_trading = calendar::IsTrading(c.state.status);
    const bool is_trading = calendar::IsTrading(state.status);
    TimePoint at = now;
    if (is_trading && !was_trading) {
      at = ChangeInstant(c.state.next_open, c.last_update, now);
      c.trading_since = at;
    } else if (was_trading && !is_trading) {
      at = ChangeInstant(c.state.next_close, c.last_update, now);
    }
    // OPEN <-> EXTENDED keeps trading_since: the market never stopped.
    c.status_since = at;
  }
  c.state = state;
  c.last_update = now;
}

void StreamHealthMonitor::OnData(const StreamKey& stream, TimePoint now) {
  auto it = streams_.find(stream);
  if (it == streams_.end()) return;
  StreamState& s = it->second;
  s.last_data = now;
  s.rate.Add(now);
  s.competing_since.reset();
  s.rejected_code.reset();
  s.refused_code.reset();
  s.capacity_code.reset();
}

void StreamHealthMonitor::OnSocketUp(TimePoint now) {
  if (socket_up_) return;
  socket_up_ = true;
  socket_up_since_ = now;
  socket_down_since_.reset();
  ib_link_lost_since_.reset();
  farm_down_since_.reset();
  restored_at_ = now;
}

void StreamHealthMonitor::OnSocketDown(TimePoint now) {
  if (!socket_up_ && socket_down_since_) return;
  socket_up_ = false;
  socket_up_since_.reset();
  socket_down_since_ = now;
  ib_link_lost_since_.reset();
  farm_down_since_.reset();
  for (auto& [key, s] : streams_) {
    s.subscribed_at.reset();
    s.competing_since.reset();
    s.rejected_code.reset();
  }
}

void StreamHealthMonitor::OnConnectionNotice(IbErrorClass error_class, TimePoint now) {
  switch (error_class) {
    case IbErrorClass::kIbLinkLost:
      if (!ib_link_lost_since_) ib_link_lost_since_ = now;
      break;
    case IbErrorClass::kIbLinkRestoredDataLost:
    case IbErrorClass::kIbLinkRestoredDataKept:
      ib_link_lost_since_.reset();
      restored_at_ = now;
      break;
    case IbErrorClass::kFarmDown:
      if (!farm_down_since_) farm_down_since_ = now;
      break;
    case IbErrorClass::kFarmOk:
      if (farm_down_since_) {
        farm_down_since_.reset();
        restored_at_ = now;
      }
      break;
    default:
      break;
  }
}

void StreamHealthMonitor::OnStreamError(const StreamKey& stream, IbErrorClass error_class, int code,
                                        TimePoint now) {
  auto it = streams_.find(stream);
  if (it == streams_.end()) return;
  StreamState& s = it->second;
  switch (error_class) {
    case IbErrorClass::kCompetingSession:
      if (!s.competing_since) s.competing_since = now;
      s.competing_code = code;
      break;
    case IbErrorClass::kPermissionDenied:
      s.refused_code = code;
      break;
    case IbErrorClass::kLimitReached:
      s.capacity_code = code;
      break;
    case IbErrorClass::kAdvisory:
      s.advisory_code = code;
      break;
    case IbErrorClass::kRequestRejected:
      s.rejected_code = code;
      break;
    default:
      break;
  }
}

void StreamHealthMonitor::OnSubscribed(const StreamKey& stream, TimePoint now) {
  auto it = streams_.find(stream);
  if (it == streams_.end()) return;
  it->second.subscribed_at = now;
  if (!it->second.first_subscribed_at) it->second.first_subscribed_at = now;
  it->second.rejected_code.reset();
  it->second.capacity_code.reset();
  it->second.competing_since.reset();
}

void StreamHealthMonitor::ClearRefusal(const StreamKey& stream) {
  auto it = streams_.find(stream);
  if (it == streams_.end()) return;
  it->second.refused_code.reset();
  it->second.capacity_code.reset();
}

StreamHealth StreamHealthMonitor::Assess(const StreamKey& stream, TimePoint now,
                                         bool with_rates) const {
  StreamHealth h;
  h.stream = stream;
  auto it = streams_.find(stream);
  if (it == streams_.end()) return h;
  const StreamState& s = it->second;
  const ContractState* c = Contract(stream.contract_id);
  const ContractReliabilityOptions& opt = c != nullptr ? c->options : kDefaultOptions;
  const bool has_market = c != nullptr && c->has_state;

  h.market_status = has_market ? c->state.status : calendar::MarketStatus::kUnknown;
  h.expected_activity = calendar::ExpectedActivityFor(h.market_status);
  h.last_data = s.last_data;
  if (with_rates) {
    h.messages_per_minute_1m = s.rate.PerMinute(now, 60);
    h.messages_per_minute_5m = s.rate.PerMinute(now, 300);
  }

  // The most fundamental reason data may not flow, before looking at the data itself.
  const bool refused = s.refused_code.has_value();
  const bool capacity = !refused && s.capacity_code.has_value();
  if (refused) {
    h.issue = StreamIssue::kPermissionDenied;
    h.error_code = s.refused_code;
  } else if (capacity) {
    h.issue = StreamIssue::kLimitReached;
    h.error_code = s.capacity_code;
  } else if (!socket_up_) {
    h.issue = StreamIssue::kSocketDown;
  } else if (ib_link_lost_since_) {
    h.issue = StreamIssue::kGatewayLostIb;
  } else if (farm_down_since_ && !(s.last_data && *s.last_data > *farm_down_since_)) {
    h.issue = StreamIssue::kFarmDown;
  } else if (s.competing_since) {
    h.issue = StreamIssue::kCompetingSession;
    h.error_code = s.competing_code;
  } else if (s.rejected_code) {
    h.issue = StreamIssue::kRequestRejected;
    h.error_code = s.rejected_code;
  }
  const bool connection_problem =
      h.issue == StreamIssue::kSocketDown || h.issue == StreamIssue::kGatewayLostIb;

  if (!calendar::IsTrading(h.market_status)) {
    if (h.market_status == calendar::MarketStatus::kUnknown) {
      h.flow = DataFlow::kUnknown;
      h.status = refused ? HealthStatus::kUnhealthy : HealthStatus::kUnknown;
      return h;
    }
    const bool break_too_long = h.market_status == calendar::MarketStatus::kBreak &&
                                now - c->status_since > opt.market_break_tolerance;
    h.flow = break_too_long ? DataFlow::kBreakTooLong : DataFlow::kNotExpected;
    h.status = refused || break_too_long ? HealthStatus::kUnhealthy : HealthStatus::kOffHours;
    if (break_too_long && h.issue == StreamIssue::kNone) h.issue = StreamIssue::kNoData;
    return h;
  }

  h.threshold = h.market_status == calendar::MarketStatus::kOpen ? opt.data_staleness_threshold
                                                                 : opt.extended_staleness_threshold;
  const TimePoint restarted = Latest(c->trading_since, restored_at_);
  // Without data yet, silence counts from when the stream was added or first subscribed, when
  // that came after the restart (a stream added mid-session, e.g. upgraded from the fallback to
  // tick-by-tick, was not silent before it existed).
  const TimePoint silence_from = s.last_data
                                     ? std::max(*s.last_data, restarted)
                                     : Latest(Latest(restarted, s.added_at), s.first_subscribed_at);
  h.silence = now - silence_from;
  const TimePoint verify_from = Latest(restarted, s.subscribed_at);
  const bool data_since_restart = s.last_data && *s.last_data >= verify_from;

  if (h.silence > h.threshold) {
    h.flow = DataFlow::kStale;
  } else if (!data_since_restart) {
    h.flow =
        now - verify_from > opt.first_data_timeout ? DataFlow::kSilent : DataFlow::kAwaitingData;
  } else {
    h.flow = DataFlow::kFlowing;
  }
  if (h.issue == StreamIssue::kNone) {
    if (h.flow == DataFlow::kStale || h.flow == DataFlow::kSilent) {
      h.issue = StreamIssue::kNoData;
    } else if (s.advisory_code) {
      h.issue = StreamIssue::kDelayedData;
      h.error_code = s.advisory_code;
    }
  }

  if (capacity) {
    // Its data is recorded through the fallback once re-planned: not failed, not healthy.
    h.status = HealthStatus::kDegraded;
  } else if (refused || connection_problem || h.flow == DataFlow::kStale) {
    h.status = HealthStatus::kUnhealthy;
  } else if (h.flow == DataFlow::kSilent || h.issue != StreamIssue::kNone) {
    h.status = HealthStatus::kDegraded;
  } else if (h.flow == DataFlow::kAwaitingData) {
    // A stream that never delivered while its market traded is not healthy.
    h.status = s.last_data ? HealthStatus::kHealthy : HealthStatus::kDegraded;
  } else {
    h.status = HealthStatus::kHealthy;
  }
  return h;
}

}  // namespace ibstream::reliability
