#!/usr/bin/env bash
# Static Linux build of xray-sync, reproducible on a plain Linux machine with rustup:
#
#   scripts/static-build.sh                              # glibc, statically linked (+crt-static)
#   scripts/static-build.sh x86_64-unknown-linux-musl    # musl, where the target is installed
#
# Checks that `file` reports the binary as statically linked, that it is under 15 MB, and that
# it runs a dry run over tests/data/action/junit.xml in an empty environment. The release
# workflow builds musl binaries instead (no glibc NSS caveat, see README.md, "Static Linux binary").
set -euo pipefail

cd "$(dirname "$0")/.."
target="${1:-x86_64-unknown-linux-gnu}"
max_bytes=$((15 * 1024 * 1024))

# --target keeps RUSTFLAGS off build scripts and proc macros, which must stay dynamic.
RUSTFLAGS='-C target-feature=+crt-static' cargo build --release --locked --target "$target"

bin="target/$target/release/xray-sync"
desc="$(file -b "$bin")"
size="$(wc -c <"$bin" | tr -d ' ')"
echo "static-build: $bin"
echo "static-build: file: $desc"
echo "static-build: size: $size bytes ($((size / 1024)) KiB)"

case "$desc" in
  *"statically linked"* | *"static-pie linked"*) ;;
  *)
    echo "static-build: FAIL: not statically linked" >&2
    exit 1
    ;;
esac
if [[ "$size" -ge "$max_bytes" ]]; then
  echo "static-build: FAIL: $size bytes is not under 15 MB" >&2
  exit 1
fi
if command -v ldd >/dev/null 2>&1; then
  echo "static-build: ldd: $(ldd "$bin" 2>&1 | head -n1)"
fi

# A dry run needs no network and no credentials; an empty environment proves no config leaks in.
report="$(mktemp)"
env -i PATH=/usr/bin:/bin HOME="${HOME:-/tmp}" \
  XRAY_SYNC_RESULTS=tests/data/action/junit.xml \
  XRAY_SYNC_DRY_RUN=true \
  XRAY_SYNC_REPORT="$report" \
  "$bin" run
echo "static-build: dry run exited 0"
rm -f "$report"
echo "static-build: ok"
