#!/usr/bin/env bash
# Build step of the xray-sync composite action, run only when action/install.sh found no pinned
# release asset (before the first release, or `version: source`). Builds this action's own
# checkout, never the workspace, in an environment the workspace cannot steer:
#   - the working directory is the action's directory: rustup reads rust-toolchain(.toml) and
#     cargo reads .cargo/config.toml from the working directory upwards, and the workspace may
#     hold files written by the tests that ran before (untrusted code);
#   - RUSTUP_TOOLCHAIN is pinned: it outranks every toolchain file and directory override
#     (rustup book, "Overrides"), so a planted `path = ...` toolchain is never used;
#   - CARGO_HOME / RUSTUP_HOME pointing into the workspace are dropped (defaults under $HOME),
#     PATH entries inside the workspace (or relative) are dropped, since cargo runs the `rustc`
#     it finds on PATH, and a cargo found inside the workspace is refused; variables that swap
#     the compiler or its source (RUSTC, RUSTC_WRAPPER, RUSTFLAGS, CARGO_BUILD_*,
#     RUSTUP_DIST_SERVER, ...) are unset;
#   - the target directory (XS_TARGET_DIR, restored by actions/cache) is outside the workspace.
# Outputs `bin` (a copy of the built binary) and its `sha256`, which action/run.sh checks.
set -euo pipefail

action_dir="$(cd "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}" && pwd -P)"
target_dir="${XS_TARGET_DIR:?the install step gave no target directory}"
toolchain="${XS_TOOLCHAIN:-stable}"
out_dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/xray-sync-install/source"
exe=""
case "${RUNNER_OS:-$(uname -s)}" in
  Windows | MINGW* | MSYS* | CYGWIN*) exe=.exe ;;
esac

fail() {
  printf '::error title=xray-sync build::%s\n' "$1"
  exit 1
}

set_output() {
  printf '%s=%s\n' "$1" "$2" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
}

digest() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

workspace=""
if [[ -n "${GITHUB_WORKSPACE:-}" && -d "$GITHUB_WORKSPACE" ]]; then
  workspace="$(cd "$GITHUB_WORKSPACE" && pwd -P)"
fi

# True when $1 resolves inside the workspace. A path that does not exist yet is judged by its
# nearest existing parent (a variable may name a directory the tool would create).
in_workspace() {
  local p="$1" rest=""
  [[ -n "$workspace" && -n "$p" ]] || return 1
  [[ "$p" == /* ]] || p="$PWD/$p"
  while [[ ! -e "$p" ]]; do
    rest="/$(basename "$p")$rest"
    p="$(dirname "$p")"
  done
  if [[ -d "$p" ]]; then
    p="$(cd "$p" && pwd -P)$rest"
  else
    p="$(cd "$(dirname "$p")" && pwd -P)/$(basename "$p")$rest"
  fi
  [[ "$p" == "$workspace" || "$p" == "$workspace"/* ]]
}

# `uses: ./` runs the action from the workspace itself: then the action's code is the
# workspace's, and building it there is what the workflow asked for.
if in_workspace "$action_dir" && [[ "$action_dir" != "$workspace" ]]; then
  fail "the action directory $action_dir is inside the workspace but is not the workspace root; refusing to build there"
fi
mkdir -p "$target_dir" "$out_dir"
! in_workspace "$target_dir" ||
  fail "the target directory $target_dir is inside the workspace; refusing to build there"
[[ -n "${HOME:-}" ]] || fail "HOME is not set"
! in_workspace "$HOME" || fail "HOME ($HOME) is inside the workspace; refusing to build"

for var in CARGO_HOME RUSTUP_HOME; do
  value="${!var:-}"
  if [[ -n "$value" ]] && in_workspace "$value"; then
    echo "::warning title=xray-sync build::$var=$value is inside the workspace; using the default under \$HOME instead"
    unset "$var"
  fi
done
# Anything that could swap the compiler, the linker or the target directory.
while IFS= read -r name; do
  case "$name" in
    CARGO_HOME | RUSTUP_HOME | RUSTUP_AUTO_INSTALL) ;;
    RUSTC* | RUSTFLAGS | RUSTDOC* | CARGO_BUILD_* | CARGO_ENCODED_* | CARGO_TARGET_* | \
      CARGO_PROFILE_* | CARGO_REGISTRIES_* | CARGO_SOURCE_* | CARGO_NET_* | RUSTUP_*)
      unset "$name"
      ;;
  esac
done < <(compgen -e)

# cargo runs the `rustc` it finds on PATH (rustup's proxies do not put the toolchain first), so
# no PATH entry may lead into the workspace. Empty and relative entries mean the working
# directory.
clean_path=""
IFS=':' read -r -a path_entries <<<"${PATH:-}"
for entry in "${path_entries[@]}"; do
  [[ "$entry" == /* ]] || continue
  if in_workspace "$entry"; then
    echo "::warning title=xray-sync build::PATH entry $entry is inside the workspace; left out of the build"
    continue
  fi
  clean_path="${clean_path:+$clean_path:}$entry"
done
export PATH="$clean_path"

cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin/cargo${exe}"
if [[ ! -x "$cargo_bin" ]]; then
  cargo_bin="$(command -v cargo || true)"
fi
[[ -n "$cargo_bin" ]] || fail "no pinned release asset fits and cargo is not installed to build from source"
! in_workspace "$cargo_bin" || fail "cargo resolves to $cargo_bin, inside the workspace; refusing to run it"

export RUSTUP_TOOLCHAIN="$toolchain"
export CARGO_TARGET_DIR="$target_dir"
cd "$action_dir"
echo "xray-sync: building $action_dir with toolchain $toolchain (cargo $cargo_bin, target $target_dir, cache ${XS_CACHE_HIT:-off})"
start=$SECONDS
"$cargo_bin" build --locked --release --bin xray-sync
elapsed=$((SECONDS - start))
built="$target_dir/release/xray-sync${exe}"
[[ -f "$built" ]] || fail "cargo finished but $built is missing"
cp "$built" "$out_dir/xray-sync${exe}.part"
mv "$out_dir/xray-sync${exe}.part" "$out_dir/xray-sync${exe}"
sum="$(digest "$out_dir/xray-sync${exe}")"
cache_note="cache miss: the next run of this action commit reuses this build"
if [[ "${XS_CACHE_HIT:-}" == true ]]; then
  cache_note="cache hit"
fi
echo "::notice title=xray-sync build::built from source in ${elapsed}s (${cache_note}); no release is pinned yet, see README \"Cutting a release\""
set_output bin "$out_dir/xray-sync${exe}"
set_output sha256 "$sum"
