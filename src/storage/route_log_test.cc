#include "storage/route_log.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <functional>
#include <mutex>

#include "fs/fault_file_system.h"
#include "storage/store.h"
#include "storage/verify.h"

namespace ibstream::storage::route_log_test {
namespace {

using namespace std::chrono_literals;

constexpr char kRoot[] = "/data";
constexpr int64_t kT0 = 1754920800;  // 2025-08-11T14:00:00Z

RouteChange Change(int64_t second, bool session_start, std::vector<RouteEntry> entries) {
  RouteChange c;
  c.at = FromUnixSeconds(second) + 250ms;
  c.session_start = session_start;
  c.entries = std::move(entries);
  return c;
}

RouteEntry Entry(int64_t contract_id, TickType type, RouteKind from, RouteKind to,
                 std::string reason = "") {
  return RouteEntry{{contract_id, type}, from, to, std::move(reason)};
}

std::string Hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

TEST(RouteLogFormat, GoldenBytes) {
  const RouteChange change =
      Change(kT0, true,
             {Entry(495512563, TickType::kLast, RouteKind::kNone, RouteKind::kFallback, "limit"),
              Entry(495512563, TickType::kBidAsk, RouteKind::kFallback, RouteKind::kTickByTick)});
  auto bytes = EncodeRouteChange(change);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  // version 1, flags 1 (session start), 2 entries, reserved, at (ns, little-endian);
  // each entry: contract id, type, from, to, reserved, reason length, reason.
  EXPECT_EQ(Hex(*bytes),
            "0101020000000000"
            "8072d87b2bbb5a18"
            "f3eb881d00000000"
            "02"
            "00"
            "02"
            "00"
            "0500"
            "6c696d6974"
            "f3eb881d00000000"
            "01"
            "02"
            "01"
            "00"
            "0000");
  auto decoded = DecodeRouteChange(*bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, change);
}

TEST(RouteLogFormat, DecodeRejectsDamage) {
  auto bytes = EncodeRouteChange(Change(
      kT0, false,
      {Entry(1, TickType::kMidPoint, RouteKind::kTickByTick, RouteKind::kUnserved, "no line")}));
  ASSERT_TRUE(bytes.ok());
  auto with = [&](size_t offset, char value) {
    std::string b = *bytes;
    b[offset] = value;
    return b;
  };
  EXPECT_FALSE(DecodeRouteChange(with(0, 2)).ok()) << "unknown version";
  EXPECT_FALSE(DecodeRouteChange(with(1, 2)).ok()) << "unknown flag";
  EXPECT_FALSE(DecodeRouteChange(with(4, 1)).ok()) << "reserved";
  EXPECT_FALSE(DecodeRouteChange(with(16 + 8, 9)).ok()) << "tick type";
  EXPECT_FALSE(DecodeRouteChange(with(16 + 10, 4)).ok()) << "route";
  EXPECT_FALSE(DecodeRouteChange(with(2, 2)).ok()) << "count beyond the bytes";
  EXPECT_FALSE(DecodeRouteChange(bytes->substr(0, bytes->size() - 1)).ok()) << "cut";
  EXPECT_FALSE(DecodeRouteChange(*bytes + "x").ok()) << "trailing bytes";
  EXPECT_FALSE(DecodeRouteChange("").ok());
}

TEST(RouteLogFormat, EncodeRefusesOverlongReasons) {
  auto bytes = EncodeRouteChange(Change(kT0, false,
                                        {Entry(1, TickType::kLast, RouteKind::kNone,
                                               RouteKind::kFallback, std::string(70000, 'x'))}));
  EXPECT_EQ(bytes.status().code(), StatusCode::kInvalidArgument);
}

TEST(RouteLog, AppendsSurviveACrashAndEveryOpenStartsAGeneration) {
  fs::FaultFileSystem fs;
  const RouteChange first =
      Change(kT0, true,
             {Entry(7, TickType::kBidAsk, RouteKind::kNone, RouteKind::kTickByTick),
              Entry(7, TickType::kLast, RouteKind::kNone, RouteKind::kFallback, "limit 3")});
  const RouteChange second = Change(
      kT0 + 60, false, {Entry(7, TickType::kLast, RouteKind::kFallback, RouteKind::kTickByTick)});
  {
    auto log = RouteLog::Open(&fs, kRoot);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    ASSERT_TRUE((*log)->Append(first).ok());
    ASSERT_TRUE((*log)->Append(second).ok());
    EXPECT_EQ((*log)->appended(), 2u);
  }
  fs.Crash(1);  // what Append returned OK for is durable
  {
    // A process that records nothing writes nothing.
    auto idle = RouteLog::Open(&fs, kRoot);
    ASSERT_TRUE(idle.ok());
  }
  const RouteChange third = Change(kT0 + 120, true,
                                   {Entry(7, TickType::kBidAsk, RouteKind::kNone,
                                          RouteKind::kFallback, "tick-by-tick limit 1 reached")});
  {
    auto log = RouteLog::Open(&fs, kRoot);
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE((*log)->Append(third).ok());
  }
  auto names = fs.ListDir(RouteLog::Dir(kRoot));
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"routes.1.log", "routes.2.log"}));

  RouteLogDamage damage;
  auto all = RouteLog::ReadAll(&fs, kRoot, &damage);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_TRUE(damage.clean());
  EXPECT_EQ(*all, (std::vector<RouteChange>{first, second, third}));
}

TEST(RouteLog, AStoreWithoutRoutesHasNone) {
  fs::FaultFileSystem fs;
  RouteLogDamage damage;
  auto all = RouteLog::ReadAll(&fs, kRoot, &damage);
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
  EXPECT_TRUE(damage.clean());
}

TEST(RouteLog, DamageIsReportedAndTheRestKept) {
  fs::FaultFileSystem fs;
  for (int generation = 1; generation <= 2; ++generation) {
    auto log = RouteLog::Open(&fs, kRoot);
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 2; ++i) {
      ASSERT_TRUE(
          (*log)
              ->Append(Change(kT0 + 10 * generation + i, i == 0,
                              {Entry(7, TickType::kLast, RouteKind::kNone, RouteKind::kFallback)}))
              .ok());
    }
  }
  auto rewrite = [&](const std::string& path, const std::function<void(std::string&)>& damage) {
    auto bytes = fs::ReadFileToString(&fs, path);
    ASSERT_TRUE(bytes.ok());
    std::string damaged = *bytes;
    damage(damaged);
    ASSERT_TRUE(fs.DeleteFile(path).ok());
    ASSERT_TRUE(fs.WriteRaw(path, damaged).ok());
  };
  const std::string first = RouteLog::Dir(kRoot) + "/routes.1.log";
  const std::string second = RouteLog::Dir(kRoot) + "/routes.2.log";
  // A flipped byte in the first record's payload: its checksum fails (the rest of its block,
  // whose lengths may be wrong, goes with it).
  rewrite(first, [](std::string& b) { b[48 + 7 + 20] ^= 0x40; });
  // The second generation's last record cut short (a crash mid-write).
  rewrite(second, [](std::string& b) { b.resize(b.size() - 3); });

  RouteLogDamage damage;
  auto all = RouteLog::ReadAll(&fs, kRoot, &damage);
  ASSERT_TRUE(all.ok());
  EXPECT_FALSE(damage.clean());
  EXPECT_GT(damage.corrupt_bytes, 0u);
  EXPECT_GT(damage.truncated_bytes, 0u);
  EXPECT_EQ(damage.damaged_files, (std::vector<std::string>{first, second}));
  ASSERT_EQ(damage.problems.size(), 2u);
  EXPECT_NE(damage.problems[0].find("routes.1.log"), std::string::npos) << damage.problems[0];
  EXPECT_NE(damage.problems[1].find("truncated"), std::string::npos) << damage.problems[1];
  // What could be read is kept: the second generation's first record.
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].at, FromUnixSeconds(kT0 + 20) + 250ms);

  // `ibstream verify` reports each damaged generation as an error.
  auto report = VerifyStore(&fs, kRoot, {}, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->ok());
  int routes = 0;
  for (const VerifiedFile& f : report->files) {
    if (f.kind != "routes") continue;
    ++routes;
    EXPECT_EQ(f.severity, VerifiedFile::Severity::kError);
    EXPECT_FALSE(f.detail.empty());
  }
  EXPECT_EQ(routes, 2);
}

TEST(RouteLog, AsyncAppendsCompleteInOrderOnTheWorkerAndStopDrainsThem) {
  fs::FaultFileSystem fs;
  auto log = RouteLog::Open(&fs, kRoot);
  ASSERT_TRUE(log.ok());
  std::mutex mu;
  std::vector<int> done;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE((*log)
                    ->AppendAsync(Change(kT0 + i, i == 0,
                                         {Entry(7, TickType::kBidAsk, RouteKind::kNone,
                                                RouteKind::kTickByTick)}),
                                  [&, i](Status status) {
                                    EXPECT_TRUE(status.ok()) << status.ToString();
                                    std::lock_guard lock(mu);
                                    done.push_back(i);
                                  })
                    .ok());
  }
  (*log)->Stop();
  EXPECT_EQ(done, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ((*log)->AppendAsync(RouteChange{}, nullptr).code(), StatusCode::kFailedPrecondition);
  auto all = RouteLog::ReadAll(&fs, kRoot, nullptr);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ((*all)[4].at, FromUnixSeconds(kT0 + 4) + 250ms);
}

TEST(RouteLog, AWriteErrorIsReturnedAndNothingIsAppendedAfterIt) {
  fs::FaultFileSystem fs;
  auto log = RouteLog::Open(&fs, kRoot);
  ASSERT_TRUE(log.ok());
  const RouteChange c =
      Change(kT0, true, {Entry(7, TickType::kLast, RouteKind::kNone, RouteKind::kFallback)});
  ASSERT_TRUE((*log)->Append(c).ok());
  fs.SetWriteError(true);
  EXPECT_FALSE((*log)->Append(c).ok());
  fs.SetWriteError(false);
  EXPECT_EQ((*log)->Append(c).code(), StatusCode::kUnavailable);
  EXPECT_EQ((*log)->failed(), 2u);
  EXPECT_EQ((*log)->appended(), 1u);
}

TEST(RouteLog, TheStoreOwnsOneAndClosesIt) {
  fs::FaultFileSystem fs;
  ManualClock clock(FromUnixSeconds(kT0));
  StoreOptions options;
  options.root = kRoot;
  options.background_maintenance = false;
  auto store = Store::Open(&fs, clock, options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE(
      (*store)
          ->routes()
          .AppendAsync(Change(kT0, true,
                              {Entry(7, TickType::kLast, RouteKind::kNone, RouteKind::kFallback)}),
                       nullptr)
          .ok());
  (*store)->Close();  // completes the accepted append
  auto all = RouteLog::ReadAll(&fs, kRoot, nullptr);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1u);
}

}  // namespace
}  // namespace ibstream::storage::route_log_test
