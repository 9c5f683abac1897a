// Invariant checks that stay on in release builds.
//
// A broken invariant is a bug, not bad input: the process stops with a clear message and the
// supervisor restarts it (recovery then runs). Never use these for data from the gateway, files
// being recovered, HTTP requests or configuration: those return a Status.
#pragma once

namespace ibstream::internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* condition,
                              const char* message);
}  // namespace ibstream::internal

#define IBSTREAM_CHECK(condition, message)                                          \
  do {                                                                              \
    if (!(condition)) [[unlikely]] {                                                \
      ::ibstream::internal::CheckFailed(__FILE__, __LINE__, #condition, (message)); \
    }                                                                               \
  } while (false)
