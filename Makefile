# ib-stream: the README's commands. `make test` and `make demo` set everything up themselves.
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60

.PHONY: setup build test unit asan fuzz bench format format-check demo chaos chaos-ci clean

setup:
	@bash scripts/setup.sh

build: setup
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j $(JOBS)

# Everything CI runs: unit tests, the same tests under ASan+UBSan, a time-boxed fuzz run.
test: unit asan fuzz chaos-ci format-check

unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

asan: setup
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DIBSTREAM_SANITIZE=ON -DIBSTREAM_BENCHMARKS=OFF
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

fuzz: setup
	bash scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: build
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
