#!/bin/sh
# Rejects unbounded string calls in src/ (see docs/style: bounded buffers only).
set -u
bad=$(grep -rnE '\b(sprintf|vsprintf|strcpy|strcat|strncpy|strtok|gets)[[:space:]]*\(' src --include='*.c' --include='*.h' || true)
if [ -n "$bad" ]; then
  echo "lint: unbounded string calls are not allowed:" >&2
  echo "$bad" >&2
  exit 1
fi
echo "lint: ok"
