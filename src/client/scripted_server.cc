#include "client/scripted_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/check.h"
#include "common/clock.h"

namespace ibstream::client::testing {

ScriptedServer::ScriptedServer(ScriptedServerOptions options)
    : options_(std::move(options)), answer_current_time_(options_.answer_current_time) {}

ScriptedServer::~ScriptedServer() {
  stop_ = true;
  if (wake_fd_ >= 0) {
    uint64_t one = 1;
    ssize_t ignored = write(wake_fd_, &one, sizeof(one));
    (void)ignored;
  }
  if (thread_.joinable()) thread_.join();
  if (conn_fd_ >= 0) close(conn_fd_);
  if (listen_fd_ >= 0) close(listen_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

Status ScriptedServer::Start() {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listen_fd_ < 0) return IoError(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return IoError(std::string("bind: ") + std::strerror(errno));
  }
  if (listen(listen_fd_, 8) != 0) return IoError(std::string("listen: ") + std::strerror(errno));
  socklen_t len = sizeof(addr);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) return IoError(std::string("eventfd: ") + std::strerror(errno));
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void ScriptedServer::SetRequestHandler(RequestHandler handler) {
  std::lock_guard<std::mutex> lock(mutex_);
  handler_ = std::move(handler);
}

void ScriptedServer::SetAnswerCurrentTime(bool answer) { answer_current_time_ = answer; }

void ScriptedServer::Post(std::function<void()> command) {
  if (std::this_thread::get_id() == thread_id_) {
    command();
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    commands_.push_back(std::move(command));
  }
  uint64_t one = 1;
  ssize_t ignored = write(wake_fd_, &one, sizeof(one));
  (void)ignored;
}

void ScriptedServer::Send(std::string bytes) {
  Post([this, bytes = std::move(bytes)] { WriteAll(bytes); });
}

void ScriptedServer::CloseConnection() {
  Post([this] { CloseConn(/*reset=*/false); });
}

void ScriptedServer::ResetConnection() {
  Post([this] { CloseConn(/*reset=*/true); });
}

std::vector<protocol::ClientRequest> ScriptedServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

std::optional<protocol::ClientHello> ScriptedServer::hello() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return hello_;
}

void ScriptedServer::CheckEncoded(const Status& status) {
  IBSTREAM_CHECK(status.ok(), "scripted server: a scripted message does not encode");
}

void ScriptedServer::Run() {
  thread_id_ = std::this_thread::get_id();
  while (!stop_) {
    pollfd fds[2];
    fds[0] = {wake_fd_, POLLIN, 0};
    int n = 1;
    if (conn_fd_ >= 0) {
      fds[n++] = {conn_fd_, POLLIN, 0};
    } else {
      fds[n++] = {listen_fd_, POLLIN, 0};
    }
    int ready = poll(fds, n, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[0].revents & POLLIN) {
      uint64_t count;
      ssize_t ignored = read(wake_fd_, &count, sizeof(count));
      (void)ignored;
      RunCommands();
    }
    if (stop_) return;
    // The commands may have closed the connection fds[1] was polling: re-poll then.
    if (fds[1].revents == 0 || fds[1].fd != (conn_fd_ >= 0 ? conn_fd_ : listen_fd_)) continue;
    if (conn_fd_ < 0) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);  // blocking socket
      if (fd < 0) continue;
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      conn_fd_ = fd;
      reader_ = std::make_unique<protocol::FrameReader>();
      reader_->ExpectApiPrefix();
      hello_done_ = false;
      connected_ = true;
      ++connections_accepted_;
    } else {
      OnReadable();
    }
  }
}

void ScriptedServer::RunCommands() {
  while (true) {
    std::function<void()> command;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (commands_.empty()) return;
      command = std::move(commands_.front());
      commands_.pop_front();
    }
    command();
  }
}

void ScriptedServer::OnReadable() {
  std::span<char> span = reader_->WritableSpan(64 * 1024);
  ssize_t n = recv(conn_fd_, span.data(), span.size(), 0);
  if (n <= 0) {
    CloseConn(false);
    return;
  }
  reader_->Commit(static_cast<size_t>(n));
  while (conn_fd_ >= 0) {
    Result<std::optional<std::string_view>> frame = reader_->Next();
    if (!frame.ok()) {
      ++bad_requests_;
      CloseConn(false);
      return;
    }
    if (!frame->has_value()) return;
    // Copy: the handler may send, and nothing may invalidate the view meanwhile, but a close
    // would destroy the reader.
    std::string payload(**frame);
    HandleFrame(payload);
  }
}

void ScriptedServer::HandleFrame(std::string_view payload) {
  if (!hello_done_) {
    hello_done_ = true;
    Result<protocol::ClientHello> hello = protocol::ParseClientHello(payload);
    if (!hello.ok()) {
      ++bad_requests_;
      CloseConn(false);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      hello_ = *hello;
    }
    if (options_.send_ack) {
      std::string bytes;
      CheckEncoded(protocol::EncodeConnectAck(
          protocol::ConnectAck{options_.server_version, options_.connection_time}, bytes));
      WriteAll(bytes);
    }
    return;
  }
  int version = protocol::IsSupportedServerVersion(options_.server_version)
                    ? options_.server_version
                    : protocol::kMaxServerVersion;
  Result<protocol::ClientRequest> request = protocol::DecodeClientRequest(payload, version);
  if (!request.ok()) {
    ++bad_requests_;
    return;
  }
  RequestHandler handler;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back(*request);
    handler = handler_;
  }
  if (const auto* start = std::get_if<protocol::StartApi>(&*request)) {
    if (options_.ids_in_use.count(start->client_id) != 0) {
      SendMessage(protocol::ErrorMessage{
          -1, 326,
          "Unable to connect as the client id is already in use. Retry with a unique client id.",
          ""});
      CloseConn(false);
      return;
    }
    if (options_.send_ready) {
      if (options_.next_valid_id_first) {
        SendMessage(protocol::NextValidId{options_.next_valid_id});
        SendMessage(protocol::ManagedAccounts{options_.accounts});
      } else {
        SendMessage(protocol::ManagedAccounts{options_.accounts});
        SendMessage(protocol::NextValidId{options_.next_valid_id});
      }
      for (const auto& [code, text] : options_.notices_after_ready) {
        SendMessage(protocol::ErrorMessage{-1, code, text, ""});
      }
    }
  }
  if (std::holds_alternative<protocol::ReqCurrentTime>(*request) && answer_current_time_) {
    SendMessage(protocol::CurrentTime{options_.current_time});
  }
  if (handler) handler(*this, *request);
}

void ScriptedServer::WriteAll(std::string_view bytes) {
  while (conn_fd_ >= 0 && !bytes.empty()) {
    ssize_t n = send(conn_fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      CloseConn(false);
      return;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

void ScriptedServer::CloseConn(bool reset) {
  if (conn_fd_ < 0) return;
  if (reset) {
    linger hard{1, 0};
    setsockopt(conn_fd_, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
  }
  close(conn_fd_);
  conn_fd_ = -1;
  connected_ = false;
}

bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = SteadyClock::Real().Now() + timeout;
  while (!condition()) {
    if (SteadyClock::Real().Now() >= deadline) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace ibstream::client::testing
