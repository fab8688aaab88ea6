#!/usr/bin/env bash
# Run every MineSAR benchmark and print its table against the peer tool.
# Peer tools live in bench/.venv-peers and bench/.venv-pyrocko (bench/setup_venvs.sh).
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
bash "$HERE/setup_venvs.sh" all >/dev/null
export QT_QPA_PLATFORM=offscreen
status=0
for b in "$HERE"/bench_*.py; do
  [ -e "$b" ] || continue
  echo "=== $(basename "$b")"
  /usr/bin/python3 "$b" "$@" || { echo "!!! $(basename "$b") failed"; status=1; }
done
exit $status
