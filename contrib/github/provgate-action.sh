#!/usr/bin/env bash
# provgate's GitHub Action (action.yml at the repository root runs this script): checks the pull
# request's or push's commits once, and reports that one run three ways, each within GitHub's
# limits:
#   - workflow-command annotations on standard output, at most 10 errors and 10 warnings (the
#     per-step caps), findings anchored to a file and line first; past the caps one notice says
#     how many more there are and where to see them;
#   - the Markdown report appended to $GITHUB_STEP_SUMMARY, cut at a line to stay under the
#     summary limit, with a note saying so and the command that prints it all;
#   - a SARIF file for github/codeql-action/upload-sarif, its path in the step output `sarif`.
# The policy file, MAINTAINERS and .mailmap are read at the base (`check --base-policy`), never
# from the change, so that a pull request cannot loosen the policy that judges it.
#
# Outputs: verdict (pass, warn, fail; `error` when the check could not run; `skipped` when there
# is nothing to check, e.g. a branch deletion), exit-code, sarif, summary-truncated.
# Exit status: provgate's (0 pass or warn, 1 a deny finding, 2 the check could not run); with
# PROVGATE_FAIL=false a deny finding (1) exits 0, but a check that could not run still exits 2:
# `fail: false` means "report, do not block", not "hide that nothing was checked".
#
# A shallow checkout (actions/checkout's default depth 1) is deepened only as far as the merge
# base of the base and the head, in doubling steps, never to the whole history; the log says
# how many commits were fetched.
#
# Environment, as GitHub sets it: GITHUB_EVENT_PATH (the event JSON: pull_request.base.sha and
# .head.sha, or a push's before/after), GITHUB_WORKSPACE (the checkout), GITHUB_STEP_SUMMARY,
# GITHUB_OUTPUT, RUNNER_TEMP, GITHUB_HEAD_REF. From the action's inputs:
#   PROVGATE          the program (default: provgate on PATH)
#   PROVGATE_ARGS     more arguments for `provgate check`, split at whitespace (--preset qemu)
#   PROVGATE_RANGE    a range to check instead of the one the event gives; its left side
#                     (A of A..B or A...B) is the base the policy is read at, unless
#                     PROVGATE_ARGS gives --base-policy
#   PROVGATE_FAIL     false: exit 0 when a rule at deny fires (still 2 when the check cannot run)
#   PROVGATE_SUMMARY_LIMIT  bytes the summary may take (default 1048576, GitHub's cap)
#   PROVGATE_MAX_ERRORS, PROVGATE_MAX_WARNINGS  annotation caps (default 10 each, GitHub's)
#   PROVGATE_MAX_DEEPEN  how many commits deep a shallow checkout may be made (default 100000)
set -uo pipefail

provgate=${PROVGATE:-provgate}
limit=${PROVGATE_SUMMARY_LIMIT:-1048576}
max_deepen=${PROVGATE_MAX_DEEPEN:-100000}
out_dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/provgate-action"
sarif="$out_dir/provgate.sarif"
markdown="$out_dir/provgate.md"
annotations="$out_dir/annotations.txt"
errors="$out_dir/stderr.txt"
zero=0000000000000000000000000000000000000000

# Writes the step outputs.
outputs() { # verdict exit-code truncated
  [ -n "${GITHUB_OUTPUT:-}" ] || return 0
  {
    echo "verdict=$1"
    echo "exit-code=$2"
    [ -s "$sarif" ] && echo "sarif=$sarif"
    echo "summary-truncated=$3"
  } >>"$GITHUB_OUTPUT"
}

# Appends Markdown to the job summary.
summary() {
  [ -n "${GITHUB_STEP_SUMMARY:-}" ] || return 0
  printf '%s\n' "$1" >>"$GITHUB_STEP_SUMMARY"
}

# Ends the step when the check cannot run: verdict `error`, never `pass`, and the summary says so.
fail_to_run() {
  echo "::error title=provgate::$1"
  summary $'## ❌ provgate: error\n\nThe check could not run: '"$1"
  outputs error 2 false
  # Even with `fail: false`: nothing was checked, and a green step would say otherwise.
  exit 2
}

# Ends the step when there is nothing to check.
nothing_to_check() {
  echo "::notice title=provgate::$1"
  summary $'## provgate: nothing to check\n\n'"$1"
  outputs skipped 0 false
  exit 0
}

mkdir -p "$out_dir" || fail_to_run "cannot create $out_dir"
rm -f "$sarif" "$markdown" "$annotations" "$errors"
cd "${GITHUB_WORKSPACE:-.}" || fail_to_run "cannot enter the checkout ${GITHUB_WORKSPACE:-.}"

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
print("" if value is None else str(value).lower() if isinstance(value, bool) else value)
PY
  fi
}

have_commit() { git cat-file -e "$1^{commit}" 2>/dev/null; }

# Makes sure a commit is here: a shallow checkout fetches it alone (depth 1).
fetch_commit() {
  have_commit "$1" && return 0
  git fetch --quiet --no-tags --depth=1 origin "$1" 2>/dev/null
  have_commit "$1"
}

# In a shallow checkout, deepens both histories in doubling steps until base and head meet (a
# merge base), so that the commits between them and their parents are here; never deeper than
# PROVGATE_MAX_DEEPEN (the last step is cut to what is left of it). Returns 1 when the cap is
# reached or a fetch fails, 3 when the whole history is here and base and head share none.
deepen_to_merge_base() { # base head
  [ "$(git rev-parse --is-shallow-repository 2>/dev/null)" = true ] || return 0
  git merge-base "$1" "$2" >/dev/null 2>&1 && return 0
  local before depth=0 step=16
  before=$(git rev-list --count --all)
  while ! git merge-base "$1" "$2" >/dev/null 2>&1; do
    if [ "$depth" -ge "$max_deepen" ]; then
      return 1
    fi
    [ "$step" -gt $((max_deepen - depth)) ] && step=$((max_deepen - depth))
    git fetch --quiet --no-tags --deepen="$step" origin "$1" "$2" 2>/dev/null || return 1
    depth=$((depth + step))
    step=$((step * 2))
    if [ "$(git rev-parse --is-shallow-repository)" != true ]; then
      # Unshallow: no deeper fetch can find a merge base that is not there.
      git merge-base "$1" "$2" >/dev/null 2>&1 || return 3
      break
    fi
  done
  echo "provgate: the checkout was shallow: fetched $(( $(git rev-list --count --all) - before )) commit(s) (deepened by $depth) to reach the merge base $(git merge-base "$1" "$2" | cut -c1-12)"
}

range=${PROVGATE_RANGE:-}
base=
if [ -z "$range" ]; then
  base=$(event_field pull_request.base.sha)
  head=$(event_field pull_request.head.sha)
  if [ -z "$base" ]; then
    # A push: what it added.
    base=$(event_field before)
    head=$(event_field after)
    if [ "$(event_field deleted)" = true ] || [ "$head" = "$zero" ]; then
      nothing_to_check "the push deleted $(event_field ref); there are no commits to check"
    fi
    if [ -z "$base" ] || [ "$base" = "$zero" ]; then
      # A new branch: what it adds to the default branch, else its last commit.
      default=$(event_field repository.default_branch)
      base=
      if [ -n "$default" ] && [ "$(event_field ref)" != "refs/heads/$default" ] &&
        git fetch --quiet --no-tags --depth=1 origin "refs/heads/$default" 2>/dev/null; then
        base=$(git rev-parse FETCH_HEAD)
      fi
      if [ -z "$base" ]; then
        fetch_commit "$head" || fail_to_run "commit $head is not in the checkout and cannot be fetched from origin"
        git fetch --quiet --no-tags --deepen=1 origin "$head" 2>/dev/null
        base=$(git rev-parse -q --verify "$head~1") ||
          nothing_to_check "the push created a branch whose only commit has no parent"
      fi
    fi
  fi
  if [ -z "$head" ]; then
    fail_to_run "no pull request or push in the event (GITHUB_EVENT_PATH); give the action a range"
  fi
  for commit in "$base" "$head"; do
    fetch_commit "$commit" ||
      fail_to_run "commit $commit is not in the checkout and cannot be fetched from origin"
  done
  deepen_to_merge_base "$base" "$head"
  case $? in
  0) ;;
  3) fail_to_run "$base and $head have no common history (the whole history was fetched and they share no merge base); check a range with the action's \`range\` input" ;;
  *) fail_to_run "no merge base of $base and $head within $max_deepen commits of either; check a range with the action's \`range\` input, or raise PROVGATE_MAX_DEEPEN" ;;
  esac
  range="$base..$head"
fi

read -r -a extra <<<"${PROVGATE_ARGS:-}"
if [ -n "${PROVGATE_RANGE:-}" ]; then
  # A range given by hand: the policy is read at its left side, the base a change in it applies
  # to, unless the arguments name one; a range with no left side reads the work tree, and the log
  # says so (the change could then loosen its own policy).
  case " ${extra[*]:-} " in
  *" --base-policy "* | *" --base-policy="*) ;;
  *)
    case $range in
    *...*) base=${range%%...*} ;;
    *..*) base=${range%%..*} ;;
    *) base= ;;
    esac
    case $range in
    *..*) base=${base:-HEAD} ;;
    esac
    if [ -n "$base" ]; then
      echo "provgate: the policy, MAINTAINERS and .mailmap are read at $base, the range's left side"
    else
      echo "provgate: the range $range has no left side, so no base: the policy, MAINTAINERS and .mailmap are read from the checkout; add --base-policy REV to args to read them at REV"
    fi
    ;;
  esac
fi
if [ -n "$base" ]; then
  extra=(--base-policy "$base" "${extra[@]}")
fi
# The pull request's head branch: an agent's branch (`claude/…`, `codex/…`) is evidence of AI use.
if [ -n "${GITHUB_HEAD_REF:-}" ]; then
  extra+=(--branch "$GITHUB_HEAD_REF")
fi

# One run: annotations on standard output, SARIF and Markdown written from the same report.
"$provgate" check "${extra[@]}" \
  --format github \
  --max-errors "${PROVGATE_MAX_ERRORS:-10}" --max-warnings "${PROVGATE_MAX_WARNINGS:-10}" \
  --write "sarif=$sarif" --write "markdown=$markdown" \
  "$range" >"$annotations" 2>"$errors"
status=$?
cat "$annotations"
if [ -s "$errors" ]; then
  cat "$errors" >&2
fi
verdict=$(sed -n 's/^provgate: \([a-z]*\): .*/\1/p' "$annotations" | tail -n 1)
if [ "$status" -gt 1 ] || [ -z "$verdict" ]; then
  verdict=error
  status=2
fi

# The command that prints the whole report, as the action ran it.
full_command="provgate check --format markdown"
for arg in "${extra[@]}"; do
  full_command+=" $(printf '%q' "$arg")"
done
full_command+=" $range"

truncated=false
if [ "$verdict" = error ]; then
  reason=$(head -c 4000 "$errors")
  summary $'## ❌ provgate: error\n\nThe check could not run (exit status '"$status"$'):\n\n```\n'"${reason:-provgate printed nothing}"$'\n```\n\nRun `'"$full_command"$'` to see it.'
elif [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$markdown" ]; then
  size=$(wc -c <"$markdown")
  if [ "$size" -le "$limit" ]; then
    cat "$markdown" >>"$GITHUB_STEP_SUMMARY"
  else
    truncated=true
    if [ "$limit" -eq 1048576 ]; then
      shown="GitHub's 1 MiB job summary limit"
    else
      shown="the job summary limit of $limit bytes"
    fi
    note=$'\n> **provgate:** this report was cut at a line to stay within '"$shown"' ('"$size"$' bytes in all). The full findings are in code scanning (the SARIF upload) and in `'"$full_command"$'`.\n'
    keep=$((limit - $(printf '%s' "$note" | LC_ALL=C wc -c)))
    [ "$keep" -lt 0 ] && keep=0
    # Cut at the last whole line that fits, counting bytes (not characters).
    LC_ALL=C head -c "$keep" "$markdown" | LC_ALL=C sed '$d' >>"$GITHUB_STEP_SUMMARY"
    printf '%s' "$note" >>"$GITHUB_STEP_SUMMARY"
  fi
fi

outputs "$verdict" "$status" "$truncated"

# `fail: false` lets a deny finding through; a check that could not run still fails the step.
if [ "${PROVGATE_FAIL:-true}" = false ] && [ "$status" -eq 1 ]; then
  exit 0
fi
exit "$status"
