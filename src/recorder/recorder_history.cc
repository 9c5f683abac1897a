#include "recorder/recorder_history.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <utility>

#include "recorder/recorder_view.h"

namespace ibstream::recorder {

namespace {

TimePoint MinuteOf(TimePoint t) { return std::chrono::floor<std::chrono::minutes>(t); }

// The identity of an alert across views: its rule, contract and labels.
std::string AlertKey(const Alert& alert) {
  std::string key = alert.rule;
  key += '\x1f';
  if (alert.contract_id) key += std::to_string(*alert.contract_id);
  for (const auto& [k, v] : alert.labels) {
    key += '\x1f';
    key += k;
    key += '=';
    key += v;
  }
  return key;
}

}  // namespace

std::string_view ConnectionEventKindName(ConnectionEventKind kind) {
  switch (kind) {
    case ConnectionEventKind::kSessionLost:
      return "session_lost";
    case ConnectionEventKind::kReconnected:
      return "reconnected";
  }
  return "session_lost";
}

RecorderHistory::RecorderHistory(Limits limits) : limits_(limits) {
  limits_.minutes = std::max(limits_.minutes, 1);
  limits_.alert_episodes = std::max<size_t>(limits_.alert_episodes, 1);
  limits_.connection_events = std::max<size_t>(limits_.connection_events, 1);
}

void RecorderHistory::CountTicks(const StreamKey& key, uint64_t ticks, TimePoint minute) {
  auto [it, inserted] = streams_.try_emplace(key);
  StreamSeries& s = it->second;
  if (inserted) {
    s.first_minute = minute;
    s.per_minute.push_back(0);
  }
  const uint64_t delta = ticks >= s.last_ticks ? ticks - s.last_ticks : ticks;
  s.last_ticks = ticks;
  const auto span = static_cast<int64_t>(s.per_minute.size());
  const TimePoint last_minute = s.first_minute + std::chrono::minutes(span - 1);
  if (minute > last_minute) {
    const int64_t ahead =
        std::chrono::duration_cast<std::chrono::minutes>(minute - last_minute).count();
    if (ahead >= limits_.minutes) {
      // Nothing remembered is recent enough to keep.
      s.per_minute.assign(1, 0);
      s.first_minute = minute;
    } else {
      s.per_minute.insert(s.per_minute.end(), static_cast<size_t>(ahead), 0);
    }
  }
  const uint64_t sum = s.per_minute.back() + delta;
  s.per_minute.back() = static_cast<uint32_t>(std::min<uint64_t>(sum, UINT32_MAX));
  while (s.per_minute.size() > static_cast<size_t>(limits_.minutes)) {
    s.per_minute.pop_front();
    s.first_minute += std::chrono::minutes(1);
  }
}

void RecorderHistory::FollowAlerts(const RecorderView& view) {
  for (auto& [key, open] : open_alerts_) open.seen = false;
  for (const Alert& alert : view.alerts) {
    const std::string key = AlertKey(alert);
    auto it = open_alerts_.find(key);
    if (it != open_alerts_.end()) {
      it->second.seen = true;
      continue;
    }
    AlertEpisode episode;
    episode.rule = alert.rule;
    episode.severity = alert.severity;
    episode.contract_id = alert.contract_id;
    episode.summary = alert.summary;
    episode.fired_at = alert.starts_at;
    episodes_.push_back(std::move(episode));
    open_alerts_[key] = OpenAlert{first_episode_ + episodes_.size() - 1, true};
  }
  for (auto it = open_alerts_.begin(); it != open_alerts_.end();) {
    if (it->second.seen) {
      ++it;
      continue;
    }
    if (it->second.episode >= first_episode_) {
      episodes_[it->second.episode - first_episode_].resolved_at = view.now;
    }
    it = open_alerts_.erase(it);
  }
  while (episodes_.size() > limits_.alert_episodes) {
    episodes_.pop_front();
    ++first_episode_;
  }
}

void RecorderHistory::FollowConnections(const RecorderView& view) {
  const uint64_t lost = view.counters.sessions_lost;
  const uint64_t reconnects = view.counters.reconnects;
  if (lost > sessions_lost_) {
    connections_.push_back(ConnectionEvent{ConnectionEventKind::kSessionLost, view.now,
                                           lost - sessions_lost_,
                                           view.gateway.last_disconnect_reason});
  }
  if (reconnects > reconnects_) {
    connections_.push_back(
        ConnectionEvent{ConnectionEventKind::kReconnected, view.now, reconnects - reconnects_, ""});
  }
  sessions_lost_ = lost;
  reconnects_ = reconnects;
  while (connections_.size() > limits_.connection_events) connections_.pop_front();
}

void RecorderHistory::Observe(const RecorderView& view) {
  TimePoint minute = MinuteOf(view.now);
  std::set<StreamKey> present;
  for (const ContractView& c : view.contracts) {
    for (const StreamView& s : c.streams) {
      present.insert(s.key);
      auto it = streams_.find(s.key);
      if (it != streams_.end()) {
        const TimePoint latest =
            it->second.first_minute +
            std::chrono::minutes(static_cast<int64_t>(it->second.per_minute.size()) - 1);
        minute = std::max(minute, latest);
      }
    }
  }
  for (const ContractView& c : view.contracts) {
    for (const StreamView& s : c.streams) CountTicks(s.key, s.ticks, minute);
  }
  std::erase_if(streams_, [&present](const auto& entry) { return !present.contains(entry.first); });
  FollowAlerts(view);
  FollowConnections(view);
  snapshot_.reset();
}

std::shared_ptr<const HistoryView> RecorderHistory::Snapshot() const {
  if (snapshot_) return snapshot_;
  auto view = std::make_shared<HistoryView>();
  view->minutes = limits_.minutes;
  for (const auto& [key, s] : streams_) {
    view->streams.push_back(StreamActivity{
        key, s.first_minute, std::vector<uint32_t>(s.per_minute.begin(), s.per_minute.end())});
  }
  view->alerts.assign(episodes_.begin(), episodes_.end());
  view->connections.assign(connections_.begin(), connections_.end());
  snapshot_ = std::move(view);
  return snapshot_;
}

}  // namespace ibstream::recorder
