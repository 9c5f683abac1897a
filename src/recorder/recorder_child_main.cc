// A recorder in its own process, for the kill -9 test (recorder_scenarios_test.cc): it records
// MNQ from the simulator on PORT into DATA_DIR on a virtual clock that continues the parent's,
// prints "recording" once both streams have stored live ticks and those ticks are durable, and
// runs until it is killed. Stdout carries that one line alone: the log goes to stderr.
//
//   recorder_sim_child PORT DATA_DIR VIRTUAL_NS REAL_NS SPEED
//
// VIRTUAL_NS is the parent's virtual time at the real (system clock) instant REAL_NS; the child
// derives its own ScaledClock from them so that both processes share one virtual time line.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
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

  // Stdout is the pipe to the test, which reads one line from it: a warning there would be taken
  // for "recording".
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("child", std::make_shared<spdlog::sinks::stderr_sink_mt>()));
  spdlog::set_level(spdlog::level::warn);
  recorder::RecorderOptions options;
  options.config = recorder::SimTestConfig(port, data_dir);
  DroppingSink alerts;
  recorder::Recorder rec(options, clock, fs::PosixFileSystem(), alerts);
  const Status started = rec.Start();
  if (!started.ok()) {
    std::fprintf(stderr, "%s\n", started.ToString().c_str());
    return 1;
  }
  // "recording" once both streams have stored live ticks and the writer has made them durable
  // (a kill before that would leave the next recorder no last stored tick to backfill from,
  // however long the test let this one run); then on until SIGKILL.
  bool announced = false;
  uint64_t recorded_position = 0;  // the writer's accepted position once both streams had ticks
  while (true) {
    if (!announced) {
      auto view = rec.View();
      if (recorded_position == 0) {
        bool recording = !view->contracts.empty() && view->contracts[0].streams.size() == 2;
        if (recording) {
          for (const auto& s : view->contracts[0].streams) recording = recording && s.ticks > 0;
        }
        if (recording) recorded_position = std::max<uint64_t>(1, view->storage.accepted_position);
      }
      if (recorded_position != 0 && view->storage.durable_position >= recorded_position) {
        std::printf("recording\n");
        std::fflush(stdout);
        announced = true;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}
