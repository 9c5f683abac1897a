// For tests against a real nats-server (nats_server.h): a GoogleTest fixture that starts one of
// its own (JetStream in a temporary directory, loopback, a free port) and a bounded wait for a
// condition. Without nats-server installed the tests are skipped, unless CI=true (then they fail:
// scripts/setup.sh installs it).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "cluster/nats_server.h"
#include "common/clock.h"

namespace ibstream::cluster::testing {

// Polls `done` every 10 ms until it holds or `limit` (real time) has passed; its last answer.
inline bool WaitForCondition(const std::function<bool()>& done,
                             std::chrono::seconds limit = std::chrono::seconds(60)) {
  const SteadyClock& steady = SteadyClock::Real();
  const auto deadline = steady.Now() + limit;
  while (steady.Now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

// SetUp makes a temporary directory (dir_, removed by TearDown) and a nats-server with JetStream
// in dir_/jetstream (server_), started unless the test starts it itself. A subclass that
// overrides SetUp calls this one first and returns when IsSkipped() or HasFatalFailure(); one
// that overrides TearDown calls this one last.
class NatsServerTest : public ::testing::Test {
 protected:
  // `dir_prefix`: the temporary directory's name before its random suffix; `start_server`:
  // false when the tests start (and stop) the server themselves.
  explicit NatsServerTest(std::string dir_prefix, bool start_server = true)
      : dir_prefix_(std::move(dir_prefix)), start_server_(start_server) {}

  void SetUp() override {
    const std::string binary = FindNatsServer();
    if (binary.empty()) {
      const char* ci = std::getenv("CI");
      if (ci != nullptr && std::string(ci) == "true") {
        FAIL() << "nats-server is not installed (scripts/setup.sh installs it); CI=true";
      }
      GTEST_SKIP() << "nats-server is not installed (scripts/setup.sh installs it)";
    }
    std::string tmpl =
        (std::filesystem::temp_directory_path() / (dir_prefix_ + "-XXXXXX")).string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    server_ = std::make_unique<NatsServer>(binary, dir_ + "/jetstream");
    if (!start_server_) return;
    const Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }

  void TearDown() override {
    server_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  const std::string& dir() const { return dir_; }
  NatsServer& server() { return *server_; }

  std::string dir_;
  std::unique_ptr<NatsServer> server_;

 private:
  std::string dir_prefix_;
  bool start_server_;
};

}  // namespace ibstream::cluster::testing
