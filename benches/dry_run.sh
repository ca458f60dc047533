#!/usr/bin/env bash
# End-to-end dry-run benchmark: generates a 200,000-test JUnit file and times
# `xray-sync run --dry-run --plan-json` over it (target: under 2 s on the 2-core CI machine).
# Needs the real ingest layer (issue 2): with the placeholder ingest it measures nothing.
#
# Usage: benches/dry_run.sh [TESTS]   (default 200000)
set -euo pipefail
n="${1:-200000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/xray-sync"

# One file, 1 in 10 tests failing with a message and a short trace, 1 in 10 mapped by test_key.
awk -v n="$n" 'BEGIN {
  print "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
  printf "<testsuite name=\"bench\" tests=\"%d\" timestamp=\"2024-05-01T10:00:00Z\">\n", n;
  for (i = 0; i < n; i++) {
    printf "  <testcase classname=\"com.acme.pkg%d.Class%d\" name=\"test_%d\" time=\"0.010\">", i % 97, i % 1013, i;
    if (i % 10 == 0) printf "<properties><property name=\"test_key\" value=\"CALC-%d\"/></properties>", 1 + i;
    if (i % 10 == 3) printf "<failure message=\"expected %d but was %d\" type=\"AssertionError\">at com.acme.Calc.add(Calc.java:10)</failure>", i, i + 1;
    print "</testcase>";
  }
  print "</testsuite>";
}' > "$work/TEST-bench.xml"
echo "generated $(du -h "$work/TEST-bench.xml" | cut -f1) with $n tests"

start=$(date +%s.%N)
XRAY_PROJECT=CALC XRAY_SYNC_MASS_FAILURE_THRESHOLD=0 \
  "$bin" run --dry-run --plan-json "$work/plan.json" "$work/TEST-bench.xml" > "$work/out.txt"
end=$(date +%s.%N)
head -3 "$work/out.txt"
echo "plan JSON: $(du -h "$work/plan.json" | cut -f1)"
awk -v s="$start" -v e="$end" 'BEGIN { printf "dry run end to end: %.2f s (target < 2 s)\n", e - s }'
