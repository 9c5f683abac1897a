#include "recorder/backfill_job.h"

#include <utility>

namespace ibstream::recorder {

std::string_view WhatToShowFor(TickType type) {
  switch (type) {
    case TickType::kBidAsk:
      return "BID_ASK";
    case TickType::kMidPoint:
      return "MIDPOINT";
    case TickType::kLast:
    case TickType::kAllLast:
      return "TRADES";
  }
  return "TRADES";
}

BackfillJob::BackfillJob(StreamKey stream, int64_t first_second, int64_t last_second,
                         NextTradingTime next_trading, int page_size)
    : stream_(stream),
      first_second_(first_second),
      last_second_(last_second),
      next_trading_(std::move(next_trading)),
      page_size_(page_size),
      cursor_(first_second) {
  IBSTREAM_CHECK(page_size > 0, "backfill page size must be positive");
  if (last_second < first_second) Finish(BackfillState::kFilled, "empty gap");
}

std::optional<BackfillPage> BackfillJob::NextPage() const {
  if (state_ != BackfillState::kPending) return std::nullopt;
  return BackfillPage{cursor_, std::string(WhatToShowFor(stream_.type)), page_size_};
}

std::vector<Tick> BackfillJob::OnPage(const std::vector<Tick>& page) {
  std::vector<Tick> keep;
  if (state_ != BackfillState::kPending) return keep;
  ++pages_;
  int64_t last_seen = cursor_ - 1;
  for (const Tick& tick : page) {
    const int64_t second = ToUnixSeconds(tick.exchange_time);
    if (second > last_seen) last_seen = second;
    if (second < first_second_ || second > last_second_) continue;
    // IB's TRADES history holds every trade; the live Last stream leaves out the unreported ones
    // (AllLast has them). Keep the stream's own meaning.
    if (stream_.type == TickType::kLast && (tick.attributes & kAttrUnreported) != 0) continue;
    Tick stored = tick;
    stored.source = TickSource::kBackfill;
    keep.push_back(std::move(stored));
  }
  ticks_kept_ += keep.size();

  if (last_seen >= last_second_) {
    Finish(BackfillState::kFilled, "");
    return keep;
  }
  if (page.empty() || last_seen < cursor_) {
    // Nothing from the cursor on: the market may be in a break inside the gap. Skip to the next
    // trading time if the calendar knows it and it is still inside the gap.
    std::optional<TimePoint> next;
    if (next_trading_) next = next_trading_(FromUnixSeconds(cursor_ + 1));
    if (next && ToUnixSeconds(*next) > cursor_ && ToUnixSeconds(*next) <= last_second_) {
      cursor_ = ToUnixSeconds(*next);
      return keep;
    }
    // The first live tick after the gap is in history, so history that ends before it is
    // incomplete (IB's history may lag): keep what we have and say so.
    Finish(ticks_kept_ > 0 ? BackfillState::kPartial : BackfillState::kFailed,
           "history has no ticks from " + FormatIsoUtc(FromUnixSeconds(cursor_)) +
               " to the end of the gap");
    return keep;
  }
  cursor_ = last_seen + 1;
  return keep;
}

void BackfillJob::OnError(const std::string& reason) {
  if (state_ != BackfillState::kPending) return;
  Finish(ticks_kept_ > 0 ? BackfillState::kPartial : BackfillState::kFailed, reason);
}

void BackfillJob::Finish(BackfillState state, std::string reason) {
  state_ = state;
  reason_ = std::move(reason);
}

}  // namespace ibstream::recorder
