#include "sim/fault_injector.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace ibstream::sim {

FaultInjector::FaultInjector(FaultState& state, ClientSessions& sessions, MarketFanout& markets,
                             SimCounters& counters, uint64_t seed, bool quiet)
    : state_(state),
      sessions_(sessions),
      markets_(markets),
      counters_(counters),
      quiet_(quiet),
      garbage_rng_(seed ^ 0x5eedULL) {}

void FaultInjector::Schedule(const std::vector<FaultSpec>& faults, TimePoint start) {
  for (const FaultSpec& f : faults) pending_.emplace_back(f.at.Resolve(start), f);
  std::stable_sort(pending_.begin(), pending_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
}

std::optional<TimePoint> FaultInjector::NextDue(TimePoint now) const {
  std::optional<TimePoint> next;
  if (pending_next_ < pending_.size() && pending_[pending_next_].first <= now) {
    next = pending_[pending_next_].first;
  }
  for (const ActiveFault& f : state_.active) {
    if (f.end && *f.end <= now && (!next || *f.end < *next)) next = *f.end;
  }
  return next;
}

void FaultInjector::ProcessAt(TimePoint at) {
  std::vector<ActiveFault>& active = state_.active;
  for (size_t i = 0; i < active.size();) {
    if (active[i].end && *active[i].end <= at) {
      ActiveFault f = std::move(active[i]);
      active.erase(active.begin() + static_cast<std::ptrdiff_t>(i));
      End(f, *f.end);
    } else {
      ++i;
    }
  }
  while (pending_next_ < pending_.size() && pending_[pending_next_].first <= at) {
    const size_t i = pending_next_++;
    Start(pending_[i].second, pending_[i].first);
  }
}

void FaultInjector::Record(FaultKind kind, const std::string& detail, TimePoint start,
                           TimePoint end, bool open) {
  if (truth_) truth_->WriteFault(kind, detail, start, end, open);
}

void FaultInjector::RecordRunningAsOpen(TimePoint now) {
  for (ActiveFault& f : state_.active) {
    Record(f.spec.kind, DescribeFault(f.spec), f.start, now, true);
  }
  state_.active.clear();
}

void FaultInjector::Start(const FaultSpec& f, TimePoint now) {
  const std::string detail = DescribeFault(f);
  if (!quiet_) spdlog::info("sim: fault start at {}: {}", FormatIsoUtc(now), detail);
  counters_.Add(&SimulatorStats::faults_started);
  ActiveFault active{f, now, std::nullopt, {}};
  if (f.duration.count() > 0) active.end = now + f.duration;
  if (!Apply(f, now, active)) {
    Record(f.kind, detail, now, now, false);
    return;
  }
  if (active.end && *active.end <= now) {
    // A zero-length window (a gateway restart without duration) ends at once.
    End(active, now);
    return;
  }
  state_.active.push_back(std::move(active));
}

bool FaultInjector::Apply(const FaultSpec& f, TimePoint now, ActiveFault& active) {
  switch (f.kind) {
    case FaultKind::kClose:
      for (const ClientSessionPtr& s : std::vector<ClientSessionPtr>(sessions_.sessions())) {
        if (Targets(f, *s)) sessions_.Close(*s, "fault: close", f.mode == "rst");
      }
      return false;
    case FaultKind::kHalfOpen:
      for (const ClientSessionPtr& s : sessions_.sessions()) {
        if (Targets(f, *s)) {
          s->half_open = true;
          active.sessions.push_back(s->id);
        }
      }
      return true;
    case FaultKind::kSilence:
      return true;
    case FaultKind::kConnectivityLost:
      ++state_.connectivity_lost;
      sessions_.Broadcast(1100, "Connectivity between IB and Trader Workstation has been lost.");
      return true;
    case FaultKind::kFarmDown:
      state_.farms_down.insert(f.farm);
      sessions_.Broadcast(2103, "Market data farm connection is broken:" + f.farm);
      if (f.hmds) {
        ++state_.hmds_down;
        sessions_.Broadcast(2105,
                            "HMDS data farm connection is broken:" + std::string(kHistoricalFarm));
      }
      return true;
    case FaultKind::kCompetingSession:
      ++state_.competing;
      for (const ClientSessionPtr& s : sessions_.sessions()) {
        if (!Targets(f, *s)) continue;
        for (const auto& [id, sub] : s->subs) {
          SendError(*s, id, 10197, "No market data during competing session");
        }
      }
      return true;
    case FaultKind::kGatewayRestart:
      state_.listener_down = true;
      sessions_.CloseListener();
      sessions_.CloseAll("fault: gateway restart");
      if (!active.end) active.end = now;
      return true;
    case FaultKind::kNightlyReset:
      ++state_.nightly_reset;
      return true;
    case FaultKind::kPacing:
      ++state_.pacing;
      return true;
    case FaultKind::kTickByTickLimit:
      state_.max_tick_by_tick = f.max;
      return false;
    case FaultKind::kGarbage:
      for (const ClientSessionPtr& s : sessions_.sessions()) {
        if (!Targets(f, *s)) continue;
        // Output is queued in whole frames, so the garbage starts where the client expects a
        // length prefix; a first byte of 0xFF makes that length invalid (> 16 MiB) for sure.
        s->out.push_back(static_cast<char>(0xFF));
        for (int i = 1; i < f.bytes; ++i) s->out.push_back(static_cast<char>(garbage_rng_()));
      }
      return false;
    case FaultKind::kError:
      for (const ClientSessionPtr& s : sessions_.sessions()) {
        if (Targets(f, *s)) SendError(*s, f.id, f.code, f.text);
      }
      return false;
    case FaultKind::kSlowConsumer:
      return false;
  }
  return false;
}

void FaultInjector::End(ActiveFault& f, TimePoint now) {
  const FaultSpec& spec = f.spec;
  if (!quiet_) spdlog::info("sim: fault end at {}: {}", FormatIsoUtc(now), DescribeFault(spec));
  switch (spec.kind) {
    case FaultKind::kHalfOpen:
      for (uint64_t id : f.sessions) {
        if (ClientSessionPtr s = sessions_.Find(id)) {
          sessions_.Close(*s, "half-open window ended", true);
        }
      }
      break;
    case FaultKind::kConnectivityLost:
      --state_.connectivity_lost;
      if (spec.restore == "data_lost") {
        sessions_.Broadcast(1101,
                            "Connectivity between IB and Trader Workstation has been restored - "
                            "data lost.");
        // IB drops every market-data request, market depth included: the client must ask again
        // (and, IB keeping no depth history, rebuild its books from fresh inserts).
        for (const ClientSessionPtr& s : sessions_.sessions()) {
          markets_.RecordSubscriptionsEnd(*s, now, "connectivity restored, data lost");
          markets_.depth().RecordEnds(*s, now, "connectivity restored, data lost");
          s->subs.clear();
          s->depth_subs.clear();
        }
        markets_.MarkDirty();
      } else {
        sessions_.Broadcast(1102,
                            "Connectivity between IB and Trader Workstation has been restored - "
                            "data maintained.");
      }
      break;
    case FaultKind::kFarmDown:
      if (auto it = state_.farms_down.find(spec.farm); it != state_.farms_down.end()) {
        state_.farms_down.erase(it);
      }
      sessions_.Broadcast(2104, "Market data farm connection is OK:" + spec.farm);
      if (spec.hmds) {
        --state_.hmds_down;
        sessions_.Broadcast(2106,
                            "HMDS data farm connection is OK:" + std::string(kHistoricalFarm));
      }
      break;
    case FaultKind::kCompetingSession:
      --state_.competing;
      break;
    case FaultKind::kGatewayRestart: {
      state_.listener_down = false;
      Status st = sessions_.Relisten();
      if (!st.ok()) {
        if (!quiet_) spdlog::error("sim: gateway restart: {}", st.ToString());
      } else {
        sessions_.Accept();
      }
      break;
    }
    case FaultKind::kNightlyReset:
      --state_.nightly_reset;
      break;
    case FaultKind::kPacing:
      --state_.pacing;
      break;
    default:
      break;
  }
  Record(spec.kind, DescribeFault(spec), f.start, now, false);
}

}  // namespace ibstream::sim
