#!/usr/bin/env sh
# How we write commit messages (docs/architecture.md, "Commits"): a subject of at most 72
# characters that names the change, then a blank line, then the why, the figures and "fails
# without it" in the body.
#   scripts/commit-message.sh FILE          check one message (the commit-msg hook: .githooks/)
#   scripts/commit-message.sh --history     check every commit since this rule came in (lint)
set -eu
MAX=72
# characters, not bytes: a subject with an em dash is not longer for it
export LC_ALL=C.UTF-8

check() { # <label> <file>: prints what is wrong, returns 1 when something is
  # git drops comment lines from a message; so do we
  text="$(grep -v '^#' "$2" || true)"
  subject="$(printf '%s\n' "$text" | sed -n 1p)"
  second="$(printf '%s\n' "$text" | sed -n 2p)"
  bad=0
  if [ -z "$(printf '%s' "$subject" | tr -d '[:space:]')" ]; then
    echo "$1: the subject line is empty" >&2
    bad=1
  fi
  length=$(printf '%s' "$subject" | wc -m | tr -d ' ')
  if [ "$length" -gt "$MAX" ]; then
    echo "$1: the subject is $length characters (at most $MAX): \"$subject\"" >&2
    echo "  name the change in the subject; the why and the figures go in the body" >&2
    bad=1
  fi
  if [ -n "$second" ]; then
    echo "$1: the line after the subject must be blank (the body starts on the third line)" >&2
    bad=1
  fi
  return $bad
}

if [ "${1:-}" = "--history" ]; then
  cd "$(dirname "$0")/.."
  # the commit that brought this rule in: commits from it on are checked
  since="$(git log --format=%H --diff-filter=A -- scripts/commit-message.sh 2>/dev/null | tail -n 1)"
  if [ -z "$since" ]; then
    echo "commit messages: the rule's first commit is not in this clone's history (shallow?); not checked" >&2
    exit 0
  fi
  failed=0
  tmp="$(mktemp)"
  for sha in $(git rev-list --no-merges "$since^!" HEAD 2>/dev/null || git rev-list --no-merges HEAD); do
    git log -1 --format=%B "$sha" > "$tmp"
    check "commit $(git log -1 --format=%h "$sha")" "$tmp" || failed=1
  done
  rm -f "$tmp"
  exit $failed
fi

[ $# -eq 1 ] || { echo "usage: $0 FILE | --history" >&2; exit 2; }
check "commit message" "$1"
