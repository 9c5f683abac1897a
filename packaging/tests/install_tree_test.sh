#!/usr/bin/env bash
# Installs the recorder component of the build (`cmake --install BUILD --prefix /usr --component
# recorder`, DESTDIR=a temporary root, as the .deb does) and checks the tree: the binary runs, the unit names the installed binary and an installed
# configuration, the sysusers.d/tmpfiles.d entries create the unit's user and data directory, the
# unit raises the descriptor limit, the Grafana and Prometheus files are there; then that a second install keeps an edited configuration,
# and that another prefix gets its own paths in the unit. Uses what is built; builds nothing.
set -euo pipefail
build="$1"
root="$(mktemp -d "${TMPDIR:-/tmp}/ibstream-install-XXXXXX")"
trap 'rm -rf "$root"' EXIT

fail() {
  echo "install_tree_test: $*" >&2
  exit 1
}

DESTDIR="$root" cmake --install "$build" --prefix /usr --component recorder >/dev/null

bin="$root/usr/bin/ibstream"
unit="$root/usr/lib/systemd/system/ibstream.service"
config="$root/etc/ibstream/ibstream.toml"
sysusers="$root/usr/lib/sysusers.d/ibstream.conf"
tmpfiles="$root/usr/lib/tmpfiles.d/ibstream.conf"
for f in "$bin" "$unit" "$config" "$sysusers" "$tmpfiles" \
  "$root/usr/share/doc/ibstream/ibstream.example.toml" \
  "$root/usr/share/doc/ibstream/OPERATIONS.md" \
  "$root/usr/share/ibstream/grafana/ibstream-dashboard.json" \
  "$root/usr/share/ibstream/prometheus/ibstream-alerts.yml"; do
  [ -f "$f" ] || fail "missing ${f#"$root"}"
done

[ -x "$bin" ] || fail "/usr/bin/ibstream is not executable"
version="$("$bin" --version)" || fail "/usr/bin/ibstream --version failed"
[[ "$version" == ibstream\ * ]] || fail "unexpected --version output: $version"

# The unit: ExecStart is the installed binary with the installed configuration; its user and
# data directory are the ones sysusers.d and tmpfiles.d create.
exec_start="$(sed -n 's/^ExecStart=//p' "$unit")"
[ "$exec_start" = "/usr/bin/ibstream record --config /etc/ibstream/ibstream.toml" ] ||
  fail "unexpected ExecStart: $exec_start"
grep -qx 'EnvironmentFile=-/etc/ibstream/ibstream.env' "$unit" || fail "unit's EnvironmentFile"
grep -q '@' "$unit" && fail "unit has an unfilled @VARIABLE@: $(grep '@' "$unit")"
grep -qx 'User=ibstream' "$unit" || fail "unit does not run as ibstream"
grep -qx 'WorkingDirectory=/var/lib/ibstream' "$unit" || fail "unit's WorkingDirectory"
# systemd starts services with 1024 descriptors; the unit raises the limit to the daemon's own
# ceiling (src/cli/daemon.cc) so that HTTP clients and storage's reserve both fit.
grep -qx 'LimitNOFILE=65536' "$unit" || fail "unit does not raise LimitNOFILE to 65536"
grep -qE '^u ibstream ' "$sysusers" || fail "sysusers.d does not create the ibstream user"
grep -qE '^d /var/lib/ibstream [0-7]+ ibstream ibstream' "$tmpfiles" ||
  fail "tmpfiles.d does not create /var/lib/ibstream for ibstream"
if command -v systemd-sysusers >/dev/null 2>&1; then
  out="$(systemd-sysusers --root="$root" --dry-run ibstream.conf 2>&1)" ||
    fail "systemd-sysusers rejects the entry: $out"
  [[ "$out" == *"Creating user 'ibstream'"* ]] || fail "systemd-sysusers creates no ibstream user: $out"
fi

# The installed configuration is valid as installed.
"$bin" config check "$config" >/dev/null || fail "ibstream config check /etc/ibstream/ibstream.toml"

# A second install keeps the operator's configuration.
echo "# edited" >>"$config"
DESTDIR="$root" cmake --install "$build" --prefix /usr --component recorder >/dev/null
tail -n 1 "$config" | grep -qx '# edited' || fail "a second install overwrote the configuration"

# Another prefix: the unit follows it (GNUInstallDirs' sysconfdir is PREFIX/etc there).
DESTDIR="$root/local" cmake --install "$build" --prefix /usr/local --component recorder >/dev/null
exec_start="$(sed -n 's/^ExecStart=//p' "$root/local/usr/local/lib/systemd/system/ibstream.service")"
[ "$exec_start" = "/usr/local/bin/ibstream record --config /usr/local/etc/ibstream/ibstream.toml" ] ||
  fail "unexpected ExecStart for prefix /usr/local: $exec_start"
[ -f "$root/local/usr/local/etc/ibstream/ibstream.toml" ] || fail "missing /usr/local/etc/ibstream/ibstream.toml"

echo "install_tree_test: ok ($version)"
