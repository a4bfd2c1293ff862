"""Held-out model comparison on Dask: wall time with 1 vs 2 local workers (ratio), and
through a separately started scheduler (``dask scheduler`` + ``dask worker`` processes) —
ratios within this run, never absolute times as a pass mark.

The per-participant fits and k-fold held-out comparison of the Stroop models on Pratte et al.
(2010), imported into a fresh SQLite file for each configuration (so nothing is reused from an
earlier one). The three runs must give identical numbers (same seed); the script says so.

    .venv/bin/python benchmarks/bench_model_comparison.py                       # 38 participants, 5 folds
    .venv/bin/python benchmarks/bench_model_comparison.py --participants 4 --folds 2
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

#: The Stroop models with a likelihood (the Stroop CNN with ``--models`` if wanted: it
#: trains for minutes first) and the two yardsticks the process models are read against.
DEFAULT_MODELS = "cohen1990,cohen-huston1994,weaver,dummy-conditions,exgauss-conditions"


def _copy(db: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{db}{suffix}").exists():
            shutil.copy(f"{db}{suffix}", f"{target}{suffix}")
    return target


def _scheduler(folder: Path, n_workers: int):
    dask = os.path.join(os.path.dirname(sys.executable), "dask")
    scheduler_file = folder / "scheduler.json"
    processes = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                                   "--no-dashboard", "--scheduler-file", str(scheduler_file)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    while not (scheduler_file.exists() and scheduler_file.stat().st_size):
        time.sleep(0.1)
    processes.append(subprocess.Popen([dask, "worker", "--scheduler-file", str(scheduler_file),
                                       "--nworkers", str(n_workers), "--nthreads", "1",
                                       "--no-dashboard"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    from distributed import Client

    address = json.loads(scheduler_file.read_text())["address"]
    with Client(address) as client:
        client.wait_for_workers(n_workers, timeout=120)
    return processes, address


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=38)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--models", default=DEFAULT_MODELS)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from db.importer import import_dataset
    from db.store import Store
    from mirrorlab.model_comparison import ComparisonOptions, run_model_comparison

    folder = Path(tempfile.mkdtemp(prefix="bench-model-comparison-"))
    base = folder / "pratte.db"
    store = Store(f"sqlite:///{base}")
    import_dataset(store, "pratte2010")
    codes = sorted(store.trials_frame(task="stroop", source="human")["agent"].astype(str).unique())
    options = ComparisonOptions(task="stroop", models=args.models.split(","), n_folds=args.folds,
                                seed=args.seed, participants=codes[:args.participants])
    n_fits = len(options.models) * len(options.participants) * (args.folds + 1)
    print(f"{len(options.participants)} participants × {len(options.models)} models × "
          f"({args.folds} folds + 1 full-data fit) = {n_fits} fits")
    timings, summaries = {}, {}

    def timed(label, **where):
        db = _copy(base, folder / f"{label.replace(' ', '-')}.db")
        started = time.perf_counter()
        result = run_model_comparison(Store(f"sqlite:///{db}"), options, progress=False, **where)
        timings[label] = time.perf_counter() - started
        summaries[label] = result.summary
        print(f"{label}: {timings[label]:.1f} s", flush=True)

    timed("1 local worker", workers=1)
    timed("2 local workers", workers=2)
    processes, address = _scheduler(folder, 2)
    try:
        timed("separate scheduler, 2 workers", scheduler=address)
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
    one = timings["1 local worker"]
    for label, seconds in timings.items():
        print(f"  {label}: {one / seconds:.2f}× the speed of 1 local worker")
    reference = summaries["1 local worker"]
    identical = all(frame.equals(reference) for frame in summaries.values())
    print(f"identical numbers in all three runs: {identical}")
    print(reference.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
