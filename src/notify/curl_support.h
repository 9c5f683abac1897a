// libcurl handles with owners. Internal to notify/.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <memory>
#include <string>

#include "common/clock.h"

namespace ibstream::notify::internal {

struct CurlEasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;

struct CurlListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlList = std::unique_ptr<curl_slist, CurlListDeleter>;

// A new easy handle with the settings every use shares (no signals: the handle lives on a worker
// thread). Initializes libcurl once per process, thread-safely. Null if libcurl fails.
CurlEasy NewCurlEasy();

// A timeout as libcurl's *_MS options take it (whole milliseconds, rounded down).
inline long CurlMilliseconds(Duration d) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

// Appends `value` to `list` (which may be null) and returns the new head.
CurlList Append(CurlList list, const std::string& value);

}  // namespace ibstream::notify::internal
