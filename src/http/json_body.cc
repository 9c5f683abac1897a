#include "http/json_body.h"

#include <string>

namespace ibstream::http {
namespace {

// Counts '[' and '{' outside strings; the parser reports anything else that is malformed.
Status CheckDepth(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return InvalidArgument("the body nests arrays and objects deeper than the limit of " +
                               std::to_string(max_depth));
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return Status::Ok();
}

}  // namespace

Result<nlohmann::ordered_json> ParseJsonBody(std::string_view body, int max_depth) {
  if (Status depth = CheckDepth(body, max_depth); !depth.ok()) return depth;
  try {
    return nlohmann::ordered_json::parse(body);
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("the body is not JSON: ") + e.what());
  }
}

std::string PythonJson(const nlohmann::ordered_json& value) {
  // Python's json.dumps default separators: ", " and ": ".
  std::string compact =
      value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  std::string out;
  out.reserve(compact.size() + compact.size() / 4);
  bool in_string = false;
  bool escaped = false;
  for (char c : compact) {
    out += c;
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == ',' || c == ':') {
      out += ' ';
    }
  }
  return out;
}

}  // namespace ibstream::http
