// IBSTREAM_ASAN is defined when this translation unit is compiled with AddressSanitizer, by GCC
// (which defines __SANITIZE_ADDRESS__) or by clang (which answers __has_feature; clang 14 does not
// define GCC's macro). Tests that run a simulated market slow their virtual clock under it.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define IBSTREAM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IBSTREAM_ASAN 1
#endif
#endif
