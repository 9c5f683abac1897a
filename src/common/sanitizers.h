// Whether the code runs under the sanitizers, and the one rule tests follow because of it.
//
// AddressSanitizer (with UndefinedBehaviorSanitizer, `make asan`) runs the same code several times
// slower. A test that races real time (a simulated market on a virtual clock the recorder must
// keep up with) or repeats a check (seeds) therefore names two figures: the one of plain builds
// and the reduced one of sanitized builds, through ReducedUnderSanitizers. Nothing else in the
// code asks which build it is.
#pragma once

// Defined when this translation unit is compiled with AddressSanitizer, by GCC (which defines
// __SANITIZE_ADDRESS__) or by clang (which answers __has_feature; clang 14 does not define GCC's
// macro). Only for this header: code reads kUnderSanitizers.
#if defined(__SANITIZE_ADDRESS__)
#define IBSTREAM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IBSTREAM_ASAN 1
#endif
#endif

namespace ibstream {

#if defined(IBSTREAM_ASAN)
inline constexpr bool kUnderSanitizers = true;
#else
inline constexpr bool kUnderSanitizers = false;
#endif

// A test's load: `plain` in plain builds, `reduced` under the sanitizers (a lower clock speed,
// fewer seeds). The build's slowdown is the reason; what each test needs to keep its virtual
// deadlines meaningful is said where it is called.
template <typename T>
constexpr T ReducedUnderSanitizers(T plain, T reduced) {
  return kUnderSanitizers ? reduced : plain;
}

}  // namespace ibstream
