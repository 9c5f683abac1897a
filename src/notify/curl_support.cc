#include "notify/curl_support.h"

#include <mutex>

namespace ibstream::notify::internal {

CurlEasy NewCurlEasy() {
  static std::once_flag once;
  // libcurl's global state lives as long as the process; it is never cleaned up.
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CurlEasy handle(curl_easy_init());
  if (handle) curl_easy_setopt(handle.get(), CURLOPT_NOSIGNAL, 1L);
  return handle;
}

CurlList Append(CurlList list, const std::string& value) {
  curl_slist* head = curl_slist_append(list.get(), value.c_str());
  if (head == nullptr) return list;  // out of memory: keep what we had
  (void)list.release();
  return CurlList(head);
}

}  // namespace ibstream::notify::internal
