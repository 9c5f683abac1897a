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

.PHONY: setup build test unit asan fuzz bench format format-check demo chaos chaos-ci clean

setup:
	@bash scripts/setup.sh

# Just the executable (what demo and the chaos suite run).
build: setup
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_LAUNCHER)
	cmake --build $(BUILD) -j $(JOBS) --target ibstream

# Everything CI runs: the format check, unit tests, the chaos subset, the same tests under
# ASan+UBSan, a time-boxed fuzz run. Each phase prints its duration (`phase=asan seconds=412`).
TEST_PHASES := format-check unit chaos-ci asan fuzz
test:
	@MAKE="$(MAKE)" bash scripts/phases.sh $(TEST_PHASES)

# Every test executable and benchmark (so a change that breaks a benchmark fails here too), then
# every test.
unit: setup
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DIBSTREAM_BENCHMARKS=ON $(CMAKE_LAUNCHER)
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

asan: setup
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DIBSTREAM_SANITIZE=ON -DIBSTREAM_BENCHMARKS=OFF \
	  $(CMAKE_LAUNCHER)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

fuzz: setup
	bash scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: setup
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DIBSTREAM_BENCHMARKS=ON $(CMAKE_LAUNCHER)
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

# The recorder against the simulator's ground truth (scripts/chaos.py): every scenario, and the
# docs/RELIABILITY.md table; chaos-ci is the short subset (a few minutes). Fails on a missed target.
chaos: build
	python3 scripts/chaos.py --build $(BUILD) --set full --doc docs/RELIABILITY.md

chaos-ci: build
	python3 scripts/chaos.py --build $(BUILD) --set ci

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
