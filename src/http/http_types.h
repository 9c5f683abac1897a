// Plain request and response values for the HTTP layer, free of Boost.Beast so that the
// recorder's views and the tests do not compile Beast.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ibstream::http {

struct Request {
  std::string method;                              // "GET", "POST", ...
  std::string path;                                // percent-decoded, without the query
  std::map<std::string, std::string> query;        // percent-decoded; a repeated key keeps the last
  std::map<std::string, std::string> path_params;  // from "{name}" segments of the route
  std::string authorization;                       // the Authorization header, raw
  std::string body;

  // The query parameter or empty.
  std::optional<std::string> Query(const std::string& key) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

// {"error": message, "status": status, ...extra} with the given status: the shape of every 4xx.
Response JsonError(int status, std::string_view message,
                   const std::map<std::string, std::string>& extra = {});

// A JSON response from already serialized text.
Response JsonResponse(std::string json, int status = 200);

// Splits "a/b?x=1&y=%20" into a decoded path and query; false when the percent-encoding is bad
// or a decoded path, key or value is not valid UTF-8 (handlers may assume valid UTF-8).
bool ParseTarget(std::string_view target, std::string& path,
                 std::map<std::string, std::string>& query);

// Decodes %XX escapes (and '+' as space when `plus_is_space`); empty when malformed.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace ibstream::http
