#!/usr/bin/env bash
# MineSAR developer entry point.
#   ./dev.sh demo [OUT_DIR]   simulate a mining stack and run it through the whole chain
#   ./dev.sh test [pytest args]   run every test (what CI runs)
#   ./dev.sh bench            run the benchmarks against peer tools (sets up bench/.venv*)
# Each command first runs scripts/setup.sh (idempotent: installs Debian packages once).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
cmd="${1:-help}"; shift || true
bash "$HERE/scripts/setup.sh" >/dev/null
export QT_QPA_PLATFORM=offscreen
case "$cmd" in
  demo)  exec /usr/bin/python3 "$HERE/scripts/demo.py" "${@:-$HERE/demo_out}" ;;
  test)  cd "$HERE" && exec /usr/bin/python3 -m pytest -q -p no:cacheprovider tests "$@" ;;
  bench) exec bash "$HERE/bench/run_all.sh" "$@" ;;
  *) echo "usage: ./dev.sh demo [OUT_DIR] | test [pytest args] | bench"; exit 2 ;;
esac
