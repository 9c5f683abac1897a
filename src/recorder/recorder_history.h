// The recorder's recent past, for the dashboard: live ticks per minute per stream over the last
// hours, the alerts that fired (and when they resolved), and the gateway sessions lost and
// re-established. A read model: it learns everything from the successive RecorderViews the
// recorder publishes (Observe), never from the recorder's live state, and its memory is bounded
// (Limits).
//
// How it reads the views:
//   ticks      StreamView::ticks is the count since the stream started; the increase since the
//              previous view goes to the minute of view.now (a count that went down means a new
//              stream under the same key: its whole count is new). A stream no longer in the view
//              is forgotten.
//   alerts     an alert firing in a view but not in the previous one fired (at its starts_at); one
//              no longer firing resolved at view.now. An alert is the same alert while its rule,
//              contract and labels are.
//   sessions   an increase of counters.sessions_lost is a "session_lost" event (with the gateway's
//              last disconnect reason), of counters.reconnects a "reconnected" event, at view.now.
//
// Not thread-safe: one owner (the recorder's loop thread) observes; the snapshots it hands out
// are immutable and may be read from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "model/alert.h"
#include "model/tick.h"

namespace ibstream::recorder {

struct RecorderView;

// Live ticks stored per minute of the recorder's clock: per_minute[i] counts the minute that
// starts at first_minute + i minutes; the last entry is the current (partial) minute.
struct StreamActivity {
  StreamKey key;
  TimePoint first_minute;
  std::vector<uint32_t> per_minute;
};

// One firing of an alert, from fired to resolved (empty while it still fires).
struct AlertEpisode {
  std::string rule;
  AlertSeverity severity = AlertSeverity::kWarning;
  std::optional<int64_t> contract_id;
  std::string summary;
  TimePoint fired_at;
  std::optional<TimePoint> resolved_at;
};

enum class ConnectionEventKind {
  kSessionLost,
  kReconnected,
};

// "session_lost", "reconnected".
std::string_view ConnectionEventKindName(ConnectionEventKind kind);

struct ConnectionEvent {
  ConnectionEventKind kind = ConnectionEventKind::kSessionLost;
  TimePoint at;
  uint64_t count = 1;  // how many happened since the previous view (usually 1)
  std::string reason;  // session_lost: the gateway's last disconnect reason
};

// What RecorderHistory remembers, oldest first.
struct HistoryView {
  int minutes = 0;  // the length of every per-minute series at most (Limits::minutes)
  std::vector<StreamActivity> streams;
  std::vector<AlertEpisode> alerts;
  std::vector<ConnectionEvent> connections;
};

class RecorderHistory {
 public:
  struct Limits {
    int minutes = 360;            // per-minute counts kept per stream (6 hours)
    size_t alert_episodes = 200;  // the oldest are dropped first
    size_t connection_events = 200;
  };

  RecorderHistory() : RecorderHistory(Limits{}) {}
  explicit RecorderHistory(Limits limits);

  RecorderHistory(const RecorderHistory&) = delete;
  RecorderHistory& operator=(const RecorderHistory&) = delete;

  // Learns from the next published view (see above). A view older than the previous one is
  // counted in the latest minute (the clock never goes back in the recorder; this keeps a
  // misbehaving clock from growing the history).
  void Observe(const RecorderView& view);

  // What is remembered now; the same object until the next Observe. Never null.
  std::shared_ptr<const HistoryView> Snapshot() const;

 private:
  struct StreamSeries {
    uint64_t last_ticks = 0;
    TimePoint first_minute;
    std::deque<uint32_t> per_minute;
  };
  struct OpenAlert {
    uint64_t episode = 0;  // sequence number of its episode
    bool seen = false;
  };

  void CountTicks(const StreamKey& key, uint64_t ticks, TimePoint minute);
  void FollowAlerts(const RecorderView& view);
  void FollowConnections(const RecorderView& view);

  Limits limits_;
  std::map<StreamKey, StreamSeries> streams_;
  std::deque<AlertEpisode> episodes_;
  uint64_t first_episode_ = 0;  // sequence number of episodes_.front()
  std::map<std::string, OpenAlert> open_alerts_;
  std::deque<ConnectionEvent> connections_;
  uint64_t sessions_lost_ = 0;
  uint64_t reconnects_ = 0;
  mutable std::shared_ptr<const HistoryView> snapshot_;
};

}  // namespace ibstream::recorder
