"""Per-trial commit latency: the store (SQLite in WAL mode, one commit per trial) against
rewriting a whole CSV file after every trial (what some experiment tools do to be crash-safe).
The store runs WAL with synchronous=NORMAL (a committed trial survives a killed process; a
power cut may lose the last commits but never corrupts the file); synchronous=FULL, which
fsyncs every commit like the CSV rewrite does, is shown too.

Both are measured in the same run on the same rows; the result is printed as p50/p99 latency
and their ratios. The CSV rewrite grows with the session (O(n) per trial), the commit doesn't.

    .venv/bin/python benchmarks/bench_store_commit.py [--trials 1000]
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from sqlalchemy import event

from db.engine import make_engine
from db.store import Store


def make_row(i: int) -> dict:
    return {"task": "stroop", "instruction": "colour_naming", "item_id": f"red_GREEN_{i % 24}",
            "condition": "incongruent", "word": "GREEN", "ink": "red", "language": "en",
            "expected_response": "red", "response": "red", "correct": True, "rt_ms": 650.0 + i % 100,
            "source": "human", "agent": "P01", "session": 1, "block": 1 + i // 96, "trial_index": i,
            "extras": {"onset_s": 12.5 + i, "dropped_frames": 0, "soa_measured_ms": 0.0}}


def time_store(path: Path, n_trials: int, synchronous: str = "NORMAL") -> np.ndarray:
    engine = make_engine(f"sqlite:///{path}")
    event.listen(engine, "connect",
                 lambda connection, _: connection.execute(f"PRAGMA synchronous={synchronous}"))
    store = Store(engine=engine)
    session_id = store.start_session(participant_code="P01", task="stroop")
    latencies = np.empty(n_trials)
    for i in range(n_trials):
        start = time.perf_counter()
        store.add_trial(make_row(i), session_id=session_id)
        latencies[i] = time.perf_counter() - start
    store.dispose()
    return latencies * 1000


def time_csv_rewrite(path: Path, n_trials: int) -> np.ndarray:
    rows: list[dict] = []
    latencies = np.empty(n_trials)
    for i in range(n_trials):
        rows.append(make_row(i))
        start = time.perf_counter()
        temporary = path.with_suffix(".tmp")
        with open(temporary, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        latencies[i] = time.perf_counter() - start
    return latencies * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store_ms = time_store(Path(folder) / "bench.db", args.trials)
        full_ms = time_store(Path(folder) / "bench-full.db", args.trials, synchronous="FULL")
        csv_ms = time_csv_rewrite(Path(folder) / "bench.csv", args.trials)
    print(f"per-trial commit latency over {args.trials} trials (ms)")
    print(f"{'method':<34}{'p50':>9}{'p99':>9}{'last 10%':>10}")
    for name, values in (("SQLite WAL, one commit per trial", store_ms),
                         ("  same, synchronous=FULL (fsync)", full_ms),
                         ("rewrite whole CSV per trial", csv_ms)):
        tail = values[-max(1, len(values) // 10):]
        print(f"{name:<34}{np.percentile(values, 50):>9.3f}{np.percentile(values, 99):>9.3f}"
              f"{np.median(tail):>10.3f}")
    print(f"ratio CSV rewrite / SQLite: p50 {np.percentile(csv_ms, 50) / np.percentile(store_ms, 50):.2f}x, "
          f"p99 {np.percentile(csv_ms, 99) / np.percentile(store_ms, 99):.2f}x, "
          f"last 10% {np.median(csv_ms[-len(csv_ms)//10:]) / np.median(store_ms[-len(store_ms)//10:]):.2f}x")


if __name__ == "__main__":
    main()
