#!/usr/bin/env bash
# What `--record` costs a scan: `provgate scan` of the newest N commits of a real repository
# (default 5,000; cache off, so that every run does the whole work) with and without `--record`,
# on SQLite (a fresh log each run) and on PostgreSQL (a fresh schema). Goal: under 10 %.
# Runs alternate between the variants so that the machine's drift hits both alike.
#
# usage: bench/record.sh REPO [N]
#   RUNS=5; PROVGATE_BENCH_POSTGRES (default $PROVGATE_TEST_POSTGRES, else
#   postgres://postgres@127.0.0.1:5432/test); NO_PG=1 skips PostgreSQL.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export PGOPTIONS="--client-min-messages=warning"

repo=$(require_repo "${1:-}")
n=${2:-5000}
runs=${RUNS:-5}
bin=$(provgate_bin)
pg_base=${PROVGATE_BENCH_POSTGRES:-${PROVGATE_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}}
log="$work/record-$$.sqlite"
trap 'rm -f "$log"*' EXIT

scan() { "$bin" scan --no-cache --repo "$repo" -n "$n" --format json -o /dev/null "$@" 2>/dev/null; }

time_of() {
  local start end
  start=$(date +%s.%N)
  "$@" || true
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}

pg=""
if [ -z "${NO_PG:-}" ] && psql "$pg_base" -qAtc 'SELECT 1' >/dev/null 2>&1; then
  schema="provgate_record_$$"
  sep='?'; case $pg_base in *\?*) sep='&' ;; esac
  pg="${pg_base}${sep}options[search_path]=${schema}"
  trap 'rm -f "$log"*; psql "$pg_base" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1' EXIT
fi

echo "== $(repo_name "$repo"): scan of the newest $n commits, best of $runs ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
scan # warms the page cache
plain="" sqlite="" postgres=""
for _ in $(seq "$runs"); do
  t=$(time_of scan); plain=$(printf '%s\n' $plain "$t" | sort -g | head -n 1)
  rm -f "$log"*
  t=$(time_of scan --store "$log"); sqlite=$(printf '%s\n' $sqlite "$t" | sort -g | head -n 1)
  if [ -n "$pg" ]; then
    psql "$pg_base" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" >/dev/null
    t=$(time_of scan --store "$pg"); postgres=$(printf '%s\n' $postgres "$t" | sort -g | head -n 1)
  fi
done
overhead() { printf '%+.1f %%' "$(echo "($1 - $plain) / $plain * 100" | bc -l)"; }
printf 'scan:                     %.3f s\n' "$plain"
printf 'scan --record (SQLite):   %.3f s  (%s; goal < +10 %%)\n' "$sqlite" "$(overhead "$sqlite")"
if [ -n "$postgres" ]; then
  printf 'scan --record (Postgres): %.3f s  (%s)\n' "$postgres" "$(overhead "$postgres")"
fi
