#!/usr/bin/env bash
# Set up Summit Reader in ./.venv on a fresh Debian or Ubuntu machine.
#   scripts/setup.sh         the application
#   scripts/setup.sh test    the application and the test tools
# Installs the system libraries Qt needs (and the DejaVu fonts) with apt-get when they are missing
# (as root, or through sudo), creates the virtual environment and installs the package into it.
set -euo pipefail
cd "$(dirname "$0")/.."

extra=""
if [ "${1:-}" = "test" ]; then extra="[test]"; fi

qt_packages="fonts-dejavu-core libegl1 libgl1 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3 \
libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 \
libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xkb1 libx11-xcb1"

if command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then
  missing=""
  for p in $qt_packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    echo "Installing system packages:$missing"
    if [ "$(id -u)" = "0" ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else sudo="none"; fi
    if [ "$sudo" = "none" ]; then
      echo "warning: cannot install$missing (not root, no sudo); the window may not start." >&2
    else
      export DEBIAN_FRONTEND=noninteractive
      $sudo apt-get update -qq
      $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
    fi
  fi
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".$extra"
echo "Summit Reader is set up in .venv ($(.venv/bin/summit-reader --version))."
