#include "http/dashboard.h"

#include "http/dashboard_page.h"  // generated from assets/dashboard.html

namespace ibstream::http {

std::string_view DashboardHtml() { return kDashboardPage; }

}  // namespace ibstream::http
