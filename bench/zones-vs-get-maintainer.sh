#!/usr/bin/env bash
# `provgate zones` against the tree's own get_maintainer.pl, file by file: for every tracked file
# (`git ls-files`), the maintainers `get_maintainer.pl --no-l --no-r --no-git --no-git-fallback
# -f FILE` prints (its default keyword scan of the file's content included) against the
# maintainers `provgate zones` names. Compared as sets: get_maintainer.pl orders sections of equal
# rank by Perl's randomised hash order. Names are compared without the double quotes
# get_maintainer.pl puts around names with punctuation (`zones` prints entries as written).
#
# Usage: bench/zones-vs-get-maintainer.sh REPO [--no-keywords]
#   REPO: a git work tree holding MAINTAINERS and scripts/get_maintainer.pl (e.g. xen). It is
#   read, never modified. --no-keywords compares `zones --no-keywords` with `--nokeywords`.
# get_maintainer.pl runs once per file (it merges the answers of several -f), two at a time; its
# answers are kept in bench/work/ per repository and HEAD, so a second run only runs provgate.
# Prints: files compared, agreeing, and each disagreement (ours vs theirs).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
repo=$(require_repo "${1:-}")
repo=$(cd "$repo" && pwd)
mode=${2:-}
if [ ! -f "$repo/MAINTAINERS" ] || [ ! -f "$repo/scripts/get_maintainer.pl" ]; then
  echo "$0: $repo has no MAINTAINERS or scripts/get_maintainer.pl" >&2
  exit 2
fi
gm_flags=(--no-l --no-r --no-git --no-git-fallback)
zones_flags=()
if [ "$mode" = --no-keywords ]; then
  gm_flags+=(--nokeywords)
  zones_flags+=(--no-keywords)
fi

head=$(git -C "$repo" rev-parse HEAD)
tag="$(repo_name "$repo")-${head:0:12}${mode:+-nokeywords}"
files="$work/gm-$tag.files"
theirs="$work/gm-$tag.theirs"
ours="$work/gm-$tag.ours"
git -C "$repo" ls-files >"$files"

if [ ! -s "$theirs" ] || [ "$(wc -l <"$theirs")" -ne "$(wc -l <"$files")" ]; then
  # One line per file: FILE<TAB>address|address… (or FILE<TAB>!error). A line is one write, so
  # the two workers' lines never interleave.
  (cd "$repo" && tr '\n' '\0' <"$files" | GM_FLAGS="${gm_flags[*]}" xargs -0 -P2 -n1 sh -c '
      out=$(perl scripts/get_maintainer.pl $GM_FLAGS -f "$1" 2>/dev/null) || { printf "%s\t!error\n" "$1"; exit 0; }
      printf "%s\t%s\n" "$1" "$(printf "%s" "$out" | tr -d "\"" | tr "\n" "|")"
    ' sh) | sort >"$theirs.tmp"
  mv "$theirs.tmp" "$theirs"
fi

bin=${PROVGATE_BIN:-$(provgate_bin)}   # PROVGATE_BIN: an already built provgate
"$bin" zones --repo "$repo" --format json "${zones_flags[@]}" - <"$files" 2>"$work/gm-$tag.stderr" |
  jq -r '.[] | [.path, (.maintainers | map(gsub("\""; "")) | join("|"))] | @tsv' | sort >"$ours"

python3 - "$ours" "$theirs" <<'EOF'
import sys
def read(path):
    out = {}
    for line in open(path, encoding="utf-8", errors="replace"):
        f, _, rest = line.rstrip("\n").partition("\t")
        out[f] = rest
    return out
ours, theirs = read(sys.argv[1]), read(sys.argv[2])
compared = agree = errors = 0
bad = []
for f in sorted(theirs):
    t = theirs[f]
    if t == "!error":
        errors += 1
        continue
    compared += 1
    o = ours.get(f)
    ts = set(x for x in t.split("|") if x)
    os_ = set(x for x in (o or "").split("|") if x)
    if o is not None and ts == os_:
        agree += 1
    else:
        bad.append((f, sorted(os_ - ts), sorted(ts - os_)))
print(f"files: {len(theirs)}; compared: {compared}; agreeing: {agree}; disagreeing: {len(bad)}; get_maintainer.pl errors: {errors}")
for f, only_ours, only_theirs in bad:
    print(f"  {f}: only provgate {only_ours}; only get_maintainer.pl {only_theirs}")
EOF
if [ -s "$work/gm-$tag.stderr" ]; then
  echo "provgate zones said:"
  sed 's/^/  /' "$work/gm-$tag.stderr"
fi
