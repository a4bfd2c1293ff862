#!/usr/bin/env bash
# Run the whole test suite. The tests start the services they use themselves
# (tests/conftest.py): a private PostgreSQL server from Debian's postgresql package on
# 127.0.0.1, and Xvfb for the PsychoPy windows. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
export MIRRORLAB_CACHE="${MIRRORLAB_CACHE:-$PWD/.cache}"
exec .venv/bin/python -m pytest -q -p no:cacheprovider --timeout=900 "$@"
