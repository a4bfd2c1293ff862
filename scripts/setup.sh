#!/usr/bin/env bash
# Set up mirrorlab on a fresh Debian machine: system packages, then a virtual
# environment in .venv with torch (CPU build, pinned) first and mirrorlab after.
# Safe to run again: each step is skipped when it is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  # PsychoPy under a virtual screen (Xvfb) with a working ptb keyboard
  xvfb xauth x11-utils libgl1-mesa-dri libglu1-mesa libegl1 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-randr0 libxcb-shape0 libxcb-xkb1 libjack-jackd2-0 libportaudio2 fontconfig
  # Japanese text, pictures (SVG -> PNG) and speech for the voice-key tests
  fonts-noto-cjk fonts-dejavu-core libcairo2 espeak-ng sox
  # the PostgreSQL server the store tests start, and Chromium for the report tests
  postgresql chromium
)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=.venv/.mirrorlab-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  # torch first, pinned: this CPU build lies on the machine's disk; any other
  # version (or an unpinned dependency on torch) would download a CUDA build.
  .venv/bin/pip install -q torch==2.13.0
  # compat mode: the repository root goes on sys.path, so every top-level package is found
  .venv/bin/pip install -q -e ".[dev]" --config-settings editable_mode=compat
  .venv/bin/pip check
  touch "$stamp"
fi

# jsPsych 8 and its plugins for `mirrorlab serve`, pinned by package-lock.json, into the
# gitignored experiments/online/node_modules (served as static files; never from a CDN)
if ! command -v npm >/dev/null 2>&1; then   # Node.js may come from elsewhere (NodeSource)
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
fi
if [ ! -f experiments/online/node_modules/.package-lock.json ] || \
   [ experiments/online/package-lock.json -nt experiments/online/node_modules/.package-lock.json ]; then
  (cd experiments/online && npm ci --ignore-scripts --no-audit --no-fund --silent)
fi
