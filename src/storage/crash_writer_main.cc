// A small writer process for the kill -9 test: opens a store (running recovery), appends
// deterministic ticks (testing::MakeTick) with sequences first, first+1, ... and prints
// "durable <sequence>" each time the durable position advances, until killed.
//
//   storage_crash_writer DIR FIRST_SEQUENCE always|batch
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "storage/store.h"
#include "storage/test_ticks.h"

int main(int argc, char** argv) {
  using namespace ibstream;
  using namespace ibstream::storage;
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s DIR FIRST_SEQUENCE always|batch\n", argv[0]);
    return 2;
  }
  const uint64_t first = std::strtoull(argv[2], nullptr, 10);
  auto policy = ParseFsyncPolicy(argv[3]);
  if (!policy.ok()) return 2;
  StoreOptions options;
  options.root = argv[1];
  options.background_maintenance = false;
  options.writer.fsync = *policy;
  options.writer.batch_interval = std::chrono::milliseconds(5);
  options.writer.on_durable = [first](uint64_t position) {
    std::printf("durable %llu\n", static_cast<unsigned long long>(first + position - 1));
    std::fflush(stdout);
  };
  auto store = Store::Open(fs::PosixFileSystem(), SystemClock::Instance(), options);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  const StreamKey streams[] = {{711280073, TickType::kBidAsk}, {711280073, TickType::kLast}};
  for (uint64_t seq = first;; ++seq) {
    // A recorder-like pace (bursts of 100 ticks, about 50k/s), so each kill leaves a small store.
    if (seq % 100 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const StreamKey& s = streams[seq % 2];
    const Tick tick = testing::MakeTick(s.contract_id, s.type,
                                        testing::kHour0 + static_cast<int64_t>(seq / 100), seq);
    while (true) {
      auto position = (*store)->writer().Append(tick);
      if (position.ok()) break;
      if (position.status().code() != StatusCode::kResourceExhausted) {
        std::fprintf(stderr, "append: %s\n", position.status().ToString().c_str());
        return 1;
      }
      std::this_thread::yield();  // queue full: wait for the writer (a test, not the recorder)
    }
  }
}
