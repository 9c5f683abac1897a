#include "http/metrics_endpoint.h"

#include <map>
#include <sstream>
#include <string>
#include <string_view>

#include "http/api_common.h"
#include "http/prometheus.h"
#include "http/ws_endpoints.h"

namespace ibstream::http {
namespace {

using recorder::ContractView;
using recorder::RecorderView;
using recorder::StreamView;

// The process: build, start, readiness.
void WriteProcessFamilies(const ApiState& api, const RecorderView& view, PrometheusWriter& w) {
  w.Family("ibstream_build_info", "gauge", "Build information; the value is always 1.");
  w.Sample(1, {{"version", api.options.version}});
  w.Family("ibstream_start_time_seconds", "gauge", "When the recorder started (Unix time).");
  w.Sample(Seconds(view.started_at.time_since_epoch()));
  w.Family("ibstream_ready", "gauge", "1 when storage accepts writes and the loop runs.");
  w.Sample(view.ready ? 1 : 0);
}

// The gateway session, IB's errors and the ticks it sent.
void WriteGatewayFamilies(const RecorderView& view, PrometheusWriter& w) {
  w.Family("ibstream_gateway_connected", "gauge", "1 while the gateway session is up.");
  w.Sample(view.gateway.connected ? 1 : 0);
  w.Family("ibstream_gateway_connections_total", "counter",
           "Gateway sessions established, the first one included.");
  w.Sample(static_cast<double>(view.gateway.connections));
  w.Family("ibstream_gateway_connect_attempts_total", "counter",
           "Gateway connection attempts, failed ones included.");
  w.Sample(static_cast<double>(view.gateway.connect_attempts));
  w.Family("ibstream_gateway_protocol_errors_total", "counter",
           "Malformed or unexpected messages from the gateway.");
  w.Sample(static_cast<double>(view.gateway.protocol_errors));
  w.Family("ibstream_gateway_sessions_lost_total", "counter",
           "Established gateway sessions that ended.");
  w.Sample(static_cast<double>(view.counters.sessions_lost));
  w.Family("ibstream_reconnects_total", "counter",
           "Gateway sessions re-established after a lost one.");
  w.Sample(static_cast<double>(view.counters.reconnects));
  w.Family("ibstream_resubscribes_total", "counter", "Stream resubscriptions.");
  w.Sample(static_cast<double>(view.counters.resubscribes));
  w.Family("ibstream_ib_errors_total", "counter", "IB error and notice messages by code.");
  for (const auto& [code, count] : view.counters.ib_errors) {
    w.Sample(static_cast<double>(count), {{"code", std::to_string(code)}});
  }

  w.Family("ibstream_ticks_received_total", "counter", "Ticks received from the gateway.");
  w.Sample(static_cast<double>(view.counters.ticks_received));
}

// Per stream (resolved contracts only), and each market's open state.
void WriteStreamFamilies(const RecorderView& view, PrometheusWriter& w) {
  auto stream_labels = [](const ContractView& c, const StreamView& s) {
    return Labels{{"contract_id", std::to_string(c.contract_id)},
                  {"symbol", c.symbol},
                  {"type", std::string(TickTypeName(s.key.type))}};
  };
  auto each_stream = [&](auto&& emit) {
    for (const auto& c : view.contracts) {
      if (c.contract_id == 0) continue;
      for (const auto& s : c.streams) emit(c, s);
    }
  };
  w.Family("ibstream_ticks_stored_total", "counter", "Live ticks stored, per stream.");
  each_stream([&](const ContractView& c, const StreamView& s) {
    w.Sample(static_cast<double>(s.ticks), stream_labels(c, s));
  });
  w.Family("ibstream_ticks_backfilled_total", "counter", "Backfilled ticks stored, per stream.");
  each_stream([&](const ContractView& c, const StreamView& s) {
    w.Sample(static_cast<double>(s.backfilled_ticks), stream_labels(c, s));
  });
  w.Family("ibstream_last_tick_timestamp_seconds", "gauge",
           "When the stream's last tick was received (Unix time); absent before the first.");
  each_stream([&](const ContractView& c, const StreamView& s) {
    if (s.last_tick_received) {
      w.Sample(Seconds(s.last_tick_received->time_since_epoch()), stream_labels(c, s));
    }
  });
  w.Family("ibstream_stream_subscribed", "gauge", "1 while the stream's subscription is live.");
  each_stream([&](const ContractView& c, const StreamView& s) {
    w.Sample(s.subscribed ? 1 : 0, stream_labels(c, s));
  });
  w.Family("ibstream_stream_errors_total", "counter", "IB errors of the stream's requests.");
  each_stream([&](const ContractView& c, const StreamView& s) {
    w.Sample(static_cast<double>(s.error_count), stream_labels(c, s));
  });
  w.Family("ibstream_stream_health_score", "gauge", "Stream health score from 0 to 1.");
  each_stream([&](const ContractView& c, const StreamView& s) {
    w.Sample(s.health.health_score(), stream_labels(c, s));
  });
  w.Family("ibstream_circuit_breaker_state", "gauge",
           "1 for the stream's current breaker state (closed, open, half_open), else 0.");
  each_stream([&](const ContractView& c, const StreamView& s) {
    for (auto state : {reliability::BreakerState::kClosed, reliability::BreakerState::kOpen,
                       reliability::BreakerState::kHalfOpen}) {
      Labels labels = stream_labels(c, s);
      labels.emplace_back("state", std::string(reliability::BreakerStateName(state)));
      w.Sample(s.health.breaker_state == state ? 1 : 0, labels);
    }
  });
  w.Family("ibstream_streams_by_route", "gauge",
           "Configured tick-by-tick streams by route (tick_by_tick, fallback, unserved).");
  w.Sample(view.plan.tick_by_tick_streams, {{"route", "tick_by_tick"}});
  w.Sample(view.plan.fallback_streams, {{"route", "fallback"}});
  w.Sample(view.plan.unserved_streams, {{"route", "unserved"}});
  w.Family("ibstream_depth_granted", "gauge",
           "1 per contract asking for market depth that has a depth slot, 0 when "
           "gateway.market_depth_limit left it without (it records no depth).");
  for (const auto& d : view.depth) {
    w.Sample(d.granted ? 1 : 0,
             {{"contract_id", std::to_string(d.contract_id)}, {"symbol", d.symbol}});
  }
  w.Family("ibstream_depth_records_total", "counter",
           "Market-depth records stored (book restarts included), per contract.");
  for (const auto& d : view.depth) {
    w.Sample(static_cast<double>(d.records),
             {{"contract_id", std::to_string(d.contract_id)}, {"symbol", d.symbol}});
  }
  w.Family("ibstream_tick_by_tick_used", "gauge", "Tick-by-tick subscriptions the plan uses.");
  w.Sample(view.plan.tick_by_tick_used);
  w.Family("ibstream_market_data_lines_used", "gauge",
           "Market-data lines the plan uses (tick-by-tick plus reqMktData).");
  w.Sample(view.plan.lines_used);
  w.Family("ibstream_stream_route", "gauge",
           "1 per configured stream, labelled with its route and the stream kind recording it.");
  for (const auto& c : view.contracts) {
    if (c.contract_id == 0) continue;
    for (const auto& r : c.routes) {
      w.Sample(1, {{"contract_id", std::to_string(c.contract_id)},
                   {"symbol", c.symbol},
                   {"type", std::string(TickTypeName(r.type))},
                   {"route", r.route},
                   {"recorded_as",
                    r.recorded_as ? std::string(TickTypeName(*r.recorded_as)) : std::string()}});
    }
  }
  w.Family("ibstream_market_open", "gauge",
           "1 while the contract's market trades (liquid or extended hours).");
  for (const auto& c : view.contracts) {
    if (c.contract_id == 0) continue;
    w.Sample(calendar::IsTrading(c.market.status) ? 1 : 0,
             {{"contract_id", std::to_string(c.contract_id)}, {"symbol", c.symbol}});
  }
}

// A cumulative histogram: _bucket{le=...} per bound and +Inf, _sum and _count.
void WriteFillHistogram(const reliability::FillHistogram& h, std::string_view name,
                        std::string_view help, PrometheusWriter& w) {
  w.Family(name, "histogram", help);
  for (size_t i = 0; i < h.bounds.size(); ++i) {
    std::ostringstream le;
    le << h.bounds[i];
    w.Sample(static_cast<double>(h.counts[i]), {{"le", le.str()}}, "_bucket");
  }
  w.Sample(static_cast<double>(h.count), {{"le", "+Inf"}}, "_bucket");
  w.Sample(h.sum, {}, "_sum");
  w.Sample(static_cast<double>(h.count), {}, "_count");
}

// The gap ledger and backfill.
void WriteGapFamilies(const RecorderView& view, PrometheusWriter& w) {
  w.Family("ibstream_gaps_opened_total", "counter", "Gaps recorded in the ledger.");
  w.Sample(static_cast<double>(view.counters.gaps_opened));
  w.Family("ibstream_gaps", "gauge", "Recent gap ledger entries by backfill state.");
  {
    std::map<std::string, int> by_state;
    for (auto state : {storage::BackfillState::kPending, storage::BackfillState::kFilled,
                       storage::BackfillState::kPartial, storage::BackfillState::kFailed}) {
      by_state[std::string(storage::BackfillStateName(state))] = 0;
    }
    for (const auto& gap : view.gaps)
      ++by_state[std::string(storage::BackfillStateName(gap.state))];
    for (const auto& [state, count] : by_state) w.Sample(count, {{"state", state}});
  }
  w.Family("ibstream_backfill_requests_total", "counter", "Backfill requests sent to IB.");
  w.Sample(static_cast<double>(view.counters.backfill_requests));
  w.Family("ibstream_backfill_failures_total", "counter", "Backfill requests that failed.");
  w.Sample(static_cast<double>(view.counters.backfill_failures));
  w.Family("ibstream_backfill_retries_total", "counter",
           "Backfill pages asked again after a transient failure.");
  w.Sample(static_cast<double>(view.counters.backfill_retries));
  w.Family("ibstream_backfill_ticks_refused_total", "counter",
           "Backfilled ticks storage refused (their gap stays pending).");
  w.Sample(static_cast<double>(view.counters.backfill_ticks_refused));
  w.Family("ibstream_pacer_state_damaged_total", "counter",
           "Historical pacer state files found damaged at start.");
  w.Sample(static_cast<double>(view.counters.pacer_state_damaged));
  w.Family("ibstream_gap_ledger_adds_refused_total", "counter",
           "Gaps the ledger refused to add while storage failed (added again later).");
  w.Sample(static_cast<double>(view.counters.gap_ledger_adds_refused));
  w.Family("ibstream_sealed_files_damaged_total", "counter",
           "Closed files (sealed hours) found damaged at start; their spans are backfilled.");
  w.Sample(static_cast<double>(view.counters.sealed_files_damaged));
  WriteFillHistogram(view.counters.fill_time.seconds, "ibstream_gap_time_to_fill_seconds",
                     "Time from queueing a gap for backfill to its last tick stored.", w);
  WriteFillHistogram(view.counters.fill_time.ratio, "ibstream_gap_time_to_fill_ratio",
                     "Time to fill over the least time IB's historical pacing allows for the "
                     "requests it needed (gaps where pacing imposed a wait).",
                     w);
}

// The storage writer and its volume.
void WriteStorageFamilies(const RecorderView& view, PrometheusWriter& w) {
  w.Family("ibstream_storage_accepted_position", "gauge", "Storage writer's accepted position.");
  w.Sample(static_cast<double>(view.storage.accepted_position));
  w.Family("ibstream_storage_durable_position", "gauge", "Storage writer's durable position.");
  w.Sample(static_cast<double>(view.storage.durable_position));
  w.Family("ibstream_storage_rejected_total", "counter", "Ticks storage refused, by reason.");
  w.Sample(static_cast<double>(view.storage.rejected_queue_full), {{"reason", "queue_full"}});
  w.Sample(static_cast<double>(view.storage.rejected_suspended), {{"reason", "suspended"}});
  w.Family("ibstream_storage_lost_total", "counter", "Accepted ticks lost to a write error.");
  w.Sample(static_cast<double>(view.storage.lost_on_write_error));
  w.Family("ibstream_storage_suspended", "gauge", "1 while storage refuses writes.");
  w.Sample(view.storage.suspended ? 1 : 0);
  w.Family("ibstream_storage_available_bytes", "gauge", "Free space on the storage volume.");
  w.Sample(static_cast<double>(view.storage.available_bytes));
  w.Family("ibstream_storage_gap_ledger_damaged_files", "gauge",
           "Damaged gap ledger generations copied aside at start.");
  w.Sample(static_cast<double>(view.storage.gap_ledger_damaged_files));
}

void WriteAlertFamilies(const RecorderView& view, PrometheusWriter& w) {
  w.Family("ibstream_alerts_firing", "gauge", "Alerts firing now, by severity.");
  {
    std::map<std::string, int> by_severity = {{"info", 0}, {"warning", 0}, {"critical", 0}};
    for (const auto& alert : view.alerts)
      ++by_severity[std::string(AlertSeverityName(alert.severity))];
    for (const auto& [severity, count] : by_severity) w.Sample(count, {{"severity", severity}});
  }
  w.Family("ibstream_alerts_fired_total", "counter", "Alerts raised since start.");
  w.Sample(static_cast<double>(view.counters.alerts_fired));
}

// The API's own counters, then the families of other parts (options.extra_metrics).
void WriteApiFamilies(const ApiState& api, const RecorderView& view, PrometheusWriter& w) {
  w.Family("ibstream_http_sse_clients", "gauge", "Server-sent-event clients connected.");
  w.Sample(static_cast<double>(api.sse_active.load()));
  w.Family("ibstream_http_sse_ticks_sent_total", "counter", "Ticks sent to SSE clients.");
  w.Sample(static_cast<double>(api.sse_ticks_sent.load()));
  w.Family("ibstream_http_sse_clients_dropped_total", "counter",
           "SSE clients dropped because they did not keep up.");
  w.Sample(static_cast<double>(api.sse_dropped.load()));
  WriteWsMetrics(api, w);
  w.Family("ibstream_http_contract_changes_total", "counter",
           "Contracts tracked or untracked through the API.");
  w.Sample(static_cast<double>(api.contract_changes.load()));
  w.Family("ibstream_runtime_contract_errors_total", "counter",
           "Times the run-time contract list could not be read at start (set aside).");
  w.Sample(static_cast<double>(view.counters.runtime_contract_errors));
  if (api.options.extra_metrics) api.options.extra_metrics(w);
}

}  // namespace

Response Metrics(ApiState& api, const Request&) {
  auto view = api.source->View();
  PrometheusWriter w;
  WriteProcessFamilies(api, *view, w);
  WriteGatewayFamilies(*view, w);
  WriteStreamFamilies(*view, w);
  WriteGapFamilies(*view, w);
  WriteStorageFamilies(*view, w);
  WriteAlertFamilies(*view, w);
  WriteApiFamilies(api, *view, w);

  Response response;
  response.content_type = std::string(kPrometheusContentType);
  response.body = w.text();
  return response;
}

}  // namespace ibstream::http
