#!/usr/bin/env bash
# Idempotent machine setup for MineSAR development, tests and CI (Debian 12).
# Installs QGIS 3.22 and the scientific stack from Debian's packages.
set -euo pipefail
PKGS=(qgis python3-qgis qgis-providers qgis-plugin-grass- gdal-bin python3-gdal
      python3-numba python3-scipy python3-pyproj python3-pytest python3-matplotlib
      xvfb xauth imagemagick qttools5-dev-tools pyqt5-dev-tools gfortran python3-venv
      fonts-wqy-microhei)
missing=()
for p in "${PKGS[@]}"; do
  case "$p" in *-) continue;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# compile translations (lrelease from qttools5-dev-tools)
HERE="$(cd "$(dirname "$0")/.." && pwd)"
if [ -f "$HERE/i18n/build.py" ]; then /usr/bin/python3 "$HERE/i18n/build.py"; fi
echo "setup: ok"
