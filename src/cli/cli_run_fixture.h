// For tests of the built `ibstream` executable: a GoogleTest fixture that gives each test a
// directory of its own and runs one command at a time, its standard output and error kept in
// files of that directory. Test-only; the test target defines IBSTREAM_BINARY (the executable's
// path, `target_compile_definitions(... IBSTREAM_BINARY="$<TARGET_FILE:ibstream>")`).
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#ifndef IBSTREAM_BINARY
#error "cli_run_fixture.h needs IBSTREAM_BINARY, the path of the built ibstream executable"
#endif

namespace ibstream::cli::testing {

// The whole content of a file; empty when it cannot be read.
inline std::string ReadFileText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// SetUp makes dir_, <temp>/<suite>_<pid>_<test> (emptied first), and TearDown removes it. A
// subclass that overrides SetUp calls this one first; one that overrides TearDown calls this one
// last.
class CliRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ =
        std::filesystem::temp_directory_path() / (std::string(test->test_suite_name()) + "_" +
                                                  std::to_string(::getpid()) + "_" + test->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs `ibstream ARGS` through the shell (ARGS is shell text: quote what needs it) with
  // standard input from /dev/null and standard output and error to dir_/out and dir_/err, each
  // run replacing the last's; its exit status, -1 when it did not exit (a signal).
  int Run(const std::string& args) {
    const std::string command = std::string(IBSTREAM_BINARY) + " " + args + " > " +
                                (dir_ / "out").string() + " 2> " + (dir_ / "err").string() +
                                " < /dev/null";
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  // The last run's standard output and error.
  std::string Out() const { return ReadFileText(dir_ / "out"); }
  std::string Err() const { return ReadFileText(dir_ / "err"); }
  // A path in dir_.
  std::string Dir(const std::string& name) const { return (dir_ / name).string(); }
  // dir_/store: where a test writes the store it runs the commands on.
  std::string Store() const { return Dir("store"); }

  std::filesystem::path dir_;
};

}  // namespace ibstream::cli::testing
