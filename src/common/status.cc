#include "common/status.h"

#include <cstdio>
#include <cstdlib>

namespace ibstream {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidArgument:
      return "InvalidArgument";
    case StatusCode::kParseError:
      return "ParseError";
    case StatusCode::kCorruption:
      return "Corruption";
    case StatusCode::kIoError:
      return "IoError";
    case StatusCode::kNotFound:
      return "NotFound";
    case StatusCode::kOutOfRange:
      return "OutOfRange";
    case StatusCode::kUnavailable:
      return "Unavailable";
    case StatusCode::kTimeout:
      return "Timeout";
    case StatusCode::kFailedPrecondition:
      return "FailedPrecondition";
    case StatusCode::kResourceExhausted:
      return "ResourceExhausted";
    case StatusCode::kInternal:
      return "Internal";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string message(context);
  message += ": ";
  message += message_;
  Status out(code_, std::move(message));
  out.detail_code_ = detail_code_;
  return out;
}

Status Status::WithDetailCode(int32_t detail_code) const {
  Status out = *this;
  out.detail_code_ = detail_code;
  return out;
}

namespace internal {
void CheckFailed(const char* file, int line, const char* condition, const char* message) {
  std::fprintf(stderr, "ibstream: internal invariant failed at %s:%d: %s (%s)\n", file, line,
               condition, message);
  std::fflush(stderr);
  std::abort();
}
}  // namespace internal

}  // namespace ibstream
