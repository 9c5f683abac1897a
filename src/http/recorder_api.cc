// The route table of the recorder API: which endpoint family answers which path. The families
// live in files of their own (README.md lists them); they share an ApiState.
#include "http/recorder_api.h"

#include <memory>
#include <string>
#include <utility>

#include "http/api_state.h"
#include "http/book_endpoints.h"
#include "http/buffer_endpoints.h"
#include "http/contract_endpoints.h"
#include "http/dashboard.h"
#include "http/dashboard_json.h"
#include "http/gap_endpoints.h"
#include "http/health_endpoints.h"
#include "http/live_streams.h"
#include "http/market_endpoints.h"
#include "http/metrics_endpoint.h"
#include "http/original_endpoints.h"
#include "http/status_json.h"
#include "http/ws_endpoints.h"

namespace ibstream::http {
namespace {

using Endpoint = Response (*)(ApiState&, const Request&);

Response DashboardPage(const Request&) {
  Response page;
  page.content_type = "text/html; charset=utf-8";
  page.body = std::string(DashboardHtml());
  page.headers.emplace_back("Cache-Control", "no-cache");
  return page;
}

}  // namespace

void RegisterRecorderApi(Router& router, std::shared_ptr<RecorderApiSource> source,
                         RecorderApiOptions options) {
  auto state = std::make_shared<ApiState>(std::move(source), std::move(options));
  // The handlers own the SSE machinery: its threads are joined when the last handler goes
  // (buffer replays first, as they hold the live streams).
  auto live = std::make_shared<LiveStreams>(state);
  auto buffer = std::make_shared<BufferReplays>(state, live);
  auto bind = [&state](Endpoint endpoint) {
    return [state, endpoint](const Request& r) { return endpoint(*state, r); };
  };
  const RouteOptions with_token{.requires_token = true};

  router.Get("/", &DashboardPage);
  router.Get("/health", bind(&Health));
  router.Get("/background/status", bind(&BackgroundStatus));
  router.Get("/background/health", bind(&BackgroundHealth));
  router.Get("/background/health/summary", bind(&BackgroundHealthSummary));
  router.Get("/background/health/{contract_id}", bind(&ContractHealth));
  router.Get("/v3/buffer/{id}/info", bind(&BufferInfo));
  router.Get("/v3/buffer/{id}/query", bind(&BufferQuery));
  router.Get("/market-status/{id}", bind(&MarketStatusOf));
  router.Get("/trading-schedule/{id}", bind(&TradingSchedule));
  router.Get("/metrics", bind(&Metrics));
  router.Get("/livez", bind(&Livez));
  router.Get("/readyz", bind(&Readyz));
  router.Get("/v1/gaps", bind(&Gaps));
  router.Get("/v1/book/{id}", bind(&Book));
  router.Get("/v1/alerts", bind(&Alerts));
  router.Get("/v1/status", bind(&StatusView));
  router.Get("/v1/dashboard", bind(&Dashboard));
  router.Post("/v1/backfill", bind(&Backfill), with_token);
  router.Get("/v1/contracts", bind(&Contracts));
  router.Post("/v1/contracts", bind(&TrackContract), with_token);
  router.Delete("/v1/contracts/{id}", bind(&UntrackContract), with_token);
  router.Sse("/v2/stream/{id}/live", [live](const Request& r, std::shared_ptr<SseSink> sink) {
    return live->Live(r, std::move(sink), /*type_in_path=*/false);
  });
  router.Sse("/v2/stream/{id}/live/{tick_type}",
             [live](const Request& r, std::shared_ptr<SseSink> sink) {
               return live->Live(r, std::move(sink), /*type_in_path=*/true);
             });
  router.Sse("/v2/stream/{id}/buffer", [buffer](const Request& r, std::shared_ptr<SseSink> sink) {
    return buffer->Buffer(r, std::move(sink));
  });
  // Last: its /v2/stream/{id}/{tick_type} alias must not shadow /live and /buffer above.
  RegisterOriginalEndpoints(router, state, live);
  RegisterWebSocketApi(router, state);
}

}  // namespace ibstream::http
