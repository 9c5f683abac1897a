#include "cli/recorder_api_adapter.h"

#include <string>
#include <utility>

namespace ibstream::cli {
namespace {

using recorder::ContractView;

class RecorderSource final : public http::RecorderApiSource {
 public:
  explicit RecorderSource(recorder::Recorder& r) : recorder_(r) {}

  std::shared_ptr<const recorder::RecorderView> View() const override { return recorder_.View(); }
  Status Query(const std::vector<StreamKey>& streams, TimePoint from, TimePoint to,
               const std::function<Status(const Tick&)>& sink,
               storage::QueryStats* stats) const override {
    return recorder_.Query(streams, from, to, sink, stats);
  }
  uint64_t Subscribe(recorder::TickFanout::Filter filter,
                     recorder::TickFanout::Consumer consumer) override {
    return recorder_.fanout().Subscribe(std::move(filter), std::move(consumer));
  }
  void Unsubscribe(uint64_t id) override { recorder_.fanout().Unsubscribe(id); }
  Status RequestBackfill(const StreamKey& stream, TimePoint from, TimePoint to) override {
    return recorder_.RequestBackfill(stream, from, to);
  }
  Status RetryGap(uint64_t gap_id) override { return recorder_.RetryGap(gap_id); }
  Result<recorder::ContractChange> Track(std::string_view contract_toml) override {
    return recorder_.Track(contract_toml);
  }
  Result<recorder::ContractChange> Untrack(std::string_view id) override {
    return recorder_.Untrack(id);
  }
  Result<std::shared_ptr<const calendar::MarketCalendar>> Calendar(
      int64_t contract_id) const override {
    auto view = recorder_.View();
    const ContractView* c = nullptr;
    for (const ContractView& candidate : view->contracts) {
      if (candidate.resolved && candidate.contract_id == contract_id) {
        c = &candidate;
        break;
      }
    }
    if (c == nullptr) return NotFound("contract " + std::to_string(contract_id) + " not tracked");
    if (c->calendar) return c->calendar;
    // Rebuilt from the contract's hours (without per-contract overrides) when the view carries
    // no calendar of its own.
    auto calendar = calendar::MarketCalendar::Create(
        calendar::ContractHours{c->time_zone_id, c->trading_hours, c->liquid_hours});
    if (!calendar.ok()) return calendar.status();
    return std::make_shared<const calendar::MarketCalendar>(std::move(calendar).value());
  }
  TimePoint Now() const override { return recorder_.clock().Now(); }

 private:
  recorder::Recorder& recorder_;
};

}  // namespace

std::shared_ptr<http::RecorderApiSource> RecorderApiSourceFor(recorder::Recorder& recorder) {
  return std::make_shared<RecorderSource>(recorder);
}

}  // namespace ibstream::cli
