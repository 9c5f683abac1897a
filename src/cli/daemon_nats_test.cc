// The daemon with [nats] enabled, end to end: a recorder on the simulated gateway publishes what
// it stores to a nats-server the test starts; /metrics and /v1/status show the publisher.
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/daemon.h"
#include "cluster/nats_server.h"
#include "cluster/nats_test_fixture.h"
#include "cluster/publisher.h"
#include "common/clock.h"
#include "config/env.h"
#include "config/loader.h"
#include "sim/simulator.h"

namespace ibstream::cli::daemon_nats_test {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;
using cluster::testing::WaitForCondition;

// Real time for the recorder to publish its first ticks (a loaded machine, the sanitizers).
constexpr std::chrono::seconds kWaitLimit = 90s;

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

std::string HttpGet(const std::string& url) {
  std::string body;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  const CURLcode code = curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  return code == CURLE_OK ? body : "";
}

// A nats-server of the test's own (cluster/nats_test_fixture.h) in a temporary directory that also
// holds the recorder's configuration and store.
class DaemonNatsTest : public cluster::testing::NatsServerTest {
 protected:
  DaemonNatsTest() : NatsServerTest("daemon_nats") {}
};

TEST_F(DaemonNatsTest, PublishesWhatItRecordsAndReportsIt) {
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  const std::filesystem::path root = dir();
  cluster::testing::NatsServer& nats = server();

  ScaledClock clock(*ParseIsoTime("2025-08-12T14:00:00Z"), 300);
  sim::SimulatorOptions sim_options;
  sim_options.listen_port = 0;
  sim_options.quiet = true;
  sim_options.speed = 300;
  sim::Simulator simulator(clock, sim_options);
  ASSERT_TRUE(simulator.Start().ok());

  const std::string config_path = (root / "ibstream.toml").string();
  std::ofstream(config_path) << "[gateway]\nports = [" << simulator.port()
                             << "]\n[storage]\npath = \"" << (root / "data").string()
                             << "\"\n[http]\nlisten = \"127.0.0.1:0\"\n[nats]\nenabled = true\n"
                             << "url = \"" << nats.url() << "\"\nstream = \"DAEMON\"\n"
                             << "recorder_id = \"rec-1\"\n"
                             << "[[contracts]]\nsymbol = \"MNQ\"\nsec_type = \"FUT\"\n"
                                "exchange = \"CME\"\ncurrency = \"USD\"\n";
  config::LoadResult loaded = config::LoadConfigFile(config_path, config::MapEnv());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  DaemonOptions options;
  options.config = loaded.config;
  options.clock = &clock;
  auto ready = std::make_shared<std::promise<std::string>>();
  options.on_ready = [ready](const std::string& url) { ready->set_value(url); };
  int exit_code = -1;
  std::thread daemon([&] { exit_code = RunDaemon(options); });
  auto future = ready->get_future();
  ASSERT_EQ(future.wait_for(60s), std::future_status::ready);
  const std::string url = future.get();

  auto published = [&] {
    const Json j = Json::parse(HttpGet(url + "v1/status"), nullptr, false);
    return j.is_object() && j.contains("nats") ? j["nats"]["ticks_published"].get<uint64_t>()
                                               : uint64_t{0};
  };
  EXPECT_TRUE(WaitForCondition([&] { return published() >= 10; }, kWaitLimit))
      << HttpGet(url + "v1/status");
  EXPECT_TRUE(WaitForCondition(
      [&] {
        auto count = cluster::testing::StreamMessageCount(nats.url(), "DAEMON");
        return count.ok() && *count >= 10;
      },
      kWaitLimit));
  const std::string metrics = HttpGet(url + "metrics");
  for (const char* name : {"ibstream_nats_connected 1", "ibstream_nats_publish_lag_ticks",
                           "ibstream_nats_published_total{kind=\"tick\"}",
                           "ibstream_nats_publish_errors_total", "ibstream_nats_cursor_record"}) {
    EXPECT_NE(metrics.find(name), std::string::npos) << name;
  }
  ::kill(::getpid(), SIGTERM);
  daemon.join();
  EXPECT_EQ(exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(root / "data" / "nats" / "rec-1.cursor"));
  simulator.Stop();
}

}  // namespace
}  // namespace ibstream::cli::daemon_nats_test
