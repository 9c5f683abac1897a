#include "sim/tick_generator.h"

#include <algorithm>
#include <cmath>

#include "common/time_units.h"

namespace ibstream::sim {
namespace {

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Streams of randomness, so that e.g. adding a trade draw never shifts quote draws.
enum Stream : uint64_t {
  kNoise = 1,
  kCount = 2,
  kBurst = 3,
  kQuote = 4,
  kTrade = 5,
};

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

uint64_t TickGenerator::Hash(uint64_t a, uint64_t b, uint64_t c) const {
  return SplitMix(SplitMix(SplitMix(seed_ ^ a) ^ b) ^ c);
}

double TickGenerator::Uniform(uint64_t a, uint64_t b, uint64_t c) const {
  return static_cast<double>(Hash(a, b, c) >> 11) * (1.0 / 9007199254740992.0);
}

double TickGenerator::FairPrice(const SimContract& contract, int64_t t_ns) const {
  // Value noise at several scales: smooth inside a scale's period, amplitude ~ sqrt(period).
  static constexpr int64_t kScales[] = {20, 300, 3600, 6 * 3600, 86400};
  const uint64_t id = static_cast<uint64_t>(contract.con_id());
  double log_move = 0;
  for (size_t i = 0; i < std::size(kScales); ++i) {
    const int64_t period_ns = kScales[i] * kNanosPerSecond;
    const int64_t k = FloorDiv(t_ns, period_ns);
    const double frac = static_cast<double>(t_ns - k * period_ns) / static_cast<double>(period_ns);
    const double smooth = frac * frac * (3 - 2 * frac);
    const uint64_t key = (id << 8) | i;
    const double a = Uniform(kNoise, key, static_cast<uint64_t>(k)) * 2 - 1;
    const double b = Uniform(kNoise, key, static_cast<uint64_t>(k + 1)) * 2 - 1;
    const double amplitude =
        contract.profile.daily_volatility * std::sqrt(static_cast<double>(kScales[i]) / 86400.0);
    log_move += amplitude * (a + (b - a) * smooth);
  }
  return contract.profile.base_price * std::exp(log_move);
}

void TickGenerator::GenerateSecond(const SimContract& contract, int64_t second, SessionPhase phase,
                                   std::vector<MarketEvent>& out) const {
  if (phase == SessionPhase::kClosed) return;
  if (recorded_) {
    recorded_->EventsOf(contract, second, phase, out);
    return;
  }
  const TickProfile& p = contract.profile;
  const uint64_t id = static_cast<uint64_t>(contract.con_id());
  const uint64_t s = static_cast<uint64_t>(second);
  const bool liquid = phase == SessionPhase::kLiquid;
  double multiplier = 1;
  if (Uniform(kBurst, id, static_cast<uint64_t>(FloorDiv(second, 60))) < p.burst_probability) {
    multiplier = p.burst_multiplier;
  }
  const double quote_rate =
      (liquid ? p.quotes_per_second_liquid : p.quotes_per_second_extended) * multiplier;
  const double trade_rate =
      (liquid ? p.trades_per_second_liquid : p.trades_per_second_extended) * multiplier;
  // Counts with the right mean and some spread: floor(rate * (0.5 + u1) + u2).
  const auto count = [&](double rate, uint64_t which) {
    if (rate <= 0) return int64_t{0};
    const double u1 = Uniform(kCount, id * 4 + which, s);
    const double u2 = Uniform(kCount, id * 4 + which + 2, s);
    return static_cast<int64_t>(std::floor(rate * (0.5 + u1) + u2));
  };
  const int64_t quotes = count(quote_rate, 0);
  if (quotes == 0) return;
  const int64_t trades = count(trade_rate, 1);
  const double trades_per_quote = static_cast<double>(trades) / static_cast<double>(quotes);
  const int64_t size_span = p.size_max - p.size_min + 1;
  const auto draw_size = [&](uint64_t stream, uint64_t key) {
    const uint64_t h = Hash(stream, id ^ (key << 20), s);
    // Small sizes are more common: square a uniform.
    const double u = static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0);
    const int64_t units = p.size_min + static_cast<int64_t>(u * u * static_cast<double>(size_span));
    return Decimal::FromParts(std::min(units, p.size_max), p.size_scale);
  };

  double previous_mid = 0;
  int64_t trades_done = 0;
  for (int64_t i = 0; i < quotes; ++i) {
    MarketEvent q;
    q.kind = MarketEvent::Kind::kQuote;
    q.offset_ns = static_cast<int32_t>((2 * i + 1) * (kNanosPerSecond / 2) / quotes);
    const int64_t t_ns = second * kNanosPerSecond + q.offset_ns;
    const double fair = FairPrice(contract, t_ns);
    const double fair_ticks = fair * static_cast<double>(contract.tick_denominator) /
                              static_cast<double>(contract.tick_numerator);
    const uint64_t h = Hash(kQuote | (static_cast<uint64_t>(i) << 8), id, s);
    const int64_t spread =
        1 + static_cast<int64_t>((h & 7) == 0) + static_cast<int64_t>((h & 31) == 1);
    const int64_t bid_ticks =
        static_cast<int64_t>(std::floor(fair_ticks - static_cast<double>(spread) / 2.0 + 0.5));
    q.bid = contract.PriceOfTicks(std::max<int64_t>(bid_ticks, 1));
    q.ask = contract.PriceOfTicks(std::max<int64_t>(bid_ticks, 1) + spread);
    const uint64_t key = static_cast<uint64_t>(i) * 2;
    q.bid_size = draw_size(kQuote, key + 1);
    q.ask_size = draw_size(kQuote, key + 2);
    const double mid = q.midpoint();
    q.midpoint_changed = i == 0 || mid != previous_mid;
    previous_mid = mid;
    out.push_back(q);
    // The trades that follow this quote: the running share of the second's trades.
    const int64_t due =
        static_cast<int64_t>(std::floor(trades_per_quote * static_cast<double>(i + 1) + 1e-9));
    for (; trades_done < due && trades_done < trades; ++trades_done) {
      MarketEvent t;
      t.kind = MarketEvent::Kind::kTrade;
      t.offset_ns = q.offset_ns;
      const uint64_t th = Hash(kTrade | (static_cast<uint64_t>(trades_done) << 8), id, s);
      t.price = (th & 1) != 0 ? q.ask : q.bid;
      t.size = draw_size(kTrade, static_cast<uint64_t>(trades_done) + 1);
      t.unreported = static_cast<double>((th >> 8) % 10000) < p.unreported_fraction * 10000;
      t.exchange = &contract.profile.trade_exchange;
      out.push_back(t);
    }
  }
}

}  // namespace ibstream::sim
