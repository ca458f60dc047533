#!/usr/bin/env bash
# Byte-for-byte comparison of two binaries over every fixture directory: `run --dry-run`
# (console, stderr, exit code, `--plan-json`, the JSON report `--report`, the Markdown summary
# `--summary-md`) for Cloud and DC with small chunks (7 tests a request, so most fixtures have
# several), and `parse --json`. Used to prove that a change to how request bodies are built (or
# to the parse path) changes no output.
#
# Usage: benches/compare_outputs.sh OLD_BIN NEW_BIN [OUT_DIR]
set -uo pipefail
old="$(realpath "$1")"; new="$(realpath "$2")"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${3:-$(mktemp -d)}"
mkdir -p "$out"
fail=0; n=0
dirs=$(find "$root/fixtures" /work/shared/fixtures -type f \( -name '*.xml' -o -name '*.json' -o -name '*.trx' \) 2>/dev/null \
  | xargs -r -n1 dirname | sort -u)
compare() { # tag, extensions...
  local tag="$1"; shift
  for ext in "$@"; do
    if ! cmp -s "$out/$tag.old.$ext" "$out/$tag.new.$ext" 2>/dev/null; then
      if [ -e "$out/$tag.old.$ext" ] || [ -e "$out/$tag.new.$ext" ]; then
        echo "DIFF: $tag $ext"; fail=1
      fi
    fi
  done
}
for d in $dirs; do
  for product in cloud dc; do
    tag="$(echo "$d" | tr '/' '_')-$product"
    for bin in old new; do
      b="$old"; [ "$bin" = new ] && b="$new"
      ( cd "$out" && env -i PATH="$PATH" HOME="$out" XRAY_PROJECT=CALC XRAY_DEPLOYMENT="$product" \
          XRAY_URL=https://jira.example.test JIRA_URL=https://jira.example.test JIRA_BUG_PROJECT=CALC \
          XRAY_SYNC_CHUNK_MAX_TESTS=7 XRAY_SYNC_WORKSPACE="$root" \
          "$b" run --dry-run --plan-json "$out/plan.json" --report "$out/report.json" \
          --summary-md "$out/summary.md" "$d" \
          >"$out/$tag.$bin.out" 2>"$out/$tag.$bin.err"; echo $? >"$out/$tag.$bin.rc"
        for f in plan.json report.json summary.md; do
          if [ -e "$out/$f" ]; then mv "$out/$f" "$out/$tag.$bin.${f%%.*}"; fi
        done )
    done
    n=$((n + 1))
    compare "$tag" out err rc plan report summary
  done
  tag="$(echo "$d" | tr '/' '_')-parse"
  for bin in old new; do
    b="$old"; [ "$bin" = new ] && b="$new"
    ( cd "$out" && env -i PATH="$PATH" HOME="$out" "$b" parse --json "$d" \
        >"$out/$tag.$bin.out" 2>"$out/$tag.$bin.err"; echo $? >"$out/$tag.$bin.rc" )
  done
  n=$((n + 1))
  compare "$tag" out err rc
done
echo "compared $n fixture runs ($(ls "$out"/*.old.plan 2>/dev/null | wc -l) with --plan-json) in $out"
exit $fail
