// [backfill]: filling gaps from IB's history.
#include "config/settings.h"

namespace ibstream::config::internal {

namespace {

using std::chrono::hours;
using std::chrono::minutes;

}  // namespace

void AddBackfillSettings(std::vector<Setting<Config>>& s) {
  using C = Config;
  s.push_back(Bind<C>("backfill.enabled", IBSTREAM_FIELD(backfill.enabled), BoolKind()));
  s.push_back(Bind<C>("backfill.lookback", IBSTREAM_FIELD(backfill.lookback),
                      DurationKind(minutes(1), hours(24 * 30), /*allow_zero=*/true)));
}

}  // namespace ibstream::config::internal
