#include "notify/email_sink.h"

#include <algorithm>
#include <cstring>

#include "notify/curl_support.h"

namespace ibstream::notify {
namespace {

struct Upload {
  const std::string* text;
  size_t offset = 0;
};

size_t ReadMessage(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  size_t n = std::min(size * count, upload->text->size() - upload->offset);
  std::memcpy(buffer, upload->text->data() + upload->offset, n);
  upload->offset += n;
  return n;
}

}  // namespace

EmailSink::EmailSink(EmailOptions options, const Clock& clock)
    : options_(std::move(options)),
      clock_(clock),
      worker_("email", options_.delivery, clock,
              [this](const AlertGroup& group) { return Send(group); }) {}

void EmailSink::Submit(const AlertGroup& group) {
  AlertGroup to_send = FilterResolved(group, options_.send_resolved);
  if (!to_send.empty()) worker_.Enqueue(std::move(to_send));
}

DeliveryOutcome EmailSink::Send(const AlertGroup& group) const {
  using internal::CurlList;
  std::string message = BuildEmailMessage(group, options_.addresses, clock_.Now());
  internal::CurlEasy curl = internal::NewCurlEasy();
  if (!curl) return DeliveryOutcome::Retry(Internal("curl_easy_init failed"));
  CurlList recipients;
  for (const std::string& to : options_.addresses.to) {
    recipients = internal::Append(std::move(recipients), "<" + to + ">");
  }
  Upload upload{&message};
  char error[CURL_ERROR_SIZE] = {};
  CURL* h = curl.get();
  std::string from = "<" + options_.addresses.from + ">";
  curl_easy_setopt(h, CURLOPT_URL, options_.smtp_url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, ReadMessage);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, internal::CurlMilliseconds(options_.timeout));
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  if (!options_.username.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, options_.password.c_str());
  }
  CURLcode code = curl_easy_perform(h);
  if (code == CURLE_OK) return DeliveryOutcome::Delivered();
  long reply = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
  std::string text = error[0] != '\0' ? error : curl_easy_strerror(code);
  Status failure =
      Unavailable("SMTP: " + text + (reply != 0 ? " (reply " + std::to_string(reply) + ")" : ""));
  bool permanent = reply >= 500 || code == CURLE_LOGIN_DENIED;
  return permanent ? DeliveryOutcome::GiveUp(failure) : DeliveryOutcome::Retry(failure);
}

}  // namespace ibstream::notify
