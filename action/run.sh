#!/usr/bin/env bash
# Run step of the xray-sync composite action. action.yml maps every input to the environment
# variable the binary reads (XRAY_*, JIRA_*, XRAY_SYNC_*, GITHUB_TOKEN). An input left out arrives
# as an empty string, which would override a default (and clap reads an empty variable as an
# empty value), so empty ones are unset here. The binary itself writes the job summary,
# annotations, masks and step outputs.
set -euo pipefail

bin="${XS_BIN:?the install step gave no binary}"

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

exec "$bin" run
