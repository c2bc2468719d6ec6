#!/bin/sh
# runtime-lock.sh LOCK DEV_ONLY: LOCK without the packages named in DEV_ONLY (one per line, #
# comments), for the image. A requirement's continuation lines (--hash=... \) go with it.
set -eu
names="$(grep -v '^#' "$2" | grep -v '^$' | tr 'A-Z_' 'a-z-' | paste -sd' ' -)"
awk -v names="$names" '
  BEGIN { n = split(names, list, " "); for (i = 1; i <= n; i++) drop[list[i]] = 1 }
  skipping { if ($0 !~ /\\$/) skipping = 0; next }
  /^[A-Za-z0-9]/ {
    name = tolower($0); sub(/[=<>!~ ;\[\\].*/, "", name); gsub(/_/, "-", name)
    if (name in drop) { if ($0 ~ /\\$/) skipping = 1; next }
  }
  { print }
' "$1"
