#!/bin/sh
# provgate as a patchew tester: checks the series patchew applied (the commits between the base
# and HEAD of the tester's clone) against the project's policy. Patchew runs this script in that
# clone and passes the tester iff it exits 0; everything printed here is the uploaded log.
#
# The policy is the project's provgate.toml as of the base commit, so that a series cannot
# loosen the policy it is judged by; without one, provgate's default preset judges.
#
# Environment (all optional):
#   PROVGATE       the provgate binary (default: provgate on PATH)
#   PROVGATE_BASE  the base commit (default: the branch `base` patchew creates)
#   PROVGATE_ARGS  more arguments for `provgate check`, split on spaces (e.g. `--stage merge`)
#
# Exit status: 0 the series passes (warnings allowed), 1 it fails the policy, 2 it could not be
# checked.
set -u

provgate=${PROVGATE:-provgate}
base=${PROVGATE_BASE:-base}

if ! git rev-parse -q --verify "$base^{commit}" >/dev/null; then
  echo "provgate-tester: no base commit '$base' (patchew creates the branch 'base'; set PROVGATE_BASE otherwise)"
  exit 2
fi

policy=
cleanup() { [ -n "$policy" ] && rm -f "$policy"; }
trap cleanup EXIT
trap 'exit 2' HUP INT TERM
if git cat-file -e "$base:provgate.toml" 2>/dev/null; then
  policy=$(mktemp "${TMPDIR:-/tmp}/provgate-base-policy.XXXXXX") || exit 2
  git show "$base:provgate.toml" >"$policy" || exit 2
  set -- --policy "$policy"
  echo "provgate-tester: policy: provgate.toml as of $(git rev-parse --short "$base")"
else
  set --
  echo "provgate-tester: policy: provgate's default (no provgate.toml at $(git rev-parse --short "$base"))"
fi
echo "provgate-tester: checking $(git rev-list --count "$base..HEAD") commit(s), $(git rev-parse --short "$base")..$(git rev-parse --short HEAD)"
echo

# shellcheck disable=SC2086 # PROVGATE_ARGS is split on purpose.
"$provgate" check --color never "$@" ${PROVGATE_ARGS:-} "$base..HEAD" 2>&1
status=$?
echo
case $status in
  0) echo "provgate-tester: PASS" ;;
  1) echo "provgate-tester: FAIL: the series does not meet the policy" ;;
  *) echo "provgate-tester: ERROR: provgate exited with $status" ;;
esac
exit "$status"
