#include "http/book_endpoints.h"

#include <chrono>
#include <string>

#include "http/api_common.h"
#include "storage/order_book.h"

namespace ibstream::http {
namespace {

Json SideJson(const std::vector<storage::BookRow>& rows) {
  Json out = Json::array();
  for (size_t i = 0; i < rows.size(); ++i) {
    out.push_back({{"position", i},
                   {"price", rows[i].price},
                   {"size", rows[i].size.is_set() ? Json(rows[i].size.ToString()) : Json()},
                   {"market_maker", rows[i].market_maker}});
  }
  return out;
}

}  // namespace

Response Book(ApiState& api, const Request& request) {
  const auto id_text = request.path_params.at("id");
  const std::optional<int64_t> contract = ParseContractId(id_text);
  if (!contract) return Error(400, "Invalid contract ID", {{"contract_id", id_text}});
  TimePoint at = api.source->Now();
  if (auto raw = request.Query("at")) {
    auto parsed = ParseIsoTime(*raw);
    if (!parsed.ok()) {
      return Error(400, "at must be an ISO 8601 time with an offset", {{"at", *raw}});
    }
    at = *parsed;
  }
  const IntParam rows = ReadIntParam(request, "rows", 0, 1000);
  if (rows.error) return *rows.error;
  const IntParam lookback = ReadIntParam(request, "lookback_seconds", 1, 366 * 86400);
  if (lookback.error) return *lookback.error;

  storage::BookAtOptions options;
  options.rows = static_cast<int>(rows.value.value_or(0));
  options.lookback = std::chrono::seconds(lookback.value.value_or(86400));
  auto book = storage::BookAtFromQuery(
      [&api](const storage::QueryRequest& q, const std::function<Status(const Tick&)>& sink,
             storage::QueryStats* stats) {
        return api.source->Query(q.streams, q.from, q.to, sink, stats);
      },
      *contract, at, options);
  if (!book.ok()) {
    return Error(500, "Reading the store failed", {{"detail", book.status().ToString()}});
  }
  if (!book->last_update) {
    return Error(404, "No depth records of this contract before this time",
                 {{"contract_id", *contract},
                  {"at", FormatIsoUtc(at)},
                  {"lookback_seconds", lookback.value.value_or(86400)}});
  }
  const bool complete = book->restarted && book->rejected == 0 && book->data_complete;
  return JsonOk({{"contract_id", *contract},
                 {"at", FormatIsoUtc(at)},
                 {"rows", options.rows},
                 {"restarted", book->restarted},
                 {"last_update", IsoOrNull(book->last_update)},
                 {"records", book->records},
                 {"rejected", book->rejected},
                 {"complete", complete},
                 {"bids", SideJson(book->book.bids)},
                 {"asks", SideJson(book->book.asks)}});
}

}  // namespace ibstream::http
