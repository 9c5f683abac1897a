// The command-line checks as tables, and the built executable refusing what they refuse.
#include "cli/option_checks.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/cli_run_fixture.h"

namespace ibstream::cli::option_checks_test {
namespace {

namespace stdfs = std::filesystem;

// The validator's message for `text`: empty when accepted.
std::string Check(const CLI::Validator& validator, std::string text) { return validator(text); }

TEST(OptionChecksTest, PositiveFinite) {
  const CLI::Validator speed = PositiveFinite(kMaxClockSpeed);
  for (const char* ok : {"1", "0.5", "60", "10000", "1e3"}) {
    EXPECT_EQ(Check(speed, ok), "") << ok;
  }
  for (const char* bad : {"nan", "NaN", "-nan", "inf", "-inf", "infinity", "0", "-0", "-1",
                          "10000.5", "1e300", "", "x", "1x", " "}) {
    const std::string message = Check(speed, bad);
    EXPECT_NE(message.find("is not a number greater than 0 and at most 10000"), std::string::npos)
        << "'" << bad << "': " << message;
  }
}

TEST(OptionChecksTest, FiniteRange) {
  const CLI::Validator percent = FiniteRange(0, 100);
  for (const char* ok : {"0", "100", "99.9", "-0"}) EXPECT_EQ(Check(percent, ok), "") << ok;
  for (const char* bad : {"nan", "inf", "-inf", "-0.001", "100.001", "abc"}) {
    EXPECT_NE(Check(percent, bad).find("is not a number from 0 to 100"), std::string::npos) << bad;
  }
}

TEST(OptionChecksTest, IsoTime) {
  const CLI::Validator time = IsoTime();
  EXPECT_EQ(Check(time, "2025-08-11T15:55:00-05:00"), "");
  EXPECT_NE(Check(time, "9999-01-01T00:00:00Z").find("time out of range"), std::string::npos);
  EXPECT_NE(Check(time, "2025-08-11T15:55:00+99:00").find("time out of range"), std::string::npos);
  EXPECT_NE(Check(time, "yesterday").find("not an ISO 8601 time"), std::string::npos);
}

// The built executable: refused values end with exit code 2 and the option named on stderr,
// before any command starts (no gateway, no files are touched).
class ExecutableTest : public testing::CliRunTest {
 protected:
  // Runs `ibstream ARGS` from inside the test's directory (CliRunTest::Run runs it from the
  // test's own working directory), stdout and stderr to files; the exit status.
  int Run(const std::string& args) {
    const std::string command =
        "cd " + dir_.string() + " && " + IBSTREAM_BINARY + " " + args + " > out 2> err < /dev/null";
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
};

TEST_F(ExecutableTest, BadNumbersAreUsageErrors) {
  const char* cases[] = {
      "record --speed nan",
      "record --speed inf",
      "record --speed -1",
      "record --speed 0",
      "demo --speed nan --duration 1",
      "demo --duration inf",
      "sim --speed inf --port 0",
      "sim --speed nan --port 0",
      "sim --tick-by-tick-limit -1",
      "sim --max-tick-by-tick nan",
      "sim --market-data-lines -5",
      "sim --market-data-lines inf",
      "sim --market-depth-limit -1",
      "contract MNQ --timeout nan",
      "stream 1 --timeout inf",
      "verify --data . --min-completeness nan",
  };
  for (const char* args : cases) {
    SCOPED_TRACE(args);
    EXPECT_EQ(Run(args), 2) << Err();
    EXPECT_NE(Err().find("is not a number"), std::string::npos) << Err();
  }
}

TEST_F(ExecutableTest, TimesOutOfRangeAreUsageErrors) {
  const char* cases[] = {
      "record --start 9999-01-01T00:00:00Z",
      "demo --start 0001-01-01T00:00:00Z --duration 1",
      "sim --start 2025-08-11T10:00:00+99:00 --port 0",
      "query --data . --contract 1 --from 1000-01-01T00:00:00Z",
      "query --data . --contract 1 --to 9999-01-01T00:00:00Z",
      "verify --data . --to 9999-01-01T00:00:00Z",
      "hours --tz UTC --trading 20250811:0900-20250811:1700 --at 2263-01-01T00:00:00Z",
  };
  for (const char* args : cases) {
    SCOPED_TRACE(args);
    EXPECT_EQ(Run(args), 2) << Err();
    EXPECT_NE(Err().find("time out of range"), std::string::npos) << Err();
  }
}

TEST_F(ExecutableTest, ASpanLongerThanTheTimeRangeIsRefused) {
  EXPECT_EQ(Run("query --data . --contract 1 --last 1000000000d"), 2) << Err();
  EXPECT_NE(Err().find("--last: duration '1000000000d' is longer than 36500 days"),
            std::string::npos)
      << Err();
}

TEST_F(ExecutableTest, StreamNamesWhereQuoteAndTradeComeFrom) {
  for (const char* type : {"Quote", "trade"}) {
    EXPECT_EQ(Run(std::string("stream 1 --port 1 --type ") + type), 1) << Err();
    EXPECT_NE(Err().find("quote and trade come from reqMktData"), std::string::npos) << Err();
  }
}

TEST_F(ExecutableTest, ConfigCheckOfAnEndlessDeviceEndsWithTheSizeError) {
  EXPECT_EQ(Run("config check /dev/zero --no-env"), 1);
  EXPECT_NE(Err().find("/dev/zero: configuration file larger than 1048576 bytes"),
            std::string::npos)
      << Err();
}

TEST_F(ExecutableTest, ADeeplyDottedHeaderIsANamedErrorNotACrash) {
  std::string header = "[a";
  for (int i = 0; i < 50'000; ++i) header += ".a";
  std::ofstream(dir_ / "deep.toml") << header << "]\n";
  EXPECT_EQ(Run("config check deep.toml --no-env"), 1);
  EXPECT_NE(Err().find("deep.toml:1: table header with more than 32 dotted parts"),
            std::string::npos)
      << Err();
  EXPECT_EQ(Run("record --config deep.toml"), 1);
  EXPECT_NE(Err().find("table header with more than 32 dotted parts"), std::string::npos) << Err();
}

TEST_F(ExecutableTest, SimReplayRefusesWhatItCannotServe) {
  EXPECT_EQ(Run("sim --replay missing --listen 127.0.0.1:0"), 2) << Err();
  EXPECT_EQ(Run("sim --replay . --listen 127.0.0.1:0"), 1);
  EXPECT_NE(Err().find("--replay: no store at"), std::string::npos) << Err();
  stdfs::create_directories(dir_ / "store" / "journal");
  EXPECT_EQ(Run("sim --replay store --listen 127.0.0.1:0"), 1);
  EXPECT_NE(Err().find("the store holds no readable ticks"), std::string::npos) << Err();
  EXPECT_EQ(Run("sim --end 2025-08-11T10:00:00Z --listen 127.0.0.1:0"), 1);
  EXPECT_NE(Err().find("give --replay STORE"), std::string::npos) << Err();
}

}  // namespace
}  // namespace ibstream::cli::option_checks_test
