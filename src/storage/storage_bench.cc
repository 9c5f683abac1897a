// Storage benchmarks: journal append (fsync batch) against a plain write() loop of the same
// bytes, range reads from closed files, and bytes per tick on disk for an MNQ-like bid/ask
// stream.
//
//   build-storage/src/storage/storage_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "storage/closed_file.h"
#include "storage/journal.h"
#include "storage/layout.h"
#include "storage/log_writer.h"
#include "storage/tick_codec.h"
#include "storage/tick_writer.h"

namespace ibstream::storage {
namespace {

constexpr int64_t kMnq = 711280073;
constexpr int64_t kHour0 = 1755784800;

// An MNQ-like bid/ask stream: quarter-point random walk, small sizes, about 40 quotes per IB
// second, receive times with nanosecond jitter.
std::vector<Tick> MnqQuotes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Tick> out;
  out.reserve(n);
  double bid = 23260.0;
  int64_t second = kHour0;
  int64_t receive = kHour0 * 1000000000;
  for (size_t i = 0; i < n; ++i) {
    if (rng() % 40 == 0) ++second;
    const int move = static_cast<int>(rng() % 5) - 2;
    if (rng() % 4 == 0) bid += 0.25 * move;
    Tick t;
    t.contract_id = kMnq;
    t.type = TickType::kBidAsk;
    t.exchange_time = FromUnixSeconds(second);
    receive = std::max(receive + 1000 + static_cast<int64_t>(rng() % 20000000),
                       second * 1000000000 + static_cast<int64_t>(rng() % 900000000));
    t.receive_time = FromUnixNanos(receive);
    t.sequence = i + 1;
    t.bid_price = bid;
    t.ask_price = bid + 0.25 * static_cast<double>(1 + (rng() % 8 == 0));
    t.bid_size = Decimal::FromInt(static_cast<int64_t>(1 + rng() % 12));
    t.ask_size = Decimal::FromInt(static_cast<int64_t>(1 + rng() % 12));
    out.push_back(t);
  }
  return out;
}

std::string TempDir(const char* name) {
  const std::string dir =
      "/tmp/storage_bench_" + std::string(name) + "_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

constexpr size_t kAppendTicks = 2000000;

void JournalAppend(benchmark::State& state, FsyncPolicy policy) {
  const auto ticks = MnqQuotes(kAppendTicks, 1);
  const std::string dir = TempDir("append");
  uint64_t bytes = 0;
  uint64_t full = 0;
  uint64_t syncs = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    WriterOptions options;
    options.root = dir;
    options.fsync = policy;
    options.batch_interval = std::chrono::milliseconds(100);
    auto writer = std::make_unique<TickWriter>(PosixFileSystem(), SystemClock::Instance(), options);
    state.ResumeTiming();
    for (const Tick& t : ticks) {
      while (!writer->Append(t).ok()) {
        // Queue full: a producer that can wait sleeps briefly rather than spinning, so the
        // writer thread gets the core.
        ++full;
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
    }
    if (!writer->Flush(std::chrono::minutes(1)).ok()) state.SkipWithError("flush failed");
    state.PauseTiming();
    syncs = writer->syncs();
    writer.reset();
    bytes = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      if (e.is_regular_file()) bytes += e.file_size();
    }
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * ticks.size()));
  state.counters["journal_bytes_per_tick"] = static_cast<double>(bytes) / ticks.size();
  state.counters["queue_full_retries"] = static_cast<double>(full);
  state.counters["fdatasyncs"] = static_cast<double>(syncs);
  std::filesystem::remove_all(dir);
}
void BM_JournalAppendFsyncBatch(benchmark::State& state) {
  JournalAppend(state, FsyncPolicy::kBatch);
}
void BM_JournalAppendFsyncOff(benchmark::State& state) { JournalAppend(state, FsyncPolicy::kOff); }
BENCHMARK(BM_JournalAppendFsyncOff)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_JournalAppendFsyncBatch)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// The same journal bytes, written by a plain write() loop in 1 MiB chunks (no sync), and with
// an fdatasync every 100 ms like the batch policy.
void PlainWrite(benchmark::State& state, bool sync_every_100ms) {
  const auto ticks = MnqQuotes(kAppendTicks, 1);
  std::string bytes = log::EncodeFileHeader({"IBSJRNL1", 1, 1, log::kBlockSize, 1, 0, 1, 0});
  log::Writer writer(1);
  std::string record;
  for (const Tick& t : ticks) {
    record.assign(1, '\x01');
    AppendTick(t, &record);
    writer.AddRecord(record, &bytes);
  }
  const std::string dir = TempDir("plain");
  const std::string path = dir + "/plain.wal";
  for (auto _ : state) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    auto last_sync = std::chrono::steady_clock::now();
    for (size_t off = 0; off < bytes.size(); off += 1 << 20) {
      const size_t n = std::min<size_t>(1 << 20, bytes.size() - off);
      if (::write(fd, bytes.data() + off, n) != static_cast<ssize_t>(n))
        state.SkipWithError("write");
      if (sync_every_100ms &&
          std::chrono::steady_clock::now() - last_sync > std::chrono::milliseconds(100)) {
        ::fdatasync(fd);
        last_sync = std::chrono::steady_clock::now();
      }
    }
    ::fdatasync(fd);  // the same end state as Flush()
    ::close(fd);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * ticks.size()));
  state.counters["bytes_per_tick"] = static_cast<double>(bytes.size()) / ticks.size();
  std::filesystem::remove_all(dir);
}
void BM_PlainWriteLoop(benchmark::State& state) { PlainWrite(state, false); }
void BM_PlainWriteLoopFdatasync100ms(benchmark::State& state) { PlainWrite(state, true); }
BENCHMARK(BM_PlainWriteLoop)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_PlainWriteLoopFdatasync100ms)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

// Range read of a whole closed hour (decompress, checksum every record, decode to Tick).
void BM_ClosedFileRangeRead(benchmark::State& state) {
  const auto ticks = MnqQuotes(static_cast<size_t>(state.range(0)), 2);
  std::vector<std::string> bodies(ticks.size());
  std::vector<std::string_view> records;
  for (size_t i = 0; i < ticks.size(); ++i) {
    AppendTick(ticks[i], &bodies[i]);
    records.push_back(bodies[i]);
  }
  ClosedFileHeader header;
  header.stream = {kMnq, TickType::kBidAsk};
  header.hour = FromUnixSeconds(kHour0);
  auto file = BuildClosedFile(header, records, 3);
  const std::string dir = TempDir("closed");
  const std::string path = dir + "/f.tks.zst";
  {
    auto w = PosixFileSystem()->NewWritableFile(path, false);
    (void)(*w)->Append(*file);
    (void)(*w)->Close();
  }
  auto reader = ClosedFileReader::Open(PosixFileSystem(), path);
  if (!reader.ok()) {
    state.SkipWithError(reader.status().ToString().c_str());
    return;
  }
  uint64_t n = 0;
  for (auto _ : state) {
    n = 0;
    const Status s = (*reader)->ReadRange(FromUnixSeconds(0), FromUnixSeconds(kHour0 + 86400),
                                          [&](const Tick& t) {
                                            benchmark::DoNotOptimize(t.bid_price);
                                            ++n;
                                          });
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.counters["closed_bytes_per_tick"] = static_cast<double>(file->size()) / ticks.size();
  state.counters["raw_record_bytes"] = static_cast<double>(bodies[0].size() + 4);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_ClosedFileRangeRead)->Arg(1000000)->Unit(benchmark::kMillisecond);

// Bytes per tick of a closed MNQ bid/ask hour at several zstd levels (compression cost too).
void BM_ClosedFileBuild(benchmark::State& state) {
  const auto ticks = MnqQuotes(500000, 3);
  std::vector<std::string> bodies(ticks.size());
  std::vector<std::string_view> records;
  for (size_t i = 0; i < ticks.size(); ++i) {
    AppendTick(ticks[i], &bodies[i]);
    records.push_back(bodies[i]);
  }
  ClosedFileHeader header;
  header.stream = {kMnq, TickType::kBidAsk};
  header.hour = FromUnixSeconds(kHour0);
  size_t size = 0;
  for (auto _ : state) {
    auto file = BuildClosedFile(header, records, static_cast<int>(state.range(0)));
    size = file->size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * ticks.size()));
  state.counters["closed_bytes_per_tick"] = static_cast<double>(size) / ticks.size();
}
BENCHMARK(BM_ClosedFileBuild)->Arg(1)->Arg(3)->Arg(9)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ibstream::storage

namespace ibstream::storage {
namespace {
// The writer thread's per-tick work without I/O: frame 2M ticks into a buffer.
void BM_JournalEncodeOnly(benchmark::State& state) {
  const auto ticks = MnqQuotes(kAppendTicks, 1);
  log::Writer writer(1);
  std::string buffer;
  std::string record;
  for (auto _ : state) {
    buffer.clear();
    for (const Tick& t : ticks) {
      record.assign(1, '\x01');
      AppendTick(t, &record);
      writer.AddRecord(record, &buffer);
    }
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * ticks.size()));
}
BENCHMARK(BM_JournalEncodeOnly)->Unit(benchmark::kMillisecond)->Iterations(3);
}  // namespace
}  // namespace ibstream::storage
