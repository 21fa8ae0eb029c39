#!/usr/bin/env bash
# Prints, for each commit id read on standard input, the id and then its trailers as
# `git interpret-trailers --parse` prints them: the oracle for provgate's trailer parsing.
# usage: git rev-list ... | bench/trailers-oracle.sh REPO
set -euo pipefail
repo=$1
while read -r sha; do
  echo "$sha"
  git -C "$repo" log -1 --format=%B "$sha" | git -C "$repo" interpret-trailers --parse
done
