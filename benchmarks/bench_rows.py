"""Building a model run's shared trial rows (db/rows.py): the bulk path that checks each
trial's stimulus columns once and each agent's answers once (``trial_row`` per trial +
``with_answer`` per row, what ``models.base.Model.shared_rows`` does) against the baseline of
the same run, ``trial_row`` on every row. Same rows either way (checked); the ratio is printed.

    .venv/bin/python benchmarks/bench_rows.py [--agents 20] [--repeats 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from db.rows import split_trial_fields, trial_row, with_answer
from stimuli import load_set


def best_time(function, repeats: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    trials = load_set("picture-word-en").trial_list(seed=1, instruction="picture_naming",
                                                    include_practice=False)
    records = [split_trial_fields(r)[0] for r in trials.to_dict("records")]
    rng = np.random.default_rng(0)
    n_rows = len(records) * args.agents
    rt_ms = (600 + 100 * rng.random(n_rows)).tolist()
    extras = [{"retrieval_ms": float(r - 550), "rt_mode": "sample"} for r in rt_ms]
    responses = [records[i % len(records)]["picture"] for i in range(n_rows)]

    def every_row():
        return [trial_row(records[i % len(records)], response=responses[i], correct=True,
                          rt_ms=rt_ms[i], source="model:weaver",
                          agent=f"sim-{i // len(records) + 1:03d}", extras=extras[i])
                for i in range(n_rows)]

    def bulk():
        stimuli = [trial_row(r, source="model:weaver", agent="sim-001") for r in records]
        return [with_answer(stimuli[i % len(records)], agent=f"sim-{i // len(records) + 1:03d}",
                            response=responses[i], correct=True, rt_ms=rt_ms[i],
                            extras=extras[i])
                for i in range(n_rows)]

    baseline_s, expected = best_time(every_row, args.repeats)
    bulk_s, rows = best_time(bulk, args.repeats)
    assert rows == expected, "the bulk path must build the same rows"
    print(f"{n_rows} rows ({len(records)} trials × {args.agents} agents)")
    print(f"  trial_row on every row (baseline): {baseline_s * 1e6 / n_rows:.1f} µs/row")
    print(f"  trial_row per trial + with_answer per row: {bulk_s * 1e6 / n_rows:.1f} µs/row")
    print(f"  ratio: bulk path {baseline_s / bulk_s:.2f}× faster than the baseline")


if __name__ == "__main__":
    main()
