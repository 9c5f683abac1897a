// A recorder in its own process, for the kill -9 test (recorder_scenarios_test.cc): it records
// MNQ from the simulator on PORT into DATA_DIR on a virtual clock that continues the parent's,
// prints "recording" once both streams have stored live ticks, and runs until it is killed.
//
//   recorder_sim_child PORT DATA_DIR VIRTUAL_NS REAL_NS SPEED
//
// VIRTUAL_NS is the parent's virtual time at the real (system clock) instant REAL_NS; the child
// derives its own ScaledClock from them so that both processes share one virtual time line.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <thread>

#include "fs/file_system.h"
#include "recorder/recorder.h"
#include "recorder/recorder_sim_config.h"

namespace {

class DroppingSink final : public ibstream::reliability::AlertSink {
 public:
  void Deliver(std::span<const ibstream::Alert>) override {}
};

}  // namespace

int main(int argc, char** argv) {
  using namespace ibstream;
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s PORT DATA_DIR VIRTUAL_NS REAL_NS SPEED\n", argv[0]);
    return 2;
  }
  const auto port = static_cast<uint16_t>(std::strtoul(argv[1], nullptr, 10));
  const std::string data_dir = argv[2];
  const int64_t virtual_ns = std::strtoll(argv[3], nullptr, 10);
  const int64_t real_ns = std::strtoll(argv[4], nullptr, 10);
  const double speed = std::strtod(argv[5], nullptr);
  if (port == 0 || speed <= 0) {
    std::fprintf(stderr, "bad arguments\n");
    return 2;
  }
  const int64_t real_elapsed = ToUnixNanos(SystemClock::Instance().Now()) - real_ns;
  const ScaledClock clock(
      FromUnixNanos(virtual_ns + static_cast<int64_t>(static_cast<double>(real_elapsed) * speed)),
      speed);

  spdlog::set_level(spdlog::level::warn);  // stdout is the pipe to the test
  recorder::RecorderOptions options;
  options.config = recorder::SimTestConfig(port, data_dir);
  DroppingSink alerts;
  recorder::Recorder rec(options, clock, fs::PosixFileSystem(), alerts);
  const Status started = rec.Start();
  if (!started.ok()) {
    std::fprintf(stderr, "%s\n", started.ToString().c_str());
    return 1;
  }
  // "recording" once both streams have stored live ticks; then on until SIGKILL.
  bool announced = false;
  while (true) {
    if (!announced) {
      auto view = rec.View();
      bool recording = !view->contracts.empty() && view->contracts[0].streams.size() == 2;
      if (recording) {
        for (const auto& s : view->contracts[0].streams) recording = recording && s.ticks > 0;
      }
      if (recording) {
        std::printf("recording\n");
        std::fflush(stdout);
        announced = true;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}
