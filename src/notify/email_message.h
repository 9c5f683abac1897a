// The e-mail a notification becomes: RFC 5322 headers and a plain-text body, CRLF line endings.
#pragma once

#include <string>
#include <vector>

#include "common/clock.h"
#include "notify/sink.h"

namespace ibstream::notify {

struct EmailAddresses {
  std::string from;
  std::vector<std::string> to;
};

// "[FIRING] critical data_stale_during_trading 711280073: MNQ bid_ask: no data for 312 s" for
// one alert; "[FIRING:2] 711280073: data_stale_during_trading, circuit_open" for several;
// RESOLVED when none fires. No CR or LF; at most 200 bytes before encoding.
std::string EmailSubject(const AlertGroup& group);

// The whole message: Date (`now`), From, To, Subject (RFC 2047 encoded when not ASCII),
// Message-ID, MIME headers, then one block per alert (status, rule, severity, contract, summary,
// times, labels). `group` must not be empty.
std::string BuildEmailMessage(const AlertGroup& group, const EmailAddresses& addresses,
                              TimePoint now);

}  // namespace ibstream::notify
