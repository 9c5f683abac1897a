#include "http/dashboard.h"

namespace ibstream::http {

std::string_view DashboardHtml() {
  static constexpr std::string_view kPage = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ib-stream recorder</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
  h1 { font-size: 1.3em; margin: 0 0 .3em; }
  h2 { font-size: 1.05em; margin: 1.4em 0 .4em; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .25em .6em; border-bottom: 1px solid #ddd; white-space: nowrap; }
  th { background: #f4f4f4; font-weight: 600; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .healthy, .filled, .open, .extended, .yes { color: #17692b; }
  .degraded, .warning, .pending, .partial { color: #9a6700; }
  .unhealthy, .critical, .failed, .no { color: #b3261e; font-weight: 600; }
  .break, .closed, .weekend, .holiday, .off_hours, .unknown, .info { color: #555; }
  #error { color: #b3261e; }
  .muted { color: #777; }
</style>
</head>
<body>
<h1>ib-stream recorder <span id="overall"></span></h1>
<div id="summary" class="muted"></div>
<div id="error"></div>
<h2>Contracts and streams</h2>
<table id="streams"><thead><tr>
  <th>contract</th><th>market</th><th>next change</th><th>type</th><th>route</th><th>subscribed</th>
  <th>health</th><th>ticks</th><th>backfilled</th><th>last tick (exchange)</th><th>interrupted</th>
  <th>gaps (pending)</th>
</tr></thead><tbody></tbody></table>
<h2>Alerts firing</h2>
<table id="alerts"><thead><tr>
  <th>severity</th><th>rule</th><th>contract</th><th>since</th><th>summary</th>
</tr></thead><tbody></tbody></table>
<h2>Recent gaps</h2>
<table id="gaps"><thead><tr>
  <th>contract</th><th>type</th><th>start</th><th>end</th><th>seconds</th><th>cause</th>
  <th>backfill</th><th>reason</th>
</tr></thead><tbody></tbody></table>
<p class="muted">Reads <a href="v1/status">/v1/status</a>, <a href="v1/gaps">/v1/gaps</a> and
<a href="v1/alerts">/v1/alerts</a>; metrics at <a href="metrics">/metrics</a>.</p>
<script>
"use strict";
function cell(row, text, cls) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "" : String(text);
  if (cls) td.className = String(cls).toLowerCase();
  row.appendChild(td);
  return td;
}
function fill(id, rows) {
  const body = document.querySelector("#" + id + " tbody");
  body.replaceChildren(...rows);
}
function time(iso) { return iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "Z") : ""; }
async function get(path) {
  const r = await fetch(path, { cache: "no-store" });
  if (!r.ok) throw new Error(path + ": HTTP " + r.status);
  return r.json();
}
async function refresh() {
  try {
    const [status, gaps, alerts] =
        await Promise.all([get("v1/status"), get("v1/gaps"), get("v1/alerts")]);
    document.getElementById("error").textContent = "";
    const overall = document.getElementById("overall");
    overall.textContent = "(" + status.overall + ")";
    overall.className = status.overall.toLowerCase();
    const g = status.gateway, c = status.counters, s = status.storage;
    document.getElementById("summary").textContent =
        "clock " + time(status.now) + " · gateway " + g.state + " " + g.host + ":" + g.port +
        " client " + g.client_id + " · " + c.ticks_stored + " ticks stored, " +
        c.ticks_backfilled + " backfilled · " + c.sessions_lost + " sessions lost, " + c.reconnects + " reconnects, " +
        c.resubscribes + " resubscribes · " +
        (status.stream_plan ? status.stream_plan.streams.tick_by_tick + " tick-by-tick, " +
            status.stream_plan.streams.fallback + " on the fallback, " +
            status.stream_plan.streams.unserved + " unserved (limit " +
            status.stream_plan.tick_by_tick_limit + ") · " : "") + "storage " + (s.suspended ? "SUSPENDED" : "ok") +
        (s.low_space ? " (low space)" : "");
    const rows = [];
    for (const k of status.contracts) {
      const streams = k.streams.length ? k.streams : [null];
      for (const st of streams) {
        const row = document.createElement("tr");
        cell(row, k.description + (k.contract_id ? " · " + k.contract_id : "") +
                  (k.local_symbol ? " " + k.local_symbol : "") +
                  (k.resolve_error ? " (" + k.resolve_error + ")" : ""));
        cell(row, k.market.status, k.market.status);
        const trading = k.market.status === "OPEN" || k.market.status === "EXTENDED";
        const next = trading ? k.market.next_close : k.market.next_open;
        cell(row, next ? (trading ? "closes " : "opens ") + time(next) : "");
        if (st) {
          cell(row, st.tick_type);
          cell(row, (st.route || "") + (st.route_reason ? " (" + st.route_reason + ")" : ""),
               st.route === "fallback" ? "fallback" : "");
          cell(row, st.subscribed ? "yes" : "no", st.subscribed ? "yes" : "no");
          cell(row, st.health.status + " " + st.health.score.toFixed(2), st.health.status);
          cell(row, st.ticks, "num");
          cell(row, st.backfilled_ticks, "num");
          cell(row, time(st.last_exchange_time));
          cell(row, st.interrupted_since ? time(st.interrupted_since) + " " +
                    st.interruption_cause : "");
          cell(row, st.gaps + " (" + st.gaps_pending + ")", st.gaps_pending ? "pending" : "num");
        } else {
          cell(row, "not resolved yet", "muted");
        }
        rows.push(row);
      }
    }
    fill("streams", rows);
    fill("alerts", alerts.alerts.map(a => {
      const row = document.createElement("tr");
      cell(row, a.severity, a.severity);
      cell(row, a.rule);
      cell(row, a.contract_id || "");
      cell(row, time(a.starts_at));
      cell(row, a.summary);
      return row;
    }));
    fill("gaps", gaps.gaps.slice(-50).reverse().map(x => {
      const row = document.createElement("tr");
      cell(row, x.contract_id);
      cell(row, x.tick_type);
      cell(row, time(x.start));
      cell(row, time(x.end));
      cell(row, x.duration_seconds, "num");
      cell(row, x.cause);
      cell(row, x.state, x.state);
      cell(row, x.reason);
      return row;
    }));
  } catch (e) {
    document.getElementById("error").textContent = "cannot reach the recorder: " + e.message;
  }
}
refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
)html";
  return kPage;
}

}  // namespace ibstream::http
