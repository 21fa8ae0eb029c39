#!/usr/bin/env bash
# The audit log (crates/provgate-store), on SQLite and on PostgreSQL:
#   - `audit verify` on a log of N entries (default 1,000,000; goal: seconds), best of 3;
#   - append throughput: one process appending one entry per transaction (each committed and, on
#     SQLite, synced before the next), and four processes appending at once into one chain;
#   - the cost of recording one `scan` of 5,000 commits (one entry), best of 5.
# Usage: bench/audit.sh [N]
#   APPENDS=2000 (appends per throughput run); PROVGATE_BENCH_POSTGRES (default
#   $PROVGATE_TEST_POSTGRES, else postgres://postgres@127.0.0.1:5432/test); NO_PG=1 skips it.
# The SQLite logs go to bench/work (about 1.4 KB per entry); PostgreSQL schemas are dropped after.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
n=${1:-1000000}
appends=${APPENDS:-2000}
pg_base=${PROVGATE_BENCH_POSTGRES:-${PROVGATE_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}}

(cd "$bench_root" && cargo build --release -q -p provgate-store --example audit_bench) >&2
bin="$bench_root/target/release/examples/audit_bench"

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }
min() { if [ -z "$1" ] || [ "$(echo "$2 < $1" | bc -l)" = 1 ]; then echo "$2"; else echo "$1"; fi; }

results=()

# bench_backend NAME BIG-LOG SMALL-LOG
bench_backend() {
  local name=$1 big=$2 small=$3
  echo "== $name: filling a log of $n entries" >&2
  local pop
  pop=$("$bin" populate "$big" "$n")
  echo "   $pop" >&2
  local best="" t out
  for _ in 1 2 3; do
    out=$("$bin" verify "$big")
    echo "   $out" >&2
    t=$(echo "$out" | field seconds)
    best=$(min "$best" "$t")
  done
  results+=("$name verify $n entries: ${best} s ($(printf '%.0f' "$(echo "$n / $best" | bc -l)") entries/s)")

  local one
  one=$("$bin" append "$small" "$appends")
  echo "   $one" >&2
  results+=("$name append, 1 process: $(echo "$one" | field rate) entries/s ($(echo "$one" | field ms_each) ms each)")

  local per=$((appends / 4)) start end
  start=$(date +%s.%N)
  for _ in 1 2 3 4; do "$bin" append "$small" "$per" >/dev/null & done
  wait
  end=$(date +%s.%N)
  results+=("$name append, 4 processes x $per: $(printf '%.0f' "$(echo "4 * $per / ($end - $start)" | bc -l)") entries/s together")
  local v
  v=$("$bin" verify "$small")
  echo "   after the appends: $v" >&2

  best=""
  for _ in 1 2 3 4 5; do
    t=$("$bin" scan5000 "$small" | field seconds)
    best=$(min "$best" "$t")
  done
  results+=("$name record one 5,000-commit scan entry: $(printf '%.1f' "$(echo "$best * 1000" | bc -l)") ms")
}

sq="$work/audit-$$"
rm -f "$sq".big.sqlite* "$sq".small.sqlite*
trap 'rm -f "$sq".big.sqlite* "$sq".small.sqlite*' EXIT
bench_backend sqlite "$sq.big.sqlite" "$sq.small.sqlite"
ls -l "$sq.big.sqlite" | awk '{printf "   sqlite file: %.0f MB\n", $5 / 1048576}' >&2
rm -f "$sq".big.sqlite* "$sq".small.sqlite*

if [ -z "${NO_PG:-}" ]; then
  if psql "$pg_base" -qAtc 'SELECT 1' >/dev/null 2>&1; then
    schema="provgate_bench_$$"
    psql "$pg_base" -qc "CREATE SCHEMA ${schema}_big; CREATE SCHEMA ${schema}_small"
    trap 'rm -f "$sq".big.sqlite* "$sq".small.sqlite*; psql "$pg_base" -qc "DROP SCHEMA IF EXISTS ${schema}_big CASCADE; DROP SCHEMA IF EXISTS ${schema}_small CASCADE" >/dev/null 2>&1' EXIT
    sep='?'; case $pg_base in *\?*) sep='&' ;; esac
    bench_backend postgres "${pg_base}${sep}options[search_path]=${schema}_big" \
      "${pg_base}${sep}options[search_path]=${schema}_small"
  else
    echo "PostgreSQL at $pg_base is not reachable: skipped" >&2
  fi
fi

echo
echo "audit log ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '  %s\n' "${results[@]}"
