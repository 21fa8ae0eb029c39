#!/usr/bin/env bash
# False positives of `unknown-symbol` on real history (a check, not a test): runs
# `provgate check` over the last N non-merge commits of a real repository (default 500) and, for
# every `unknown-symbol` finding, asks git itself whether the name is defined at the commit's
# parent: `git grep` for a C function definition head (`NAME(` at the start of a line or after
# a type, not ending in `;`), a `#define NAME`, or a Rust/Python `fn`/`def`/`class NAME`.
# A finding whose name git finds defined at the base is a false positive; the others are listed
# with what git found (used elsewhere but defined nowhere, or not present at all) for review.
#
# usage: bench/unknown-symbol-fp.sh REPO [N]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

repo=$(require_repo "${1:-}")
n=${2:-500}
provgate=$(provgate_bin)
name=$(repo_name "$repo")
first=$(git -C "$repo" rev-list --no-merges -n "$n" HEAD | tail -n 1)
range="$first^..$(git -C "$repo" rev-parse HEAD)"
report="$work/$name.unknown-symbol.json"

echo "== $name: $n non-merge commits, $range"
start=$(date +%s.%N)
"$provgate" check --repo "$repo" --preset default --format json -o "$report" "$range" || true
end=$(date +%s.%N)
printf 'provgate check: %.1f s wall (index built or loaded per base, every rule)\n' "$(echo "$end - $start" | bc -l)"

# commit <TAB> path:line <TAB> name, one line per finding.
findings=$(jq -r '.patches[] | .id as $id | .findings[] | select(.rule == "unknown-symbol")
  | [$id, "\(.path):\(.line)", (.message | capture("^`(?<n>[^`]+)`").n)] | @tsv' "$report")
total=$(printf '%s' "$findings" | grep -c . || true)
commits=$(jq '[.patches[] | select(.findings | any(.rule == "unknown-symbol"))] | length' "$report")
notes=$(jq '[.patches[].notes[] | select(.kind == "not-analysed")] | length' "$report")
echo "unknown-symbol findings: $total in $commits commits; not-analysed notes: $notes"

fp=0
while IFS=$'\t' read -r id where sym; do
  [ -n "$id" ] || continue
  base="$id^"
  pattern="^([A-Za-z_][A-Za-z0-9_ \\*]*[ \\*])?$sym[ ]*\\([^;]*$|#[ ]*define[ ]+$sym\\b|\\b(fn|def|class)[ ]+$sym\\b"
  if git -C "$repo" grep -q -E "$pattern" "$base" -- 2>/dev/null; then
    verdict="FALSE POSITIVE: defined at the base"
    fp=$((fp + 1))
  elif git -C "$repo" grep -q -w -F "$sym" "$base" -- 2>/dev/null; then
    verdict="named at the base, defined nowhere git can see"
  else
    verdict="absent from the base"
  fi
  printf '%s %s `%s`: %s\n' "${id:0:12}" "$where" "$sym" "$verdict"
done <<<"$findings"
echo "false positives (a definition git finds at the base): $fp of $total"
