#!/usr/bin/env bash
# MAINTAINERS lookups: provgate-maintainers on every file of a real tree, in one process, against
# the tree's own scripts/get_maintainer.pl on a sample of files (one process per file, as it is
# used), and the per-file ratio.
# Usage: bench/zones.sh TREE [SAMPLE]   (TREE holds MAINTAINERS and scripts/get_maintainer.pl,
#        e.g. an export of xen-project/xen; SAMPLE files for get_maintainer.pl, default 100)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
tree=${1:-${PROVGATE_BENCH_TREE:-}}
sample=${2:-100}
if [ -z "$tree" ] || [ ! -f "$tree/MAINTAINERS" ] || [ ! -f "$tree/scripts/get_maintainer.pl" ]; then
  echo "usage: $0 TREE [SAMPLE]  (TREE: a source tree with MAINTAINERS and scripts/get_maintainer.pl)" >&2
  exit 2
fi
tree=$(cd "$tree" && pwd)

(cd "$bench_root" && cargo build --release -q -p provgate-maintainers --example zones) >&2
bin="$bench_root/target/release/examples/zones"

# Every file of the tree, in one process (best of five passes, after a warm-up).
ours_path=$("$bin" "$tree" 2>"$work/zones.stderr" | sed -n 's/^ZONES .*per_file_s=//p')
cat "$work/zones.stderr"
ours_kw=$("$bin" "$tree" --keywords 2>"$work/zones.stderr" | sed -n 's/^ZONES .*per_file_s=//p')
cat "$work/zones.stderr"
files=$(sed -n 's/^files: \([0-9]*\).*/\1/p' "$work/zones.stderr")

# get_maintainer.pl on every N-th file, one process per file, as it is run.
(cd "$tree" && find . -path ./.git -prune -o -type f -print | sed 's|^\./||' | sort) >"$work/zones.files"
step=$(( $(wc -l <"$work/zones.files") / sample ))
[ "$step" -ge 1 ] || step=1
awk -v s="$step" 'NR % s == 0' "$work/zones.files" | head -n "$sample" >"$work/zones.sample"
n=$(wc -l <"$work/zones.sample")
run_sample() {
  (cd "$tree" && while read -r f; do perl scripts/get_maintainer.pl --nogit --nogit-fallback "$@" -f "$f" >/dev/null 2>&1 || true; done <"$work/zones.sample")
}
start=$(date +%s.%N); run_sample; end=$(date +%s.%N)
gm_kw=$(echo "($end - $start) / $n" | bc -l)
start=$(date +%s.%N); run_sample --nokeywords; end=$(date +%s.%N)
gm_path=$(echo "($end - $start) / $n" | bc -l)

us() { printf '%.2f us' "$(echo "$1 * 1000000" | bc -l)"; }
ms() { printf '%.2f ms' "$(echo "$1 * 1000" | bc -l)"; }
echo "tree: $tree ($files files; get_maintainer.pl sample: $n files)"
echo "path only (--nokeywords):  provgate $(us "$ours_path")/file   get_maintainer.pl $(ms "$gm_path")/file   ratio $(ratio "$gm_path" "$ours_path")x"
echo "with K: keywords (default): provgate $(us "$ours_kw")/file   get_maintainer.pl $(ms "$gm_kw")/file   ratio $(ratio "$gm_kw" "$ours_kw")x"
echo "whole tree: provgate $(ms "$(echo "$ours_path * $files" | bc -l)") vs get_maintainer.pl ~$(printf '%.1f' "$(echo "$gm_path * $files" | bc -l)") s (extrapolated)"
