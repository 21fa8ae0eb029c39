#!/usr/bin/env python3
"""Cuts the linux-kbuild test fixture out of a public-inbox epoch (see README.md).

Usage: cut.py EPOCH_GIT_DIR [--survey]

Reads the newest WINDOW messages of the epoch (one commit = one message, file `m`), groups
them into threads (root: the first References id, else In-Reply-To, else the Message-ID),
picks whole threads of the kinds the classifier must tell apart, and writes them, oldest
first, as an mboxrd file (kbuild.mbox) with the epoch commit of each message recorded in
commits.txt. The choice is deterministic: the same epoch gives the same fixture.
"""
import email, email.policy, re, subprocess, sys
from collections import OrderedDict, defaultdict

WINDOW = 31699
MAX_MESSAGE = 7_000     # bytes; larger threads are skipped to keep the fixture small
BUDGET = 760_000         # bytes of mail in all

def messages(repo):
    ids = subprocess.run(["git", "-C", repo, "log", "--format=%H", "-n", str(WINDOW)],
                         check=True, capture_output=True, text=True).stdout.split()
    proc = subprocess.Popen(["git", "-C", repo, "cat-file", "--batch"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    for c in ids:
        proc.stdin.write(f"{c}:m\n".encode()); proc.stdin.flush()
        header = proc.stdout.readline().split()
        if header[-1] == b"missing":
            continue
        size = int(header[2]); raw = proc.stdout.read(size); proc.stdout.read(1)
        yield c, raw
    proc.stdin.close(); proc.wait()

def angle_ids(v):
    return re.findall(r"<([^<>\s]+)>", v or "")

def info(commit, raw):
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    def h(name):
        v = msg.get(name)
        if v is None:
            return ""
        try:
            return str(email.header.make_header(email.header.decode_header(v)))
        except Exception:
            return str(v)
    mid = (angle_ids(h("Message-ID")) or [commit])[0]
    refs = angle_ids(h("References"))
    irt = (angle_ids(h("In-Reply-To")) or [None])[0]
    root = refs[0] if refs else (irt or mid)
    subject = " ".join(h("Subject").split())
    body = raw.split(b"\n\n", 1)[-1]
    return dict(commit=commit, raw=raw, mid=mid, root=root, subject=subject,
                sender=h("From").lower(), reply=bool(re.match(r"(?i)(re|aw|fwd?|sv)\s*:", subject)),
                cte=h("Content-Transfer-Encoding").lower(), ctype=h("Content-Type").lower(),
                trailers=bool(re.search(rb"(?m)^(Reviewed|Acked|Tested)-by: ", body)),
                diff=bool(re.search(rb"(?m)^diff --git ", body)))

def kinds(thread):
    k = set()
    for m in thread:
        s, who = m["subject"], m["sender"]
        if re.search(r"\[GIT PULL", s, re.I): k.add("pull")
        if "lkp@intel.com" in who: k.add("lkp")
        if "syzbot" in who: k.add("syzbot")
        if re.search(r"FAILED: patch", s): k.add("stable")
        if re.search(r"\[PATCH[^\]]*\b0+/\d+\]", s) and not m["reply"]: k.add("cover")
        if m["reply"] and m["trailers"]: k.add("review-trailers")
        if m["reply"] and m["diff"]: k.add("reply-diff")
        if "base64" in m["cte"] or "quoted-printable" in m["cte"] or ("charset" in m["ctype"] and "utf-8" not in m["ctype"] and "us-ascii" not in m["ctype"]): k.add("encoding")
        if not m["reply"] and m["diff"] and re.search(r"\bv[2-9]\b", s) and m["root"] != m["mid"]: k.add("v2-in-thread")
    if any(m["diff"] for m in thread) and not any(m["reply"] for m in thread): k.add("lone-patch")
    return k

# How many threads of each kind to take, in this order (a thread counts for every kind it has).
WANT = OrderedDict([("stable", 3), ("syzbot", 3), ("pull", 5), ("lkp", 6), ("review-trailers", 60),
                    ("v2-in-thread", 6), ("reply-diff", 4), ("encoding", 6), ("cover", 12),
                    ("lone-patch", 40)])

def main():
    repo = sys.argv[1]
    threads = defaultdict(list)
    for commit, raw in messages(repo):
        m = info(commit, raw)
        threads[m["root"]].append(m)
    survey = defaultdict(int)
    chosen, taken, size = [], defaultdict(int), 0
    ordered = sorted(threads.values(), key=lambda t: t[-1]["commit"])
    # Small threads first (newest first among equals), so that a few hundred mails fit.
    by_size = sorted(ordered, key=lambda t: (sum(len(m["raw"]) for m in t) // 4000, -ordered.index(t)))
    for kind, want in WANT.items():
        for t in by_size:
            k = kinds(t)
            if kind not in k or t in chosen or taken[kind] >= want:
                continue
            tsize = sum(len(m["raw"]) for m in t)
            if (kind != "stable" and max(len(m["raw"]) for m in t) > MAX_MESSAGE) or len(t) > 40 or size + tsize > BUDGET:
                continue
            chosen.append(t); size += tsize
            for kk in k: taken[kk] += 1
    if "--survey" in sys.argv:
        for t in ordered:
            for kk in kinds(t): survey[kk] += 1
        for t in chosen:
            print(len(t), sum(len(m["raw"]) for m in t), sorted(kinds(t)), t[-1]["subject"][:60])
        print("threads:", len(threads), dict(survey)); print("taken:", dict(taken), "bytes", size,
              "messages", sum(len(t) for t in chosen))
        return
    # Oldest first, as an archive reads.
    log = subprocess.run(["git", "-C", repo, "log", "--format=%H", "-n", str(WINDOW)],
                         check=True, capture_output=True, text=True).stdout.split()
    rank = {c: i for i, c in enumerate(reversed(log))}
    picked = sorted((m for t in chosen for m in t), key=lambda m: rank[m["commit"]])
    with open("kbuild.mbox", "wb") as out, open("commits.txt", "w") as commits:
        for m in picked:
            raw = m["raw"].replace(b"\r\n", b"\n")
            out.write(b"From mboxrd@z Thu Jan  1 00:00:00 1970\n")
            for line in raw.split(b"\n"):
                if re.match(rb">*From ", line):
                    line = b">" + line
                out.write(line + b"\n")
            if not raw.endswith(b"\n"):
                out.write(b"\n")
            out.write(b"\n")
            commits.write(m["commit"] + "\n")
    print("taken:", dict(taken), "bytes", size, "messages", len(picked))

main()
