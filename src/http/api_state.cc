#include "http/api_state.h"

namespace ibstream::http {

std::string ApiState::NewStreamId(int64_t contract_id, TickType type) {
  return std::to_string(contract_id) + "_" + std::string(TickTypeName(type)) + "_" +
         std::to_string(ToUnixNanos(source->Now()) / 1'000'000) + "_" +
         std::to_string(next_stream.fetch_add(1));
}

}  // namespace ibstream::http
