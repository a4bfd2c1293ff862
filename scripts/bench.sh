#!/usr/bin/env bash
# Run every benchmark; each prints ratios against a baseline measured in the same run.
# The frame-loop benchmark opens a PsychoPy window: without a screen it runs under xvfb-run.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
for bench in benchmarks/bench_*.py; do
  echo "=== $bench"
  if [ "$bench" = benchmarks/bench_frame_loop.py ] && [ -z "${DISPLAY:-}" ]; then
    xvfb-run -a -s "-screen 0 1280x1024x24 +extension GLX" .venv/bin/python "$bench"
  else
    .venv/bin/python "$bench"
  fi
done
