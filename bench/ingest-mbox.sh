#!/usr/bin/env bash
# Reading an mbox of real patches: provgate vs git's own C code on the same patches.
#
# git apply cannot read a whole mbox (a commit message that quotes a diff derails it), so git's
# side is what `git am` does: `git mailsplit` + `git mailinfo` extract each patch once (not timed),
# then `git apply --numstat` reads all extracted patches in one process (timed). provgate reads the
# mbox itself, mail parsing included. Both must agree on every file and count.
#
# Usage: bench/ingest-mbox.sh REPO [N]   (the newest N patches of REPO, default 2000)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
repo=$(require_repo "${1:-}")
count=${2:-2000}
bin=$(provgate_bin)
(cd "$bench_root" && cargo build --release -q -p provgate-patch --example mbox_numstat)
numstat="$bench_root/target/release/examples/mbox_numstat"

name="$(repo_name "$repo").$count"
mbox="$work/$name.mbox"
patches="$work/$name.patches"
if [ ! -s "$mbox" ]; then
  git -C "$repo" format-patch --stdout --no-signature -"$count" HEAD >"$mbox"
fi
if [ ! -s "$patches" ]; then
  split="$work/$name.split"
  rm -rf "$split" && mkdir -p "$split"
  git mailsplit -o"$split" "$mbox" >/dev/null
  for m in "$split"/*; do
    git mailinfo /dev/null "$split/patch" <"$m" >/dev/null && cat "$split/patch"
  done >"$patches"
  rm -rf "$split"
fi
size=$(du -m "$mbox" | cut -f1)
messages=$(grep -c '^From [0-9a-f]\{40\} ' "$mbox")

# Correctness: the same files and counts, in the same order. `git apply` must run outside any
# repository, or it ignores paths outside the current directory.
(cd /tmp && git apply --numstat -z "$patches") >"$work/git.numstat"
"$numstat" "$mbox" >"$work/provgate.numstat"
if cmp -s "$work/git.numstat" "$work/provgate.numstat"; then
  agree="agree on all $(tr -cd '\0' <"$work/git.numstat" | wc -c) file changes"
else
  agree="DISAGREE (compare $work/git.numstat and $work/provgate.numstat)"
fi

# Trailers (TRAILERS=1, slow: one git process per commit): the mbox's trailers as provgate reads
# them against `git interpret-trailers --parse` on the original commits. A message that `git am`
# itself cuts short (a body line starting with `diff -` or `---`) loses its trailers in transit;
# such commits are listed, not hidden.
if [ "${TRAILERS:-0}" = 1 ]; then
  grep '^From [0-9a-f]\{40\} ' "$mbox" | cut -d' ' -f2 | "$(dirname "$0")/trailers-oracle.sh" "$repo" >"$work/git.trailers"
  "$numstat" "$mbox" --trailers >"$work/provgate.trailers"
  if cmp -s "$work/git.trailers" "$work/provgate.trailers"; then
    echo "trailers: agree on all $messages patches"
  else
    echo "trailers: differ (diff $work/git.trailers $work/provgate.trailers):"
    diff "$work/git.trailers" "$work/provgate.trailers" | head -20 || true
  fi
fi

git_t=$(best_of 5 sh -c "cd /tmp && git apply --numstat '$patches'")
read_t=$(best_of 5 "$numstat" "$mbox")
check_t=$(best_of 5 "$bin" check --format json -o /dev/null "$mbox")
check_mem=$(peak_mib "$bin" check --format json -o /dev/null "$mbox")
echo "mbox: $messages patches, ${size} MiB, from $(repo_name "$repo")"
echo "numstat: $agree"
echo "git apply --numstat (extracted patches):   ${git_t}s"
echo "provgate read (mbox -> model, numstat):     ${read_t}s  ratio $(ratio "$read_t" "$git_t")"
echo "provgate check --format json (all rules):   ${check_t}s  ratio $(ratio "$check_t" "$git_t")  peak ${check_mem} MiB"
