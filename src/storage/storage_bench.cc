// Storage benchmarks: journal append (fsync batch) against a plain write() loop of the same
// bytes (separately and as a ratio measured back to back), the producer's framing alone, range
// reads from closed files, and bytes per tick on disk for an MNQ-like bid/ask stream.
//
//   build-storage/src/storage/storage_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <random>
#include <thread>

#include "common/clock.h"
#include "storage/closed_file.h"
#include "storage/journal.h"
#include "storage/layout.h"
#include "storage/log_writer.h"
#include "storage/tick_codec.h"
#include "storage/tick_writer.h"

namespace ibstream::storage {

using fs::PosixFileSystem;
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
constexpr auto kBatchInterval = std::chrono::milliseconds(100);

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

double ThreadCpuSeconds() {
  timespec t;
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

struct AppendPass {
  double seconds = 0;       // first Append to the return of Flush (every tick durable)
  double producer_cpu = 0;  // CPU time of the appending thread in that span
  uint64_t full_retries = 0;
  uint64_t syncs = 0;
  uint64_t bytes = 0;  // journal bytes on disk
};

// One run of the journal writer over `ticks` in an empty `dir`; creating the writer (and its
// first journal) and cleaning up are not timed.
AppendPass RunAppend(const std::vector<Tick>& ticks, const std::string& dir, FsyncPolicy policy) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  WriterOptions options;
  options.root = dir;
  options.fsync = policy;
  options.batch_interval = kBatchInterval;
  auto writer = std::make_unique<TickWriter>(PosixFileSystem(), SystemClock::Instance(), options);
  AppendPass pass;
  const double cpu_start = ThreadCpuSeconds();
  const auto start = SteadyClock::Real().Now();
  for (const Tick& t : ticks) {
    while (!writer->Append(t).ok()) {
      // Queue full: a producer that can wait sleeps briefly rather than spinning, so the
      // writer thread gets the core.
      ++pass.full_retries;
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }
  const Status flushed = writer->Flush(std::chrono::minutes(1));
  pass.seconds = Seconds(SteadyClock::Real().Now() - start);
  pass.producer_cpu = ThreadCpuSeconds() - cpu_start;
  if (!flushed.ok()) pass.seconds = -1;
  pass.syncs = writer->syncs();
  writer.reset();
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) pass.bytes += e.file_size();
  }
  return pass;
}

// The journal bytes of `ticks` (header and framed records) as the writer produces them.
std::string JournalBytes(const std::vector<Tick>& ticks) {
  std::string bytes = log::EncodeFileHeader({"IBSJRNL1", 1, 1, log::kBlockSize, 1, 0, 1, 0});
  log::Writer writer(1);
  std::string record;
  for (const Tick& t : ticks) {
    record.assign(1, '\x01');
    AppendTick(t, &record);
    writer.AddRecord(record, &bytes);
  }
  return bytes;
}

// The baseline: `bytes` (encoded before the timing starts) written by a plain write() loop in
// 1 MiB chunks to a new file, with no sync or with an fdatasync every 100 ms like the batch
// policy, ending with an fdatasync like Flush(). Removing the previous file is not timed.
// Returns seconds, or -1 on an error.
double RunPlainWrite(const std::string& bytes, const std::string& path, bool sync_every_100ms) {
  std::filesystem::remove(path);
  const auto start = SteadyClock::Real().Now();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND, 0644);
  if (fd < 0) return -1;
  bool ok = true;
  auto last_sync = start;
  for (size_t off = 0; off < bytes.size(); off += 1 << 20) {
    const size_t n = std::min<size_t>(1 << 20, bytes.size() - off);
    ok = ok && ::write(fd, bytes.data() + off, n) == static_cast<ssize_t>(n);
    if (sync_every_100ms && SteadyClock::Real().Now() - last_sync > kBatchInterval) {
      ok = ok && ::fdatasync(fd) == 0;
      last_sync = SteadyClock::Real().Now();
    }
  }
  ok = ok && ::fdatasync(fd) == 0;  // the same end state as Flush()
  ::close(fd);
  return ok ? Seconds(SteadyClock::Real().Now() - start) : -1;
}

void JournalAppend(benchmark::State& state, FsyncPolicy policy) {
  const auto ticks = MnqQuotes(kAppendTicks, 1);
  const std::string dir = TempDir("append");
  AppendPass pass;
  double producer_cpu = 0;
  uint64_t full = 0;
  for (auto _ : state) {
    pass = RunAppend(ticks, dir, policy);
    if (pass.seconds < 0) state.SkipWithError("flush failed");
    state.SetIterationTime(pass.seconds);
    producer_cpu += pass.producer_cpu;
    full += pass.full_retries;
  }
  const double n = static_cast<double>(state.iterations() * ticks.size());
  state.SetItemsProcessed(static_cast<int64_t>(n));
  state.counters["journal_bytes_per_tick"] = static_cast<double>(pass.bytes) / ticks.size();
  state.counters["producer_cpu_ns_per_tick"] = producer_cpu * 1e9 / n;
  state.counters["queue_full_retries"] = static_cast<double>(full);
  state.counters["fdatasyncs"] = static_cast<double>(pass.syncs);
  std::filesystem::remove_all(dir);
}
void BM_JournalAppendFsyncBatch(benchmark::State& state) {
  JournalAppend(state, FsyncPolicy::kBatch);
}
void BM_JournalAppendFsyncOff(benchmark::State& state) { JournalAppend(state, FsyncPolicy::kOff); }
BENCHMARK(BM_JournalAppendFsyncOff)->Unit(benchmark::kMillisecond)->Iterations(3)->UseManualTime();
BENCHMARK(BM_JournalAppendFsyncBatch)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseManualTime();

void PlainWrite(benchmark::State& state, bool sync_every_100ms) {
  const auto ticks = MnqQuotes(kAppendTicks, 1);
  const std::string bytes = JournalBytes(ticks);
  const std::string dir = TempDir("plain");
  for (auto _ : state) {
    const double seconds = RunPlainWrite(bytes, dir + "/plain.wal", sync_every_100ms);
    if (seconds < 0) state.SkipWithError("write");
    state.SetIterationTime(seconds);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * ticks.size()));
  state.counters["bytes_per_tick"] = static_cast<double>(bytes.size()) / ticks.size();
  std::filesystem::remove_all(dir);
}
void BM_PlainWriteLoop(benchmark::State& state) { PlainWrite(state, false); }
void BM_PlainWriteLoopFdatasync100ms(benchmark::State& state) { PlainWrite(state, true); }
BENCHMARK(BM_PlainWriteLoop)->Unit(benchmark::kMillisecond)->Iterations(3)->UseManualTime();
BENCHMARK(BM_PlainWriteLoopFdatasync100ms)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseManualTime();

// The target as one figure: append with fsync batch against the plain write() loops, run
// back to back in every iteration (the same bytes, the same load on the machine). The ratios
// are append rate / plain rate (= plain time / append time): per iteration, then the lowest and
// the median over the iterations. items_per_second is the append rate.
void BM_AppendToPlainWriteRatio(benchmark::State& state) {
  const auto ticks = MnqQuotes(kAppendTicks, 1);
  const std::string bytes = JournalBytes(ticks);
  const std::string dir = TempDir("ratio");
  const std::string plain_path = TempDir("ratio_plain") + "/plain.wal";
  std::vector<double> vs_plain;
  std::vector<double> vs_plain_synced;
  std::vector<double> plain_rate;  // ticks per second of the plain loop without a mid-run sync
  // One untimed run of each first: the first run in a process pays for memory the later ones
  // reuse (page cache, the queue's buffers).
  if (RunPlainWrite(bytes, plain_path, false) < 0 ||
      RunAppend(ticks, dir, FsyncPolicy::kBatch).seconds < 0) {
    state.SkipWithError("warm-up failed");
  }
  for (auto _ : state) {
    const double plain = RunPlainWrite(bytes, plain_path, false);
    const AppendPass append = RunAppend(ticks, dir, FsyncPolicy::kBatch);
    const double plain_synced = RunPlainWrite(bytes, plain_path, true);
    if (plain < 0 || plain_synced < 0 || append.seconds < 0) {
      state.SkipWithError("a run failed");
      break;
    }
    state.SetIterationTime(append.seconds);
    vs_plain.push_back(plain / append.seconds);
    plain_rate.push_back(static_cast<double>(ticks.size()) / plain);
    vs_plain_synced.push_back(plain_synced / append.seconds);
  }
  std::sort(vs_plain.begin(), vs_plain.end());
  std::sort(vs_plain_synced.begin(), vs_plain_synced.end());
  std::sort(plain_rate.begin(), plain_rate.end());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * ticks.size()));
  if (!vs_plain.empty()) {
    state.counters["plain_ticks_per_second_median"] = plain_rate[plain_rate.size() / 2];
    state.counters["ratio_vs_plain_min"] = vs_plain.front();
    state.counters["ratio_vs_plain_median"] = vs_plain[vs_plain.size() / 2];
    state.counters["ratio_vs_plain_fdatasync100ms_min"] = vs_plain_synced.front();
    state.counters["ratio_vs_plain_fdatasync100ms_median"] =
        vs_plain_synced[vs_plain_synced.size() / 2];
  }
  std::filesystem::remove_all(dir);
  std::filesystem::remove_all(std::filesystem::path(plain_path).parent_path());
}
BENCHMARK(BM_AppendToPlainWriteRatio)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5)
    ->UseManualTime();

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
// The producer's per-tick framing without the lock or I/O: 2M ticks framed in place into the
// queue's kind of buffer (what Append does under the queue lock), emptied every 4096 ticks as
// the writer thread empties the queue...
constexpr size_t kTicksPerBatch = 4096;
void BM_JournalEncodeOnly(benchmark::State& state) {
  const auto ticks = MnqQuotes(kAppendTicks, 1);
  log::Writer writer(1);
  ByteBuffer buffer;
  for (auto _ : state) {
    for (size_t i = 0; i < ticks.size(); ++i) {
      if (i % kTicksPerBatch == 0) buffer.clear();
      JournalFile::FrameTick(ticks[i], writer, &buffer);
    }
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * ticks.size()));
}
BENCHMARK(BM_JournalEncodeOnly)->Unit(benchmark::kMillisecond)->Iterations(5);

// ...and, for comparison, the same bytes made the earlier way: the tick encoded into a scratch
// string, then framed (copied and checksummed) into the buffer.
void BM_JournalEncodeViaScratch(benchmark::State& state) {
  const auto ticks = MnqQuotes(kAppendTicks, 1);
  log::Writer writer(1);
  std::string buffer;
  std::string record;
  for (auto _ : state) {
    for (size_t i = 0; i < ticks.size(); ++i) {
      if (i % kTicksPerBatch == 0) buffer.clear();
      record.assign(1, '\x01');
      AppendTick(ticks[i], &record);
      writer.AddRecord(record, &buffer);
    }
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * ticks.size()));
}
BENCHMARK(BM_JournalEncodeViaScratch)->Unit(benchmark::kMillisecond)->Iterations(5);
}  // namespace
}  // namespace ibstream::storage
