#include "reliability/tick_by_tick_allowance.h"

#include <algorithm>

namespace ibstream::reliability {

TickByTickAllowance::TickByTickAllowance(std::optional<int> configured)
    : configured_(configured ? std::optional<int>(std::max(0, *configured)) : std::nullopt) {}

void TickByTickAllowance::OnLimitReached(int active, TimePoint now) {
  ceiling_ = std::max(0, active);
  ceiling_set_at_ = now;
}

void TickByTickAllowance::Refresh(TimePoint now) {
  if (ceiling_ && *ceiling_ < most_accepted_ && now - ceiling_set_at_ >= kRetryAfter) {
    ceiling_ = most_accepted_;
  }
}

void TickByTickAllowance::OnAccepted(int active) {
  if (active <= 0) return;
  most_accepted_ = std::max(most_accepted_, active);
  if (ceiling_ && *ceiling_ < active) ceiling_ = active;
}

std::optional<int> TickByTickAllowance::EffectiveLimit() const {
  if (!configured_) return ceiling_;
  return ceiling_ ? std::min(*configured_, *ceiling_) : *configured_;
}

std::optional<int> TickByTickAllowance::learned() const {
  if (ceiling_) return ceiling_;
  if (most_accepted_ > 0) return most_accepted_;
  return std::nullopt;
}

std::string TickByTickAllowance::Describe() const {
  const std::optional<int> effective = EffectiveLimit();
  if (!configured_) {
    if (!learned()) return "auto";
    return "auto (learned " + std::to_string(*learned()) + ")";
  }
  if (effective == configured_) return std::to_string(*configured_);
  return std::to_string(*effective) + " (configured " + std::to_string(*configured_) +
         ", learned from 10190)";
}

}  // namespace ibstream::reliability
