#!/usr/bin/env bash
# Code-analysis bench (a script, not a test): on a real C repository (e.g. a fetched
# xen-project/xen), measures
#   1. a cold symbol index of HEAD (no cache read or written),
#   2. a warm (cached index) check of the last 30 non-merge commits with every code rule,
#   3. the same 30 patches through checkpatch.pl --no-tree,
# and prints the ratios (goals: cold index of ~3,000 files under 2 s wall on 2 cores; the warm
# check at least 20x faster than checkpatch.pl).
#
# usage: bench/analysis.sh REPO [CHECKPATCH_TREE]
#   REPO             a git repository (read; its git dir receives the index cache)
#   CHECKPATCH_TREE  a git repository with scripts/checkpatch.pl (e.g. a fetched u-boot or
#                    Linux); checkpatch.pl, spelling.txt and const_structs.checkpatch are
#                    extracted to bench/work (git-ignored, never committed)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

repo=$(require_repo "${1:-}")
checkpatch_tree=${2:-${PROVGATE_CHECKPATCH_TREE:-}}
name=$(repo_name "$repo")
runs=${RUNS:-3}

(cd "$bench_root" && cargo build --release -q -p provgate-analysis --example analyze -p provgate) >&2
analyze="$bench_root/target/release/examples/analyze"
provgate="$bench_root/target/release/provgate"

echo "== $name: $(git -C "$repo" rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "-- 1. cold index of HEAD (no cache)"
"$analyze" index "$repo" HEAD --no-cache
cold=$(best_of "$runs" "$analyze" index "$repo" HEAD --no-cache)
user=$({ /usr/bin/time -f '%U' "$analyze" index "$repo" HEAD --no-cache >/dev/null; } 2>&1 | tail -n 1)
echo "cold index: best of $runs ${cold} s wall (${user} s CPU in one run)"

first=$(git -C "$repo" rev-list --no-merges -n 30 HEAD | tail -n 1)
range="$first^..HEAD"
echo "-- 2. warm check of $range (30 non-merge commits), every code rule"
"$analyze" check "$repo" "$range" --preset default >/dev/null 2>&1 # warms the index cache
"$analyze" check "$repo" "$range" --preset default
warm=$(best_of "$runs" "$analyze" check "$repo" "$range" --preset default)
echo "warm code analysis: best of $runs ${warm} s wall (reading the commits included)"
echo "-- 2b. the same through the command line: provgate check, every rule of the default preset"
"$provgate" check --repo "$repo" --preset default -q --color never "$range" | tail -n 2 || true
full=$(best_of "$runs" sh -c "'$provgate' check --repo '$repo' --preset default --format json '$range' >/dev/null; [ \$? -le 1 ]")
nocode=$(best_of "$runs" sh -c "'$provgate' check --repo '$repo' --preset default --no-code --format json '$range' >/dev/null; [ \$? -le 1 ]")
echo "provgate check: best of $runs ${full} s wall (${nocode} s with --no-code)"

if [ -n "$checkpatch_tree" ]; then
  cp_dir="$work/checkpatch"
  mkdir -p "$cp_dir/scripts"
  # scripts/ in Linux and QEMU; the top level in standalone copies of the script.
  for f in checkpatch.pl spelling.txt const_structs.checkpatch; do
    path=$(git -C "$checkpatch_tree" ls-tree -r --name-only HEAD | grep -E "(^|/)$f\$" | head -n 1 || true)
    [ -n "$path" ] && git -C "$checkpatch_tree" show "HEAD:$path" >"$cp_dir/scripts/$f"
  done
  chmod +x "$cp_dir/scripts/checkpatch.pl"
  patches="$work/$name.30"
  rm -rf "$patches"
  git -C "$repo" format-patch -q -o "$patches" "$range"
  echo "-- 3. checkpatch.pl --no-tree on the same $(ls "$patches" | wc -l) patches"
  cp_time=$(best_of "$runs" sh -c "cd '$cp_dir' && ./scripts/checkpatch.pl --no-tree --quiet --no-summary '$patches'/*.patch")
  echo "checkpatch.pl: best of $runs ${cp_time} s wall"
  echo "-- ratios"
  echo "checkpatch.pl / warm provgate check: $(ratio "$cp_time" "$full")x (goal >= 20x)"
fi
echo "cold index vs the 2 s goal: $(ratio "$cold" 2) of the budget"
