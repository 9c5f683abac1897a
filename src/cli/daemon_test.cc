// The daemon's signal handling end to end: a recorder on the simulated gateway, its HTTP API on a
// free port, the configuration file changed and SIGHUP sent to the process; SIGTERM stops it.
#include "cli/daemon.h"

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "common/clock.h"
#include "config/env.h"
#include "config/loader.h"
#include "sim/simulator.h"

namespace ibstream::cli::daemon_test {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

size_t Append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// GET `url`; the body, or "" when the request failed.
std::string HttpGet(const std::string& url) {
  std::string body;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  const CURLcode code = curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  return code == CURLE_OK ? body : "";
}

std::vector<std::string> ContractKeys(const std::string& base_url) {
  std::vector<std::string> keys;
  const Json j = Json::parse(HttpGet(base_url + "v1/contracts"), nullptr, false);
  if (!j.is_object()) return keys;
  for (const auto& c : j["contracts"]) keys.push_back(c["key"].get<std::string>());
  return keys;
}

bool WaitFor(const std::function<bool()>& condition) {
  const auto end = SteadyClock::Real().Now() + 60s;
  while (!condition()) {
    if (SteadyClock::Real().Now() > end) return condition();
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

class DaemonSignalsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Signals sent to the process reach only the daemon's sigtimedwait: every thread blocks them.
    sigset_t signals;
    sigemptyset(&signals);
    for (int s : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&signals, s);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("daemon_signals_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    clock_ = std::make_unique<ScaledClock>(*ParseIsoTime("2025-08-12T14:00:00Z"), 300);
    sim::SimulatorOptions sim_options;
    sim_options.listen_port = 0;
    sim_options.quiet = true;
    sim_options.speed = 300;
    simulator_ = std::make_unique<sim::Simulator>(*clock_, sim_options);
    ASSERT_TRUE(simulator_->Start().ok());
  }

  void TearDown() override {
    if (daemon_.joinable()) {
      ::kill(::getpid(), SIGTERM);
      daemon_.join();
    }
    simulator_->Stop();
    std::filesystem::remove_all(dir_);
  }

  // Replaces the file whole (as an editor saving by rename would).
  void WriteConfig(const std::string& contracts, const std::string& storage_extra = "") {
    const std::string tmp = config_path() + ".tmp";
    std::ofstream(tmp) << "[gateway]\nports = [" << simulator_->port()
                       << "]\nconnect_timeout = \"10m\"\nprobe_interval = \"1h\"\n"
                          "probe_deadline = \"10m\"\n[storage]\npath = \""
                       << (dir_ / "data").string() << "\"\n"
                       << storage_extra << "[http]\nlisten = \"127.0.0.1:0\"\n"
                       << contracts;
    std::filesystem::rename(tmp, config_path());
  }

  // Sends SIGHUP and waits until the daemon has handled it; whether it applied the file.
  bool Reload() {
    const int before = reloads_;
    ::kill(::getpid(), SIGHUP);
    EXPECT_TRUE(WaitFor([&] { return reloads_ > before; })) << "SIGHUP not handled";
    return last_applied_;
  }

  static Result<config::Config> Load(const std::string& path) {
    config::LoadResult loaded = config::LoadConfigFile(path, config::MapEnv());
    if (!loaded.ok()) return loaded.status();
    return loaded.config;
  }

  // Starts the daemon on the configuration file; returns its HTTP base URL.
  std::string StartDaemon() {
    auto config = Load(config_path());
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    options_.config = *config;
    options_.clock = clock_.get();
    options_.reload_config = [path = config_path()] { return Load(path); };
    options_.on_reloaded = [this](bool applied) {
      last_applied_ = applied;
      ++reloads_;
    };
    auto ready = std::make_shared<std::promise<std::string>>();
    options_.on_ready = [ready](const std::string& url) { ready->set_value(url); };
    daemon_ = std::thread([this] { exit_code_ = RunDaemon(options_); });
    auto future = ready->get_future();
    EXPECT_EQ(future.wait_for(60s), std::future_status::ready);
    return future.get();
  }

  std::string config_path() const { return (dir_ / "ibstream.toml").string(); }

  static constexpr char kMnq[] =
      "[[contracts]]\nsymbol = \"MNQ\"\nsec_type = \"FUT\"\nexchange = \"CME\"\n"
      "currency = \"USD\"\n";
  static constexpr char kEs[] =
      "[[contracts]]\nsymbol = \"ES\"\nsec_type = \"FUT\"\nexchange = \"CME\"\n"
      "currency = \"USD\"\ntick_types = [\"bid_ask\"]\n";

  std::filesystem::path dir_;
  std::unique_ptr<ScaledClock> clock_;
  std::unique_ptr<sim::Simulator> simulator_;
  DaemonOptions options_;
  std::thread daemon_;
  int exit_code_ = -1;
  std::atomic<int> reloads_{0};
  std::atomic<bool> last_applied_{false};
};

TEST_F(DaemonSignalsTest, SighupAppliesTheFilesContractsAndABadFileChangesNothing) {
  WriteConfig(kMnq);
  const std::string url = StartDaemon();
  ASSERT_FALSE(url.empty());
  EXPECT_EQ(ContractKeys(url), std::vector<std::string>{"sym_MNQ_FUT_CME_USD"});

  WriteConfig(std::string(kMnq) + kEs);
  EXPECT_TRUE(Reload());
  EXPECT_EQ(ContractKeys(url),
            (std::vector<std::string>{"sym_MNQ_FUT_CME_USD", "sym_ES_FUT_CME_USD"}));

  // A file that no longer checks, or lists no contract, is refused whole: nothing changes.
  WriteConfig(std::string(kEs) + "[[contracts]]\ncon_id = \"not a number\"\n");
  EXPECT_FALSE(Reload());
  WriteConfig("");
  EXPECT_FALSE(Reload());
  EXPECT_EQ(ContractKeys(url).size(), 2u);

  WriteConfig(kEs);  // the next good file removes MNQ
  EXPECT_TRUE(Reload());
  EXPECT_EQ(ContractKeys(url), std::vector<std::string>{"sym_ES_FUT_CME_USD"});

  ::kill(::getpid(), SIGTERM);
  daemon_.join();
  EXPECT_EQ(exit_code_, 0);
}

// A counter's value in /metrics ("\nNAME VALUE"); -1 when absent.
double Metric(const std::string& url, const std::string& name) {
  const std::string metrics = HttpGet(url + "metrics");
  const size_t at = metrics.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(metrics.substr(at + name.size() + 2));
}

// Hostile files on SIGHUP (a table header of 50,000 dotted parts, a 2 MiB file, invalid values)
// are refused with a named error in the log and counted; the recorder keeps recording on the
// configuration it has.
TEST_F(DaemonSignalsTest, SighupWithAHostileFileKeepsRecordingAndCountsTheRefusal) {
  std::ostringstream log;
  auto logger = std::make_shared<spdlog::logger>(
      "hostile_reload_test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
  const std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  struct RestoreLogger {
    std::shared_ptr<spdlog::logger> previous;
    ~RestoreLogger() {
      spdlog::set_default_logger(previous);
      spdlog::drop("hostile_reload_test");
    }
  } restore{previous};

  WriteConfig(kMnq);
  const std::string url = StartDaemon();
  ASSERT_FALSE(url.empty());
  ASSERT_TRUE(WaitFor([&] { return Metric(url, "ibstream_ticks_received_total") > 0; }));

  std::string dotted = "[a";
  for (int i = 1; i < 50000; ++i) dotted += ".a";
  dotted += "]\nx = 1\n";
  const std::string hostile[] = {
      std::string(kMnq) + dotted,
      std::string(kMnq) + "# " + std::string(size_t{2} << 20, 'x') + "\n",
      std::string(kMnq) + "[[contracts]]\ncon_id = -7\ntick_types = [\"sideways\"]\n",
  };
  for (const std::string& contracts : hostile) {
    WriteConfig(contracts);
    EXPECT_FALSE(Reload());
    EXPECT_EQ(ContractKeys(url), std::vector<std::string>{"sym_MNQ_FUT_CME_USD"});
  }
  EXPECT_EQ(Metric(url, "ibstream_config_reloads_total"), 3);
  EXPECT_EQ(Metric(url, "ibstream_config_reload_failures_total"), 3);
  const double received = Metric(url, "ibstream_ticks_received_total");
  EXPECT_TRUE(WaitFor([&] { return Metric(url, "ibstream_ticks_received_total") > received; }))
      << "recording stopped after the refused reloads";

  ::kill(::getpid(), SIGTERM);
  daemon_.join();
  EXPECT_EQ(exit_code_, 0);
  const std::string text = log.str();
  size_t failures = 0;
  for (size_t at = text.find("event=reload_failed"); at != std::string::npos;
       at = text.find("event=reload_failed", at + 1)) {
    ++failures;
  }
  EXPECT_EQ(failures, 3u) << text;
  EXPECT_NE(text.find("more than 32 dotted parts"), std::string::npos);
  EXPECT_NE(text.find("larger than 1048576 bytes"), std::string::npos);
  EXPECT_NE(text.find("con_id"), std::string::npos);
}

// With storage.v3_output, /metrics shows what the v3 files got (and would show what they lost).
TEST_F(DaemonSignalsTest, MetricsCountTheV3Output) {
  WriteConfig(kMnq, "v3_output = [\"json\"]\n");
  const std::string url = StartDaemon();
  ASSERT_FALSE(url.empty());
  auto written = [&url]() -> double {
    const std::string metrics = HttpGet(url + "metrics");
    const std::string name = "\nibstream_v3_output_ticks_written_total ";
    const size_t at = metrics.find(name);
    return at == std::string::npos ? -1 : std::stod(metrics.substr(at + name.size()));
  };
  EXPECT_TRUE(WaitFor([&] { return written() > 0; })) << HttpGet(url + "metrics");
  const std::string metrics = HttpGet(url + "metrics");
  EXPECT_NE(metrics.find("\nibstream_v3_output_ticks_dropped_total 0\n"), std::string::npos);
  EXPECT_NE(metrics.find("\nibstream_v3_output_write_errors_total 0\n"), std::string::npos);
  // The HTTP server's own counters follow.
  EXPECT_NE(metrics.find("\nibstream_http_connections "), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("\nibstream_http_connections_refused_total 0\n"), std::string::npos);
}

// Market depth reaches the v3 output like every stored kind; v3 has no shape for it, so it is
// skipped and counted (never dropped, never an error) while the other kinds are written.
TEST_F(DaemonSignalsTest, TheV3OutputSkipsMarketDepthAndCountsIt) {
  WriteConfig(std::string(kMnq) + "depth_rows = 5\n", "v3_output = [\"json\"]\n");
  const std::string url = StartDaemon();
  ASSERT_FALSE(url.empty());
  auto counter = [&url](const std::string& family) -> double {
    const std::string metrics = HttpGet(url + "metrics");
    const std::string name = "\n" + family + " ";
    const size_t at = metrics.find(name);
    return at == std::string::npos ? -1 : std::stod(metrics.substr(at + name.size()));
  };
  EXPECT_TRUE(WaitFor([&] {
    return counter("ibstream_v3_output_depth_skipped_total") > 0 &&
           counter("ibstream_v3_output_ticks_written_total") > 0;
  })) << HttpGet(url + "metrics");
  EXPECT_EQ(counter("ibstream_v3_output_ticks_dropped_total"), 0);
  EXPECT_EQ(counter("ibstream_v3_output_write_errors_total"), 0);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_ / "data" / "v3")) {
    EXPECT_EQ(entry.path().filename().string().find("depth"), std::string::npos) << entry.path();
  }
}

TEST(ConfigureLoggingTest, JsonLinesAreValidJsonWhateverTheMessage) {
  std::ostringstream stream;
  auto logger = std::make_shared<spdlog::logger>(
      "json_log_test", std::make_shared<spdlog::sinks::ostream_sink_mt>(stream));
  const std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  config::LoggingConfig logging;
  logging.json = true;
  ConfigureLogging(logging);
  const std::string message = "event=x reason=\"queue full\" path=C:\\d tab=\t bad=\xff end";
  spdlog::info("{}", message);
  spdlog::warn("plain");
  spdlog::set_default_logger(previous);
  spdlog::drop("json_log_test");
  ConfigureLogging(config::LoggingConfig{});

  std::istringstream lines(stream.str());
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  const Json first = Json::parse(line, nullptr, false);
  ASSERT_TRUE(first.is_object()) << line;
  EXPECT_EQ(first["level"], "info");
  EXPECT_EQ(first["msg"],
            "event=x reason=\"queue full\" path=C:\\d tab=\t bad=\xef\xbf\xbd"
            " end");
  EXPECT_TRUE(ParseIsoTime(first["time"].get<std::string>()).ok()) << line;
  ASSERT_TRUE(std::getline(lines, line));
  const Json second = Json::parse(line, nullptr, false);
  ASSERT_TRUE(second.is_object()) << line;
  EXPECT_EQ(second["level"], "warning");
  EXPECT_EQ(second["msg"], "plain");
  EXPECT_FALSE(std::getline(lines, line));
}

}  // namespace
}  // namespace ibstream::cli::daemon_test
