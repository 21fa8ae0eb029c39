#!/usr/bin/env bash
# Reading a real list archive as a list bot does: which mails are submissions, and the check of
# what they make, against what `git am` does to read the same mails.
#
# The newest N messages of a public-inbox epoch (a bare git repository whose commits each hold one
# message `m`) are written out as one mboxrd. git's side: `git mailsplit` of the mbox, then
# `git mailinfo` of every message (how `git am` reads mail; it cannot tell a patch from a reply,
# a pull request or a robot's report). provgate's side: `provgate check --no-code` of the same mbox,
# which reads every message, classifies it (patch, cover letter, reply with its trailers, pull
# request, bot report), assembles the series and judges them under a preset.
#
# Usage: bench/list-mail.sh EPOCH [N]   (the newest N messages, default 5000)
#   e.g. a fetched linux-mailinglist-archives/linux-kbuild.vger.kernel.org.0
set -euo pipefail
source "$(dirname "$0")/lib.sh"
epoch=$(require_repo "${1:-}")
count=${2:-5000}
bin=$(provgate_bin)

name="$(repo_name "$epoch").$count"
mbox="$work/$name.mboxrd"
if [ ! -s "$mbox" ]; then
  git -C "$epoch" rev-list -"$count" HEAD | sed 's/$/:m/' | git -C "$epoch" cat-file --batch |
    python3 -c '
import re, sys
out = sys.stdout.buffer
src = sys.stdin.buffer
while True:
    header = src.readline()
    if not header:
        break
    parts = header.split()
    if len(parts) < 3:  # "missing" (a deleted message)
        continue
    body = src.read(int(parts[2]))
    src.read(1)
    out.write(b"From mboxrd@z Thu Jan  1 00:00:00 1970\n")
    for line in body.splitlines(keepends=True):
        out.write(b">" + line if re.match(rb">*From ", line) else line)
    if not body.endswith(b"\n"):
        out.write(b"\n")
    out.write(b"\n")
' >"$mbox"
fi
messages=$(grep -c '^From mboxrd@z ' "$mbox")
size=$(du -m "$mbox" | cut -f1)

split="$work/$name.split"
git_am_read() {
  rm -rf "$split" && mkdir -p "$split"
  git mailsplit --mboxrd -o"$split" "$mbox" >/dev/null
  for m in "$split"/*; do
    git mailinfo "$split/msg" "$split/patch" <"$m" >/dev/null 2>&1 || true
  done
}
git_t=$(best_of 3 git_am_read)
rm -rf "$split"
check() { "$bin" check --preset linux --no-code --mboxrd --format json -o "$work/$name.json" "$mbox"; }
check_t=$(best_of 3 check)
check_mem=$(peak_mib "$bin" check --preset linux --no-code --mboxrd --format json -o /dev/null "$mbox")
check >/dev/null 2>&1 || true

echo "archive: $messages messages, ${size} MiB, the newest of $(repo_name "$epoch")"
python3 - "$work/$name.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
summary = report.get("summary", {})
print(f"provgate: {summary.get('series', '?')} series, {summary.get('patches', '?')} patches checked")
for note in report.get("notes", []):
    if "left out" in note or "trailers from replies" in note:
        print("  " + note)
PY
echo "git mailsplit + mailinfo (every message):   ${git_t}s"
echo "provgate check --no-code (classify+judge):  ${check_t}s  ratio $(ratio "$check_t" "$git_t")  peak ${check_mem} MiB"
