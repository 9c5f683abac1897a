// GET /: a one-page status view for a browser. Self-contained (no scripts or styles from
// elsewhere): it reads /v1/status, /v1/gaps and /v1/alerts every two seconds and draws the
// gateway, each contract's market and streams, recent gaps and firing alerts. Text from the
// recorder is inserted as text, never as markup.
#pragma once

#include <string_view>

namespace ibstream::http {

std::string_view DashboardHtml();

}  // namespace ibstream::http
