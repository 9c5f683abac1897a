// Faults on the virtual timeline: the scripted ones (scenario file, SimulatorOptions::faults)
// start at their scheduled instants, injected ones (Simulator::InjectFault, the control port)
// start at once; a window ends at its start plus its duration. Starting and ending a fault
// applies its effect to the sessions, the listener and FaultState, logs it with its virtual time
// and records it in the truth file.
//
// The caller walks the timeline (NextDue, ProcessAt) so that it can release the markets' events
// before each transition first: a window's effect then covers exactly [start, end) in virtual
// time however late the poll that applies it runs.
//
// Threading: owned by the loop thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/clock.h"
#include "sim/client_sessions.h"
#include "sim/fault.h"
#include "sim/fault_state.h"
#include "sim/market_fanout.h"
#include "sim/sim_counters.h"
#include "sim/truth_writer.h"

namespace ibstream::sim {

class FaultInjector {
 public:
  // Everything referenced must outlive this. `seed` seeds the garbage bytes; `quiet`: log
  // nothing (faults are still recorded in the truth file).
  FaultInjector(FaultState& state, ClientSessions& sessions, MarketFanout& markets,
                SimCounters& counters, uint64_t seed, bool quiet);

  FaultInjector(const FaultInjector&) = delete;
  FaultInjector& operator=(const FaultInjector&) = delete;

  // Where faults are recorded (not owned; null: nowhere).
  void set_truth(TruthWriter* truth) { truth_ = truth; }

  // Schedules `faults`, their relative times counted from `start`; equal times keep their order.
  void Schedule(const std::vector<FaultSpec>& faults, TimePoint start);
  // The instant of the earliest transition due at or before `now`: a scheduled start or the end
  // of a running window; nullopt when none is due.
  std::optional<TimePoint> NextDue(TimePoint now) const;
  // Applies every transition due at `at` (<= `at`, so nothing earlier is left behind): first
  // the windows ending then end (in start order), then the scheduled faults starting then start
  // (in schedule order). The half-open windows [start, end) thus never overlap at an instant:
  // a fault that ends where another one starts is over before that one begins. Each is logged
  // and recorded at its own scheduled instant.
  void ProcessAt(TimePoint at);
  // Starts `fault` at `now` (its `at` is ignored).
  void Start(const FaultSpec& fault, TimePoint now);
  // Records a fault (start and end) in the truth file.
  void Record(FaultKind kind, const std::string& detail, TimePoint start, TimePoint end, bool open);
  // Shutdown: records the faults still running as open, without ending them.
  void RecordRunningAsOpen(TimePoint now);

 private:
  // Applies the start of `f` to the sessions and the state; false for instantaneous kinds.
  bool Apply(const FaultSpec& f, TimePoint now, ActiveFault& active);
  void End(ActiveFault& f, TimePoint now);
  bool Targets(const FaultSpec& f, const ClientSession& s) const {
    return s.open && s.state == ClientSession::State::kReady &&
           (!f.client_id || *f.client_id == s.client_id);
  }

  FaultState& state_;
  ClientSessions& sessions_;
  MarketFanout& markets_;
  SimCounters& counters_;
  bool quiet_;
  TruthWriter* truth_ = nullptr;
  std::mt19937_64 garbage_rng_;
  // Scheduled faults, sorted by start time, and the next one to start.
  std::vector<std::pair<TimePoint, FaultSpec>> pending_;
  size_t pending_next_ = 0;
};

}  // namespace ibstream::sim
