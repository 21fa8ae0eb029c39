# Shared helpers for the bench scripts: timing, ratios, and the provgate binary.
# Sourced, not run.

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work="$bench_root/bench/work"
mkdir -p "$work"

# Builds the release binary once and prints its path.
provgate_bin() {
  (cd "$bench_root" && cargo build --release -q -p provgate) >&2 || return 1
  echo "$bench_root/target/release/provgate"
}

# best_of N CMD...: the best wall time in seconds of N runs (the machine is noisy; the minimum is
# the most repeatable figure). Output of the command is discarded.
best_of() {
  local runs=$1; shift
  local best=""
  for _ in $(seq "$runs"); do
    local start end t
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
  done
  printf '%.3f\n' "$best"
}

# ratio A B: A/B with two decimals.
ratio() { printf '%.2f\n' "$(echo "$1 / $2" | bc -l)"; }

# Peak resident memory in MiB of one run of CMD (its exit status does not matter: a check that
# finds policy failures exits 1).
peak_mib() {
  { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null || true; } | tail -n 1 | awk '{printf "%.1f\n", $1/1024}'
}

# A name for a repository directory (a fetched mirror is `owner+name/repo`).
repo_name() {
  local dir
  dir=$(cd "$1" && pwd)
  case "$(basename "$dir")" in
    repo|.git) basename "$(dirname "$dir")" ;;
    *) basename "$dir" ;;
  esac
}

require_repo() {
  local repo=${1:-${PROVGATE_BENCH_REPO:-}}
  if [ -z "$repo" ] || ! git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
    echo "usage: $0 PATH-TO-A-REAL-GIT-REPOSITORY (or set PROVGATE_BENCH_REPO)" >&2
    echo "  e.g. a clone of git/git or xen-project/xen; it is read, never modified" >&2
    exit 2
  fi
  echo "$repo"
}
