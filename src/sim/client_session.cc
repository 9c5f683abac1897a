#include "sim/client_session.h"

#include <spdlog/spdlog.h>

namespace ibstream::sim {

void LogEncodingFailure(const ClientSession& s, const Status& status) {
  if (!s.quiet) spdlog::error("sim: encoding failed: {}", status.ToString());
}

void SendError(ClientSession& s, int32_t id, int32_t code, std::string_view text) {
  protocol::ErrorMessage e;
  e.id = id;
  e.code = code;
  e.text = text;
  Send(s, e);
}

}  // namespace ibstream::sim
