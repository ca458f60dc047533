#!/usr/bin/env bash
# Run step of the xray-sync composite action. action.yml maps every input to the environment
# variable the binary reads (XRAY_*, JIRA_*, XRAY_SYNC_*, GITHUB_TOKEN). An input left out arrives
# as an empty string, which would override a default (and clap reads an empty variable as an
# empty value), so empty ones are unset here. The binary itself writes the job summary,
# annotations, masks and step outputs.
#
# Runs only the binary the install or build step vouched for: its SHA-256 must be the one that
# step checked (download), built, or recorded (the `binary` input).
set -euo pipefail

bin="${XS_BIN:?the install step gave no binary}"
expected="${XS_BIN_SHA256:-}"

fail() {
  printf '::error title=xray-sync::%s\n' "$1"
  exit 1
}

[[ "$expected" =~ ^[0-9a-f]{64}$ ]] ||
  fail "no verified digest for $bin; refusing to run a binary the install step did not check"
[[ -f "$bin" ]] || fail "no binary at $bin"
if command -v sha256sum >/dev/null 2>&1; then
  actual="$(sha256sum "$bin" | cut -d' ' -f1)"
else
  actual="$(shasum -a 256 "$bin" | cut -d' ' -f1)"
fi
[[ "$actual" == "$expected" ]] ||
  fail "$bin changed since it was installed (sha256 $actual, expected $expected); refusing to run it"

while IFS= read -r name; do
  case "$name" in
    XRAY_* | JIRA_* | GITHUB_TOKEN)
      if [[ -z "${!name}" ]]; then
        unset "$name"
      fi
      ;;
  esac
done < <(compgen -e)

# Always keep a report, so workflows can upload it and the report-path output is set.
if [[ -z "${XRAY_SYNC_REPORT:-}" ]]; then
  export XRAY_SYNC_REPORT="${RUNNER_TEMP:-.}/xray-sync-report.json"
fi

# The report artifact (uploaded by the next step): its name goes into the job summary.
if [[ "${XS_REPORT_ARTIFACT:-}" == "true" ]]; then
  export XRAY_SYNC_REPORT_ARTIFACT="${XS_ARTIFACT_NAME:-}"
fi
unset XS_REPORT_ARTIFACT XS_ARTIFACT_NAME

# The mode input picks the command; its value is never echoed (it is not trusted text).
case "${XS_MODE:-run}" in
  run) exec "$bin" run ;;
  create-execution) exec "$bin" execution create ;;
  finish-execution) exec "$bin" execution finish ;;
  *)
    echo "xray-sync: unknown mode input (expected run, create-execution or finish-execution)" >&2
    exit 2
    ;;
esac
