#include "cli/http_get.h"

#include <curl/curl.h>

#include <memory>

namespace ibstream::cli {
namespace {

size_t AppendHttpBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

}  // namespace

HttpAnswer HttpGet(std::string base_url, const std::string& path) {
  while (!base_url.empty() && base_url.back() == '/') base_url.pop_back();
  HttpAnswer answer;
  answer.url = base_url + path;
  const std::string& url = answer.url;
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    answer.error = "cannot initialise libcurl";
    return answer;
  }
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, AppendHttpBody);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  const CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) {
    answer.error = url + ": " + (error[0] != '\0' ? error : curl_easy_strerror(rc));
    answer.connection_refused = rc == CURLE_COULDNT_CONNECT;
    return answer;
  }
  answer.answered = true;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &answer.status);
  return answer;
}

}  // namespace ibstream::cli
