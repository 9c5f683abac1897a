// `ibstream record` short of file descriptors, end to end: the built executable runs against the
// simulator with RLIMIT_NOFILE lowered (soft and hard, so that it cannot raise it) and with
// descriptors it inherited and did not count (as from a careless supervisor), then idle HTTP
// connections flood it. Recording goes on: ticks keep reaching the journal, the next hour's
// journal opens, connections beyond what the descriptors allow are answered 503 and counted (a
// probe gets the 503 too, never silence), accept() never runs out of descriptors, and /metrics
// answers once the clients go. Without the descriptor ceiling (storage's reserve) the connections
// would take the descriptors the next hour's journal needs.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "sim/simulator.h"
#include "storage/layout.h"

namespace ibstream::cli::descriptor_limit_test {
namespace {

namespace stdfs = std::filesystem;
using namespace std::chrono_literals;

// The daemon's limit, and the descriptors it inherits: with two streams storage reserves 70
// (fs::ReservedDescriptors), so clients may keep descriptors below 122, and the inherited ones
// with the daemon's own leave room for a few dozen clients, fewer than the 122 the count limit
// alone would admit.
constexpr rlim_t kDescriptorLimit = 192;
constexpr int kInheritedDescriptors = 60;
constexpr int kIdleClients = 200;

std::string SlurpFile(const stdfs::path& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

bool WaitUntil(const std::function<bool()>& condition, std::chrono::seconds limit) {
  const auto end = SteadyClock::Real().Now() + limit;
  while (!condition()) {
    if (SteadyClock::Real().Now() > end) return condition();
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// A blocking TCP connection to 127.0.0.1:`port`; -1 when it failed.
int ConnectToLoopback(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// GET `target` on a connection of its own; the whole response, "" when none came.
std::string RawHttpGet(uint16_t port, const std::string& target) {
  const int fd = ConnectToLoopback(port);
  if (fd < 0) return "";
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  const std::string request =
      "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  std::string response;
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
      static_cast<ssize_t>(request.size())) {
    char buf[8192];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;) response.append(buf, n);
  }
  ::close(fd);
  return response;
}

int HttpStatusOf(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) return 0;
  return std::stoi(response.substr(9, 3));
}

// The value of an unlabelled sample `name` in a Prometheus text; -1 when absent.
double SampleValue(const std::string& text, const std::string& name) {
  const std::string key = "\n" + name + " ";
  const size_t at = text.find(key);
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + key.size()));
}

// Bytes in the journal files of the UTC hour starting at `hour`.
uint64_t JournalBytesOfHour(const std::string& root, TimePoint hour) {
  const stdfs::path dir = storage::JournalDir(root, hour);
  const std::string prefix = storage::HourName(hour) + ".g";
  uint64_t bytes = 0;
  std::error_code ec;
  for (const auto& entry : stdfs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && name.size() > 4 && name.ends_with(".wal")) {
      bytes += entry.file_size(ec);
    }
  }
  return bytes;
}

class DescriptorLimitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = stdfs::temp_directory_path() /
           ("descriptor_limit_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    stdfs::remove_all(dir_);
    stdfs::create_directories(dir_);
    clock_ = std::make_unique<ScaledClock>(*ParseIsoTime(kStart), kSpeed);
    sim::SimulatorOptions options;
    options.listen_port = 0;
    options.quiet = true;
    options.seed = 11;
    options.speed = kSpeed;
    options.builtin_symbols = {"AAPL"};  // con_id 265598, the one contract recorded
    simulator_ = std::make_unique<sim::Simulator>(*clock_, options);
    ASSERT_TRUE(simulator_->Start().ok());
    std::ofstream config(dir_ / "ibstream.toml");
    config << "[gateway]\nports = [" << simulator_->port() << "]\n"
           << "[storage]\npath = \"" << Data() << "\"\n"
           << "[http]\nlisten = \"127.0.0.1:0\"\nmax_connections = 1000\n"
           << "[[contracts]]\ncon_id = 265598\nexchange = \"SMART\"\n"
           << "tick_types = [\"bid_ask\", \"last\"]\n";
  }

  void TearDown() override {
    for (int fd : clients_) ::close(fd);
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (simulator_) simulator_->Stop();
    if (HasFailure()) {
      std::cerr << "daemon log:\n" << SlurpFile(LogPath()) << "\n";
    } else {
      stdfs::remove_all(dir_);
    }
  }

  std::string Data() const { return (dir_ / "data").string(); }
  stdfs::path LogPath() const { return dir_ / "daemon.log"; }

  // Starts `ibstream record` with RLIMIT_NOFILE at `limit` (soft and hard) and `inherited`
  // descriptors open on /dev/null that it did not open itself.
  void SpawnRecorder(rlim_t limit, int inherited) {
    const std::vector<std::string> args = {
        IBSTREAM_BINARY, "record", "--config", (dir_ / "ibstream.toml").string(),
        "--start",       kStart,   "--speed",  std::to_string(kSpeed)};
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const int log = ::open(LogPath().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ASSERT_GE(log, 0);
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      // Only async-signal-safe calls between fork and exec.
      ::dup2(log, STDOUT_FILENO);
      ::dup2(log, STDERR_FILENO);
      const int devnull = ::open("/dev/null", O_RDONLY);
      for (int i = 1; i < inherited; ++i) ::fcntl(devnull, F_DUPFD, 0);
      const rlimit lowered{limit, limit};
      if (::setrlimit(RLIMIT_NOFILE, &lowered) != 0) ::_exit(126);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(log);
  }

  // The daemon's HTTP port from its start line; 0 when it did not start.
  uint16_t WaitForHttpPort() {
    static const std::regex started("event=started http=http://127\\.0\\.0\\.1:([0-9]+)/");
    uint16_t port = 0;
    WaitUntil(
        [&] {
          std::smatch m;
          const std::string log = SlurpFile(LogPath());
          if (std::regex_search(log, m, started)) port = static_cast<uint16_t>(std::stoi(m[1]));
          return port != 0 || ::waitpid(pid_, nullptr, WNOHANG) != 0;
        },
        60s);
    return port;
  }

  static constexpr char kStart[] = "2025-08-12T14:36:00Z";  // a Tuesday, 10:36 in New York
  static constexpr double kSpeed = 90;                      // 15:00 comes after 16 s

  stdfs::path dir_;
  std::unique_ptr<ScaledClock> clock_;
  std::unique_ptr<sim::Simulator> simulator_;
  pid_t pid_ = -1;
  std::vector<int> clients_;
};

TEST_F(DescriptorLimitTest, RecordingGoesOnWhileIdleConnectionsTakeEveryDescriptorOffered) {
  SpawnRecorder(kDescriptorLimit, kInheritedDescriptors);
  const uint16_t port = WaitForHttpPort();
  ASSERT_NE(port, 0) << "the recorder did not start";
  const TimePoint first_hour = storage::HourStart(*ParseIsoTime(kStart));
  const TimePoint next_hour = first_hour + std::chrono::hours(1);
  ASSERT_TRUE(WaitUntil([&] { return JournalBytesOfHour(Data(), first_hour) > 0; }, 60s))
      << "no ticks recorded";

  // The flood: every client connects and sends nothing. Those the daemon has no descriptor for
  // are answered 503 and closed; the others stay open.
  for (int i = 0; i < kIdleClients; ++i) {
    const int fd = ConnectToLoopback(port);
    ASSERT_GE(fd, 0) << "connection " << i;
    clients_.push_back(fd);
  }
  const std::string probe = RawHttpGet(port, "/metrics");
  EXPECT_EQ(HttpStatusOf(probe), 503) << probe;
  EXPECT_NE(probe.find("too many connections"), std::string::npos) << probe;
  ASSERT_EQ(JournalBytesOfHour(Data(), next_hour), 0u)
      << "the hour turned before the flood was in place; the machine is too slow for kSpeed";

  // The hour turns while the clients hold their connections: the next journal opens and grows.
  uint64_t next_bytes = 0;
  ASSERT_TRUE(
      WaitUntil([&] { return (next_bytes = JournalBytesOfHour(Data(), next_hour)) > 0; }, 90s))
      << "the next hour's journal did not open";
  EXPECT_TRUE(WaitUntil([&] { return JournalBytesOfHour(Data(), next_hour) > next_bytes; }, 60s))
      << "ticks stopped reaching the journal";
  EXPECT_EQ(::waitpid(pid_, nullptr, WNOHANG), 0) << "the recorder exited";

  // The clients go; /metrics answers and shows what happened.
  for (int fd : clients_) ::close(fd);
  clients_.clear();
  std::string metrics;
  ASSERT_TRUE(WaitUntil(
      [&] {
        metrics = RawHttpGet(port, "/metrics");
        return HttpStatusOf(metrics) == 200;
      },
      60s))
      << metrics;
  EXPECT_GT(SampleValue(metrics, "ibstream_http_connections_refused_descriptors_total"), 0)
      << metrics;
  // The reserve kept accept() itself from running out.
  EXPECT_EQ(SampleValue(metrics, "ibstream_http_accept_backoffs_total"), 0) << metrics;
  EXPECT_EQ(SampleValue(metrics, "ibstream_storage_suspended"), 0) << metrics;
  EXPECT_EQ(SampleValue(metrics, "ibstream_storage_lost_total"), 0) << metrics;
  const std::string log = SlurpFile(LogPath());
  EXPECT_NE(log.find("event=descriptor_limit soft=192 hard=192"), std::string::npos) << log;
  EXPECT_EQ(log.find("Too many open files"), std::string::npos) << log;

  ASSERT_EQ(::kill(pid_, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid_, &status, 0), pid_);
  pid_ = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace
}  // namespace ibstream::cli::descriptor_limit_test
