#include "recorder/backfill_job.h"

#include <date/date.h>

#include <utility>

#include "model/what_to_show.h"

namespace ibstream::recorder {
namespace {

// A tick of IB's history as the fallback kind `type` stores it: a quote keeps the top of book
// of a BID_ASK tick, a trade the price and size of a TRADES tick (the volume IB's history does
// not give stays unset). Tick-by-tick streams keep the tick as it is.
Tick AsStreamKind(const Tick& tick, const StreamKey& stream) {
  if (IsTickByTick(stream.type)) return tick;
  Tick out;
  out.contract_id = tick.contract_id;
  out.type = stream.type;
  out.exchange_time = tick.exchange_time;
  out.receive_time = tick.receive_time;
  out.sequence = tick.sequence;
  if (stream.type == TickType::kQuote) {
    out.bid_price = tick.bid_price;
    out.ask_price = tick.ask_price;
    out.bid_size = tick.bid_size;
    out.ask_size = tick.ask_size;
  } else {
    out.price = tick.price;
    out.size = tick.size;
    out.volume = tick.volume;
  }
  return out;
}

}  // namespace

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
  return BackfillPage{cursor_, std::string(TickTypeWhatToShow(stream_.type)), page_size_};
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
    // The same holds for the trade fallback kind: reqMktData's last price leaves them out too.
    const bool trade_stream = stream_.type == TickType::kLast || stream_.type == TickType::kTrade;
    if (trade_stream && (tick.attributes & kAttrUnreported) != 0) continue;
    Tick stored = AsStreamKind(tick, stream_);
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

std::string IbUtcDateTime(int64_t unix_seconds) {
  return date::format("%Y%m%d-%H:%M:%S", date::sys_seconds(std::chrono::seconds(unix_seconds)));
}

}  // namespace ibstream::recorder
