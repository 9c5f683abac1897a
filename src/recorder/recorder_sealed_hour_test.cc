// A sealed hour damaged while the recorder was stopped is noticed at its next start: logged,
// counted, a storage warning naming the file, and a gap over what the file cannot give back,
// which backfill refills from IB's history.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "common/sanitizers.h"
#include "recorder/recorder_sim_fixture.h"
#include "storage/closed_file.h"
#include "storage/layout.h"

namespace ibstream::recorder::recorder_sealed_hour_test {
namespace {

using namespace std::chrono_literals;

constexpr double kSealedHourSpeed = ReducedUnderSanitizers(600.0, 60.0);

class RecorderSealedHourTest : public testing::RecorderSimTest {
 protected:
  // The closed file of `stream` for the hour starting at `hour`, once conversion wrote it.
  std::string ClosedFileOf(const StreamKey& stream, TimePoint hour) {
    const std::filesystem::path dir = storage::ClosedHourDir(data_dir(), hour);
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (storage::IsTempName(name)) continue;
      if (storage::ParseClosedFileName(name) == stream) return entry.path().string();
    }
    return "";
  }
};

TEST_F(RecorderSealedHourTest, ADamagedSealedHourIsReportedAndRefilledAtStart) {
  // Ten minutes of the 15:00 UTC hour, then its seal and conversion into a closed file.
  StartAll("2025-08-12T10:50:00-05:00", kSealedHourSpeed);
  ASSERT_TRUE(WaitFor([&] { return MnqId() != 0; }));
  const StreamKey bid_ask{MnqId(), TickType::kBidAsk};
  const TimePoint hour = *ParseIsoTime("2025-08-12T15:00:00Z");
  RunUntil("2025-08-12T11:01:00-05:00");
  std::string path;
  ASSERT_TRUE(WaitFor([&] { return !(path = ClosedFileOf(bid_ask, hour)).empty(); }, 60s))
      << "the hour was not converted into a closed file";
  StopRecorder();

  // Damage the file's last data frame.
  std::vector<storage::ClosedFrameInfo> frames;
  {
    auto reader = storage::ClosedFileReader::Open(fs_, path);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    frames = (*reader)->frames();
    ASSERT_FALSE(frames.empty());
  }
  const storage::ClosedFrameInfo damaged = frames.back();
  {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bytes[damaged.offset + damaged.compressed_size / 2] ^= 0x40;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  }
  const TimePoint span_first = FromUnixNanos(damaged.min_exchange_ns);
  const TimePoint span_last = FromUnixNanos(damaged.max_exchange_ns);

  StartRecorder();
  std::shared_ptr<const RecorderView> view;
  const auto refilled = [&] {
    view = recorder_->View();
    if (view->counters.sealed_files_damaged != 1) return false;
    return std::any_of(view->gaps.begin(), view->gaps.end(), [&](const storage::GapRecord& g) {
      return g.cause == "damaged_file" && g.stream == bid_ask &&
             g.state == storage::BackfillState::kFilled;
    });
  };
  ASSERT_TRUE(WaitFor(refilled, 90s)) << [&] {
    std::string out =
        "sealed_files_damaged=" + std::to_string(view->counters.sealed_files_damaged) + "\n";
    for (const auto& g : view->gaps) {
      out += ToString(g.stream) + " " + FormatIsoUtc(g.start) + ".." + FormatIsoUtc(g.end) + " " +
             g.cause + " " + std::string(storage::BackfillStateName(g.state)) + " " + g.reason +
             "\n";
    }
    return out;
  }();
  for (const storage::GapRecord& g : view->gaps) {
    if (g.cause != "damaged_file") continue;
    EXPECT_EQ(g.stream, bid_ask);
    EXPECT_EQ(g.start, std::chrono::floor<std::chrono::seconds>(span_first));
    EXPECT_EQ(g.end, std::chrono::floor<std::chrono::seconds>(span_last) + 1s);
  }
  // A storage warning of the contract names the file.
  {
    std::lock_guard lock(sink_.mutex);
    EXPECT_TRUE(std::any_of(sink_.alerts.begin(), sink_.alerts.end(), [&](const Alert& a) {
      return a.rule == "storage_error" && a.severity == AlertSeverity::kWarning &&
             a.contract_id == bid_ask.contract_id && a.labels.count("file") == 1 &&
             a.labels.at("file") == path && a.summary.find(path) != std::string::npos;
    })) << testing::Describe(sink_.alerts);
  }
  // The span holds backfilled ticks again once the writer has them (the query still reports the
  // damaged frame).
  const auto backfilled_in_span = [&] {
    std::vector<Tick> stored;
    const Status queried =
        recorder_->Query({bid_ask}, span_first, span_last + 1s, [&](const Tick& t) {
          stored.push_back(t);
          return Status::Ok();
        });
    EXPECT_TRUE(queried.ok() || queried.code() == StatusCode::kCorruption) << queried.ToString();
    return std::any_of(stored.begin(), stored.end(), [&](const Tick& t) {
      return t.source == TickSource::kBackfill && t.exchange_time >= span_first &&
             t.exchange_time <= span_last;
    });
  };
  EXPECT_TRUE(WaitFor(backfilled_in_span, 30s));

  // The next start finds the file damaged again, but the ledger already covers its span: no
  // second gap.
  StopRecorder();
  StartRecorder();
  const auto damaged_file_gaps = [&] {
    view = recorder_->View();
    return std::count_if(view->gaps.begin(), view->gaps.end(),
                         [](const storage::GapRecord& g) { return g.cause == "damaged_file"; });
  };
  ASSERT_TRUE(WaitFor([&] {
    view = recorder_->View();
    return view->counters.sealed_files_damaged == 1 && view->gateway.connected && MnqId() != 0;
  }));
  RunUntil(clock_->Now() + 30s);
  EXPECT_EQ(damaged_file_gaps(), 1);
}

}  // namespace
}  // namespace ibstream::recorder::recorder_sealed_hour_test
