// Writes the known stores the Python module's test and benchmark read (not installed).
//
//   python_store_writer fixture DIR
//       The test store (tests/test_ibstream.py rebuilds every value from storage/test_ticks.h's
//       MakeTick rule):
//       - closed files of 2025-08-21T14 (H0): 600 ticks of MNQ (711280073), tick i at H0 + 6i s
//         with sequence i + 1 and kind i % 6 in the order bid_ask, last, all_last, mid_point,
//         quote, trade; i % 100 == 7 are backfilled; and 10 AAPL (265598) last ticks at
//         H0 + 60i s, sequence i + 1;
//       - in the same closed files, ES (495512563) market depth: a reset at H0 + 10 s, bid rows
//         10.0 x 5 and 9.75 x 3 and ask row 10.25 x 7 (market maker "CME") inserted at H0 + 11 s,
//         the best bid updated to 10.0 x 9 at H0 + 20 s, the ask deleted at H0 + 30 s;
//       - a journal of H0 + 1 h: 60 MNQ bid_ask ticks at H1 + 10i s, sequence 1001 + i;
//       - the gap ledger: 1 MNQ bid_ask [H0+600 s, H0+660 s) disconnect, filled, with its
//         fill timing: queued at H0+700 s, filled at H0+721 s, 8 requests, 7 needed, pacing
//         minimum 2 s, round trip 0.5 s (least time 3.5 s, ratio 6); 2 AAPL last [H0+1800 s,
//         H0+1900 s) stall, pending; 3 MNQ last [H1+100 s, H1+200 s) queue_full, failed "pacing".
//   python_store_writer bench DIR N V3DIR
//       N MNQ ticks, bid_ask and last alternately, 10 a second from H0, as closed files in DIR
//       and as the original's v3 JSON files (V3Writer, the recorder's v3 output) under V3DIR.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "formats/v3_writer.h"
#include "fs/file_system.h"
#include "storage/gap_ledger.h"
#include "storage/journal.h"
#include "storage/layout.h"
#include "storage/recovery.h"
#include "storage/test_ticks.h"

namespace ibstream::python {
namespace {

using storage::testing::kHour0;
using storage::testing::MakeTick;

constexpr int64_t kMnq = 711280073;
constexpr int64_t kAapl = 265598;
constexpr int64_t kEs = 495512563;

void Check(const Status& status, const char* what) {
  if (status.ok()) return;
  std::fprintf(stderr, "python_store_writer: %s: %s\n", what, status.ToString().c_str());
  std::exit(1);
}

// Writes `ticks` as one journal of `hour` (generation 1) and, with `convert`, converts it.
void WriteHour(const std::string& root, int64_t hour, const std::vector<Tick>& ticks,
               bool convert) {
  auto journal =
      storage::JournalFile::Create(fs::PosixFileSystem(), root, FromUnixSeconds(hour), 1, false);
  Check(journal.status(), "journal");
  for (const Tick& tick : ticks) (*journal)->AddTick(tick);
  (*journal)->AddSeal();
  Check((*journal)->Write(), "journal write");
  Check((*journal)->Sync(), "journal sync");
  Check((*journal)->Close(), "journal close");
  if (!convert) return;
  storage::ConversionReport report;
  Check(storage::ConvertJournalHour(fs::PosixFileSystem(), root, FromUnixSeconds(hour), 3, &report),
        "conversion");
}

storage::GapRecord Gap(int64_t contract, TickType type, int64_t start, int64_t end,
                       const char* cause) {
  storage::GapRecord gap;
  gap.stream = {contract, type};
  gap.start = FromUnixSeconds(start);
  gap.end = FromUnixSeconds(end);
  gap.cause = cause;
  gap.updated_at = FromUnixSeconds(kHour0 + 7200);
  return gap;
}

int WriteFixture(const std::string& root) {
  const TickType kinds[] = {TickType::kBidAsk,   TickType::kLast,  TickType::kAllLast,
                            TickType::kMidPoint, TickType::kQuote, TickType::kTrade};
  std::vector<Tick> hour0;
  for (int i = 0; i < 600; ++i) {
    const TickSource source = i % 100 == 7 ? TickSource::kBackfill : TickSource::kLive;
    hour0.push_back(
        MakeTick(kMnq, kinds[i % 6], kHour0 + 6 * i, static_cast<uint64_t>(i) + 1, source));
  }
  for (int i = 0; i < 10; ++i) {
    hour0.push_back(
        MakeTick(kAapl, TickType::kLast, kHour0 + 60 * i, static_cast<uint64_t>(i) + 1));
  }
  const auto depth = [](BookOperation operation, BookSide side, int position, double price,
                        int64_t size, int64_t second, uint64_t sequence) {
    Tick t;
    t.contract_id = kEs;
    t.type = TickType::kDepth;
    t.book_operation = operation;
    t.book_side = side;
    t.book_position = position;
    t.price = price;
    t.size = size > 0 ? Decimal::FromInt(size) : Decimal::Unset();
    if (operation != BookOperation::kReset && operation != BookOperation::kDelete)
      t.exchange = "CME";
    t.exchange_time = FromUnixSeconds(kHour0 + second);
    t.receive_time = t.exchange_time;
    t.sequence = sequence;
    return t;
  };
  hour0.push_back(depth(BookOperation::kReset, BookSide::kAsk, 0, 0, 0, 10, 1));
  hour0.push_back(depth(BookOperation::kInsert, BookSide::kBid, 0, 10.0, 5, 11, 2));
  hour0.push_back(depth(BookOperation::kInsert, BookSide::kBid, 1, 9.75, 3, 11, 3));
  hour0.push_back(depth(BookOperation::kInsert, BookSide::kAsk, 0, 10.25, 7, 11, 4));
  hour0.push_back(depth(BookOperation::kUpdate, BookSide::kBid, 0, 10.0, 9, 20, 5));
  hour0.push_back(depth(BookOperation::kDelete, BookSide::kAsk, 0, 0, 0, 30, 6));
  WriteHour(root, kHour0, hour0, true);
  const int64_t hour1 = kHour0 + 3600;
  std::vector<Tick> journal;
  for (int i = 0; i < 60; ++i) {
    journal.push_back(
        MakeTick(kMnq, TickType::kBidAsk, hour1 + 10 * i, 1001 + static_cast<uint64_t>(i)));
  }
  WriteHour(root, hour1, journal, false);

  auto ledger =
      storage::GapLedger::Open(fs::PosixFileSystem(), root, FromUnixSeconds(kHour0 + 7200));
  Check(ledger.status(), "gap ledger");
  const auto now = FromUnixSeconds(kHour0 + 7200);
  auto id = (*ledger)->Add(Gap(kMnq, TickType::kBidAsk, kHour0 + 600, kHour0 + 660, "disconnect"));
  Check(id.status(), "gap 1");
  storage::GapFill fill;
  fill.queued_at = FromUnixSeconds(kHour0 + 700);
  fill.filled_at = FromUnixSeconds(kHour0 + 721);
  fill.requests = 8;
  fill.requests_needed = 7;
  fill.pacing_minimum = std::chrono::seconds(2);
  fill.round_trip = std::chrono::milliseconds(500);
  Check((*ledger)->Update(*id, storage::BackfillState::kFilled, "", now, std::nullopt, fill),
        "gap 1 update");
  Check((*ledger)->Add(Gap(kAapl, TickType::kLast, kHour0 + 1800, kHour0 + 1900, "stall")).status(),
        "gap 2");
  id = (*ledger)->Add(Gap(kMnq, TickType::kLast, hour1 + 100, hour1 + 200, "queue_full"));
  Check(id.status(), "gap 3");
  Check((*ledger)->Update(*id, storage::BackfillState::kFailed, "pacing", now), "gap 3 update");
  return 0;
}

int WriteBench(const std::string& root, long n, const std::string& v3_dir) {
  formats::V3WriterOptions options;
  options.base_dir = v3_dir;
  options.protobuf = false;
  formats::V3Writer v3(options);
  std::vector<Tick> hour;
  int64_t current_hour = kHour0;
  for (long i = 0; i < n; ++i) {
    const int64_t second = kHour0 + i / 10;
    if (second >= current_hour + 3600) {
      WriteHour(root, current_hour, hour, true);
      hour.clear();
      current_hour += 3600;
    }
    const TickType type = i % 2 == 0 ? TickType::kBidAsk : TickType::kLast;
    hour.push_back(MakeTick(kMnq, type, second, static_cast<uint64_t>(i) + 1));
    Check(v3.Append(hour.back()), "v3 append");
  }
  if (!hour.empty()) WriteHour(root, current_hour, hour, true);
  Check(v3.Close(), "v3 close");
  return 0;
}

}  // namespace
}  // namespace ibstream::python

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "fixture" && argc == 3) return ibstream::python::WriteFixture(argv[2]);
  if (mode == "bench" && argc == 5) {
    return ibstream::python::WriteBench(argv[2], std::atol(argv[3]), argv[4]);
  }
  std::fprintf(stderr, "usage: python_store_writer fixture DIR | bench DIR N V3DIR\n");
  return 2;
}
