// libcurl handles with owners. Internal to notify/.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

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

// Appends `value` to `list` (which may be null) and returns the new head.
CurlList Append(CurlList list, const std::string& value);

}  // namespace ibstream::notify::internal
