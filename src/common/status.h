// Errors as values: Status for operations without a result, Result<T> for those with one.
//
// Neither type throws. A Result<T> holds either a value or a non-OK Status; reading the value of
// an error Result is a programming error and aborts (see IBSTREAM_CHECK in check.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "common/check.h"

namespace ibstream {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad input: configuration, command line, request
  kParseError,          // bytes or text that do not follow their format
  kCorruption,          // stored data failed a checksum or structural check
  kIoError,             // the operating system reported a failure
  kNotFound,            // the thing asked for does not exist
  kOutOfRange,          // a value or position outside what is described
  kUnavailable,         // a peer or resource is not reachable now; retrying may help
  kTimeout,             // a deadline passed
  kFailedPrecondition,  // the operation is not allowed in the current state
  kResourceExhausted,   // a limit was reached (queue full, disk full, pacing)
  kInternal,            // an internal invariant did not hold
};

// The name of a status code, e.g. "ParseError".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // The OK status.
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "ParseError: field 3: expected an integer, got 'x'"; "OK" for the OK status.
  std::string ToString() const;

  // Returns a status with the same code and detail code and `context: message`.
  Status WithContext(std::string_view context) const;

  // A typed code the error's source attached, e.g. IB's error code when a request failed with an
  // ERR_MSG (client::IbErrorCode reads it). It is never parsed out of the message and is not part
  // of ToString(). Absent unless set with WithDetailCode().
  std::optional<int32_t> detail_code() const { return detail_code_; }
  // Returns this status with `detail_code` attached.
  Status WithDetailCode(int32_t detail_code) const;

  // Explicitly discards a status whose failure the caller has decided not to act on.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::optional<int32_t> detail_code_;
};

inline Status InvalidArgument(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message));
}
inline Status ParseError(std::string message) {
  return Status(StatusCode::kParseError, std::move(message));
}
inline Status Corruption(std::string message) {
  return Status(StatusCode::kCorruption, std::move(message));
}
inline Status IoError(std::string message) {
  return Status(StatusCode::kIoError, std::move(message));
}
inline Status NotFound(std::string message) {
  return Status(StatusCode::kNotFound, std::move(message));
}
inline Status OutOfRange(std::string message) {
  return Status(StatusCode::kOutOfRange, std::move(message));
}
inline Status Unavailable(std::string message) {
  return Status(StatusCode::kUnavailable, std::move(message));
}
inline Status Timeout(std::string message) {
  return Status(StatusCode::kTimeout, std::move(message));
}
inline Status FailedPrecondition(std::string message) {
  return Status(StatusCode::kFailedPrecondition, std::move(message));
}
inline Status ResourceExhausted(std::string message) {
  return Status(StatusCode::kResourceExhausted, std::move(message));
}
inline Status Internal(std::string message) {
  return Status(StatusCode::kInternal, std::move(message));
}

// A value or the error that prevented it.
template <typename T>
class [[nodiscard]] Result {
 public:
  // Implicit on purpose: `return value;` and `return ParseError(...);` both read naturally.
  Result(T value) : data_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    IBSTREAM_CHECK(!std::get<Status>(data_).ok(), "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }

  // The error; OK when the result holds a value.
  Status status() const { return ok() ? Status() : std::get<Status>(data_); }

  const T& value() const& {
    IBSTREAM_CHECK(ok(), "value() of an error Result");
    return std::get<T>(data_);
  }
  T& value() & {
    IBSTREAM_CHECK(ok(), "value() of an error Result");
    return std::get<T>(data_);
  }
  T&& value() && {
    IBSTREAM_CHECK(ok(), "value() of an error Result");
    return std::get<T>(std::move(data_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  T value_or(T fallback) const { return ok() ? std::get<T>(data_) : std::move(fallback); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace ibstream

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define IBSTREAM_RETURN_IF_ERROR(expr)                   \
  do {                                                   \
    ::ibstream::Status ibstream_status_ = (expr);        \
    if (!ibstream_status_.ok()) return ibstream_status_; \
  } while (false)
