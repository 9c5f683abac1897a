#include "http/live_streams.h"

#include <algorithm>
#include <string>
#include <utility>

#include "http/api_common.h"

namespace ibstream::http {
namespace {

using recorder::ContractView;

Json ContractInfo(const ContractView& c) {
  return {{"contract_id", c.contract_id}, {"symbol", c.symbol},
          {"sec_type", c.sec_type},       {"exchange", c.exchange},
          {"currency", c.currency},       {"local_symbol", c.local_symbol}};
}

// The tick types of a live request: the path's {tick_type}, or the tick_types query parameter.
Result<std::vector<TickType>> LiveTickTypes(const Request& request, bool type_in_path) {
  if (type_in_path) return ParseTickTypes(request.path_params.at("tick_type"));
  if (auto csv = request.Query("tick_types")) return ParseTickTypes(*csv);
  return InvalidArgument("tick_types is required");
}

}  // namespace

SseParams ReadSseParams(const Request& request) {
  SseParams out;
  IntParam limit = ReadIntParam(request, "limit", 1, 10000);
  if (limit.error) {
    out.error = limit.error;
    return out;
  }
  IntParam timeout = ReadIntParam(request, "timeout", 5, 3600);
  if (timeout.error) {
    out.error = timeout.error;
    return out;
  }
  out.limit = limit.value;
  out.timeout = timeout.value;
  if (auto include = request.Query("include")) {
    if (*include != "backfill") {
      out.error = Error(400, "include must be backfill",
                        {{"code", "INVALID_PARAMETER"}, {"include", *include}});
      return out;
    }
    out.include_backfill = true;
  }
  return out;
}

LiveStreams::LiveStreams(std::shared_ptr<ApiState> state)
    : state_(std::move(state)), timeouts_(*state_->options.steady_clock) {}

LiveStreams::~LiveStreams() {
  timeouts_.Stop();
  // Ends the subscriptions of streams still running (they hold their sessions). No event is
  // sent: the server, and the loop that wakes its writers, may be gone already.
  for (auto& weak : sessions_) {
    if (auto session = weak.lock()) session->OnClientGone();
  }
}

Response LiveStreams::Live(const Request& request, std::shared_ptr<SseSink> sink,
                           bool type_in_path) {
  auto view = state_->source->View();
  auto lookup = LookupContract(request, *view);
  if (lookup.error) return *lookup.error;
  Result<std::vector<TickType>> types = LiveTickTypes(request, type_in_path);
  if (!types.ok()) {
    return Error(400, types.status().message(), {{"code", "INVALID_TICK_TYPE"}});
  }
  SseParams params = ReadSseParams(request);
  if (params.error) return *params.error;
  if (auto refusal = RefuseUnrecorded(*lookup.contract, types.value())) return *refusal;
  if (auto refusal = CheckStreamLimit()) return *refusal;

  auto session = StartSession(sink, *lookup.contract, types.value(), params.limit);
  for (TickType type : types.value()) {
    Json data = {{"status", "subscribed"},
                 {"contract_info", ContractInfo(*lookup.contract)},
                 {"stream_config",
                  {{"tick_type", std::string(TickTypeName(type))},
                   {"contract_info", ContractInfo(*lookup.contract)},
                   {"limit", params.limit ? Json(*params.limit) : Json(nullptr)},
                   {"timeout", params.timeout ? Json(*params.timeout) : Json(nullptr)}}}};
    session->PushEvent("info", session->StreamId(type), data);
  }
  SubscribeLive(session, lookup.id, types.value(), params.include_backfill);
  EndAfter(params.timeout, session);
  Response ok;
  ok.headers = {{"X-IB-Stream-Version", "2.0.0"},
                {"Access-Control-Allow-Headers", "Cache-Control"}};
  return ok;
}

std::optional<Response> LiveStreams::CheckStreamLimit() const {
  if (state_->sse_active.load() >= state_->options.max_sse_streams) {
    return Error(
        429, "too many streams",
        {{"code", "RATE_LIMIT_EXCEEDED"}, {"max_streams", state_->options.max_sse_streams}});
  }
  return std::nullopt;
}

std::shared_ptr<SseSession> LiveStreams::StartSession(const std::shared_ptr<SseSink>& sink,
                                                      const ContractView& c,
                                                      const std::vector<TickType>& types,
                                                      std::optional<int64_t> limit) {
  std::map<TickType, std::string> ids;
  for (TickType t : types) ids[t] = state_->NewStreamId(c.contract_id, t);
  auto session = std::make_shared<SseSession>(state_, sink, c.contract_id, ids, limit);
  state_->sse_started.fetch_add(1);
  state_->sse_active.fetch_add(1);
  {
    std::lock_guard lock(mu_);
    std::erase_if(sessions_, [](const std::weak_ptr<SseSession>& w) { return w.expired(); });
    sessions_.push_back(session);
  }
  std::weak_ptr<ApiState> weak_state = state_;
  // Weak: the sink belongs to the session, a strong reference would be a cycle.
  std::weak_ptr<SseSession> weak_session = session;
  sink->SetOnClose([weak_session, weak_state] {
    if (auto live = weak_session.lock()) live->OnClientGone();
    if (auto state = weak_state.lock()) state->sse_active.fetch_sub(1);
  });
  return session;
}

void LiveStreams::SubscribeLive(const std::shared_ptr<SseSession>& session, int64_t contract_id,
                                const std::vector<TickType>& types, bool include_backfill) {
  recorder::TickFanout::Filter filter;
  filter.contract_id = contract_id;
  filter.types = types;
  // Live ticks as IB delivers them, whether storage took them or not.
  if (!include_backfill) filter.source = TickSource::kLive;
  session->fanout_id = state_->source->Subscribe(
      std::move(filter), [session](const Tick& tick, recorder::TickOrigin origin) {
        // A backfilled tick storage refused is asked again: only stored ones are sent.
        if (tick.source == TickSource::kBackfill && origin != recorder::TickOrigin::kBackfilled) {
          return true;
        }
        return session->OnLive(tick);
      });
}

namespace {

void AppendStreams(const SseSession& session, std::vector<LiveStreams::ActiveStream>& out) {
  for (const auto& [type, id] : session.stream_ids()) {
    out.push_back({id, session.contract_id(), type, session.started()});
  }
}

}  // namespace

std::vector<LiveStreams::ActiveStream> LiveStreams::Active() {
  std::vector<std::shared_ptr<SseSession>> running;
  {
    std::lock_guard lock(mu_);
    for (const auto& weak : sessions_) {
      if (auto session = weak.lock()) running.push_back(std::move(session));
    }
  }
  std::vector<ActiveStream> out;
  for (const auto& session : running) {
    if (!session->finished()) AppendStreams(*session, out);
  }
  return out;
}

std::vector<LiveStreams::ActiveStream> LiveStreams::Stop(std::optional<int64_t> contract_id) {
  std::vector<std::shared_ptr<SseSession>> chosen;
  {
    std::lock_guard lock(mu_);
    for (const auto& weak : sessions_) {
      auto session = weak.lock();
      if (session && (!contract_id || session->contract_id() == *contract_id)) {
        chosen.push_back(std::move(session));
      }
    }
  }
  std::vector<ActiveStream> out;
  // Outside mu_: Finish takes the session's lock and unsubscribes from the fan-out.
  for (const auto& session : chosen) {
    if (session->finished()) continue;
    AppendStreams(*session, out);
    session->Finish("manual_stop");
  }
  return out;
}

void LiveStreams::EndAfter(std::optional<int64_t> seconds,
                           const std::shared_ptr<SseSession>& session) {
  if (!seconds) return;
  timeouts_.At(state_->options.steady_clock->Now() + std::chrono::seconds(*seconds),
               [weak = std::weak_ptr<SseSession>(session)] {
                 if (auto s = weak.lock()) s->Finish("timeout");
               });
}

}  // namespace ibstream::http
