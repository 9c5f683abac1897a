#!/usr/bin/env bash
# Builds the .deb from the built tree (cpack, into a temporary directory; nothing is compiled) and
# checks it: dependencies computed, the configuration a conffile, maintainer scripts that create
# the user and data directory but never enable or start the service, and the extracted tree (the
# unit's ExecStart and --config exist in the package, the binary runs).
set -euo pipefail
build="$1"
work="$(mktemp -d "${TMPDIR:-/tmp}/ibstream-deb-XXXXXX")"
trap 'rm -rf "$work"' EXIT

fail() {
  echo "deb_test: $*" >&2
  exit 1
}

if ! command -v dpkg-deb >/dev/null 2>&1 || ! command -v dpkg-shlibdeps >/dev/null 2>&1; then
  [ "${CI:-}" = "true" ] && fail "dpkg-deb/dpkg-shlibdeps missing (CI=true)"
  echo "deb_test: dpkg-deb or dpkg-shlibdeps missing; skipped"
  exit 77
fi

(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log" >&2; fail "cpack failed"; }
deb="$(ls "$work"/out/ibstream_*.deb 2>/dev/null | head -n 1)"
[ -n "$deb" ] || fail "no ibstream_*.deb produced"

depends="$(dpkg-deb -f "$deb" Depends)"
for lib in libc6 libstdc++6 libcurl4 libzstd1 libsystemd0; do
  [[ "$depends" == *"$lib"* ]] || fail "Depends lacks $lib: $depends"
done

dpkg-deb -e "$deb" "$work/control"
grep -qx '/etc/ibstream/ibstream.toml' "$work/control/conffiles" || fail "configuration is no conffile"
for script in postinst prerm postrm; do
  [ -x "$work/control/$script" ] || fail "$script missing or not executable"
  sh -n "$work/control/$script" || fail "$script: syntax error"
done
grep -q 'systemd-sysusers ibstream.conf' "$work/control/postinst" || fail "postinst runs no sysusers"
grep -q 'systemd-tmpfiles --create ibstream.conf' "$work/control/postinst" || fail "postinst runs no tmpfiles"
if grep -v '^[[:space:]]*#' "$work/control/postinst" |
  grep -Eq 'systemctl +(start|enable|restart|reload-or-restart)'; then
  fail "postinst starts or enables the service"
fi

# postinst on a first install and on an upgrade, with the systemd tools replaced by stubs that
# log their arguments: it creates the user and the directory and never starts or enables anything.
mkdir -p "$work/stubs"
for tool in systemd-sysusers systemd-tmpfiles systemctl adduser; do
  printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$tool" "$work/calls" >"$work/stubs/$tool"
  chmod +x "$work/stubs/$tool"
done
PATH="$work/stubs:$PATH" sh "$work/control/postinst" configure "" || fail "postinst configure failed"
PATH="$work/stubs:$PATH" sh "$work/control/postinst" configure 0.0.1 || fail "postinst upgrade failed"
grep -qx 'systemd-sysusers ibstream.conf' "$work/calls" || fail "postinst: no sysusers: $(cat "$work/calls")"
grep -qx 'systemd-tmpfiles --create ibstream.conf' "$work/calls" || fail "postinst: no tmpfiles"
if grep -Eq '^systemctl (start|enable|restart)' "$work/calls"; then
  fail "postinst started or enabled the service: $(cat "$work/calls")"
fi

dpkg-deb -x "$deb" "$work/root"
root="$work/root"
unit="$root/usr/lib/systemd/system/ibstream.service"
[ -f "$unit" ] || fail "no unit in the package"
read -r binary _ _ config < <(sed -n 's/^ExecStart=//p' "$unit")
[ -x "$root$binary" ] || fail "ExecStart's $binary is not in the package"
[ -f "$root$config" ] || fail "the unit's --config $config is not in the package"
"$root$binary" --version >/dev/null || fail "$binary --version failed"
[ -f "$root/usr/lib/sysusers.d/ibstream.conf" ] || fail "no sysusers.d entry"
[ -f "$root/usr/lib/tmpfiles.d/ibstream.conf" ] || fail "no tmpfiles.d entry"
echo "deb_test: ok ($(basename "$deb"); Depends: $depends)"
