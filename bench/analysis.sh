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

(cd "$bench_root" && cargo build --release -q -p provgate-analysis --example analyze) >&2
analyze="$bench_root/target/release/examples/analyze"

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
echo "warm check: best of $runs ${warm} s wall (reading the commits included)"

if [ -n "$checkpatch_tree" ]; then
  cp_dir="$work/checkpatch"
  mkdir -p "$cp_dir/scripts"
  for f in checkpatch.pl spelling.txt const_structs.checkpatch; do
    git -C "$checkpatch_tree" show "HEAD:scripts/$f" >"$cp_dir/scripts/$f" 2>/dev/null || true
  done
  chmod +x "$cp_dir/scripts/checkpatch.pl"
  patches="$work/$name.30"
  rm -rf "$patches"
  git -C "$repo" format-patch -q -o "$patches" "$range"
  echo "-- 3. checkpatch.pl --no-tree on the same $(ls "$patches" | wc -l) patches"
  cp_time=$(best_of "$runs" sh -c "cd '$cp_dir' && ./scripts/checkpatch.pl --no-tree --quiet --no-summary '$patches'/*.patch")
  echo "checkpatch.pl: best of $runs ${cp_time} s wall"
  echo "-- ratios"
  echo "checkpatch.pl / warm provgate check: $(ratio "$cp_time" "$warm")x (goal >= 20x)"
fi
echo "cold index vs the 2 s goal: $(ratio "$cold" 2) of the budget"
