// `ibstream sim`'s standard streams, end to end with the built executable: standard output holds
// the bound API port and the control port's line and nothing else, while the log lines (a
// scripted fault's start and end) go to standard error. Scripts read the first lines of stdout
// and may never drain it, so a log line there could fill the pipe and stall the simulator.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
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

#include "common/clock.h"

namespace ibstream::cli::sim_command_test {
namespace {

namespace stdfs = std::filesystem;
using namespace std::chrono_literals;

std::string Slurp(const stdfs::path& path) {
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

class SimCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = stdfs::temp_directory_path() /
           ("sim_command_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    stdfs::remove_all(dir_);
    stdfs::create_directories(dir_);
  }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    stdfs::remove_all(dir_);
  }

  // Starts the executable with `args`, stdout and stderr into files of the test's directory.
  void Start(const std::vector<std::string>& args) {
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      const int out = ::open((dir_ / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err = ::open((dir_ / "err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int in = ::open("/dev/null", O_RDONLY);
      if (out < 0 || err < 0 || in < 0) ::_exit(127);
      ::dup2(out, 1);
      ::dup2(err, 2);
      ::dup2(in, 0);
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(IBSTREAM_BINARY));
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(IBSTREAM_BINARY, argv.data());
      ::_exit(127);
    }
  }

  // SIGTERM, then the exit code (-1 when it did not exit by itself).
  int Stop() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string Out() const { return Slurp(dir_ / "out"); }
  std::string Err() const { return Slurp(dir_ / "err"); }

  stdfs::path dir_;
  pid_t pid_ = -1;
};

TEST_F(SimCommandTest, StdoutHoldsThePortLinesAloneAndLogsGoToStderr) {
  const stdfs::path scenario = dir_ / "blip.toml";
  std::ofstream(scenario) << "[simulation]\n"
                             "start = \"2025-08-11T14:00:00Z\"\n"
                             "speed = 20\n"
                             "[[fault]]\n"
                             "at = \"+1s\"\n"
                             "kind = \"farm_down\"\n"
                             "duration = \"2s\"\n"
                             "farm = \"usfuture\"\n";
  Start({"sim", "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0", "--scenario",
         scenario.string()});
  // The fault's end is logged (on either stream: a misplaced log line fails below, not here).
  ASSERT_TRUE(
      WaitUntil([&] { return (Err() + Out()).find("fault end") != std::string::npos; }, 60s))
      << "stderr: " << Err() << "\nstdout: " << Out();
  EXPECT_EQ(Stop(), 0) << Err();
  EXPECT_TRUE(std::regex_match(Out(), std::regex("[1-9][0-9]*\ncontrol [1-9][0-9]*\n")))
      << "stdout must hold the two port lines and nothing else:\n"
      << Out();
  const std::string err = Err();
  EXPECT_NE(err.find("sim: fault start at 2025-08-11T14:00:01"), std::string::npos) << err;
  EXPECT_NE(err.find("farm_down"), std::string::npos) << err;
  EXPECT_NE(err.find("ibstream sim: stopped"), std::string::npos) << err;
}

}  // namespace
}  // namespace ibstream::cli::sim_command_test
