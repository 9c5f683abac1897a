// GET /: the dashboard, one self-contained page for a browser (assets/dashboard.html, embedded
// in the binary at build time; no scripts, styles or fonts from elsewhere). It loads
// /v1/dashboard once, then asks every two seconds for what changed since (?since=, see
// dashboard_json.h) and plots ticks per minute per stream, a timeline per contract with the
// market's sessions and the gaps with their backfill state, the alert history and the gateway
// sessions lost and re-established, besides tables of streams, gaps and alerts. Text from the
// recorder is inserted as text, never as markup.
#pragma once

#include <string_view>

namespace ibstream::http {

std::string_view DashboardHtml();

}  // namespace ibstream::http
