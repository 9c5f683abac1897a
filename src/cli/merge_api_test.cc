// MergeApi without NATS: a merge of two held recorders (both lost the same seconds at the end)
// written by merge::MergeStores, then handed to the API as the NATS merge would: the view, the
// status, live subscribers and refused commands.
#include "cli/merge_api.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cluster/nats_merge_source.h"
#include "cluster/wire.h"
#include "storage/test_ticks.h"
#include "storage/tick_codec.h"

namespace ibstream::cli::merge_api_test {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kMaT0 = 1755770400;  // 2025-08-21T10:00:00Z
constexpr int64_t kMaContract = 711202509;

TimePoint MaAt(int64_t seconds) { return FromUnixSeconds(kMaT0 + seconds); }

class MergeApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mergeapi-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Seconds [0, 8) of bid_ask and last (2 ticks each), then a "disconnect" gap of both streams
  // over [8, 10): what each recorder delivered.
  static void Fill(cluster::BufferedSource& source) {
    uint64_t record = 0;
    for (int64_t s = 0; s < 8; ++s) {
      for (TickType type : {TickType::kBidAsk, TickType::kLast}) {
        for (uint64_t i = 0; i < 2; ++i) {
          const Tick tick = storage::testing::MakeTick(kMaContract, type, kMaT0 + s,
                                                       static_cast<uint64_t>(s) * 2 + i + 1);
          std::string encoded;
          storage::AppendTick(tick, &encoded);
          cluster::JournalPosition position;
          position.record = record++;
          auto decoded = cluster::DecodeTickBody(cluster::EncodeTickBody(position, encoded));
          ASSERT_TRUE(decoded.ok());
          source.AddTick(*decoded, "");
        }
      }
    }
    uint64_t id = 0;
    for (TickType type : {TickType::kBidAsk, TickType::kLast}) {
      storage::GapRecord gap;
      gap.id = ++id;
      gap.stream = {kMaContract, type};
      gap.start = MaAt(8);
      gap.end = MaAt(10);
      gap.cause = "disconnect";
      gap.updated_at = MaAt(10);
      source.AddGap(gap, "");
    }
  }

  std::string dir_;
  ManualClock clock_{MaAt(3600)};
};

TEST_F(MergeApiTest, ShowsTheMergeAndHandsItsTicksToLiveSubscribersInOrder) {
  const std::string out = dir_ + "/merged";
  MergeApi api(fs::PosixFileSystem(), clock_, MergeApiOptions{out, "nats://127.0.0.1:4222"});
  // Before any merge: an empty store, nothing tracked, no error.
  EXPECT_TRUE(api.View()->contracts.empty());
  EXPECT_EQ(nlohmann::json::parse(api.StatusJson())["merge"]["store_error"], "");

  std::vector<Tick> live;
  const uint64_t id = api.Subscribe({}, [&live](const Tick& tick, recorder::TickOrigin origin) {
    EXPECT_EQ(origin, recorder::TickOrigin::kLive);
    live.push_back(tick);
    return true;
  });
  EXPECT_EQ(api.live_subscribers(), 1u);

  cluster::BufferedSource a("a", 0s);
  cluster::BufferedSource b("b", 0s);
  Fill(a);
  Fill(b);
  cluster::NatsMergeProgress progress;
  progress.connected = true;
  progress.stats.merges = 4;
  progress.stats.merges_deferred = 3;
  progress.stats.decided_without_unheard = 2;
  progress.recorders.push_back({"a", 32, 2, 32, 2, MaAt(7), MaAt(7)});
  progress.recorders.push_back({"b", 30, 2, 30, 2, MaAt(5), MaAt(5)});
  api.OnProgress(progress);
  merge::MergeOptions options;
  options.out = out;
  options.end = MaAt(10);
  auto report = merge::MergeStores(fs::PosixFileSystem(), clock_, {&a, &b}, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->ticks, 8u * 2 * 2);
  api.OnMerged(*report);

  // Every merged tick, once, in exchange-time order across the two streams.
  ASSERT_EQ(live.size(), report->ticks);
  for (size_t i = 1; i < live.size(); ++i) {
    EXPECT_LE(live[i - 1].exchange_time, live[i].exchange_time) << i;
  }
  EXPECT_EQ(api.live_ticks(), report->ticks);
  EXPECT_EQ(api.live_errors(), 0u);
  api.Unsubscribe(id);
  EXPECT_EQ(api.live_subscribers(), 0u);

  // The view: one contract with both streams, decided to second 10, each in a merged gap.
  auto view = api.View();
  ASSERT_EQ(view->contracts.size(), 1u);
  const recorder::ContractView& c = view->contracts[0];
  EXPECT_EQ(c.contract_id, kMaContract);
  EXPECT_TRUE(c.resolved);
  ASSERT_EQ(c.streams.size(), 2u);
  for (const recorder::StreamView& s : c.streams) {
    EXPECT_EQ(s.route, "merged");
    EXPECT_EQ(s.ticks, 16u);
    EXPECT_EQ(s.last_exchange_time, MaAt(9));
    EXPECT_EQ(s.interrupted_since, MaAt(8));
  }
  EXPECT_EQ(c.status, reliability::HealthStatus::kDegraded);
  EXPECT_EQ(view->overall, reliability::HealthStatus::kDegraded);
  EXPECT_EQ(view->gaps.size(), 2u);
  EXPECT_TRUE(view->gateway.connected);
  EXPECT_EQ(view->storage.path, out);

  const nlohmann::json status = nlohmann::json::parse(api.StatusJson())["merge"];
  EXPECT_EQ(status["merged_gaps"], 2);
  EXPECT_EQ(status["ticks_merged"], 32);
  ASSERT_EQ(status["sources"].size(), 2u);
  EXPECT_EQ(status["sources"][0]["lag_seconds"], 0.0);
  EXPECT_EQ(status["sources"][1]["lag_seconds"], 2.0);  // b's newest tick is 2 s behind a's
  ASSERT_EQ(status["streams"].size(), 2u);
  EXPECT_EQ(status["streams"][0]["merged_to"], FormatIsoUtc(MaAt(10)));
  EXPECT_EQ(status["streams"][0]["last_merged_second"], FormatIsoUtc(MaAt(9)));
  EXPECT_NE(status["streams"][0]["open_gap_id"], 0);
  // The merge's counters, each under its own name.
  EXPECT_EQ(status["merges"], 4);
  EXPECT_EQ(status["merges_deferred"], 3);
  EXPECT_EQ(status["decided_without_unheard"], 2);

  // And in /metrics, as counters with their help.
  http::PrometheusWriter metrics;
  api.WriteMetrics(metrics);
  EXPECT_NE(metrics.text().find("# TYPE ibstream_merge_runs_total counter\n"
                                "ibstream_merge_runs_total 4\n"),
            std::string::npos)
      << metrics.text();
  EXPECT_NE(metrics.text().find("# HELP ibstream_merge_runs_deferred_total Merges put off while "
                                "the consumer had unacknowledged deliveries"),
            std::string::npos)
      << metrics.text();
  EXPECT_NE(metrics.text().find("# TYPE ibstream_merge_runs_deferred_total counter\n"
                                "ibstream_merge_runs_deferred_total 3\n"),
            std::string::npos)
      << metrics.text();
  EXPECT_NE(metrics.text().find("ibstream_merge_decided_without_unheard_total 2\n"),
            std::string::npos)
      << metrics.text();

  // Queries read the merged store.
  uint64_t queried = 0;
  ASSERT_TRUE(api.Query(
                     {{kMaContract, TickType::kBidAsk}}, MaAt(0), MaAt(10),
                     [&queried](const Tick&) {
                       ++queried;
                       return Status::Ok();
                     },
                     nullptr)
                  .ok());
  EXPECT_EQ(queried, 16u);

  // Nothing but the merge writes a merged store.
  EXPECT_EQ(api.RequestBackfill({kMaContract, TickType::kBidAsk}, MaAt(0), MaAt(1)).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(api.RetryGap(1).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(api.Track("con_id = 1").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(api.Untrack("con_1").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(api.Calendar(kMaContract).status().code(), StatusCode::kNotFound);
}

TEST_F(MergeApiTest, AttachChainsTheEarlierAfterMerge) {
  MergeApi api(fs::PosixFileSystem(), clock_, MergeApiOptions{dir_ + "/merged", ""});
  cluster::NatsMergeOptions options;
  int earlier = 0;
  options.after_merge = [&earlier](const merge::MergeReport&) {
    ++earlier;
    return earlier < 2;  // the second merge asks to stop before its acknowledgments
  };
  api.Attach(&options);
  ASSERT_TRUE(options.on_progress);
  cluster::NatsMergeProgress progress;
  progress.stats.messages = 7;
  options.on_progress(progress);
  EXPECT_EQ(nlohmann::json::parse(api.StatusJson())["merge"]["messages"], 7);
  EXPECT_TRUE(options.after_merge(merge::MergeReport{}));
  EXPECT_FALSE(options.after_merge(merge::MergeReport{}));
  EXPECT_EQ(earlier, 2);
}

}  // namespace
}  // namespace ibstream::cli::merge_api_test
