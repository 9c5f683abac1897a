#!/usr/bin/env bash
# Installs every Debian package ib-stream needs to build, test and run (ccache so that repeated
# builds recompile only what changed; ninja-build runs the builds; lld links in a fraction of GNU
# ld's time; prometheus only for its promtool, which the tests use to check /metrics and
# packaging/prometheus's rules; its service is not started; dpkg-dev for dpkg-shlibdeps, which
# computes the .deb's dependencies; pybind11 and python3-dev build `import ibstream`, numpy and
# pandas are what it returns; chromium runs headless in the dashboard's browser test).
# Idempotent and non-interactive; runs apt-get as root or through sudo.
set -euo pipefail

packages=(
  g++ make cmake pkg-config curl python3 ca-certificates
  libboost-dev libfmt-dev libspdlog-dev libtomlplusplus-dev libcli11-dev
  nlohmann-json3-dev libcurl4-openssl-dev libzstd-dev zstd libhowardhinnant-date-dev tzdata
  libgtest-dev libgmock-dev libbenchmark-dev libsystemd-dev
  clang-14 libclang-rt-14-dev clang-format ccache lld ninja-build
  pybind11-dev python3-pybind11 python3-dev python3-numpy python3-pandas
  prometheus dpkg-dev chromium
  nats-server libnats-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
  else
    echo "setup: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "setup: installing ${missing[*]}"
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
