#!/usr/bin/env bash
# Peer tools for the benchmarks, in virtual environments beside this script
# (never in the plugin's runtime, which is Debian's /usr/bin/python3):
#   bench/.venv-peers    mintpy, snaphu, whirlwind-insar, okada-wrapper (numpy 2)
#   bench/.venv-pyrocko  pyrocko (pins numpy < 2)
# Uses a non-Debian python3 with pip/venv (pyenv on the dev machines) if found,
# else Debian's python3 with python3-venv. Idempotent.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PY="${BENCH_PYTHON:-}"
if [ -z "$PY" ]; then
  for c in $(which -a python3 2>/dev/null); do
    if [ "$c" != "/usr/bin/python3" ]; then PY="$c"; break; fi
  done
fi
PY="${PY:-/usr/bin/python3}"
mk() { # name, packages...
  local d="$HERE/$1"; shift
  if [ ! -x "$d/bin/python" ]; then "$PY" -m venv "$d"; fi
  if [ ! -f "$d/.ok" ]; then
    "$d/bin/pip" install -q --upgrade pip wheel setuptools
    "$d/bin/pip" install -q "$@"
    touch "$d/.ok"
  fi
}
case "${1:-all}" in
  peers|all) mk .venv-peers "numpy>=2" scipy h5py mintpy snaphu whirlwind-insar ;;&
  okada|all) mk .venv-peers "numpy>=2" meson ninja && { [ -f "$HERE/.venv-peers/.okada" ] || { "$HERE/.venv-peers/bin/pip" install -q --no-build-isolation okada-wrapper || "$HERE/.venv-peers/bin/pip" install -q okada-wrapper; touch "$HERE/.venv-peers/.okada"; }; } ;;&
  pyrocko|all) mk .venv-pyrocko "numpy<2" pyrocko ;;
esac
echo "bench venvs ready"
