#!/usr/bin/env bash
# Reading an mbox of real patches: provgate check vs `git apply --numstat` on the same mbox.
# Usage: bench/ingest-mbox.sh REPO [N]   (N patches, default 2000, taken with git format-patch)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
repo=$(require_repo "${1:-}")
count=${2:-2000}
bin=$(provgate_bin)

mbox="$work/$(basename "$repo").$count.mbox"
if [ ! -s "$mbox" ]; then
  git -C "$repo" format-patch --stdout --no-signature -"$count" HEAD >"$mbox"
fi
patches=$(grep -c '^From [0-9a-f]\{40\} ' "$mbox")
size=$(du -m "$mbox" | cut -f1)

# Correctness first: the same files, paths and counts as git, in the same order.
git apply --numstat -z <"$mbox" >"$work/git.numstat"
"$bin" check --format json -o "$work/provgate.json" "$mbox"
agree=$(python3 "$(dirname "$0")/numstat_compare.py" "$work/git.numstat" "$work/provgate.json" | tail -n 1)

git_t=$(best_of 5 sh -c "git apply --numstat <'$mbox'")
pg_t=$(best_of 5 "$bin" check --format json -o /dev/null "$mbox")
pg_mem=$(peak_mib "$bin" check --format json -o /dev/null "$mbox")
echo "mbox: $patches patches, ${size} MiB, from $(basename "$repo")"
echo "numstat: $agree"
echo "git apply --numstat:   ${git_t}s"
echo "provgate check --json: ${pg_t}s  (peak ${pg_mem} MiB)"
echo "ratio provgate/git:    $(ratio "$pg_t" "$git_t")"
