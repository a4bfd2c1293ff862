#!/usr/bin/env bash
# Run every benchmark; each prints ratios against a baseline measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
for bench in benchmarks/bench_*.py; do
  echo "=== $bench"
  .venv/bin/python "$bench"
done
