#!/usr/bin/env bash
# A full-history scan against `git log --numstat --no-merges --format=%H%n%B` over the same
# history, with peak memory; then the incremental re-scan (cache warm) after the newest N commits
# are new to it.
#
# Usage: bench/scan.sh REPO [RANGE] [NEW]   (default: HEAD, 100)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
repo=$(require_repo "${1:-}")
range=${2:-HEAD}
new=${3:-100}
bin=$(provgate_bin)

git_t=$(best_of 1 git -C "$repo" log --numstat --no-merges --format=%H%n%B "$range")
scan_t=$(best_of 1 "$bin" scan --no-cache --repo "$repo" -o /dev/null "$range")
scan_mem=$(peak_mib "$bin" scan --no-cache --repo "$repo" -o /dev/null "$range")
commits=$(git -C "$repo" rev-list --count --no-merges "$range")
echo "history: $commits non-merge commits of $(repo_name "$repo") ($range)"
echo "git log --numstat:        ${git_t}s"
echo "provgate scan (no cache): ${scan_t}s  ratio $(ratio "$scan_t" "$git_t")  peak ${scan_mem} MiB"

# Warm the cache on all but the newest NEW commits, then time the scan that reads only those.
tip=$(git -C "$repo" rev-parse "$range")
"$bin" scan --repo "$repo" -o /dev/null "$tip~$new" 2>/dev/null || "$bin" scan --repo "$repo" -o /dev/null "$range"
warm_t=$(best_of 1 "$bin" scan --repo "$repo" -o /dev/null "$range")
echo "provgate scan after $new new commits (cache warm): ${warm_t}s"
