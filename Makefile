# ib-stream: the README's commands. `make test` and `make demo` set everything up themselves.
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
# Compiler launcher for both builds: ccache when it is installed (repeated runs recompile only what
# changed), none otherwise.
CCACHE ?= $(shell command -v ccache 2>/dev/null)
CMAKE_LAUNCHER := $(if $(CCACHE),-DCMAKE_CXX_COMPILER_LAUNCHER=$(CCACHE))
# Unity batches (cmake/build_speed.cmake) in every build the Makefile configures: a cold build
# (CI's fresh clone) compiles each batch's headers once instead of once per source. UNITY=OFF
# compiles source by source (a one-file change then recompiles only that file).
UNITY ?= ON
CMAKE_SPEED := -DIBSTREAM_UNITY=$(UNITY) -DIBSTREAM_UNITY_TESTS=$(UNITY)
# New build directories use Ninja (setup.sh installs it): a cold sanitizer build took 337 s against
# 363 s with Unix Makefiles (BENCHMARKS.md). CMake reads this only when it creates a build
# directory, so an existing one keeps its generator; GENERATOR="Unix Makefiles" picks Make.
GENERATOR ?= Ninja
export CMAKE_GENERATOR := $(GENERATOR)

# Where `make install` puts things: PREFIX (bin/, lib/systemd/system/, share/...; the configuration
# goes to /etc for PREFIX=/usr, PREFIX/etc otherwise) under DESTDIR (staged installs).
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: setup build test unit asan fuzz unit-build unit-tests asan-build asan-tests fuzz-build fuzz-run bench format format-check demo demo-cluster chaos chaos-ci replay-round-trip install deb package clean

setup:
	@bash scripts/setup.sh

# Just the executable (what demo and the chaos suite run).
build: setup
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_LAUNCHER) $(CMAKE_SPEED)
	cmake --build $(BUILD) -j $(JOBS) --target ibstream

# Everything CI runs: the format check, unit tests, the chaos subset, the same tests under
# ASan+UBSan, a time-boxed fuzz run. Each phase prints its duration (`phase=asan-tests seconds=412`).
# The tests leave much of the two cores idle (they wait on sockets and accelerated clocks), so the
# next build runs beside them in the idle scheduling class (`bg:`, scripts/phases.sh): the sanitizer
# build beside the Release tests and the chaos subset, the fuzz build beside the sanitized tests.
TEST_PHASES := format-check unit-build bg:asan-build unit-tests chaos-ci wait:asan-build \
  bg:fuzz-build asan-tests wait:fuzz-build fuzz-run
test: setup
	@MAKE="$(MAKE)" PHASE_LOGS=$(BUILD)/phase-logs bash scripts/phases.sh $(TEST_PHASES)

# Every test executable and benchmark (so a change that breaks a benchmark fails here too), then
# every test (scripts/ctest.sh: a failed test runs once more, and those that needed it are listed).
define build_release
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DIBSTREAM_BENCHMARKS=ON $(CMAKE_LAUNCHER) $(CMAKE_SPEED)
	cmake --build $(BUILD) -j $(JOBS)
endef
unit: setup
	$(build_release)
	bash scripts/ctest.sh $(BUILD) $(JOBS)

# The sanitizer build is compiled by clang (installed by setup.sh for the fuzzers too): at -O0 with
# ASan+UBSan it compiles the same sources in little more than half the CPU time GCC takes
# (BENCHMARKS.md), and a second compiler's warnings come for free. The product (the Release build
# above) is GCC's. SANITIZE_CXX=g++ SANITIZE_CC=gcc builds it with GCC.
SANITIZE_CC ?= clang-14
SANITIZE_CXX ?= clang++-14
define build_sanitized
	CC=$(SANITIZE_CC) CXX=$(SANITIZE_CXX) cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug \
	  -DIBSTREAM_SANITIZE=ON -DIBSTREAM_BENCHMARKS=OFF $(CMAKE_LAUNCHER) $(CMAKE_SPEED)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
endef
asan: setup
	$(build_sanitized)
	bash scripts/ctest.sh $(ASAN_BUILD) $(JOBS)

fuzz: setup
	UNITY=$(UNITY) bash scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# make test's steps (setup ran once before them): unit, asan and fuzz, each split in two.
unit-build:
	$(build_release)
unit-tests:
	bash scripts/ctest.sh $(BUILD) $(JOBS)
asan-build:
	$(build_sanitized)
asan-tests:
	bash scripts/ctest.sh $(ASAN_BUILD) $(JOBS)
fuzz-build:
	UNITY=$(UNITY) FUZZ_STEP=build bash scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)
fuzz-run:
	FUZZ_STEP=run bash scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: setup
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DIBSTREAM_BENCHMARKS=ON $(CMAKE_LAUNCHER) $(CMAKE_SPEED)
	cmake --build $(BUILD) -j $(JOBS)
	bash scripts/bench.sh $(BUILD)

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

format-check: setup
	clang-format --dry-run --Werror $$(git ls-files '*.cc' '*.h')

# The recorder on the built-in simulated gateway (Ctrl-C stops it). DEMO_ARGS are passed on,
# e.g. make demo DEMO_ARGS="--speed 120 --port 8852".
demo: build
	./$(BUILD)/ibstream demo $(DEMO_ARGS)

# Redundant recording on one machine (scripts/demo_cluster.sh): nats-server, two simulated
# gateways, two recorders publishing, one merger; gateway a restarts after a minute.
demo-cluster: build
	scripts/demo_cluster.sh $(BUILD)

# The recorder against the simulator's ground truth (scripts/chaos.py): every scenario, and the
# docs/RELIABILITY.md table, one scenario at a time; chaos-ci is the short subset, two scenarios at
# a time (about a minute and a half). Fails on a missed target.
chaos: build
	python3 scripts/chaos.py --build $(BUILD) --set full --doc docs/RELIABILITY.md

chaos-ci: build
	python3 scripts/chaos.py --build $(BUILD) --set ci --jobs 2

# Record from the simulator, replay that store through the simulator (`ibstream sim --replay`),
# record it again: the two stores hold the same ticks (src/replay/README.md).
replay-round-trip: setup
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_LAUNCHER) $(CMAKE_SPEED)
	cmake --build $(BUILD) -j $(JOBS) --target replay_round_trip_tests
	cd $(BUILD) && ctest --output-on-failure -R '^Replay'

# The binary, the systemd unit, sysusers.d/tmpfiles.d entries, the configuration (kept if it
# exists), the docs, the Grafana dashboard and the Prometheus rules (packaging/CMakeLists.txt),
# and the Python module (`import ibstream`) into Debian's python3 under PREFIX
# (/usr/local/lib/python3.X/dist-packages for the default PREFIX).
install: setup
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_LAUNCHER) $(CMAKE_SPEED)
	cmake --build $(BUILD) -j $(JOBS) --target ibstream ibstream_python_module
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

# The Debian package (CPack; dependencies from dpkg-shlibdeps): $(BUILD)/ibstream_<version>_<arch>.deb.
deb: build
	cd $(BUILD) && cpack -G DEB

package: deb

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
