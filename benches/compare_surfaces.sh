#!/usr/bin/env bash
# Byte-for-byte comparison of every output surface between two binaries, over every fixture
# directory: `parse --json`, `run --dry-run` console (stdout, stderr, exit code), `--plan-json`,
# `--summary-md` and `--report` (Cloud and DC, small chunks so every fixture has several
# requests), plus `config`, `doctor` without network, the errors that name settings and the
# `--help` of every command. Used to prove that a refactor changes no output (issue 17:
# settings, doctor and module moves).
#
# Usage: benches/compare_surfaces.sh OLD_BIN NEW_BIN [OUT_DIR]   (OUT_DIR: a new directory)
# Prints one DIFF line per differing file and exits 1 if any differs.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${3:-$(mktemp -d)}"
mkdir -p "$out/old" "$out/new" "$out/cfg"
# Both under the same file name: `--help` prints the name the binary was started as.
cp "$1" "$out/old/xray-sync"; cp "$2" "$out/new/xray-sync"
old="$out/old/xray-sync"; new="$out/new/xray-sync"
fail=0; n=0

# One command under both binaries; $1 is the tag, the rest the arguments. The environment is
# cleared (only PATH, HOME and what the caller exports through `extra`), the working directory
# is $out, and the files a run writes are renamed after the binary that wrote them.
both() {
  local tag="$1"; shift
  for bin in old new; do
    local b="$old"; [ "$bin" = new ] && b="$new"
    ( cd "${cwd:-$out}" && rm -f plan.json summary.md report.json
      env -i PATH="$PATH" HOME="$out" "${extra[@]}" "$b" "$@" \
        >"$out/$tag.$bin.out" 2>"$out/$tag.$bin.err"; echo $? >"$out/$tag.$bin.rc"
      for f in plan.json summary.md report.json; do
        if [ -e "$f" ]; then mv "$f" "$out/$tag.$bin.$f"; fi
      done )
  done
  n=$((n + 1))
  for ext in out err rc plan.json summary.md report.json; do
    if ! cmp -s "$out/$tag.old.$ext" "$out/$tag.new.$ext" 2>/dev/null; then
      if [ -e "$out/$tag.old.$ext" ] || [ -e "$out/$tag.new.$ext" ]; then
        echo "DIFF: $tag $ext"; fail=1
      fi
    fi
  done
}

dirs=$(find "$root/fixtures" /work/shared/fixtures -type f \( -name '*.xml' -o -name '*.json' -o -name '*.trx' \) 2>/dev/null \
  | xargs -r -n1 dirname | sort -u)
for d in $dirs; do
  base="$(echo "${d#/}" | tr '/' '_')"
  extra=(XRAY_SYNC_WORKSPACE="$root")
  both "$base-parse" parse --json "$d"
  for product in cloud dc; do
    extra=(XRAY_PROJECT=CALC XRAY_DEPLOYMENT="$product" XRAY_URL=https://jira.example.test
      JIRA_URL=https://jira.example.test JIRA_BUG_PROJECT=CALC XRAY_SYNC_CHUNK_MAX_TESTS=7
      XRAY_SYNC_WORKSPACE="$root")
    both "$base-run-$product" run --dry-run --plan-json plan.json --summary-md summary.md \
      --report report.json "$d"
  done
done

# Settings: every source (flag, env, file, default) and both sides, as `config` shows them.
# Named, not discovered (a discovered file may not set these keys).
cat >"$out/cfg/xray-sync.toml" <<'EOF'
[xray]
project = "CALC"
chunk_max_tests = 50
[jira]
label_prefix = "team-"
[http]
read_timeout_secs = 30
EOF
extra=(XRAY_CLIENT_ID=abc XRAY_CLIENT_SECRET=shh JIRA_URL=https://acme.atlassian.net
  JIRA_EMAIL=a@b.c JIRA_API_TOKEN=tok XRAY_SYNC_CONFIG="$out/cfg/xray-sync.toml")
both config-cloud config --insecure --max-attempts 3
extra=(XRAY_DEPLOYMENT=dc JIRA_URL=https://jira.example.test JIRA_PAT=pat XRAY_PROJECT=BOOK)
both config-dc config
extra=(JIRA_PAT=pat JIRA_EMAIL=a@b.c JIRA_API_TOKEN=tok JIRA_URL=https://jira.example.test)
both config-contradictory config
extra=(XRAY_CLIENT_ID=abc JIRA_URL=https://acme.atlassian.net)
both doctor-incomplete doctor --json
extra=()
both doctor-nothing doctor
# Errors that name settings: a password in a URL, a discovered config setting a trusted key,
# resend without Xray, half-given and contradictory credential sets.
extra=(XRAY_URL=https://ci:hunter2@jira.example.test XRAY_DEPLOYMENT=dc JIRA_PAT=pat XRAY_PROJECT=CALC)
both error-userinfo config
extra=(JIRA_USERNAME=ci XRAY_DEPLOYMENT=dc XRAY_URL=https://jira.example.test XRAY_PROJECT=CALC)
both error-half-basic run /nonexistent
extra=(JIRA_URL=https://acme.atlassian.net JIRA_API_TOKEN=tok)
both error-half-token run /nonexistent
extra=(JIRA_URL=https://acme.atlassian.net JIRA_CLIENT_ID=cid JIRA_EMAIL=a@b.c JIRA_API_TOKEN=tok)
both error-two-sets doctor
extra=()
both error-resend resend "$out/no-spool"
mkdir -p "$out/discovered"
printf '[xray]\nproject = "CALC"\n' >"$out/discovered/xray-sync.toml"
cwd="$out/discovered" both error-untrusted config

for cmd in "" run parse doctor resend config "execution create" "execution finish"; do
  # shellcheck disable=SC2086
  both "help-${cmd// /-}" $cmd --help
done

echo "compared $n command runs in $out"
exit $fail
