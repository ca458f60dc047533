#!/usr/bin/env bash
# Install step of the xray-sync composite action. Puts the path of a binary in the step output
# `bin` and its SHA-256 in `sha256` (action/run.sh refuses to run anything else):
#   1. the `binary` input (XS_BINARY), when given: a prebuilt binary the workflow names (tests,
#      air-gapped runners);
#   2. else the release asset for this runner, verified against the SHA-256 pinned in this action
#      commit (action/assets.sha256). A SHA256SUMS file from the same release would not catch a
#      swapped asset; a digest committed here does, and a SHA pin of the action pins the bytes;
#   3. else, when no pinned asset fits (before the first release, or `version: source`), it sets
#      `build=true` with a cache key and target directory: the action restores the cargo target
#      from actions/cache and action/build.sh builds this action's own checkout (never the
#      workspace) with a pinned toolchain.
# Never falls back to an unverified download.
set -euo pipefail

action_dir="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
pins="$action_dir/action"
work="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/xray-sync-install"

digest() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    # Hosted macOS images have no GNU coreutils.
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

set_output() {
  printf '%s=%s\n' "$1" "$2" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
}

fail() {
  printf '::error title=xray-sync install::%s\n' "$1"
  exit 1
}

if [[ -n "${XS_BINARY:-}" ]]; then
  [[ -f "$XS_BINARY" ]] || fail "binary input: no file at '$XS_BINARY'"
  sum="$(digest "$XS_BINARY")"
  echo "xray-sync: using the prebuilt binary $XS_BINARY (sha256 $sum)"
  set_output bin "$XS_BINARY"
  set_output sha256 "$sum"
  exit 0
fi

# Runner platform → Rust target triple of the release asset.
exe=""
case "${RUNNER_OS:-$(uname -s)}" in
  Linux) os_part=unknown-linux-musl ;;
  macOS | Darwin) os_part=apple-darwin ;;
  Windows | MINGW* | MSYS* | CYGWIN*)
    os_part=pc-windows-msvc
    exe=.exe
    ;;
  *) fail "unsupported runner OS '${RUNNER_OS:-}'" ;;
esac
arch="${RUNNER_ARCH:-}"
if [[ -z "$arch" ]]; then
  arch="$(uname -m)"
fi
case "$arch" in
  X64 | x86_64 | amd64) arch_part=x86_64 ;;
  ARM64 | aarch64 | arm64) arch_part=aarch64 ;;
  *) fail "unsupported runner architecture '$arch'" ;;
esac
if [[ "$os_part" == pc-windows-msvc ]]; then
  # No Windows ARM64 build: the x64 binary runs under emulation.
  arch_part=x86_64
fi
asset="xray-sync-${arch_part}-${os_part}${exe}"

pinned_version=""
repository=""
while IFS='=' read -r key value; do
  case "$key" in
    version) pinned_version="${value//[[:space:]]/}" ;;
    repository) repository="${value//[[:space:]]/}" ;;
  esac
done <"$pins/release.txt"

requested="${XS_VERSION:-}"
requested="${requested#v}"

# The source build happens in the next steps (actions/cache, then action/build.sh); this only
# says so and names the cache key: the action's own sources and the runner platform, so a cache
# is only ever reused for the same action commit.
build_from_source() {
  local source_digest key
  source_digest="$(
    cd "$action_dir" &&
      { find Cargo.toml Cargo.lock src -type f -print 2>/dev/null || true; } | LC_ALL=C sort |
      while IFS= read -r f; do printf '%s  %s\n' "$(digest "$f")" "$f"; done |
      if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi |
      cut -d' ' -f1
  )"
  key="xray-sync-source-${arch_part}-${os_part}-${source_digest}"
  echo "::notice title=xray-sync install::$1; building this action's own sources with cargo (cached under $key until a release is pinned)"
  set_output build true
  set_output cache-key "$key"
  set_output target-dir "$work/target"
}

if [[ "$requested" == source ]]; then
  build_from_source "version: source was requested"
  exit 0
fi
if [[ -n "$requested" && "$requested" != "$pinned_version" ]]; then
  fail "version '$requested' was requested but this action commit pins '${pinned_version:-nothing}'; use the action at the tag of that version (uses: ${repository}@v${requested}), or the binary input"
fi

expected=""
while read -r digest name; do
  [[ -z "$digest" || "$digest" == \#* ]] && continue
  if [[ "${name#\*}" == "$asset" ]]; then
    expected="$(printf '%s' "$digest" | tr '[:upper:]' '[:lower:]')"
  fi
done <"$pins/assets.sha256"

if [[ -z "$pinned_version" || -z "$expected" ]]; then
  build_from_source "no pinned digest for $asset"
  exit 0
fi

mkdir -p "$work/$pinned_version"
target="$work/$pinned_version/xray-sync${exe}"
url="https://github.com/${repository}/releases/download/v${pinned_version}/${asset}"
echo "xray-sync: downloading $url"
curl --proto '=https' --tlsv1.2 -fsSL --retry 5 --retry-connrefused -o "$target.part" "$url"

actual="$(digest "$target.part")"
if [[ "$actual" != "$expected" ]]; then
  rm -f "$target.part"
  fail "SHA-256 mismatch for $asset: expected $expected (pinned in action/assets.sha256), got $actual"
fi
mv "$target.part" "$target"
chmod +x "$target"
echo "xray-sync: $asset $pinned_version verified (sha256 $actual)"
set_output bin "$target"
set_output sha256 "$actual"
