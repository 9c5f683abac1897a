// The one place the client includes Boost.Asio. Boost 1.74's Asio needs <utility> first under
// GCC 12 in C++20 (docs/TOOLCHAIN.md §3.1).
#pragma once

// clang-format off
#include <utility>
#include <boost/asio.hpp>
// clang-format on
