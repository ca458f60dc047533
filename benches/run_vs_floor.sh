#!/usr/bin/env bash
# Whole-process wall time, CPU time and peak RSS of `xray-sync parse`, `run --dry-run` and
# `run --dry-run --plan-json` over one file, each with its ratio to a raw quick-xml pass over the
# same file in the same run (the `parse` bench's floor), and the load average next to each line.
# Each command runs RUNS times (default 3); the line shows the median wall time and the largest
# peak. Absolute times move with the load on a shared machine: compare ratios and peaks.
#
# Usage: benches/run_vs_floor.sh FILE [BIN...]   (BIN defaults to target/release/xray-sync)
# ONLY=parse (or dry-run, plan-json) times that command alone.
# Make the file: cargo bench --bench parse -- --gen-tests FILE 200000
# Needs the parse bench built: cargo build --release --bench parse
set -euo pipefail
file="$1"; shift
root="$(cd "$(dirname "$0")/.." && pwd)"
bins=("$@"); [ ${#bins[@]} -eq 0 ] && bins=("$root/target/release/xray-sync")
bench="$(ls -t "$root"/target/release/deps/parse-* | grep -v '\.d$' | head -1)"
runs="${RUNS:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mb=$(awk -v b="$(stat -c %s "$file")" 'BEGIN { printf "%.1f", b / 1e6 }')

floor_once() { # seconds of one raw pass
  local mbps; mbps=$("$bench" --raw "$file" | awk '{ for (i = 1; i < NF; i++) if ($i == "mbps") print $(i + 1) }')
  awk -v mb="$mb" -v r="$mbps" 'BEGIN { printf "%.4f", mb / r }'
}

measure() { # label, command...
  local label="$1"; shift
  local load; load="$(cut -d' ' -f1-3 /proc/loadavg)"
  local walls="" peaks="" cpus="" floors=""
  for _ in $(seq "$runs"); do
    floors="$floors $(floor_once)"
    rm -f "$work/plan.json"
    local start end
    start=$(date +%s.%N)
    env -i PATH="$PATH" HOME="$work" XRAY_PROJECT=CALC XRAY_SYNC_WORKSPACE="$work" \
      /usr/bin/time -v -o "$work/time" "$@" >"$work/out" 2>"$work/err" || true
    end=$(date +%s.%N)
    walls="$walls $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')"
    peaks="$peaks $(awk '/Maximum resident/ { printf "%.0f", $6 / 1024 }' "$work/time")"
    cpus="$cpus $(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.2f", u + s }' "$work/time")"
  done
  echo "$walls|$cpus|$peaks|$floors" | awk -v l="$label" -v mb="$mb" -v load="$load" -F'|' '
    function median(s,   a, n, i, j, t) { n = split(s, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int((n + 1) / 2)] }
    function maxof(s,   a, n, i, m) { n = split(s, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 > m + 0) m = a[i]; return m }
    { t = median($1); c = median($2); p = maxof($3); f = median($4);
      printf "%-28s %6.3f s wall %6.2f s cpu %5.0f MB/s  %4.1fx floor (%.3f s)  peak %4d MB  (load %s)\n", l, t, c, mb / t, t / f, f, p, load }'
}

echo "file: $file ($mb MB), $runs runs each (median wall, largest peak)"
for bin in "${bins[@]}"; do
  echo "binary: $bin"
  only="${ONLY:-}"
  if [ -z "$only" ] || [ "$only" = parse ]; then measure "parse" "$bin" parse "$file"; fi
  if [ -z "$only" ] || [ "$only" = dry-run ]; then measure "run --dry-run" "$bin" run --dry-run "$file"; fi
  if [ -z "$only" ] || [ "$only" = plan-json ]; then
    measure "run --dry-run --plan-json" "$bin" run --dry-run --plan-json "$work/plan.json" "$file"
  fi
done
