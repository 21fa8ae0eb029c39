"""Compares git's `--numstat -z` output with a provgate JSON report, file change by file change.

usage: python3 numstat_compare.py GIT_NUMSTAT_Z PROVGATE_JSON
Prints the number of file changes compared and every disagreement; exits 1 on any.
"""
import json
import sys


def git_entries(raw: bytes):
    """(added, removed, path, old_path) for each file in `--numstat -z` output."""
    fields = raw.split(b"\0")
    out, i = [], 0
    while i < len(fields) and fields[i]:
        added, removed, path = fields[i].split(b"\t", 2)
        if path:
            out.append((added.decode(), removed.decode(), path.decode("utf-8", "replace"), None))
            i += 1
        else:  # a rename: the two paths follow as fields of their own
            old, new = fields[i + 1], fields[i + 2]
            out.append((added.decode(), removed.decode(), new.decode("utf-8", "replace"),
                        old.decode("utf-8", "replace")))
            i += 3
    return out


def provgate_entries(report):
    out = []
    for patch in report["patches"]:
        for f in patch["files"]:
            added = "-" if f["added"] is None else str(f["added"])
            removed = "-" if f["removed"] is None else str(f["removed"])
            old = f["old_path"] if f["status"] == "renamed" else None
            out.append((added, removed, f["path"], old))
    return out


def main():
    git = git_entries(open(sys.argv[1], "rb").read())
    ours = provgate_entries(json.load(open(sys.argv[2])))
    bad = 0
    if len(git) != len(ours):
        print(f"different number of file changes: git {len(git)}, provgate {len(ours)}")
        bad += 1
    for i, (g, o) in enumerate(zip(git, ours)):
        if g != o:
            bad += 1
            if bad <= 20:
                print(f"#{i}: git {g} provgate {o}")
    print(f"{min(len(git), len(ours))} file changes compared, {bad} disagreements")
    sys.exit(1 if bad else 0)


main()
