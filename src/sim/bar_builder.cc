#include "sim/bar_builder.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

namespace ibstream::sim {
namespace {

int64_t Pow10(int n) {
  int64_t p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

// The WAP as a decimal with at most 8 places, trailing zeros dropped.
Decimal WapDecimal(double wap) {
  constexpr int kScale = 8;
  int64_t mantissa = std::llround(wap * static_cast<double>(Pow10(kScale)));
  int scale = kScale;
  while (scale > 0 && mantissa % 10 == 0) {
    mantissa /= 10;
    --scale;
  }
  return Decimal::FromParts(mantissa, scale);
}

}  // namespace

std::optional<BarKind> BarKindFromWhatToShow(std::string_view what_to_show) {
  static constexpr std::array<std::pair<std::string_view, BarKind>, 5> kNames{{
      {"TRADES", BarKind::kTrades},
      {"MIDPOINT", BarKind::kMidpoint},
      {"BID", BarKind::kBid},
      {"ASK", BarKind::kAsk},
      {"BID_ASK", BarKind::kBidAsk},
  }};
  for (const auto& [name, kind] : kNames) {
    if (name == what_to_show) return kind;
  }
  return std::nullopt;
}

TickType BarSourceType(BarKind kind) {
  switch (kind) {
    case BarKind::kTrades:
      return TickType::kLast;
    case BarKind::kMidpoint:
      return TickType::kMidPoint;
    case BarKind::kBid:
    case BarKind::kAsk:
    case BarKind::kBidAsk:
      return TickType::kBidAsk;
  }
  return TickType::kBidAsk;
}

void BarAccumulator::Add(const Tick& t) {
  if (t.type != BarSourceType(kind_)) return;
  double low = 0;
  double high = 0;
  double open = 0;
  double close = 0;
  switch (kind_) {
    case BarKind::kTrades:
      low = high = open = close = t.price;
      volume_ = AddDecimals(volume_, t.size);
      notional_ += t.price * t.size.ToDouble();
      break;
    case BarKind::kMidpoint:
      low = high = open = close = t.price;
      break;
    case BarKind::kBid:
      low = high = open = close = t.bid_price;
      break;
    case BarKind::kAsk:
      low = high = open = close = t.ask_price;
      break;
    case BarKind::kBidAsk:
      low = t.bid_price;
      high = t.ask_price;
      if (n_ > 0) {
        const double w =
            std::max<double>(0, static_cast<double>((t.receive_time - last_time_).count()));
        weighted_bid_ += last_bid_ * w;
        weighted_ask_ += last_ask_ * w;
        weight_ += w;
      }
      last_bid_ = t.bid_price;
      last_ask_ = t.ask_price;
      last_time_ = t.receive_time;
      bid_sum_ += t.bid_price;
      ask_sum_ += t.ask_price;
      break;
  }
  if (n_ == 0) {
    bar_.open = open;
    bar_.low = low;
    bar_.high = high;
  } else {
    bar_.low = std::min(bar_.low, low);
    bar_.high = std::max(bar_.high, high);
  }
  bar_.close = close;
  ++n_;
}

std::optional<BarValues> BarAccumulator::Finish(TimePoint end) {
  std::optional<BarValues> out = Peek(end);
  *this = BarAccumulator(kind_);
  return out;
}

std::optional<BarValues> BarAccumulator::Peek(TimePoint end) const {
  std::optional<BarValues> out;
  if (n_ > 0) {
    BarValues bar = bar_;
    if (kind_ == BarKind::kTrades) {
      bar.volume = volume_;
      const double v = volume_.ToDouble();
      bar.wap = WapDecimal(v > 0 ? notional_ / v : bar.close);
      bar.count = static_cast<int32_t>(n_);
    } else if (kind_ == BarKind::kBidAsk) {
      const double w = std::max<double>(0, static_cast<double>((end - last_time_).count()));
      const double weight = weight_ + w;
      // Quotes that stood no time at all (all at the bar's end): their plain average.
      bar.open = weight > 0 ? (weighted_bid_ + last_bid_ * w) / weight
                            : bid_sum_ / static_cast<double>(n_);
      bar.close = weight > 0 ? (weighted_ask_ + last_ask_ * w) / weight
                             : ask_sum_ / static_cast<double>(n_);
    }
    out = bar;
  }
  return out;
}

std::optional<BarValues> BuildBar(BarKind kind, std::span<const Tick> ticks, TimePoint end) {
  BarAccumulator acc(kind);
  for (const Tick& t : ticks) acc.Add(t);
  return acc.Finish(end);
}

Result<int64_t> ParseBarSize(std::string_view text) {
  struct Size {
    std::string_view singular;
    std::string_view plural;
    int64_t seconds;
  };
  static constexpr std::array<Size, 19> kSizes{{
      {"1 sec", "1 secs", 1},       {"5 sec", "5 secs", 5},       {"10 sec", "10 secs", 10},
      {"15 sec", "15 secs", 15},    {"30 sec", "30 secs", 30},    {"1 min", "1 mins", 60},
      {"2 min", "2 mins", 120},     {"3 min", "3 mins", 180},     {"5 min", "5 mins", 300},
      {"10 min", "10 mins", 600},   {"15 min", "15 mins", 900},   {"20 min", "20 mins", 1200},
      {"30 min", "30 mins", 1800},  {"1 hour", "1 hours", 3600},  {"2 hour", "2 hours", 7200},
      {"3 hour", "3 hours", 10800}, {"4 hour", "4 hours", 14400}, {"8 hour", "8 hours", 28800},
      {"1 day", "1 days", 86400},
  }};
  for (const Size& s : kSizes) {
    if (text == s.singular || text == s.plural) return s.seconds;
  }
  return InvalidArgument("bar size setting '" + std::string(text) + "' is invalid");
}

Result<int64_t> ParseBarDuration(std::string_view text) {
  const size_t space = text.find(' ');
  const auto bad = [&] {
    return InvalidArgument("duration '" + std::string(text) +
                           "' is invalid (expected '<integer> <S|D|W|M|Y>')");
  };
  if (space == std::string_view::npos || space == 0 || space + 2 != text.size()) return bad();
  int64_t n = 0;
  for (char c : text.substr(0, space)) {
    if (c < '0' || c > '9' || n > 1'000'000'000) return bad();
    n = n * 10 + (c - '0');
  }
  if (n <= 0) return bad();
  constexpr int64_t kDay = 86400;
  switch (text[space + 1]) {
    case 'S':
      return n;
    case 'D':
      return n * kDay;
    case 'W':
      return n * 7 * kDay;
    case 'M':
      return n * 30 * kDay;
    case 'Y':
      return n * 365 * kDay;
    default:
      return bad();
  }
}

bool StepSizeAllowed(int64_t bar_seconds, int64_t duration_seconds) {
  constexpr int64_t kDay = 86400;
  struct Step {
    int64_t max_duration;
    int64_t min_bar;
  };
  static constexpr std::array<Step, 9> kSteps{{
      {1800, 1},
      {3600, 5},
      {14400, 10},
      {28800, 30},
      {kDay, 60},
      {2 * kDay, 120},
      {7 * kDay, 180},
      {30 * kDay, 1800},
      {365 * kDay, kDay},
  }};
  for (const Step& s : kSteps) {
    if (duration_seconds <= s.max_duration) return bar_seconds >= s.min_bar;
  }
  return false;
}

Decimal AddDecimals(const Decimal& a, const Decimal& b) {
  if (!a.is_set() || !b.is_set()) return Decimal::Unset();
  const int scale = std::max(a.scale(), b.scale());
  int64_t x = 0;
  int64_t y = 0;
  int64_t sum = 0;
  if (__builtin_mul_overflow(a.mantissa(), Pow10(scale - a.scale()), &x) ||
      __builtin_mul_overflow(b.mantissa(), Pow10(scale - b.scale()), &y) ||
      __builtin_add_overflow(x, y, &sum)) {
    return Decimal::Unset();
  }
  return Decimal::FromParts(sum, scale);
}

}  // namespace ibstream::sim
