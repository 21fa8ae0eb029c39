#!/usr/bin/env bash
# Records what provgate prints, in every format, for a fixed set of inputs, so that a refactoring
# can be shown to change no byte: run it with the binary before and after, then `diff -r`.
#
#   bench/outputs.sh BIN OUTDIR [REPO]
#
# BIN is a provgate binary; OUTDIR receives one file per command (stdout, stderr and exit
# status); REPO is a work tree of a real repository (git/git, say) whose newest RANGE_N commits
# (default 250) are checked as a range, and as a `git format-patch` mail series of the newest
# MAIL_N (default 40). Without REPO only the shipped examples are recorded.
#
# Dates are pinned (PROVGATE_TODAY) and the scan cache is off, so two runs of one binary give
# the same files.
set -uo pipefail

bin=$(realpath "${1:?usage: bench/outputs.sh BIN OUTDIR [REPO]}")
out=$(realpath -m "${2:?usage: bench/outputs.sh BIN OUTDIR [REPO]}")
repo=${3:-}
root=$(cd "$(dirname "$0")/.." && pwd)
range_n=${RANGE_N:-250}
mail_n=${MAIL_N:-40}
export PROVGATE_TODAY=2026-12-01 NO_COLOR=1
mkdir -p "$out"

# run NAME ARGS...: stdout to NAME.out, stderr to NAME.err, the exit status to NAME.rc.
run() {
  local name=$1; shift
  "$bin" "$@" >"$out/$name.out" 2>"$out/$name.err"
  echo $? >"$out/$name.rc"
}

cd "$root" || exit 2
for format in text json sarif github markdown email; do
  run "check-example-$format" check --repo examples/qemu examples/qemu/series.mbox --format "$format" --color never
done
run check-pit-json check --repo examples/qemu --preset linux examples/pit-series.mbox --format json
run check-example-quiet check --repo examples/qemu examples/qemu/series.mbox --quiet --color never
run zones-example-text zones --repo examples/qemu hw/core/qdev.c tests/qtest/x.c docs/a.rst
run zones-example-json zones --repo examples/qemu --format json hw/core/qdev.c tests/qtest/x.c docs/a.rst
run explain-list explain --list
for rule in $("$bin" explain --list | awk '/^  [a-z]/{print $1}'); do
  run "explain-$rule" explain "$rule"
done
for preset in $(ls presets | sed 's/\.toml$//'); do
  run "policy-render-$preset" policy render --preset "$preset"
done

[ -n "$repo" ] || exit 0
repo=$(realpath "$repo")
base=$(git -C "$repo" rev-list --no-merges -n "$range_n" HEAD | tail -n 1)
for format in text json sarif markdown; do
  run "check-range-$format" check --repo "$repo" "$base^..HEAD" --format "$format" --color never
done
run check-range-qemu-json check --repo "$repo" --preset qemu "$base^..HEAD" --format json
mkdir -p "$root/bench/work"
mail="$root/bench/work/series.mbox"
# format-patch leaves merges out, as a mailing list never sees them.
git -C "$repo" format-patch -q --stdout --zero-commit "-$mail_n" HEAD >"$mail"
for format in text json; do
  run "check-mail-$format" check --repo "$repo" --preset linux "$mail" --format "$format" --color never
done
for format in json html csv text; do
  run "scan-$format" scan --repo "$repo" --no-cache -n "$range_n" --preset qemu --preset linux --preset default --format "$format"
done
run scan-code-json scan --repo "$repo" --no-cache -n 60 --code --format json
run zones-repo-text zones --repo "$repo" Makefile builtin/am.c t/t4150-am.sh Documentation/git-am.adoc
