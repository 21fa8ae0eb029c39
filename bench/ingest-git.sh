#!/usr/bin/env bash
# Times provgate-git reading the newest non-merge commits of a real repository, with hunks,
# against `git log -p` over the same commits.
#
#   bench/ingest-git.sh [REPO]          (or PROVGATE_BENCH_REPO=REPO bench/ingest-git.sh)
#
# Environment: PROVGATE_BENCH_COUNT (commits, default 5000), PROVGATE_BENCH_RUNS (default 3),
# PROVGATE_BENCH_THREADS (worker threads for provgate, default: one per core).
# Uses hyperfine when it is installed (`apt-get install -y hyperfine`), `date +%s.%N` otherwise.
# Both sides run with an empty git configuration, so that personal diff settings (renames,
# algorithm, colour) change neither what git computes nor what it prints.
set -euo pipefail

repo="${1:-${PROVGATE_BENCH_REPO:-}}"
count="${PROVGATE_BENCH_COUNT:-5000}"
runs="${PROVGATE_BENCH_RUNS:-3}"
if [[ -z "$repo" ]]; then
    echo "usage: $0 REPO   (or set PROVGATE_BENCH_REPO)" >&2
    exit 2
fi
if ! git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
    echo "$repo: not a git repository" >&2
    exit 2
fi
repo="$(cd "$repo" && pwd)"

root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/target/release/examples/read_range"
echo "building the read_range example (release)…" >&2
(cd "$root" && cargo build --release --quiet -p provgate-git --example read_range)

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
threads=()
if [[ -n "${PROVGATE_BENCH_THREADS:-}" ]]; then
    threads=(--threads "$PROVGATE_BENCH_THREADS")
fi

git_cmd="git -C '$repo' log -p --no-merges -$count HEAD >/dev/null"
ours_cmd="'$bin' '$repo' HEAD -n $count ${threads[*]:-} >/dev/null 2>&1"

echo "repository: $repo ($(git -C "$repo" rev-parse --short HEAD)), newest $count non-merge commits, $(nproc) cores" >&2
"$bin" "$repo" HEAD -n "$count" "${threads[@]}" >/dev/null

if command -v hyperfine >/dev/null 2>&1; then
    csv="$(mktemp)"
    trap 'rm -f "$csv"' EXIT
    hyperfine --warmup 1 --runs "$runs" --export-csv "$csv" \
        --command-name "git log -p" "$git_cmd" \
        --command-name "provgate-git" "$ours_cmd" >&2
    git_mean="$(awk -F, '$1=="git log -p" {print $2}' "$csv")"
    ours_mean="$(awk -F, '$1=="provgate-git" {print $2}' "$csv")"
else
    time_it() {
        local best="" start end t
        for _ in $(seq "$runs"); do
            start="$(date +%s.%N)"
            bash -c "$1"
            end="$(date +%s.%N)"
            t="$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f", b - a}')"
            if [[ -z "$best" ]] || awk -v t="$t" -v b="$best" 'BEGIN {exit !(t < b)}'; then best="$t"; fi
        done
        echo "$best"
    }
    bash -c "$git_cmd" # warm the caches
    git_mean="$(time_it "$git_cmd")"
    ours_mean="$(time_it "$ours_cmd")"
fi

awk -v g="$git_mean" -v o="$ours_mean" 'BEGIN {
    printf "git log -p:    %.3f s\nprovgate-git:  %.3f s\nratio (provgate-git / git): %.2f\n", g, o, o / g
}'
