// TickByTickAllowance: how many tick-by-tick subscriptions IB lets this account run at once, as
// configured (`gateway.tick_by_tick_limit`) and as learned from IB's answers.
//
// IB does not say what the allowance is; it answers 10190 to the request past it
// (docs/IB-LIMITS.md §3.2). So:
//   * a 10190 while N tick-by-tick streams are active lowers the effective limit to N (never below
//     0): IB allows no more than those;
//   * N streams running without refusal raise what was learned to at least N;
//   * the effective limit never exceeds a configured number; `auto` (no number) has no upper bound
//     until the first 10190;
//   * a 10190 below what IB once ran is not believed for good: a dead session IB has not noticed
//     yet (a half-open socket) still holds its slots. kRetryAfter after it, Refresh() lets the
//     limit back up to the most streams IB ran, and a new 10190 lowers it again.
// A plain value: no I/O, copyable; the time is passed in. Not thread-safe; one owner (the
// recorder's loop).
#pragma once

#include <optional>
#include <string>

#include "common/clock.h"

namespace ibstream::reliability {

class TickByTickAllowance {
 public:
  // `configured`: the configured limit (negative counts as 0), or nullopt for `auto`.
  explicit TickByTickAllowance(std::optional<int> configured);

  // How long a 10190 below what IB once ran holds the limit down.
  static constexpr Duration kRetryAfter = std::chrono::minutes(5);

  // IB refused a tick-by-tick request (10190) at `now` while `active` tick-by-tick streams were
  // running.
  void OnLimitReached(int active, TimePoint now);
  // Lets the limit back up to the most streams IB ran once kRetryAfter has passed since a 10190
  // that lowered it below them.
  void Refresh(TimePoint now);
  // `active` tick-by-tick streams are running and IB refused none of them.
  void OnAccepted(int active);

  // The limit to plan with (StreamBudget::tick_by_tick_limit): nullopt means no upper bound.
  std::optional<int> EffectiveLimit() const;

  std::optional<int> configured() const { return configured_; }
  // What IB's answers taught: the ceiling set by the last 10190 (raised by later acceptances),
  // else the most streams accepted; nullopt before any answer.
  std::optional<int> learned() const;

  // For logs and the status page: "3", "2 (configured 3, learned from 10190)", "auto",
  // "auto (learned 4)".
  std::string Describe() const;

  friend bool operator==(const TickByTickAllowance&, const TickByTickAllowance&) = default;

 private:
  std::optional<int> configured_;
  // Set by a 10190: no more than this many run; raised when more were accepted since.
  std::optional<int> ceiling_;
  TimePoint ceiling_set_at_;
  // The most streams seen running without refusal.
  int most_accepted_ = 0;
};

}  // namespace ibstream::reliability
