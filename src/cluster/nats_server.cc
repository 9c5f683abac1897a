#include "cluster/nats_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <nats/nats.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <thread>

extern char** environ;

namespace ibstream::cluster::testing {

namespace {

bool Executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// Whether a client gets the server's INFO line.
bool Answers(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    char buf[5] = {};
    ok = recv(fd, buf, 4, MSG_WAITALL) == 4 && std::string(buf) == "INFO";
  }
  close(fd);
  return ok;
}

struct Connection {
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  ~Connection() {
    if (js != nullptr) jsCtx_Destroy(js);
    if (nc != nullptr) natsConnection_Destroy(nc);
  }
};

Status Connect(const std::string& url, Connection* c) {
  natsStatus s = natsConnection_ConnectTo(&c->nc, url.c_str());
  if (s == NATS_OK) s = natsConnection_JetStream(&c->js, c->nc, nullptr);
  if (s != NATS_OK) return Unavailable(std::string("connect: ") + natsStatus_GetText(s));
  return Status::Ok();
}

}  // namespace

std::string FindNatsServer() {
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    std::string dirs = path;
    size_t start = 0;
    while (start <= dirs.size()) {
      const size_t colon = dirs.find(':', start);
      const std::string dir = dirs.substr(start, colon - start);
      if (!dir.empty() && Executable(dir + "/nats-server")) return dir + "/nats-server";
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  for (const char* candidate : {"/usr/sbin/nats-server", "/usr/bin/nats-server"}) {
    if (Executable(candidate)) return candidate;
  }
  return {};
}

NatsServer::NatsServer(std::string binary, std::string store_dir)
    : binary_(std::move(binary)), store_dir_(std::move(store_dir)), port_(FreePort()) {}

NatsServer::~NatsServer() { Stop(); }

std::string NatsServer::url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

Status NatsServer::Start() {
  if (running()) return Status::Ok();
  if (port_ == 0) return Unavailable("no free port");
  const std::string port = std::to_string(port_);
  const std::string log = store_dir_ + ".log";
  std::vector<std::string> args = {binary_, "-js", "-a",  "127.0.0.1",
                                   "-p",    port,  "-sd", store_dir_};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  const int rc = posix_spawn(&pid_, binary_.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    return Unavailable("cannot start " + binary_ + ": " + std::to_string(rc));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (Answers(port_)) return Status::Ok();
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Unavailable("nats-server exited at start; see " + log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Stop();
  return Unavailable("nats-server did not answer on port " + port + " within 20 s; see " + log);
}

void NatsServer::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

Result<uint64_t> StreamMessageCount(const std::string& url, const std::string& stream) {
  Connection c;
  IBSTREAM_RETURN_IF_ERROR(Connect(url, &c));
  jsStreamInfo* info = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetStreamInfo(&info, c.js, stream.c_str(), nullptr, &err);
  if (s != NATS_OK) return Unavailable(std::string("stream info: ") + natsStatus_GetText(s));
  const uint64_t count = info->State.Msgs;
  jsStreamInfo_Destroy(info);
  return count;
}

Result<std::vector<StoredMessage>> ReadStream(const std::string& url, const std::string& stream) {
  Connection c;
  IBSTREAM_RETURN_IF_ERROR(Connect(url, &c));
  jsStreamInfo* info = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, c.js, stream.c_str(), nullptr, &err);
  if (s != NATS_OK) return Unavailable(std::string("stream info: ") + natsStatus_GetText(s));
  const uint64_t first = info->State.FirstSeq;
  const uint64_t last = info->State.LastSeq;
  jsStreamInfo_Destroy(info);
  std::vector<StoredMessage> out;
  for (uint64_t seq = first; seq <= last && last > 0; ++seq) {
    natsMsg* msg = nullptr;
    s = js_GetMsg(&msg, c.js, stream.c_str(), seq, nullptr, &err);
    if (s != NATS_OK) return Unavailable(std::string("get message: ") + natsStatus_GetText(s));
    StoredMessage m;
    m.sequence = seq;
    m.subject = natsMsg_GetSubject(msg);
    const char* value = nullptr;
    if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &value) == NATS_OK) m.id = value;
    if (natsMsgHeader_Get(msg, "Ibs-Source", &value) == NATS_OK) m.source = value;
    m.data.assign(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
    natsMsg_Destroy(msg);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace ibstream::cluster::testing
