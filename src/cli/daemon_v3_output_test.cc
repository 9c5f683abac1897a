// storage.v3_output end to end: the daemon on the simulated gateway writes the original's v3 files
// live, and they hold exactly the ticks the recorder stored: live ones, and the backfilled ticks
// of the gap a dropped connection leaves.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "cli/daemon.h"
#include "common/sanitizers.h"
#include "config/env.h"
#include "config/loader.h"
#include "formats/v3_archive.h"
#include "formats/v3_json.h"
#include "formats/v3_layout.h"
#include "fs/file_system.h"
#include "sim/simulator.h"
#include "storage/query.h"

namespace ibstream::cli::daemon_v3_output_test {
namespace {

namespace stdfs = std::filesystem;
using namespace std::chrono_literals;

// Under the sanitizers the recorder fell behind the market at 300x: one run had 34 gaps instead
// of the dropped connection's, and its v3 files held 41 ticks more than the store and the
// overlaps its queries drop.
constexpr double kV3Speed = ReducedUnderSanitizers(300.0, 100.0);

TEST(DaemonV3OutputTest, TheV3FilesHoldEveryTickStoredLiveAndBackfilled) {
  const stdfs::path dir =
      stdfs::path(::testing::TempDir()) / ("daemon_v3_output_" + std::to_string(::getpid()));
  stdfs::remove_all(dir);
  stdfs::create_directories(dir);

  // 14:55 to 15:15 UTC on a Tuesday, kV3Speed times real time.
  ScaledClock clock(*ParseIsoTime("2025-08-12T14:55:00Z"), kV3Speed);
  sim::SimulatorOptions sim_options;
  sim_options.listen_port = 0;
  sim_options.quiet = true;
  sim_options.speed = kV3Speed;
  sim_options.builtin_symbols = {"MNQ"};
  // IB's default allowance (3): one of the 4 streams is recorded through the fallback (quote).
  // The gateway drops the connection at 15:00: the gap until the recorder is back is backfilled.
  sim::FaultSpec close;
  close.kind = sim::FaultKind::kClose;
  close.at.offset = 5min;
  sim_options.faults.push_back(close);
  sim::Simulator simulator(clock, sim_options);
  ASSERT_TRUE(simulator.Start().ok());

  const std::string toml =
      "[gateway]\nports = [" + std::to_string(simulator.port()) + "]\n[storage]\npath = \"" +
      (dir / "data").string() + "\"\nv3_output = [\"json\", \"protobuf\"]\nv3_path = \"" +
      (dir / "original").string() +
      "\"\n[http]\nlisten = \"127.0.0.1:0\"\n"
      "[[contracts]]\nsymbol = \"MNQ\"\nsec_type = \"FUT\"\nexchange = \"CME\"\n"
      "currency = \"USD\"\ntick_types = [\"bid_ask\", \"last\", \"all_last\", \"mid_point\"]\n";
  config::LoadResult loaded = config::LoadConfigText(toml, "test.toml", config::MapEnv());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  DaemonOptions options;
  options.config = loaded.config;
  options.clock = &clock;
  options.run_for = 20min;
  ASSERT_EQ(RunDaemon(options), 0);
  simulator.Stop();

  // The contract the front month resolved to, from a v3 file name.
  int64_t contract_id = 0;
  for (const auto& entry : stdfs::recursive_directory_iterator(dir / "original/v3/json")) {
    if (!entry.is_regular_file()) continue;
    auto name = formats::ParseV3FileName(entry.path().filename().string());
    ASSERT_TRUE(name.ok()) << entry.path();
    contract_id = name->contract_id;
  }
  ASSERT_NE(contract_id, 0) << "no v3 file written";

  std::vector<std::string> stored;
  size_t backfilled = 0;
  storage::QueryStats query_stats;
  storage::QueryRequest request;
  for (TickType type : kAllStreamKinds) request.streams.push_back({contract_id, type});
  request.from = *ParseIsoTime("2025-08-12T00:00:00Z");
  request.to = *ParseIsoTime("2025-08-13T00:00:00Z");
  ASSERT_TRUE(storage::QueryTicks(
                  fs::PosixFileSystem(), (dir / "data").string(), request,
                  [&](const Tick& tick) {
                    if (tick.source == TickSource::kBackfill) ++backfilled;
                    stored.emplace_back();
                    formats::AppendV3Json(tick, stored.back());
                    return Status::Ok();
                  },
                  &query_stats)
                  .ok());

  std::vector<int64_t> hours;
  std::vector<std::string> written;
  for (formats::V3Format format : {formats::V3Format::kJson, formats::V3Format::kProtobuf}) {
    formats::V3ArchiveRequest archive;
    archive.dir = (dir / "original").string();
    archive.contract_id = contract_id;
    archive.from = TimePoint::min();  // every time there is
    archive.to = TimePoint::max();
    archive.prefer = format;
    formats::V3ArchiveStats stats;
    std::vector<std::string> lines;
    ASSERT_TRUE(formats::ReadV3Archive(
                    archive,
                    [&](const Tick& tick) {
                      lines.emplace_back();
                      formats::AppendV3Json(tick, lines.back());
                      if (hours.empty() ||
                          hours.back() != formats::V3HourEpoch(tick.exchange_time)) {
                        hours.push_back(formats::V3HourEpoch(tick.exchange_time));
                      }
                      return Status::Ok();
                    },
                    &stats)
                    .ok());
    EXPECT_TRUE(stats.clean());
    if (format == formats::V3Format::kJson) {
      written = lines;
    } else {
      EXPECT_EQ(lines, written) << "the protobuf files differ from the JSON files";
    }
  }
  EXPECT_GT(stored.size(), 1000u);
  EXPECT_GT(backfilled, 0u) << "the dropped connection left no backfilled gap";
  std::sort(stored.begin(), stored.end());
  std::sort(written.begin(), written.end());
  // The v3 files hold what storage took; queries also drop the backfilled ticks of a gap's
  // boundary seconds that repeat live ones (storage/query.h), which the v3 files keep.
  EXPECT_EQ(written.size(), stored.size() + query_stats.backfill_overlaps_dropped);
  EXPECT_TRUE(std::includes(written.begin(), written.end(), stored.begin(), stored.end()))
      << "a stored tick is missing from the v3 files";
  std::sort(hours.begin(), hours.end());
  hours.erase(std::unique(hours.begin(), hours.end()), hours.end());
  EXPECT_GE(hours.size(), 2u) << "no hour boundary was crossed";
  stdfs::remove_all(dir);
}

}  // namespace
}  // namespace ibstream::cli::daemon_v3_output_test
