#include "notify/email_message.h"

#include <date/date.h>

#include <algorithm>

#include "notify/webhook_payload.h"

namespace ibstream::notify {
namespace {

constexpr size_t kMaxSubject = 200;

// Header values and body lines never carry a raw CR or LF from alert text.
std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) out += (c == '\r' || c == '\n') ? ' ' : c;
  return out;
}

bool IsAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 0x3f];
  }
  if (i < bytes.size()) {
    uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 0x3f];
    out += kAlphabet[(n >> 12) & 0x3f];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 0x3f] : '=';
    out += '=';
  }
  return out;
}

// RFC 2047 encoded-words of at most 45 source bytes each (60 base64 characters, within the
// 75-character limit), never splitting a UTF-8 sequence, folded onto continuation lines.
std::string EncodeHeaderWords(std::string_view text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(start + 45, text.size());
    while (end < text.size() && end > start + 1 &&
           (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) {
      --end;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(text.substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

// Cuts at `limit` bytes without splitting a UTF-8 sequence.
std::string Truncate(std::string text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;
  text.resize(cut);
  return text + "...";
}

std::string ContractText(const Alert& alert) {
  return alert.contract_id ? std::to_string(*alert.contract_id) : std::string();
}

std::string StatusWord(const AlertGroup& group) {
  bool firing = std::any_of(group.begin(), group.end(),
                            [](const Alert& a) { return a.state == AlertState::kFiring; });
  return firing ? "FIRING" : "RESOLVED";
}

// RFC 5322 date in UTC: "Mon, 11 Aug 2025 21:00:00 +0000".
std::string RfcDate(TimePoint now) {
  return date::format("%a, %d %b %Y %H:%M:%S +0000", std::chrono::floor<std::chrono::seconds>(now));
}

}  // namespace

std::string EmailSubject(const AlertGroup& group) {
  std::string subject = "[" + StatusWord(group);
  if (group.size() == 1) {
    const Alert& alert = group.front();
    subject += "] " + std::string(AlertSeverityName(alert.severity)) + " " + alert.rule;
    if (alert.contract_id) subject += " " + ContractText(alert);
    if (!alert.summary.empty()) subject += ": " + alert.summary;
  } else {
    subject += ":" + std::to_string(group.size()) + "] ";
    const Alert& first = group.front();
    bool same_contract = std::all_of(group.begin(), group.end(), [&](const Alert& a) {
      return a.contract_id == first.contract_id;
    });
    if (same_contract && first.contract_id) subject += ContractText(first) + ": ";
    std::vector<std::string> rules;
    for (const Alert& alert : group) {
      if (std::find(rules.begin(), rules.end(), alert.rule) == rules.end()) {
        rules.push_back(alert.rule);
      }
    }
    for (size_t i = 0; i < rules.size(); ++i) subject += (i == 0 ? "" : ", ") + rules[i];
  }
  return Truncate(OneLine(subject), kMaxSubject);
}

std::string BuildEmailMessage(const AlertGroup& group, const EmailAddresses& addresses,
                              TimePoint now) {
  std::string subject = EmailSubject(group);
  if (!IsAscii(subject)) subject = EncodeHeaderWords(subject);
  std::string to;
  for (const std::string& address : addresses.to) to += (to.empty() ? "" : ", ") + address;
  std::string fingerprint;
  for (const Alert& alert : group) fingerprint += LabelFingerprint(AlertLabels(alert));
  std::string message_id = LabelFingerprint({{"alerts", fingerprint}}) + "." +
                           std::to_string(ToUnixNanos(now)) + "@ibstream";

  std::string m;
  auto line = [&m](std::string_view text) {
    m += text;
    m += "\r\n";
  };
  line("Date: " + RfcDate(now));
  line("From: " + addresses.from);
  line("To: " + to);
  line("Subject: " + subject);
  line("Message-ID: <" + message_id + ">");
  line("MIME-Version: 1.0");
  line("Content-Type: text/plain; charset=utf-8");
  line("Content-Transfer-Encoding: 8bit");
  line("Auto-Submitted: auto-generated");
  line("");
  for (size_t i = 0; i < group.size(); ++i) {
    const Alert& alert = group[i];
    if (i > 0) line("");
    line("Status:    " + std::string(AlertStateName(alert.state)));
    line("Rule:      " + OneLine(alert.rule));
    line("Severity:  " + std::string(AlertSeverityName(alert.severity)));
    if (alert.contract_id) line("Contract:  " + ContractText(alert));
    line("Summary:   " + OneLine(alert.summary));
    line("Started:   " + FormatIsoUtc(alert.starts_at));
    if (alert.ends_at) line("Ended:     " + FormatIsoUtc(*alert.ends_at));
    for (const auto& [name, value] : alert.labels) {
      line("  " + OneLine(name) + " = " + OneLine(value));
    }
  }
  line("");
  line("-- ");
  line("ibstream alert notification");
  return m;
}

}  // namespace ibstream::notify
