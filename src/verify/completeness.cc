#include "verify/completeness.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "storage/query.h"
#include "verify/depth_completeness.h"
#include "verify/route_spans.h"
#include "verify/truth_reader.h"

namespace ibstream::verify {
namespace {

// A size by value: "3.50" and "3.5" are the same size.
void AppendSize(const Decimal& d, std::string& out) {
  if (!d.is_set()) {
    out += "unset";
    return;
  }
  int64_t mantissa = d.mantissa();
  int scale = d.scale();
  while (scale > 0 && mantissa % 10 == 0) {
    mantissa /= 10;
    --scale;
  }
  fmt::format_to(std::back_inserter(out), "{}e-{}", mantissa, scale);
}

// The content of a tick (what two recordings of one market event share), as a sortable key.
std::string ContentKey(const Tick& t) {
  std::string key;
  fmt::format_to(std::back_inserter(key), "a{}|", static_cast<int>(t.attributes));
  switch (t.type) {
    case TickType::kTrade:
      fmt::format_to(std::back_inserter(key), "{}|", t.price);
      AppendSize(t.size, key);
      key += '|';
      AppendSize(t.volume, key);
      break;
    case TickType::kBidAsk:
    case TickType::kQuote:
      fmt::format_to(std::back_inserter(key), "{}|{}|", t.bid_price, t.ask_price);
      AppendSize(t.bid_size, key);
      key += '|';
      AppendSize(t.ask_size, key);
      break;
    case TickType::kLast:
    case TickType::kAllLast:
      fmt::format_to(std::back_inserter(key), "{}|", t.price);
      AppendSize(t.size, key);
      key += '|';
      key += t.exchange;
      key += '|';
      key += t.special_conditions;
      break;
    case TickType::kMidPoint:
      fmt::format_to(std::back_inserter(key), "{}", t.price);
      break;
    case TickType::kDepth:
      fmt::format_to(std::back_inserter(key), "{}|{}|{}|{}|", static_cast<int>(t.book_operation),
                     static_cast<int>(t.book_side), t.book_position, t.price);
      AppendSize(t.size, key);
      key += '|';
      key += t.exchange;
      break;
  }
  return key;
}

// Size of the multiset intersection of two sorted vectors.
uint64_t CommonCount(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  uint64_t n = 0;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++n;
      ++i;
      ++j;
    }
  }
  return n;
}

double Percent(uint64_t part, uint64_t whole) {
  return whole == 0 ? 100.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

struct StreamScan {
  std::string symbol;
  // The subscription records of the stream (truth version 2): the first ask (served or refused),
  // the subscriptions being served, and the last cancel.
  std::optional<TimePoint> first_ask;
  std::set<std::pair<int32_t, int32_t>> serving;  // (client id, request id)
  std::optional<TimePoint> cancelled;  // the last cancel, while nothing is served after it
  bool dropped = false;                // the last end was not a cancel: judged to the stop
  // A capacity refusal (10190, 101) since the last start: the stream moved to the fallback.
  std::optional<TimePoint> capacity_refused;
  // [refusal, next start) spans spent on the fallback: not owed by this stream.
  std::vector<std::pair<TimePoint, TimePoint>> on_fallback;
  std::optional<int64_t> first_delivered;  // exchange seconds
  std::optional<int64_t> last_delivered;
  int64_t first_second = INT64_MAX;  // any tick
  int64_t last_second = INT64_MIN;
};

struct SecondContent {
  std::vector<std::string> expected;
  std::vector<std::string> live;
  std::vector<std::string> all;
  // Fallback kinds (judged by coverage): whether the truth second had a delivered snapshot, and
  // whether a stored (live) tick covers it.
  bool delivered = false;
  bool covered = false;
  bool covered_live = false;
};

// A stored tick of a fallback kind in exchange second `second` covers truth seconds `second`
// and `second - 1`: a live quote carries its receive time, which may fall in the next second.
constexpr int64_t kCoverSeconds = 2;

// Marks the truth seconds a stored fallback tick covers (only seconds the truth has data in).
void CoverSeconds(const Tick& t, std::map<int64_t, SecondContent>& seconds) {
  const int64_t second = ToUnixSeconds(t.exchange_time);
  for (int64_t s = second - kCoverSeconds + 1; s <= second; ++s) {
    auto it = seconds.find(s);
    if (it == seconds.end()) continue;
    it->second.covered = true;
    if (t.source == TickSource::kLive) it->second.covered_live = true;
  }
}

// Applies one subscription record to the scan of a stream it asks for.
bool IsCapacityRefusal(std::string_view reason) {
  return reason.starts_with("10190 ") || reason.starts_with("101 ");
}

void NoteSubscription(StreamScan& s, const TruthSubscription& sub) {
  if (s.symbol.empty()) s.symbol = sub.symbol;
  if (!s.first_ask || sub.time < *s.first_ask) s.first_ask = sub.time;
  const std::pair<int32_t, int32_t> id{sub.client_id, sub.req_id};
  switch (sub.event) {
    case TruthSubscription::Event::kStart:
      s.serving.insert(id);
      if (s.capacity_refused) s.on_fallback.emplace_back(*s.capacity_refused, sub.time);
      s.capacity_refused.reset();
      s.cancelled.reset();
      s.dropped = false;
      break;
    case TruthSubscription::Event::kRefused:
      if (IsCapacityRefusal(sub.reason)) {
        // IB's allowance is used up (10190, 101): the recorder records the stream through the
        // reqMktData fallback (judged as its own kinds) until it is served again, so that span
        // is not owed by the tick-by-tick stream.
        if (!s.capacity_refused) s.capacity_refused = sub.time;
        break;
      }
      // Asked for and not served: the stream is still wanted (the client should ask again).
      if (s.serving.empty()) s.dropped = true;
      break;
    case TruthSubscription::Event::kEnd:
      s.serving.erase(id);
      if (s.serving.empty()) {
        if (sub.reason == "cancel") {
          s.cancelled = sub.time;
          s.dropped = false;
        } else {
          s.dropped = true;
        }
      }
      break;
  }
}

nlohmann::json StreamJson(const StreamCompleteness& s, bool with_stream) {
  nlohmann::json j;
  if (with_stream) {
    j["stream"] = ToString(s.stream);
    j["contract_id"] = s.stream.contract_id;
    j["tick_type"] = std::string(TickTypeName(s.stream.type));
    j["symbol"] = s.symbol;
    j["from"] = FormatIsoUtc(s.from);
    j["to"] = FormatIsoUtc(s.to);
    j["first_ask"] = s.first_ask ? nlohmann::json(FormatIsoUtc(*s.first_ask)) : nlohmann::json();
    j["judged_by"] = s.by_sequence ? "sequence" : s.by_coverage ? "coverage" : "content";
    if (s.by_sequence) {
      j["lost"] = s.lost;
      j["books_checked"] = s.books_checked;
      j["books_differ"] = s.books_differ;
    }
    if (s.needed) {
      j["needed"] = nlohmann::json::array();
      for (const NeedSpan& n : *s.needed) {
        j["needed"].push_back({FormatIsoUtc(n.from), n.to == TimePoint::max()
                                                         ? nlohmann::json()
                                                         : nlohmann::json(FormatIsoUtc(n.to))});
      }
    } else {
      j["needed"] = nlohmann::json();
    }
  }
  j["expected"] = s.expected;
  j["delivered"] = s.delivered;
  j["stored_live"] = s.stored_live;
  j["stored"] = s.stored;
  j["matched_live"] = s.matched_live;
  j["matched"] = s.matched;
  j["missing"] = s.missing;
  j["extra"] = s.extra;
  j["live_completeness"] = s.live_completeness();
  j["completeness"] = s.completeness();
  if (with_stream) {
    j["first_missing_seconds"] = nlohmann::json::array();
    for (TimePoint t : s.first_missing_seconds)
      j["first_missing_seconds"].push_back(FormatIsoUtc(t));
  }
  return j;
}

bool Inside(const std::vector<NeedSpan>& spans, TimePoint t) {
  return std::any_of(spans.begin(), spans.end(),
                     [&](const NeedSpan& n) { return t >= n.from && t < n.to; });
}

// The recorder's route log: which kinds it needed when. Damage is reported like damaged tick
// data (the check then fails: what is owed may be misjudged).
Result<RouteNeeds> ReadRouteNeeds(fs::FileSystem* fs, const std::string& root, bool* recorded,
                                  std::vector<storage::SkippedData>* skipped) {
  storage::RouteLogDamage damage;
  auto changes = storage::RouteLog::ReadAll(fs, root, &damage);
  if (!changes.ok()) return changes.status().WithContext("route log");
  for (const std::string& path : damage.damaged_files) {
    std::string reason;
    for (const std::string& problem : damage.problems) {
      if (problem.compare(0, path.size() + 2, path + ": ") != 0) continue;
      if (!reason.empty()) reason += "; ";
      reason += problem.substr(path.size() + 2);
    }
    skipped->push_back(
        {path, damage.corrupt_bytes + damage.truncated_bytes, "route log: " + reason});
  }
  *recorded = !changes->empty();
  return NeededSpans(std::move(*changes));
}

// Pass 1 over the truth file: the streams it has (all, or the wanted ones), the seconds of their
// ticks, their subscription records, and when the run stopped.
struct TruthStreams {
  std::map<StreamKey, StreamScan> scans;  // every kind but depth
  TruthDepthCollector depth;              // judged by sequence (depth_completeness.h)
  TimePoint stop;                         // the footer's end, else the latest instant in the file
  TruthReadStats stats;
};

Result<TruthStreams> ScanTruthStreams(const std::string& truth_path,
                                      const std::set<StreamKey>& wanted) {
  auto selected = [&](const StreamKey& k) { return wanted.empty() || wanted.count(k) > 0; };
  TruthStreams out;
  for (const StreamKey& k : wanted) {
    if (k.type != TickType::kDepth) out.scans[k];
  }
  std::optional<TimePoint> stop;
  TimePoint latest;
  TruthVisitor visitor;
  visitor.on_tick = [&](const TruthTick& t) {
    latest = std::max(latest, t.tick.receive_time);
    const StreamKey key = t.tick.stream();
    if (key.type == TickType::kDepth) {
      out.depth.OnTick(t);
      return Status::Ok();
    }
    if (!selected(key)) return Status::Ok();
    StreamScan& s = out.scans[key];
    s.symbol = t.symbol;
    const int64_t second = ToUnixSeconds(t.tick.exchange_time);
    s.first_second = std::min(s.first_second, second);
    s.last_second = std::max(s.last_second, second);
    if (t.delivered) {
      if (!s.first_delivered) s.first_delivered = second;
      s.last_delivered = std::max(s.last_delivered.value_or(second), second);
    }
    return Status::Ok();
  };
  visitor.on_subscription = [&](const TruthSubscription& sub) {
    latest = std::max(latest, sub.time);
    out.depth.OnSubscription(sub);
    // A reqMktData line asks for both fallback kinds; unknown names ask for nothing.
    for (TickType type : sub.stream_kinds()) {
      const StreamKey key{sub.con_id, type};
      if (selected(key)) NoteSubscription(out.scans[key], sub);
    }
    return Status::Ok();
  };
  visitor.on_footer = [&](const TruthFooter& footer) {
    stop = footer.end;
    return Status::Ok();
  };
  IBSTREAM_RETURN_IF_ERROR(ReadTruthFile(truth_path, visitor, &out.stats));
  out.stop = stop ? *stop : latest;
  return out;
}

// When a judged stream owes ticks: inside the whole seconds its routes needed it (when known),
// outside its spans on the fallback.
struct OwedTime {
  std::optional<std::vector<NeedSpan>> needed;
  std::vector<std::pair<TimePoint, TimePoint>> on_fallback;

  bool NotOwed(TimePoint t) const {
    if (needed && !Inside(*needed, t)) return true;
    return std::any_of(on_fallback.begin(), on_fallback.end(),
                       [&](const auto& span) { return t >= span.first && t < span.second; });
  }
};

// The window each stream is judged in, appended to report->streams (streams left out are not),
// with the time it owes ticks in, by report index, in *owed.
void PlanStreamWindows(const TruthStreams& truth, bool all_streams,
                       const CompletenessOptions& options, const RouteNeeds& needs,
                       bool routes_recorded, CompletenessReport* report,
                       std::vector<OwedTime>* owed) {
  for (const auto& [key, scan] : truth.scans) {
    if (all_streams && !scan.first_delivered && !scan.first_ask) continue;
    StreamCompleteness s;
    s.stream = key;
    s.by_coverage = !IsTickByTick(key.type);
    s.symbol = scan.symbol;
    s.first_ask = scan.first_ask;
    if (scan.first_ask) {
      // From the first whole second after the first ask to the stop (or the cancel that ended
      // the last subscription), the partial seconds at either edge left out. Closed market time
      // has no truth tick, so only open-market time weighs.
      s.from = FromUnixSeconds(ToUnixSeconds(*scan.first_ask) + 1);
      const TimePoint end =
          scan.cancelled && scan.serving.empty() && !scan.dropped ? *scan.cancelled : truth.stop;
      s.to = FromUnixSeconds(ToUnixSeconds(end));
    } else if (scan.first_delivered) {
      s.from = FromUnixSeconds(*scan.first_delivered + 1);
      s.to = FromUnixSeconds(std::max(*scan.last_delivered, *scan.first_delivered + 1));
    } else if (scan.first_second <= scan.last_second) {
      s.from = FromUnixSeconds(scan.first_second);
      s.to = FromUnixSeconds(scan.last_second + 1);
    }
    if (options.from) s.from = *options.from;
    if (options.to) s.to = *options.to;
    if (s.to < s.from) s.to = s.from;
    // The recorder's routes say when it needed the stream. A fallback kind of a store with route
    // records that no route needed in the window was not recorded on purpose: not judged unless
    // named. Without route records (an older store) both fallback kinds of a reqMktData ask are.
    std::optional<std::vector<NeedSpan>> need;
    if (needs.Knows(key) || (routes_recorded && s.by_coverage)) {
      need = WholeSeconds(needs.Of(key));
      TimePoint need_from = TimePoint::max(), need_to = TimePoint::min();
      for (const NeedSpan& n : *need) {
        if (n.to <= s.from || n.from >= s.to) continue;
        need_from = std::min(need_from, std::max(n.from, s.from));
        need_to = std::max(need_to, std::min(n.to, s.to));
      }
      if (need_from < need_to) {
        s.from = need_from;
        s.to = need_to;
      } else if (s.by_coverage && all_streams) {
        continue;
      } else {
        s.to = s.from;
      }
      s.needed = *need;
    }
    OwedTime o;
    o.needed = std::move(need);
    o.on_fallback = scan.on_fallback;
    if (scan.capacity_refused) o.on_fallback.emplace_back(*scan.capacity_refused, truth.stop);
    owed->push_back(std::move(o));
    report->streams.push_back(std::move(s));
  }
}

// Pass 2 over the truth file: what each second of each judged window holds, by report index.
Status CountTruthSeconds(const std::string& truth_path, const std::vector<OwedTime>& owed,
                         CompletenessReport* report,
                         std::vector<std::map<int64_t, SecondContent>>* seconds) {
  std::map<StreamKey, size_t> index;
  for (size_t i = 0; i < report->streams.size(); ++i) index[report->streams[i].stream] = i;
  TruthVisitor visitor;
  visitor.on_tick = [&](const TruthTick& t) {
    auto it = index.find(t.tick.stream());
    if (it == index.end()) return Status::Ok();
    StreamCompleteness& s = report->streams[it->second];
    if (t.tick.exchange_time < s.from || t.tick.exchange_time >= s.to) return Status::Ok();
    if (owed[it->second].NotOwed(t.tick.exchange_time)) return Status::Ok();
    SecondContent& c = (*seconds)[it->second][ToUnixSeconds(t.tick.exchange_time)];
    if (s.by_coverage) {
      // A sampled stream: the unit is the second with data, not the snapshot.
      if (c.expected.empty()) {
        ++s.expected;
        c.expected.emplace_back();
      }
      if (t.delivered && !c.delivered) ++s.delivered;
      c.delivered = c.delivered || t.delivered;
      return Status::Ok();
    }
    ++s.expected;
    if (t.delivered) ++s.delivered;
    c.expected.push_back(ContentKey(t.tick));
    return Status::Ok();
  };
  TruthReadStats stats;
  return ReadTruthFile(truth_path, visitor, &stats);
}

// The store's ticks of one judged window, added to its seconds and counted in `s`. Data the
// query skipped is added to *skipped, once per path.
Status ReadStoredWindow(fs::FileSystem* fs, const std::string& root, const OwedTime& owed,
                        std::map<int64_t, SecondContent>& seconds, StreamCompleteness& s,
                        std::vector<storage::SkippedData>* skipped) {
  // A fallback tick just after the window still covers the window's last second.
  const TimePoint query_to = s.by_coverage ? s.to + std::chrono::seconds(kCoverSeconds - 1) : s.to;
  storage::QueryRequest request{{s.stream}, s.from, query_to};
  storage::QueryStats query_stats;
  IBSTREAM_RETURN_IF_ERROR(storage::QueryTicks(
      fs, root, request,
      [&](const Tick& t) {
        if (t.stream() != s.stream || t.exchange_time < s.from || t.exchange_time >= query_to ||
            owed.NotOwed(t.exchange_time)) {
          return Status::Ok();
        }
        if (s.by_coverage) {
          CoverSeconds(t, seconds);
          if (t.exchange_time >= s.to) return Status::Ok();
          ++s.stored;
          if (t.source == TickSource::kLive) ++s.stored_live;
          return Status::Ok();
        }
        SecondContent& c = seconds[ToUnixSeconds(t.exchange_time)];
        std::string key = ContentKey(t);
        ++s.stored;
        if (t.source == TickSource::kLive) {
          ++s.stored_live;
          c.live.push_back(key);
        }
        c.all.push_back(std::move(key));
        return Status::Ok();
      },
      &query_stats));
  for (storage::SkippedData& skip : query_stats.skipped) {
    const bool known = std::any_of(skipped->begin(), skipped->end(),
                                   [&](const auto& k) { return k.path == skip.path; });
    if (!known) skipped->push_back(std::move(skip));
  }
  return Status::Ok();
}

// Matches the truth's seconds of one window against the stored ones: matched, missing, extra
// and the first seconds with something missing.
void MatchWindowSeconds(std::map<int64_t, SecondContent>& seconds, size_t max_missing_seconds,
                        StreamCompleteness& s) {
  for (auto& [second, c] : seconds) {
    if (s.by_coverage) {
      if (c.expected.empty()) continue;  // a second only a stored tick touched
      s.matched += c.covered ? 1 : 0;
      s.matched_live += c.covered_live ? 1 : 0;
      if (!c.covered && s.first_missing_seconds.size() < max_missing_seconds) {
        s.first_missing_seconds.push_back(FromUnixSeconds(second));
      }
      continue;
    }
    std::sort(c.expected.begin(), c.expected.end());
    std::sort(c.live.begin(), c.live.end());
    std::sort(c.all.begin(), c.all.end());
    const uint64_t matched = CommonCount(c.expected, c.all);
    s.matched_live += CommonCount(c.expected, c.live);
    s.matched += matched;
    if (matched < c.expected.size() && s.first_missing_seconds.size() < max_missing_seconds) {
      s.first_missing_seconds.push_back(FromUnixSeconds(second));
    }
  }
  s.missing = s.expected - s.matched;
  // Stored fallback ticks are never extra: IB's tick history is richer than the snapshots.
  s.extra = s.by_coverage ? 0 : s.stored - s.matched;
}

}  // namespace

double StreamCompleteness::live_completeness() const { return Percent(matched_live, expected); }
double StreamCompleteness::completeness() const { return Percent(matched, expected); }

// A depth stream's lost updates are reported, not failed: nothing could have filled them.
static bool StreamBelowThreshold(const StreamCompleteness& s, double min_completeness) {
  const uint64_t owned = s.by_sequence ? s.matched + s.lost : s.matched;
  return Percent(owned, s.expected) < min_completeness;
}

static bool StreamFailsCheck(const StreamCompleteness& s, double min_completeness) {
  return StreamBelowThreshold(s, min_completeness) || s.extra > 0 || s.books_differ > 0;
}

bool CompletenessReport::ok() const {
  if (streams.empty() || !skipped.empty()) return false;
  for (const StreamCompleteness& s : streams) {
    if (StreamFailsCheck(s, min_completeness)) return false;
  }
  return true;
}

Result<CompletenessReport> CheckCompleteness(fs::FileSystem* fs, const std::string& root,
                                             const CompletenessOptions& options) {
  if (options.min_completeness < 0 || options.min_completeness > 100) {
    return InvalidArgument("min_completeness must be within 0..100, got " +
                           fmt::format("{}", options.min_completeness));
  }
  const std::set<StreamKey> wanted(options.streams.begin(), options.streams.end());
  auto truth = ScanTruthStreams(options.truth_path, wanted);
  if (!truth.ok()) return truth.status();

  CompletenessReport report;
  report.truth_complete = truth->stats.has_footer;
  report.min_completeness = options.min_completeness;
  bool routes_recorded = false;
  auto needs = ReadRouteNeeds(fs, root, &routes_recorded, &report.skipped);
  if (!needs.ok()) return needs.status();
  std::vector<OwedTime> owed;  // by report index
  PlanStreamWindows(*truth, wanted.empty(), options, *needs, routes_recorded, &report, &owed);

  std::vector<std::map<int64_t, SecondContent>> seconds(report.streams.size());
  IBSTREAM_RETURN_IF_ERROR(CountTruthSeconds(options.truth_path, owed, &report, &seconds));

  for (size_t i = 0; i < report.streams.size(); ++i) {
    StreamCompleteness& s = report.streams[i];
    if (s.from >= s.to) continue;
    IBSTREAM_RETURN_IF_ERROR(ReadStoredWindow(fs, root, owed[i], seconds[i], s, &report.skipped));
    MatchWindowSeconds(seconds[i], options.max_missing_seconds, s);
    seconds[i].clear();
  }

  auto depth_streams = JudgeDepth(fs, root, std::move(truth->depth.subscriptions()), wanted,
                                  truth->stop, &report.skipped);
  if (!depth_streams.ok()) return depth_streams.status();
  for (StreamCompleteness& s : *depth_streams) report.streams.push_back(std::move(s));
  std::stable_sort(report.streams.begin(), report.streams.end(),
                   [](const auto& a, const auto& b) { return a.stream < b.stream; });

  for (const StreamCompleteness& s : report.streams) {
    StreamCompleteness& t = report.total;
    t.expected += s.expected;
    t.delivered += s.delivered;
    t.stored_live += s.stored_live;
    t.stored += s.stored;
    t.matched_live += s.matched_live;
    t.matched += s.matched;
    t.missing += s.missing;
    t.extra += s.extra;
    t.lost += s.lost;
    t.books_checked += s.books_checked;
    t.books_differ += s.books_differ;
  }
  return report;
}

std::vector<std::string> DescribeCompleteness(const CompletenessReport& report) {
  std::vector<std::string> lines;
  auto describe = [](const StreamCompleteness& s) {
    return fmt::format("{}/{} ({:.2f}%), live {} ({:.2f}%), missing {}, extra {}", s.matched,
                       s.expected, s.completeness(), s.matched_live, s.live_completeness(),
                       s.missing, s.extra);
  };
  for (const StreamCompleteness& s : report.streams) {
    std::string line = fmt::format("{} {} {}..{}: {}", ToString(s.stream), s.symbol,
                                   FormatIsoUtc(s.from), FormatIsoUtc(s.to), describe(s));
    if (s.by_coverage) line += " (seconds covered)";
    if (s.by_sequence) {
      line += fmt::format(
          " (depth updates in order; lost with the connection {}, not fillable: IB keeps no "
          "depth history; books {} checked, {} differ)",
          s.lost, s.books_checked, s.books_differ);
    }
    if (!s.first_missing_seconds.empty()) {
      line += "; first missing seconds:";
      for (TimePoint t : s.first_missing_seconds) line += " " + FormatIsoUtc(t);
    }
    lines.push_back(std::move(line));
  }
  lines.push_back(
      fmt::format("total {} streams: {}", report.streams.size(), describe(report.total)));
  if (!report.truth_complete) lines.push_back("note: the truth file has no footer (cut short)");
  for (const storage::SkippedData& s : report.skipped) {
    lines.push_back(fmt::format("damaged data skipped, counts may be low: {} ({} bytes): {}",
                                s.path, s.bytes, s.reason));
  }
  return lines;
}

std::string CompletenessJson(const CompletenessReport& report, int indent) {
  nlohmann::json j;
  j["ok"] = report.ok();
  j["min_completeness"] = report.min_completeness;
  j["truth_complete"] = report.truth_complete;
  j["streams"] = nlohmann::json::array();
  for (const StreamCompleteness& s : report.streams) j["streams"].push_back(StreamJson(s, true));
  j["total"] = StreamJson(report.total, false);
  j["total"]["streams"] = report.streams.size();
  j["skipped_damaged"] = nlohmann::json::array();
  for (const storage::SkippedData& s : report.skipped) {
    j["skipped_damaged"].push_back({{"path", s.path}, {"bytes", s.bytes}, {"reason", s.reason}});
  }
  return j.dump(indent);
}

Status CompletenessCheck::Run(fs::FileSystem* fs, const std::string& root,
                              std::vector<std::string>* problems) {
  auto report = CheckCompleteness(fs, root, options_);
  if (!report.ok()) return report.status();
  report_ = std::move(report).value();
  if (report_->streams.empty()) problems->push_back("the truth delivered no stream to compare");
  for (const storage::SkippedData& s : report_->skipped) {
    problems->push_back(fmt::format("damaged data skipped, counts may be low: {} ({} bytes): {}",
                                    s.path, s.bytes, s.reason));
  }
  for (const StreamCompleteness& s : report_->streams) {
    if (StreamFailsCheck(s, report_->min_completeness)) {
      std::string problem = fmt::format(
          "{} {}: {:.2f}% complete ({} of {} ticks missing), {} extra", ToString(s.stream),
          s.symbol, s.completeness(), s.missing, s.expected, s.extra);
      if (s.by_sequence) {
        problem += fmt::format(", {} lost with the connection, {} of {} books differ", s.lost,
                               s.books_differ, s.books_checked);
      }
      problems->push_back(std::move(problem));
    }
  }
  return Status::Ok();
}

}  // namespace ibstream::verify
