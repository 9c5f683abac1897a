#include "verify/route_spans.h"

#include <algorithm>
#include <set>

namespace ibstream::verify {

using storage::RouteKind;

namespace {

// The kinds the routes in `routes` need at one moment.
std::set<StreamKey> Needed(const std::map<StreamKey, RouteKind>& routes) {
  std::set<StreamKey> out;
  for (const auto& [stream, route] : routes) {
    if (route == RouteKind::kTickByTick) out.insert(stream);
    if (route == RouteKind::kFallback && IsTickByTick(stream.type)) {
      out.insert(StreamKey{stream.contract_id, FallbackKind(stream.type)});
    }
  }
  return out;
}

}  // namespace

const std::vector<NeedSpan>& RouteNeeds::Of(const StreamKey& key) const {
  static const std::vector<NeedSpan> kNone;
  auto it = spans.find(key);
  return it == spans.end() ? kNone : it->second;
}

RouteNeeds NeededSpans(std::vector<storage::RouteChange> changes) {
  std::stable_sort(changes.begin(), changes.end(),
                   [](const auto& a, const auto& b) { return a.at < b.at; });
  RouteNeeds needs;
  std::map<StreamKey, RouteKind> routes;
  std::set<StreamKey> before;
  for (const storage::RouteChange& change : changes) {
    if (change.session_start) routes.clear();
    for (const storage::RouteEntry& e : change.entries) {
      needs.spans[e.stream];
      if (IsTickByTick(e.stream.type)) {
        needs.spans[StreamKey{e.stream.contract_id, FallbackKind(e.stream.type)}];
      }
      if (e.to == RouteKind::kNone) {
        routes.erase(e.stream);
      } else {
        routes[e.stream] = e.to;
      }
    }
    const std::set<StreamKey> now = Needed(routes);
    for (const StreamKey& k : now) {
      if (!before.contains(k)) needs.spans[k].push_back({change.at, TimePoint::max()});
    }
    for (const StreamKey& k : before) {
      if (!now.contains(k)) needs.spans[k].back().to = change.at;
    }
    before = now;
  }
  return needs;
}

std::vector<NeedSpan> WholeSeconds(const std::vector<NeedSpan>& spans) {
  std::vector<NeedSpan> out;
  for (const NeedSpan& s : spans) {
    NeedSpan w;
    w.from = FromUnixSeconds(ToUnixSeconds(s.from) + 1);
    w.to = s.to == TimePoint::max() ? s.to : FromUnixSeconds(ToUnixSeconds(s.to));
    if (w.from < w.to) out.push_back(w);
  }
  return out;
}

}  // namespace ibstream::verify
