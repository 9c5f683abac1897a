// One GET to a running recorder's HTTP API (`ibstream status`, `ibstream gaps --url`).
#pragma once

#include <string>

namespace ibstream::cli {

struct HttpAnswer {
  std::string url;                  // what was asked for
  bool answered = false;            // false: no HTTP answer (`error` says why)
  bool connection_refused = false;  // nothing listens at the address
  std::string error;                // libcurl's reason when there was no answer
  long status = 0;                  // the HTTP status code when answered
  std::string body;
};

// GETs `base_url` (trailing slashes dropped) followed by `path`, within 10 s.
HttpAnswer HttpGet(std::string base_url, const std::string& path);

}  // namespace ibstream::cli
