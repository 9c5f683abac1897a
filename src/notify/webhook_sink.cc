#include "notify/webhook_sink.h"

#include <algorithm>

#include "notify/curl_support.h"

namespace ibstream::notify {
namespace {

// Keeps the start of the receiver's answer for error messages.
size_t KeepPrefix(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  size_t bytes = size * count;
  if (body->size() < 200) body->append(data, std::min(bytes, 200 - body->size()));
  return bytes;
}

}  // namespace

WebhookSink::WebhookSink(WebhookOptions options, const Clock& clock)
    : options_(std::move(options)),
      worker_("webhook", options_.delivery, clock,
              [this](const AlertGroup& group) { return Post(group); }) {}

void WebhookSink::Submit(const AlertGroup& group) {
  AlertGroup to_send = FilterResolved(group, options_.send_resolved);
  if (!to_send.empty()) worker_.Enqueue(std::move(to_send));
}

DeliveryOutcome WebhookSink::Post(const AlertGroup& group) const {
  using internal::CurlList;
  std::string body = BuildWebhookPayload(group, options_.payload);
  internal::CurlEasy curl = internal::NewCurlEasy();
  if (!curl) return DeliveryOutcome::Retry(Internal("curl_easy_init failed"));
  CurlList headers = internal::Append(nullptr, "Content-Type: application/json");
  headers = internal::Append(std::move(headers), "Expect:");  // no 100-continue round trip
  std::string answer;
  char error[CURL_ERROR_SIZE] = {};
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_USERAGENT, "ibstream/0.1");
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, internal::CurlMilliseconds(options_.timeout));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, KeepPrefix);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) {
    return DeliveryOutcome::Retry(
        Unavailable(std::string(error[0] != '\0' ? error : curl_easy_strerror(code))));
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) return DeliveryOutcome::Delivered();
  Status failure = Unavailable("HTTP " + std::to_string(status) + ": " + answer);
  bool retryable = status >= 500 || status == 408 || status == 429;
  return retryable ? DeliveryOutcome::Retry(failure) : DeliveryOutcome::GiveUp(failure);
}

}  // namespace ibstream::notify
