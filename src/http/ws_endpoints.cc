#include "http/ws_endpoints.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "http/json_body.h"
#include "http/sse_json.h"
#include "http/ws_protocol.h"

namespace ibstream::http {
// One client of the v2 protocol: its streams, its message rate, its statistics.
class WsProtocolClient : public std::enable_shared_from_this<WsProtocolClient> {
 public:
  WsProtocolClient(std::shared_ptr<ApiState> state, std::weak_ptr<WsStreams> owner,
                   const std::shared_ptr<WsConnection>& connection, std::string id)
      : state_(std::move(state)),
        owner_(std::move(owner)),
        connection_(connection),
        id_(std::move(id)),
        connected_at_(state_->source->Now()),
        last_activity_(connected_at_) {}

  const std::string& id() const { return id_; }

  // Server thread.
  void OnMessage(std::string_view text, bool binary) {
    auto connection = connection_.lock();
    if (!connection) return;
    state_->ws_messages.fetch_add(1, std::memory_order_relaxed);
    const TimePoint now = state_->source->Now();
    bool admitted = false;
    {
      std::lock_guard lock(mu_);
      ++message_count_;
      last_activity_ = now;
      admitted = rate_.Admit(state_->options.steady_clock->Now());
    }
    if (!admitted) {
      state_->ws_rate_limited.fetch_add(1);
      connection->Send(WsRateLimitError(now));
      connection->Close(kWsCloseRateLimitExceeded, "Too many messages");
      return;
    }
    if (binary) {
      state_->ws_invalid_messages.fetch_add(1);
      connection->Send(
          WsInvalidMessageError("binary messages are not accepted: send JSON text", now));
      return;
    }
    Result<WsClientMessage> message = ParseWsClientMessage(text);
    if (!message.ok()) {
      state_->ws_invalid_messages.fetch_add(1);
      connection->Send(WsInvalidMessageError(message.status().message(), now));
      return;
    }
    switch (message.value().type) {
      case WsMessageType::kSubscribe:
        Subscribe(*connection, message.value(), now);
        break;
      case WsMessageType::kUnsubscribe:
        Unsubscribe(*connection, message.value().stream_id, now);
        break;
      case WsMessageType::kPing:
        connection->Send(WsPongMessage(message.value().id, message.value().timestamp, now));
        break;
    }
  }

  // Recorder thread. False: unsubscribe this consumer.
  bool OnTick(const std::string& stream_id, const Tick& tick) {
    auto connection = connection_.lock();
    if (!connection) return false;
    std::lock_guard lock(mu_);
    auto it = streams_.find(stream_id);
    if (it == streams_.end()) return false;
    const TimePoint now = state_->source->Now();
    if (!connection->Send(WsTickMessage(stream_id, tick, now))) return false;
    state_->ws_ticks_sent.fetch_add(1, std::memory_order_relaxed);
    Stream& s = it->second;
    ++s.sent;
    if (s.limit && static_cast<int64_t>(s.sent) >= *s.limit) {
      connection->Send(
          WsCompleteMessage(stream_id, "limit_reached", s.sent, Seconds(now - s.started), now));
      EraseLocked(it);
      return false;
    }
    return true;
  }

  // Ends one stream with a `complete` message (timer thread: reason "timeout").
  void EndStream(const std::string& stream_id, std::string_view reason) {
    uint64_t fanout_id = 0;
    {
      std::lock_guard lock(mu_);
      auto it = streams_.find(stream_id);
      if (it == streams_.end()) return;
      const TimePoint now = state_->source->Now();
      if (auto connection = connection_.lock()) {
        connection->Send(WsCompleteMessage(stream_id, reason, it->second.sent,
                                           Seconds(now - it->second.started), now));
      }
      fanout_id = it->second.fanout_id;
      EraseLocked(it);
    }
    // Outside the lock: the fan-out may be delivering a tick that waits for it.
    state_->source->Unsubscribe(fanout_id);
  }

  // The client is gone (or the API stops): every subscription ends, nothing is sent.
  void EndAll() {
    std::vector<uint64_t> ids;
    {
      std::lock_guard lock(mu_);
      for (auto it = streams_.begin(); it != streams_.end();) {
        ids.push_back(it->second.fanout_id);
        it = EraseLocked(it);
      }
    }
    for (uint64_t id : ids) state_->source->Unsubscribe(id);
  }

  Json StatsJson() {
    std::lock_guard lock(mu_);
    Json streams = Json::array();
    for (const auto& [stream_id, s] : streams_) streams.push_back(stream_id);
    return {{"connection_id", id_},
            {"connected_at", FormatIsoUtc(connected_at_)},
            {"last_activity", FormatIsoUtc(last_activity_)},
            {"message_count", message_count_},
            {"stream_count", streams_.size()},
            {"streams", streams}};
  }

  size_t stream_count() {
    std::lock_guard lock(mu_);
    return streams_.size();
  }

 private:
  struct Stream {
    int64_t contract_id = 0;
    TickType type = TickType::kBidAsk;
    std::optional<int64_t> limit;
    TimePoint started;
    uint64_t sent = 0;
    uint64_t fanout_id = 0;
  };
  using StreamMap = std::map<std::string, Stream>;

  StreamMap::iterator EraseLocked(StreamMap::iterator it) {
    state_->ws_streams_active.fetch_sub(1);
    return streams_.erase(it);
  }

  void Subscribe(WsConnection& connection, const WsClientMessage& m, TimePoint now) {
    auto view = state_->source->View();
    const recorder::ContractView* contract = FindContract(*view, m.contract_id);
    if (contract == nullptr) {
      connection.Send(WsContractNotFoundError(m.contract_id, now));
      return;
    }
    for (TickType type : m.tick_types) {
      if (RefuseUnrecorded(*contract, {type})) {
        connection.Send(
            WsErrorMessage("", "INVALID_TICK_TYPE", "tick type not recorded for this contract",
                           {{"contract_id", m.contract_id},
                            {"tick_type", std::string(TickTypeName(type))},
                            {"recorded_tick_types", TypeNames(contract->expected_types)}},
                           false, now));
        return;
      }
    }
    std::vector<std::pair<std::string, TickType>> created;
    {
      std::lock_guard lock(mu_);
      if (streams_.size() + m.tick_types.size() > kWsMaxStreamsPerConnection) {
        connection.Send(WsRateLimitError(now));
        return;
      }
      for (TickType type : m.tick_types) {
        std::string stream_id = state_->NewStreamId(m.contract_id, type);
        Stream s;
        s.contract_id = m.contract_id;
        s.type = type;
        s.limit = m.config.limit;
        s.started = now;
        streams_.emplace(stream_id, s);
        state_->ws_streams_active.fetch_add(1);
        created.emplace_back(std::move(stream_id), type);
      }
      // Before the first tick can be queued.
      connection.Send(WsSubscribedMessage(m.id, created, now));
    }
    std::weak_ptr<WsProtocolClient> weak = shared_from_this();
    for (const auto& stream : created) {
      const std::string stream_id = stream.first;
      recorder::TickFanout::Filter filter;
      filter.contract_id = m.contract_id;
      filter.types = {stream.second};
      filter.source = TickSource::kLive;
      const uint64_t fanout_id = state_->source->Subscribe(
          std::move(filter), [weak, stream_id](const Tick& tick, recorder::TickOrigin) {
            auto client = weak.lock();
            return client && client->OnTick(stream_id, tick);
          });
      bool still_there = false;
      {
        std::lock_guard lock(mu_);
        auto it = streams_.find(stream_id);
        if (it != streams_.end()) {
          it->second.fanout_id = fanout_id;
          still_there = true;
        }
      }
      if (!still_there) {
        state_->source->Unsubscribe(fanout_id);  // ended at once (e.g. the client left)
        continue;
      }
      if (m.config.timeout_seconds) {
        if (auto owner = owner_.lock()) {
          owner->AddDeadline(
              state_->options.steady_clock->Now() + std::chrono::seconds(*m.config.timeout_seconds),
              weak, stream_id);
        }
      }
    }
  }

  void Unsubscribe(WsConnection& connection, const std::string& stream_id, TimePoint now) {
    uint64_t fanout_id = 0;
    {
      std::lock_guard lock(mu_);
      auto it = streams_.find(stream_id);
      if (it == streams_.end()) {
        connection.Send(WsErrorMessage(stream_id, "INVALID_REQUEST", "Stream not found",
                                       Json::object(), false, now));
        return;
      }
      connection.Send(WsCompleteMessage(stream_id, "client_disconnect", it->second.sent,
                                        Seconds(now - it->second.started), now));
      fanout_id = it->second.fanout_id;
      EraseLocked(it);
    }
    state_->source->Unsubscribe(fanout_id);
  }

  const std::shared_ptr<ApiState> state_;
  const std::weak_ptr<WsStreams> owner_;
  // Weak: the connection holds this client (its receivers), a strong reference would be a cycle.
  const std::weak_ptr<WsConnection> connection_;
  const std::string id_;
  const TimePoint connected_at_;

  std::mutex mu_;
  TimePoint last_activity_;  // guarded by mu_, as is everything below
  uint64_t message_count_ = 0;
  MessageRateWindow rate_{kWsMaxMessagesPerSecond};
  StreamMap streams_;
};

void WriteWsMetrics(const ApiState& api, PrometheusWriter& w) {
  auto value = [](const auto& a) { return static_cast<double>(a.load()); };
  w.Family("ibstream_ws_clients", "gauge", "WebSocket protocol clients connected.");
  w.Sample(value(api.ws_active));
  w.Family("ibstream_ws_streams", "gauge", "WebSocket streams subscribed.");
  w.Sample(value(api.ws_streams_active));
  w.Family("ibstream_ws_connections_total", "counter", "WebSocket protocol clients accepted.");
  w.Sample(value(api.ws_connections_total));
  w.Family("ibstream_ws_connections_refused_total", "counter",
           "WebSocket clients closed with 4004 for too many connections from one address.");
  w.Sample(value(api.ws_refused));
  w.Family("ibstream_ws_messages_total", "counter", "Messages received from WebSocket clients.");
  w.Sample(value(api.ws_messages));
  w.Family("ibstream_ws_invalid_messages_total", "counter",
           "WebSocket messages refused: not JSON, binary, an unknown type or a schema error.");
  w.Sample(value(api.ws_invalid_messages));
  w.Family("ibstream_ws_rate_limited_total", "counter",
           "WebSocket clients closed with 4004 for sending more than 100 messages a second.");
  w.Sample(value(api.ws_rate_limited));
  w.Family("ibstream_ws_ticks_sent_total", "counter", "Ticks queued to WebSocket clients.");
  w.Sample(value(api.ws_ticks_sent));
  w.Family("ibstream_ws_clients_dropped_total", "counter",
           "WebSocket clients dropped because they did not keep up.");
  w.Sample(value(api.ws_dropped));
}

Json WsCountersJson(const ApiState& api) {
  return {{"clients", api.ws_active.load()},
          {"streams", api.ws_streams_active.load()},
          {"connections", api.ws_connections_total.load()},
          {"connections_refused", api.ws_refused.load()},
          {"messages", api.ws_messages.load()},
          {"invalid_messages", api.ws_invalid_messages.load()},
          {"rate_limited", api.ws_rate_limited.load()},
          {"ticks_sent", api.ws_ticks_sent.load()},
          {"clients_dropped", api.ws_dropped.load()}};
}

void RegisterWebSocketApi(Router& router, const std::shared_ptr<ApiState>& state) {
  auto ws = std::make_shared<WsStreams>(state);
  auto stream = [ws](const Request& r, std::shared_ptr<WsConnection> c) {
    return ws->Stream(r, std::move(c));
  };
  router.WebSocket("/v2/ws/stream", stream);
  router.WebSocket("/ws/stream/{id}/multi", stream);  // before {tick_type}
  router.WebSocket("/ws/stream/{id}/{tick_type}",
                   [ws](const Request& r, std::shared_ptr<WsConnection> c) {
                     return ws->TypedStream(r, std::move(c));
                   });
  router.WebSocket("/ws/control", [ws](const Request& r, std::shared_ptr<WsConnection> c) {
    return ws->Control(r, std::move(c));
  });
  router.Get("/ws/stats", [ws](const Request& r) { return ws->Stats(r); });
}

WsStreams::WsStreams(std::shared_ptr<ApiState> state)
    : state_(std::move(state)), timeouts_(*state_->options.steady_clock) {}

WsStreams::~WsStreams() {
  timeouts_.Stop();
  std::map<std::string, std::shared_ptr<WsProtocolClient>> clients;
  {
    std::lock_guard lock(mu_);
    clients.swap(clients_);
  }
  for (auto& [id, client] : clients) client->EndAll();
}

Response WsStreams::Stream(const Request&, std::shared_ptr<WsConnection> connection) {
  const std::string peer = connection->peer();
  std::shared_ptr<WsProtocolClient> client;
  {
    std::lock_guard lock(mu_);
    if (per_address_[peer] >= kWsMaxConnectionsPerAddress) {
      state_->ws_refused.fetch_add(1);
      connection->Close(kWsCloseRateLimitExceeded, "Too many connections from this IP");
      return Response{};
    }
    ++per_address_[peer];
    const std::string id = "ws_" + std::to_string(ToUnixNanos(state_->source->Now()) / 1'000'000) +
                           "_" + std::to_string(next_client_++);
    client = std::make_shared<WsProtocolClient>(state_, weak_from_this(), connection, id);
    clients_[id] = client;
  }
  state_->ws_connections_total.fetch_add(1);
  state_->ws_active.fetch_add(1);
  connection->SetOnMessage(
      [client](std::string_view text, bool binary) { client->OnMessage(text, binary); });
  std::weak_ptr<WsStreams> weak_self = weak_from_this();
  std::weak_ptr<WsConnection> weak_connection = connection;
  connection->SetOnClose([weak_self, client, weak_connection, peer, state = state_] {
    client->EndAll();
    if (auto c = weak_connection.lock(); c && c->close_code() == kWsCloseTooSlow) {
      state->ws_dropped.fetch_add(1);
    }
    state->ws_active.fetch_sub(1);
    if (auto self = weak_self.lock()) self->OnClientGone(client->id(), peer);
  });
  connection->Send(WsConnectedMessage(state_->source->Now()));
  return Response{};
}

Response WsStreams::TypedStream(const Request& request, std::shared_ptr<WsConnection> connection) {
  if (!ParseContractId(request.path_params.at("id"))) {
    return Error(400, "Invalid contract ID", {{"contract_id", request.path_params.at("id")}});
  }
  const std::string& name = request.path_params.at("tick_type");
  Result<TickType> type = ParseTickType(name);
  if (!type.ok() || (!IsTickByTick(type.value()) && type.value() != TickType::kDepth)) {
    state_->ws_invalid_messages.fetch_add(1);
    connection->Close(kWsCloseInvalidContract, "Invalid tick type: " + name);
    return Response{};
  }
  return Stream(request, std::move(connection));
}

Response WsStreams::Control(const Request&, std::shared_ptr<WsConnection> connection) {
  std::weak_ptr<WsStreams> weak_self = weak_from_this();
  std::weak_ptr<WsConnection> weak_connection = connection;
  auto rate = std::make_shared<MessageRateWindow>(kWsMaxMessagesPerSecond);
  connection->SetOnMessage([weak_self, weak_connection, rate, state = state_](std::string_view text,
                                                                              bool binary) {
    auto self = weak_self.lock();
    auto c = weak_connection.lock();
    if (!self || !c) return;
    state->ws_messages.fetch_add(1, std::memory_order_relaxed);
    if (!rate->Admit(state->options.steady_clock->Now())) {
      state->ws_rate_limited.fetch_add(1);
      c->Close(kWsCloseRateLimitExceeded, "Too many messages");
      return;
    }
    Result<Json> parsed = binary ? Result<Json>(InvalidArgument("binary messages are not accepted"))
                                 : ParseJsonBody(text, 8);
    if (!parsed.ok() || !parsed.value().is_object()) {
      // As the original: an error, then the connection closes.
      state->ws_invalid_messages.fetch_add(1);
      const std::string why = parsed.ok() ? std::string("a control message is a JSON object")
                                          : parsed.status().message();
      c->Send(PythonJson(Json{{"type", "error"}, {"message", "Error: " + why}}));
      c->Close(kWsCloseNormal, "");
      return;
    }
    const Json& m = parsed.value();
    const Json type = m.contains("type") ? m.at("type") : Json(nullptr);
    if (type == "get_stats") {
      c->Send(PythonJson(Json{{"type", "stats"}, {"data", self->StatsJson()}}));
    } else if (type == "ping") {
      c->Send(PythonJson(
          Json{{"type", "pong"},
               {"timestamp", m.contains("timestamp") ? m.at("timestamp") : Json(nullptr)}}));
    } else {
      state->ws_invalid_messages.fetch_add(1);
      const std::string name = type.is_string() ? type.get<std::string>()
                               : type.is_null() ? std::string("None")
                                                : PythonJson(type);
      c->Send(PythonJson(
          Json{{"type", "error"}, {"message", "Unknown control message type: " + name}}));
    }
  });
  connection->Send(PythonJson(Json{{"type", "status"}, {"data", StatsJson()}}));
  return Response{};
}

Response WsStreams::Stats(const Request&) { return JsonOk(StatsJson()); }

Json WsStreams::StatsJson() {
  std::vector<std::shared_ptr<WsProtocolClient>> clients;
  Json by_address = Json::object();
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, client] : clients_) clients.push_back(client);
    for (const auto& [address, count] : per_address_) by_address[address] = count;
  }
  Json details = Json::array();
  size_t streams = 0;
  for (const auto& client : clients) {
    Json d = client->StatsJson();
    streams += d["stream_count"].get<size_t>();
    details.push_back(std::move(d));
  }
  return {{"total_connections", clients.size()},
          {"total_streams", streams},
          {"connection_details", details},
          {"connections_by_ip", by_address}};
}

void WsStreams::OnClientGone(const std::string& connection_id, const std::string& peer) {
  std::lock_guard lock(mu_);
  clients_.erase(connection_id);
  if (auto it = per_address_.find(peer); it != per_address_.end() && --it->second == 0) {
    per_address_.erase(it);
  }
}

void WsStreams::AddDeadline(SteadyTimePoint at, std::weak_ptr<WsProtocolClient> client,
                            std::string stream_id) {
  timeouts_.At(at, [client = std::move(client), stream_id = std::move(stream_id)] {
    if (auto c = client.lock()) c->EndStream(stream_id, "timeout");
  });
}

}  // namespace ibstream::http
