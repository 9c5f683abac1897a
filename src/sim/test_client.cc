#include "sim/test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/clock.h"
#include "protocol/handshake.h"

namespace ibstream::sim {

Result<std::unique_ptr<TestClient>> TestClient::Connect(uint16_t port, const Options& options) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return IoError("socket: " + std::string(std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    const std::string error = std::strerror(errno);
    ::close(fd);
    return Unavailable("connect: " + error);
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  std::unique_ptr<TestClient> client(new TestClient(fd, options));
  std::string hello;
  IBSTREAM_RETURN_IF_ERROR(protocol::EncodeClientHello(
      protocol::ClientHello{options.min_version, options.max_version, options.connect_options},
      hello));
  IBSTREAM_RETURN_IF_ERROR(client->SendRaw(hello));
  if (!client->WaitFor([&] { return client->acked_; }, options.timeout)) {
    return Unavailable(client->closed_ ? "closed during the handshake" : "no connect ack");
  }
  if (options.start_api) {
    IBSTREAM_RETURN_IF_ERROR(client->Send(protocol::StartApi{options.client_id, ""}));
    if (!client->WaitFor([&] { return !client->accounts_.empty() && client->next_valid_id_ >= 0; },
                         options.timeout)) {
      return Unavailable(client->closed_ ? "closed after START_API" : "no managedAccounts");
    }
  }
  return client;
}

TestClient::~TestClient() { ::close(fd_); }

Status TestClient::SendRaw(std::string_view bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      closed_ = true;
      return IoError("send: " + std::string(std::strerror(errno)));
    }
    sent += static_cast<size_t>(n);
  }
  return Status::Ok();
}

bool TestClient::ReadOnce(std::chrono::milliseconds wait) {
  if (closed_) return false;
  pollfd p{fd_, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(wait.count()));
  if (ready <= 0) return false;
  std::span<char> span = reader_.WritableSpan(256 * 1024);
  const ssize_t n = ::recv(fd_, span.data(), span.size(), 0);
  if (n <= 0) {
    closed_ = true;
    return false;
  }
  reader_.Commit(static_cast<size_t>(n));
  Decode();
  return true;
}

void TestClient::Decode() {
  while (!protocol_error_) {
    auto frame = reader_.Next();
    if (!frame.ok()) {
      protocol_error_ = true;
      return;
    }
    if (!frame->has_value()) return;
    const std::string_view payload = **frame;
    if (!acked_) {
      auto ack = protocol::DecodeConnectAck(payload);
      if (!ack.ok()) {
        protocol_error_ = true;
        return;
      }
      server_version_ = ack->server_version;
      decoder_ = std::make_unique<protocol::ServerMessageDecoder>(server_version_);
      acked_ = true;
      continue;
    }
    ++messages_;
    if (count_only_) continue;
    int id = 0;
    for (char c : payload) {
      if (c < '0' || c > '9') break;
      id = id * 10 + (c - '0');
    }
    if (message_ids_.size() < 64) message_ids_.push_back(id);
    ++message_counts_[id];
    if (!decoder_->Decode(payload, *this).ok()) protocol_error_ = true;
  }
}

bool TestClient::WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::Real().Now() + timeout;
  while (!done()) {
    if (closed_ || protocol_error_) return done();
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::Real().Now());
    if (left.count() <= 0) return done();
    ReadOnce(std::min(left, std::chrono::milliseconds(50)));
  }
  return true;
}

uint64_t TestClient::MessagesOf(int message_id) const {
  auto it = message_counts_.find(message_id);
  return it == message_counts_.end() ? 0 : it->second;
}

bool TestClient::RoundTrip() {
  const size_t before = current_times.size();
  if (!Send(protocol::ReqCurrentTime{}).ok()) return false;
  return WaitFor([&] { return current_times.size() > before; });
}

void TestClient::Drain(std::chrono::milliseconds window) {
  const auto deadline = SteadyClock::Real().Now() + window;
  while (!closed_ && !protocol_error_) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::Real().Now());
    if (left.count() <= 0) return;
    ReadOnce(left);
  }
}

bool TestClient::HasError(int32_t code, int32_t id) const {
  for (const ReceivedError& e : errors) {
    if (e.code == code && (id == INT32_MIN || e.id == id)) return true;
  }
  return false;
}

size_t TestClient::TicksFor(int32_t req_id) const {
  size_t n = 0;
  for (const ReceivedTick& t : ticks) n += t.req_id == req_id;
  return n;
}

void TestClient::OnError(const protocol::ErrorMessage& m) {
  errors.push_back(ReceivedError{m.id, m.code, std::string(m.text), ticks.size(), mkt_data.size(),
                                 depth.size(), realtime_bars.size(), bar_updates.size()});
}

void TestClient::OnHistoricalTicks(const protocol::HistoricalTicks& m) {
  ReceivedHistorical h{m.req_id, {}, m.done};
  for (const auto& t : m.ticks) {
    Tick tick;
    tick.type = TickType::kMidPoint;
    tick.exchange_time = FromUnixSeconds(t.time);
    tick.price = t.price;
    h.ticks.push_back(tick);
  }
  historical.push_back(std::move(h));
}

void TestClient::OnHistoricalTicksBidAsk(const protocol::HistoricalTicksBidAsk& m) {
  ReceivedHistorical h{m.req_id, {}, m.done};
  for (const auto& t : m.ticks) {
    Tick tick;
    tick.type = TickType::kBidAsk;
    tick.exchange_time = FromUnixSeconds(t.time);
    tick.bid_price = t.price_bid;
    tick.ask_price = t.price_ask;
    tick.bid_size = t.size_bid;
    tick.ask_size = t.size_ask;
    if (t.attrib.bid_past_low) tick.attributes |= kAttrBidPastLow;
    if (t.attrib.ask_past_high) tick.attributes |= kAttrAskPastHigh;
    h.ticks.push_back(tick);
  }
  historical.push_back(std::move(h));
}

void TestClient::OnHistoricalTicksLast(const protocol::HistoricalTicksLast& m) {
  ReceivedHistorical h{m.req_id, {}, m.done};
  for (const auto& t : m.ticks) {
    Tick tick;
    tick.type = TickType::kAllLast;
    tick.exchange_time = FromUnixSeconds(t.time);
    tick.price = t.price;
    tick.size = t.size;
    tick.exchange = std::string(t.exchange);
    tick.special_conditions = std::string(t.special_conditions);
    if (t.attrib.unreported) tick.attributes |= kAttrUnreported;
    if (t.attrib.past_limit) tick.attributes |= kAttrPastLimit;
    h.ticks.push_back(tick);
  }
  historical.push_back(std::move(h));
}

void TestClient::OnTickPrice(const protocol::TickPrice& m) {
  tick_prices.emplace_back(m.req_id, m.tick_type);
  ReceivedMktData r;
  r.req_id = m.req_id;
  r.kind = ReceivedMktData::Kind::kPrice;
  r.tick_type = m.tick_type;
  r.price = m.price;
  r.size = m.size;
  r.ticks_before = ticks.size();
  mkt_data.push_back(std::move(r));
}

void TestClient::OnTickSize(const protocol::TickSize& m) {
  ReceivedMktData r;
  r.req_id = m.req_id;
  r.kind = ReceivedMktData::Kind::kSize;
  r.tick_type = m.tick_type;
  r.size = m.size;
  r.ticks_before = ticks.size();
  mkt_data.push_back(std::move(r));
}

void TestClient::OnTickString(const protocol::TickString& m) {
  ReceivedMktData r;
  r.req_id = m.req_id;
  r.kind = ReceivedMktData::Kind::kString;
  r.tick_type = m.tick_type;
  r.text = std::string(m.value);
  r.ticks_before = ticks.size();
  mkt_data.push_back(std::move(r));
}

void TestClient::OnTickByTickLast(const protocol::TickByTickLast& m) {
  ReceivedTick r;
  r.req_id = m.req_id;
  r.tick.type =
      m.tick_type == protocol::TickByTickType::kLast ? TickType::kLast : TickType::kAllLast;
  r.tick.exchange_time = FromUnixSeconds(m.time);
  r.tick.price = m.price;
  r.tick.size = m.size;
  r.tick.exchange = std::string(m.exchange);
  r.tick.special_conditions = std::string(m.special_conditions);
  if (m.attrib.unreported) r.tick.attributes |= kAttrUnreported;
  if (m.attrib.past_limit) r.tick.attributes |= kAttrPastLimit;
  ticks.push_back(std::move(r));
}

void TestClient::OnTickByTickBidAsk(const protocol::TickByTickBidAsk& m) {
  ReceivedTick r;
  r.req_id = m.req_id;
  r.tick.type = TickType::kBidAsk;
  r.tick.exchange_time = FromUnixSeconds(m.time);
  r.tick.bid_price = m.bid_price;
  r.tick.ask_price = m.ask_price;
  r.tick.bid_size = m.bid_size;
  r.tick.ask_size = m.ask_size;
  if (m.attrib.bid_past_low) r.tick.attributes |= kAttrBidPastLow;
  if (m.attrib.ask_past_high) r.tick.attributes |= kAttrAskPastHigh;
  ticks.push_back(std::move(r));
}

void TestClient::OnMarketDepth(const protocol::MarketDepth& m) {
  depth.push_back(ReceivedDepth{
      m.req_id, {m.position, m.operation, m.side, {m.price, m.size}}, false, "", false});
}

void TestClient::OnMarketDepthL2(const protocol::MarketDepthL2& m) {
  depth.push_back(ReceivedDepth{m.req_id,
                                {m.position, m.operation, m.side, {m.price, m.size}},
                                true,
                                std::string(m.market_maker),
                                m.is_smart_depth});
}

Result<DepthBook> TestClient::DepthBookOf(int32_t req_id) const {
  DepthBook book;
  for (const ReceivedDepth& d : depth) {
    if (d.req_id != req_id) continue;
    IBSTREAM_RETURN_IF_ERROR(ApplyDepthUpdate(d.update, book));
  }
  return book;
}

void TestClient::OnTickByTickMidPoint(const protocol::TickByTickMidPoint& m) {
  ReceivedTick r;
  r.req_id = m.req_id;
  r.tick.type = TickType::kMidPoint;
  r.tick.exchange_time = FromUnixSeconds(m.time);
  r.tick.price = m.mid_point;
  ticks.push_back(std::move(r));
}

}  // namespace ibstream::sim
