#!/usr/bin/env bash
# Rewrites the pins the action installs from: action/release.txt (version) and
# action/assets.sha256 (one digest per release asset). Called by .github/workflows/release.yml
# with the released version and the SHA256SUMS it computed from the built assets.
#   usage: action/update-pins.sh VERSION path/to/SHA256SUMS
set -euo pipefail

version="${1:?usage: update-pins.sh VERSION SHA256SUMS}"
sums="${2:?usage: update-pins.sh VERSION SHA256SUMS}"
version="${version#v}"
dir="$(cd "$(dirname "$0")" && pwd)"

[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] || {
  echo "update-pins: '$version' is not a version" >&2
  exit 2
}

repository="$(sed -n 's/^repository=//p' "$dir/release.txt")"
{
  echo "# The xray-sync release this commit of the action installs. Written by action/update-pins.sh from"
  echo "# .github/workflows/release.yml; empty before the first release (the action then builds from source)."
  echo "version=$version"
  echo "repository=$repository"
} >"$dir/release.txt.new"

{
  echo "# SHA-256 of each release asset of the version in action/release.txt, in SHA256SUMS format"
  echo "# (\"<hex>  <asset>\"). action/install.sh refuses any download whose digest is not listed here."
  echo "# Written by action/update-pins.sh from .github/workflows/release.yml; empty before the first release."
  count=0
  while read -r digest name; do
    name="${name#\*}"
    [[ "$digest" =~ ^[0-9a-f]{64}$ ]] || continue
    [[ "$name" == xray-sync-* ]] || continue
    printf '%s  %s\n' "$digest" "$name"
    count=$((count + 1))
  done <"$sums"
  [[ $count -gt 0 ]] || {
    echo "update-pins: no xray-sync-* digests in $sums" >&2
    exit 2
  }
} >"$dir/assets.sha256.new"

mv "$dir/release.txt.new" "$dir/release.txt"
mv "$dir/assets.sha256.new" "$dir/assets.sha256"
echo "update-pins: pinned $version"
cat "$dir/assets.sha256"
