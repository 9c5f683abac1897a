# Build settings that only change how fast the tree compiles and links, never what it builds.
# Included from the top-level CMakeLists.txt before the parts, so every target a part adds
# (libraries, test executables, benchmarks, new files) picks them up without listing them here.
#
# Unity builds (IBSTREAM_UNITY, on by default in the sanitizer build): CMake compiles each
# target's sources in batches of IBSTREAM_UNITY_BATCH_SIZE, one translation unit per batch, so the
# heavy headers (Boost.Asio/Beast, nlohmann/json, spdlog, GoogleTest) are parsed and instantiated
# once per batch instead of once per source. Sources of one target therefore share a translation
# unit: names in anonymous namespaces must not clash within a target (give them specific names).
# A source that cannot combine is excluded with
#   set_source_files_properties(x.cc PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
# and a whole target with set_target_properties(t PROPERTIES UNITY_BUILD OFF).
# Off by default in the Release build, where incremental rebuilds (one source changed, its batch
# recompiled) matter more than a cold build.
if(IBSTREAM_SANITIZE)
  set(_ibstream_unity_default ON)
else()
  set(_ibstream_unity_default OFF)
endif()
option(IBSTREAM_UNITY "Compile each target's sources in batches (unity build)"
       ${_ibstream_unity_default})
set(IBSTREAM_UNITY_BATCH_SIZE 8 CACHE STRING "Sources per unity translation unit")
if(IBSTREAM_UNITY)
  set(CMAKE_UNITY_BUILD ON)
  set(CMAKE_UNITY_BUILD_BATCH_SIZE ${IBSTREAM_UNITY_BATCH_SIZE})
  # GCC's -Wsubobject-linkage flags a class whose members use an anonymous-namespace type when the
  # class is defined outside the main file: in a unity batch every source is "outside" (included).
  # The check keeps its purpose (a header that does this) in the build without unity (Release).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-subobject-linkage)
  endif()
endif()

# Test executables (ibstream_add_tests) join the unity build with IBSTREAM_UNITY_TESTS (the Makefile
# turns it on with IBSTREAM_UNITY). Test sources of one executable often define the same file-local
# helpers (Utc, kMnq, kRoot, ...): each test source therefore puts its code in a namespace named
# after the file (`namespace ibstream::storage::journal_test {`), so that the names of one file
# never meet another's in a batch.
option(IBSTREAM_UNITY_TESTS "Also compile the test executables' sources in unity batches" OFF)
if(NOT IBSTREAM_UNITY)
  set(IBSTREAM_UNITY_TESTS OFF)
endif()

# Test executables whose tests run longest (simulated markets, crash and kill loops, whole
# processes): CTest starts their tests first (ibstream_add_tests gives them a higher COST).
set(IBSTREAM_SLOW_TESTS
    recorder_scenarios_tests recorder_sim_tests recorder_depth_tests storage_tests
    storage_kill_tests replay_round_trip_tests cli_merge_e2e_tests cli_daemon_v3_output_tests
    cli_daemon_tests sim_tests cli_query_tests cli_options_tests reliability_tests)

# Linking with lld (Debian's lld, installed by scripts/setup.sh) when it is there, by GCC and clang
# alike: a sanitized test executable links in about a third of GNU ld's CPU time (BENCHMARKS.md),
# and a build links some sixty executables. IBSTREAM_LLD=OFF links with the compiler's default.
find_program(IBSTREAM_LLD_PROGRAM ld.lld)
option(IBSTREAM_LLD "Link with lld when it is installed" ON)
if(IBSTREAM_LLD AND IBSTREAM_LLD_PROGRAM)
  add_link_options(-fuse-ld=lld)
endif()
