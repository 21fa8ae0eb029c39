#!/usr/bin/env bash
# provgate serve under faults, at scale: a backlog of N series (default 5,000) on PostgreSQL,
# drained by 4 `provgate serve --worker` processes while one is killed with SIGKILL in the
# middle of a check; the front end reading the Maildir is killed mid-ingestion and restarted.
#
# It runs the test crates/provgate/tests/serve_kill.rs in release mode at this size: the test
# asserts every message read once, every series checked once (one report, one audit entry,
# the chain verified) and every reply sent once (counted at its SMTP sink), and prints the
# ingestion and drain times quoted in bench/README.md.
#
#   bench/serve-kill.sh [SERIES]            # PROVGATE_TEST_POSTGRES: default the local server
set -euo pipefail
cd "$(dirname "$0")/.."
series=${1:-5000}
export PROVGATE_TEST_POSTGRES=${PROVGATE_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
export PROVGATE_KILL_SERIES=$series
echo "cores: $(nproc); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --release -q -p provgate --test serve_kill -- --nocapture > "$log" 2>&1 || status=$?
grep -E '^(ingestion|drain):|test result' "$log" || true
if [ "$status" != 0 ]; then tail -n 60 "$log" >&2; fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
