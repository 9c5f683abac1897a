# One precompiled header shared by every test executable: GoogleTest and the standard headers
# most test files include, parsed once per build instead of once per test source. Test targets
# reuse it through ibstream_add_tests (target_precompile_headers REUSE_FROM), so a new test
# executable picks it up without listing it anywhere.
#
# The header is built with the test targets' own settings (ibstream_test_compile_settings). GCC
# accepts it in a test source whose command line adds definitions or include directories the
# header does not use (the parts' libraries add those); should it ever refuse it, the test source
# still compiles, from the headers themselves.
#
# With ccache, sources compiled with a precompiled header are cached only when ccache's
# sloppiness includes pch_defines and time_macros: when the launcher is ccache, the build passes
# those (added to whatever sloppiness ccache is configured with) through the environment.
option(IBSTREAM_TEST_PCH "Share one precompiled header among the test executables" ON)
if(NOT IBSTREAM_TEST_PCH)
  return()
endif()

if(CMAKE_CXX_COMPILER_LAUNCHER)
  list(GET CMAKE_CXX_COMPILER_LAUNCHER -1 _launcher)
else()
  set(_launcher "")
endif()
get_filename_component(_launcher_name "${_launcher}" NAME)
if(_launcher_name STREQUAL "ccache")
  execute_process(COMMAND ${_launcher} --get-config sloppiness
                  OUTPUT_VARIABLE _sloppiness OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  string(REPLACE " " "" _sloppiness "${_sloppiness}")
  string(REPLACE "," ";" _sloppiness "${_sloppiness}")
  list(APPEND _sloppiness pch_defines time_macros)
  list(REMOVE_DUPLICATES _sloppiness)
  list(REMOVE_ITEM _sloppiness "")
  string(REPLACE ";" "," _sloppiness "${_sloppiness}")
  set(CMAKE_CXX_COMPILER_LAUNCHER env CCACHE_SLOPPINESS=${_sloppiness} ${_launcher})
endif()

set(_pch_source ${CMAKE_BINARY_DIR}/ibstream_test_pch.cc)
if(NOT EXISTS ${_pch_source})
  file(WRITE ${_pch_source} "// The source the shared test precompiled header is built with.\n")
endif()
add_library(ibstream_test_pch OBJECT ${_pch_source})
ibstream_test_compile_settings(ibstream_test_pch)
set_target_properties(ibstream_test_pch PROPERTIES UNITY_BUILD ${IBSTREAM_UNITY_TESTS})
target_precompile_headers(ibstream_test_pch PRIVATE
  <gtest/gtest.h>
  <algorithm>
  <atomic>
  <chrono>
  <condition_variable>
  <cstdint>
  <filesystem>
  <fstream>
  <functional>
  <map>
  <memory>
  <mutex>
  <optional>
  <random>
  <set>
  <sstream>
  <string>
  <string_view>
  <thread>
  <vector>)
