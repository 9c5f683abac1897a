#!/usr/bin/env bash
# `promtool check rules` on the shipped alerting rules, then `promtool test rules` on their cases
# (RULES_TESTS: series that must raise each rule and series that must not). Without promtool the test is skipped
# (exit 77, CTest's SKIP_RETURN_CODE), except in CI (CI=true), where a missing promtool fails it:
# scripts/setup.sh installs prometheus, which ships promtool.
set -euo pipefail
rules="$1"
tests="$2"
if ! command -v promtool >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "promtool_test: promtool is not installed (CI=true): run scripts/setup.sh" >&2
    exit 1
  fi
  echo "promtool_test: promtool is not installed; skipped (scripts/setup.sh installs prometheus)"
  exit 77
fi
promtool check rules "$rules"
promtool test rules "$tests"
