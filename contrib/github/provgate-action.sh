#!/usr/bin/env bash
# provgate's GitHub Action (action.yml at the repository root runs this script): checks the pull
# request's commits and reports them three ways, each within GitHub's limits:
#   - workflow-command annotations on standard output, at most 10 errors and 10 warnings (the
#     per-step caps; past them one notice says how many more there are and where to see them);
#   - the Markdown report appended to $GITHUB_STEP_SUMMARY, cut at a line to stay under 1 MiB,
#     with a note saying so;
#   - a SARIF file for github/codeql-action/upload-sarif, its path in the step output `sarif`.
# Exit status: provgate's (0 pass or warn, 1 a deny finding, 2 an input could not be read), or 0
# whatever it is when PROVGATE_FAIL=false.
#
# Environment, as GitHub sets it: GITHUB_EVENT_PATH (the event JSON: pull_request.base.sha and
# .head.sha, or a push's before/after), GITHUB_WORKSPACE (the checkout, with enough history to
# hold the base: actions/checkout with fetch-depth: 0), GITHUB_STEP_SUMMARY, GITHUB_OUTPUT,
# RUNNER_TEMP. From the action's inputs:
#   PROVGATE          the program (default: provgate on PATH)
#   PROVGATE_ARGS     more arguments for `provgate check`, split at whitespace (--preset qemu)
#   PROVGATE_RANGE    a range to check instead of the one the event gives
#   PROVGATE_FAIL     false: exit 0 even when the check fails
#   PROVGATE_SUMMARY_LIMIT  bytes the summary may take (default 1048576, GitHub's cap)
#   PROVGATE_MAX_ERRORS, PROVGATE_MAX_WARNINGS  annotation caps (default 10 each, GitHub's)
set -uo pipefail

provgate=${PROVGATE:-provgate}
limit=${PROVGATE_SUMMARY_LIMIT:-1048576}
out_dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/provgate-action"
mkdir -p "$out_dir" || exit 2
cd "${GITHUB_WORKSPACE:-.}" || exit 2

# One field of the event JSON (a dotted path), or nothing.
event_field() {
  [ -n "${GITHUB_EVENT_PATH:-}" ] && [ -r "$GITHUB_EVENT_PATH" ] || return 0
  if command -v jq >/dev/null 2>&1; then
    jq -r ".$1 // empty" "$GITHUB_EVENT_PATH"
  else
    python3 - "$GITHUB_EVENT_PATH" "$1" <<'PY'
import json, sys
value = json.load(open(sys.argv[1]))
for key in sys.argv[2].split("."):
    value = value.get(key) if isinstance(value, dict) else None
print("" if value is None else value)
PY
  fi
}

# Makes sure a commit is here, fetching it when the checkout was shallow.
have_commit() {
  git cat-file -e "$1^{commit}" 2>/dev/null && return 0
  git fetch --quiet --no-tags origin "$1" 2>/dev/null
  git cat-file -e "$1^{commit}" 2>/dev/null
}

range=${PROVGATE_RANGE:-}
if [ -z "$range" ]; then
  base=$(event_field pull_request.base.sha)
  head=$(event_field pull_request.head.sha)
  if [ -z "$base" ]; then
    # A push: what it added. A new branch's `before` is all zeros: its last commit only.
    base=$(event_field before)
    head=$(event_field after)
    case "$base" in *[!0]*) ;; *) base="$head~1" ;; esac
  fi
  if [ -z "$head" ]; then
    echo "::error title=provgate::no pull request or push in the event (GITHUB_EVENT_PATH); give the action a range" 
    exit 2
  fi
  for commit in "$base" "$head"; do
    if ! have_commit "$commit"; then
      echo "::error title=provgate::commit $commit is not in the checkout; use actions/checkout with fetch-depth: 0"
      exit 2
    fi
  done
  range="$base..$head"
fi

read -r -a extra <<<"${PROVGATE_ARGS:-}"
# The pull request's head branch: an agent's branch (`claude/…`, `codex/…`) is evidence of AI use.
if [ -n "${GITHUB_HEAD_REF:-}" ]; then
  extra+=(--branch "$GITHUB_HEAD_REF")
fi
check() {
  "$provgate" check "${extra[@]}" "$@" "$range"
}

sarif="$out_dir/provgate.sarif"
markdown="$out_dir/provgate.md"
annotations="$out_dir/annotations.txt"
check --format sarif -o "$sarif"
check --format markdown -o "$markdown"
check --format github \
  --max-errors "${PROVGATE_MAX_ERRORS:-10}" --max-warnings "${PROVGATE_MAX_WARNINGS:-10}" \
  >"$annotations"
status=$?
cat "$annotations"
verdict=$(sed -n 's/^provgate: \([a-z]*\): .*/\1/p' "$annotations" | tail -n 1)

truncated=false
if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$markdown" ]; then
  size=$(wc -c <"$markdown")
  if [ "$size" -le "$limit" ]; then
    cat "$markdown" >>"$GITHUB_STEP_SUMMARY"
  else
    truncated=true
    note=$'\n> **provgate:** this report was cut at a line to stay within GitHub\'s 1 MiB job summary limit ('"$size"$' bytes in all). The full findings are in code scanning (the SARIF upload) and in `provgate check --format markdown '"$range"$'`.\n'
    keep=$((limit - ${#note}))
    [ "$keep" -lt 0 ] && keep=0
    # Cut at the last whole line that fits, counting bytes (not characters).
    LC_ALL=C head -c "$keep" "$markdown" | LC_ALL=C sed '$d' >>"$GITHUB_STEP_SUMMARY"
    printf '%s' "$note" >>"$GITHUB_STEP_SUMMARY"
  fi
fi

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "verdict=$verdict"
    echo "exit-code=$status"
    [ -s "$sarif" ] && echo "sarif=$sarif"
    echo "summary-truncated=$truncated"
  } >>"$GITHUB_OUTPUT"
fi

if [ "${PROVGATE_FAIL:-true}" = false ]; then
  exit 0
fi
exit "$status"
