#!/usr/bin/env bash
# provgate serve under load: single-patch `POST /api/v1/check` on loopback, SQLite, one process.
#
# Builds the release binary, starts `provgate serve --config` on a temporary SQLite database with
# one project (a small git repository made here, policy preset:qemu), then drives it with wrk
# (Debian's `wrk`; a Lua script sends the POST body):
#   1. the latency at 200 req/s for DURATION seconds: wrk2 and oha are not in Debian 12, and wrk
#      has no fixed rate, so 20 connections each pause 100 ms after every answer (wrk's `delay`
#      hook): about 200 req/s while answers are fast; the rate reached is printed with it;
#   2. the ceiling: 32 connections without pauses, requests per second and the latency then.
# The goal (issue 11) is p99 < 50 ms at 200 req/s on 2 cores; the script says whether the first
# run reached 200 req/s and kept p99 under 50 ms.
#
#   bench/serve-load.sh [DURATION]          # default 30 s per run
set -euo pipefail
source "$(dirname "$0")/lib.sh"

duration=${1:-30}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
bin=$(provgate_bin)
scratch=$(mktemp -d "$work/serve-load.XXXXXX")
server=""
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

# A small real repository: the patch below applies to it.
repo="$scratch/repo"
mkdir -p "$repo/docs" "$repo/hw/timer"
printf 'The PIT counts down.\n' > "$repo/docs/pit.txt"
printf 'int pit_count(int reload)\n{\n    return reload;\n}\n' > "$repo/hw/timer/pit.c"
git -C "$repo" init -q -b main
git -C "$repo" add .
git -C "$repo" -c user.name=Bench -c user.email=bench@example.org commit -qm "the PIT"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$scratch/serve.toml" <<EOF
[server]
listen = "127.0.0.1:$port"
database = "serve.sqlite"
# The load comes from one address: the per-client limit would answer 429 past 100 req/s.
rate_limit_per_minute = 100000000
log_format = "text"

[[project]]
name = "demo"
repository = "repo"
policy = "preset:qemu"
EOF

cat > "$scratch/post.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "message/rfc822"
wrk.body = "From: Jane Doe <jane@example.org>\nSubject: [PATCH] docs: a zero PIT count\nMessage-ID: <bench@example.org>\nDate: Mon, 30 Nov 2026 10:00:00 +0000\n\nDocument the zero reload.\n\nSigned-off-by: Jane Doe <jane@example.org>\n---\ndiff --git a/docs/pit.txt b/docs/pit.txt\n--- a/docs/pit.txt\n+++ b/docs/pit.txt\n@@ -1 +1,2 @@\n The PIT counts down.\n+A reload of 0 counts 65536.\n"
-- Milliseconds each connection waits after an answer (WRK_DELAY_MS; 0: none).
local pause = tonumber(os.getenv("WRK_DELAY_MS") or "0")
function delay()
  return pause
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f requests=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
EOF

RUST_LOG=warn "$bin" serve --config "$scratch/serve.toml" 2> "$scratch/serve.log" &
server=$!
url="http://127.0.0.1:$port"
for _ in $(seq 100); do
  curl -fsS "$url/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$url/healthz" >/dev/null || { cat "$scratch/serve.log" >&2; exit 1; }
# One request first: the status and the verdict it answers.
curl -sS -o "$scratch/first.json" -w 'first request: HTTP %{http_code} in %{time_total} s\n' \
  --data-binary @<(sed -n 's/^wrk.body = "\(.*\)"$/\1/p' "$scratch/post.lua" | sed 's/\\n/\n/g') \
  "$url/api/v1/check?project=demo"

run() { # run CONNECTIONS THREADS LABEL DELAY_MS
  local out
  out=$(WRK_DELAY_MS=$4 wrk -c "$1" -t "$2" -d "${duration}s" --latency -s "$scratch/post.lua" "$url/api/v1/check?project=demo")
  echo "$out" | grep -E 'Requests/sec|Non-2xx' || true
  local result
  result=$(echo "$out" | grep '^RESULT' | sed "s/^RESULT/$3: connections=$1/")
  echo "$result"
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "$result" >> "$scratch/results"
}

echo "cores: $(nproc); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
run 20 2 steady 100
run 32 2 ceiling 0
rows=$(sqlite3 "$scratch/serve.sqlite" 'SELECT count(*) FROM serve_reports' 2>/dev/null || echo "?")
echo "reports stored: $rows"

steady=$(grep '^steady' "$scratch/results")
rps=$(echo "$steady" | sed 's/.*rps=\([0-9.]*\).*/\1/')
p99=$(echo "$steady" | sed 's/.*p99_ms=\([0-9.]*\).*/\1/')
if [ "$(echo "$rps >= 200 && $p99 < 50" | bc -l)" = 1 ]; then
  echo "goal met: $rps req/s with p99 $p99 ms"
else
  echo "goal missed: $rps req/s with p99 $p99 ms (goal: 200 req/s, p99 < 50 ms)"
fi
