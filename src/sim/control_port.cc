#include "sim/control_port.h"

#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

namespace ibstream::sim {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

}  // namespace

std::string StatsJson(const SimulatorStats& s) {
  nlohmann::ordered_json j;
  j["clients"] = s.active_clients;
  j["accepted"] = s.connections_accepted;
  j["ticks_generated"] = s.ticks_generated;
  j["ticks_delivered"] = s.ticks_delivered;
  j["requests"] = s.requests;
  j["malformed_requests"] = s.malformed_requests;
  j["unsupported_requests"] = s.unsupported_requests;
  j["bar_request_errors"] = s.bar_request_errors;
  j["faults"] = s.faults_started;
  j["slow_consumer_disconnects"] = s.slow_consumer_disconnects;
  j["pacing_violations"] = s.pacing_violations;
  j["tick_by_tick_refusals"] = s.tick_by_tick_refusals;
  j["market_data_line_refusals"] = s.market_data_line_refusals;
  j["market_depth_refusals"] = s.market_depth_refusals;
  j["polls_behind"] = s.polls_behind;
  j["lag_seconds"] = s.lag_seconds;
  return j.dump();
}

ControlPort::ControlPort(asio::io_context& io, const Clock& clock, Callbacks callbacks)
    : clock_(clock), callbacks_(std::move(callbacks)), acceptor_(io) {}

Status ControlPort::Listen(const std::string& host, uint16_t port) {
  error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return InvalidArgument("bad control address '" + host + "'");
  const tcp::endpoint ep(address, port);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return IoError("control port " + host + ": " + ec.message());
  port_ = acceptor_.local_endpoint().port();
  Accept();
  return Status::Ok();
}

void ControlPort::Close() {
  error_code ec;
  acceptor_.close(ec);
}

void ControlPort::Accept() {
  acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec != asio::error::operation_aborted && acceptor_.is_open()) Accept();
      return;
    }
    Serve(std::make_shared<tcp::socket>(std::move(socket)),
          std::make_shared<asio::streambuf>(64 * 1024));
    Accept();
  });
}

void ControlPort::Serve(std::shared_ptr<tcp::socket> socket, std::shared_ptr<asio::streambuf> buf) {
  asio::async_read_until(*socket, *buf, '\n', [this, socket, buf](error_code ec, size_t n) {
    if (ec) return;
    std::string line(asio::buffers_begin(buf->data()),
                     asio::buffers_begin(buf->data()) + static_cast<std::ptrdiff_t>(n));
    buf->consume(n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line == "quit") {
      error_code ignored;
      socket->close(ignored);
      return;
    }
    auto reply = std::make_shared<std::string>(Command(line) + "\n");
    callbacks_.flush_clients();
    asio::async_write(*socket, asio::buffer(*reply),
                      [this, socket, buf, reply](error_code e, size_t) {
                        if (!e) Serve(socket, buf);
                      });
  });
}

std::string ControlPort::Command(std::string_view line) {
  const TimePoint now = clock_.Now();
  const size_t space = line.find(' ');
  const std::string_view verb = line.substr(0, space);
  const std::string_view rest = space == std::string_view::npos ? "" : line.substr(space + 1);
  if (verb == "fault") {
    auto f = ParseFaultLine(rest);
    if (!f.ok()) return "error " + f.status().message();
    callbacks_.start_fault(*f, now);
    return "ok " + DescribeFault(*f) + " at " + FormatIsoUtc(now);
  }
  if (verb == "time") return "ok " + FormatIsoUtc(now);
  if (verb == "stats") return "ok " + StatsJson(callbacks_.stats());
  if (verb == "help" || verb.empty()) {
    return "ok commands: fault KIND [key=value ...] | time | stats | quit (see src/sim/README.md)";
  }
  return "error unknown command '" + std::string(verb) + "' (try help)";
}

}  // namespace ibstream::sim
