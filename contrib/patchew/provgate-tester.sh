#!/bin/sh
# provgate as a patchew tester: checks the series patchew applied (the commits between the base
# and HEAD of the tester's clone) against the project's policy. Patchew runs this script in that
# clone and passes the tester iff it exits 0; everything printed here is the uploaded log.
#
# The policy file, MAINTAINERS and .mailmap are read as of the base commit (`provgate check
# --base-policy`), so that a series can neither loosen the policy it is judged by nor name its
# own zone maintainers; without a provgate.toml there (and no --preset or --policy in
# PROVGATE_ARGS), provgate's default preset judges. Patchew's base is not always the branch tip:
# it is the project branch's tip when patchew's applier applied the series (which may be behind
# by now), or, for a series with a `Based-on: <message-id>` tag, the tag patchew made for that
# other, unmerged series, whose own edits to these files would then count. PROVGATE_POLICY_REV
# names the branch tip instead (as the tester's clone has it, e.g. origin/master).
#
# Environment (all optional):
#   PROVGATE       the provgate binary (default: provgate on PATH)
#   PROVGATE_BASE  the base commit (default: the branch `base` patchew creates)
#   PROVGATE_POLICY_REV  where the policy, MAINTAINERS and .mailmap are read (default: the base);
#                  set it to the project branch's tip in the clone (origin/master) so that an
#                  old base or a Based-on: series cannot pick the policy
#   PROVGATE_ARGS  more arguments for `provgate check`, split on spaces (e.g. `--stage merge`,
#                  `--preset qemu`)
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
short=$(git rev-parse --short "$base")
policy_rev=${PROVGATE_POLICY_REV:-$base}
if ! git rev-parse -q --verify "$policy_rev^{commit}" >/dev/null; then
  echo "provgate-tester: no commit '$policy_rev' to read the policy at (PROVGATE_POLICY_REV; the clone has: $(git for-each-ref --format='%(refname:short)' refs/remotes | tr '\n' ' '))"
  exit 2
fi
policy_short=$(git rev-parse --short "$policy_rev")
if [ -n "${PROVGATE_POLICY_REV:-}" ] && ! git merge-base --is-ancestor "$base" "$policy_rev"; then
  # Not an error: the series may rightly build on another one; the policy is still the tip's.
  echo "provgate-tester: note: the base $short is not on $policy_rev (a series applied on another with Based-on:?); the policy is read at $policy_rev"
fi

# The policy provgate will judge under, as it chooses it: --policy, else --preset, else
# provgate.toml at the base, else the default.
describe_policy() {
  preset= file=
  # shellcheck disable=SC2086 # PROVGATE_ARGS is split on purpose.
  set -- ${PROVGATE_ARGS:-}
  while [ $# -gt 0 ]; do
    case $1 in
      --preset) preset=${2:-} && shift ;;
      --preset=*) preset=${1#--preset=} ;;
      --policy) file=${2:-} && shift ;;
      --policy=*) file=${1#--policy=} ;;
    esac
    shift
  done
  if [ -n "$file" ]; then
    case $file in
      /*) echo "$file" ;;
      *) echo "$file as of $policy_short" ;;
    esac
  elif [ -n "$preset" ]; then
    echo "the preset $preset"
  elif git cat-file -e "$policy_rev:provgate.toml" 2>/dev/null; then
    echo "provgate.toml as of $policy_short"
  else
    echo "provgate's default (no provgate.toml at $policy_short)"
  fi
}

echo "provgate-tester: policy: $(describe_policy); MAINTAINERS and .mailmap as of $policy_short"
echo "provgate-tester: checking $(git rev-list --count "$base..HEAD") commit(s), $short..$(git rev-parse --short HEAD)"
echo

# shellcheck disable=SC2086 # PROVGATE_ARGS is split on purpose.
NO_COLOR=1 "$provgate" check --color never --base-policy "$policy_rev" ${PROVGATE_ARGS:-} "$base..HEAD" 2>&1
status=$?
echo
case $status in
  0) echo "provgate-tester: PASS" ;;
  1) echo "provgate-tester: FAIL: the series does not meet the policy" ;;
  *) echo "provgate-tester: ERROR: provgate exited with $status" ;;
esac
exit "$status"
