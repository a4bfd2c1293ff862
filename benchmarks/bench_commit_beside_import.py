"""A session's trial commits beside a large import into the same SQLite file.

A writer commits one trial every 100 ms with the session runner's ITI bound (``wait_s``
= 0.4 s: 80 % of a 500-ms ITI) while another process imports ``--rows`` trials; measured
three ways in the same run: alone (the baseline), beside the chunked import (2,000 rows per
transaction, as ``mirrorlab import`` does), and beside the same import written as one
transaction (how imports worked before). The file is one participant's rows, so the
one-transaction import really is one transaction (imports chunk within each session). Printed: commit latency p50/p99/max, their ratios to
the baseline, and how many trials had to be kept for the next ITI because the lock was held
longer than the bound (a participant's session never stops: it keeps them in memory).

    .venv/bin/python benchmarks/bench_commit_beside_import.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from db.errors import DatabaseBusyError
from db.store import Store

IMPORTER = """
import sys
import db.importer as importer
from db.importer import import_files, mapping_from_options
from db.store import Store
importer.IMPORT_CHUNK_ROWS = int(sys.argv[3])
mapping = mapping_from_options(["participant=subj", "condition=cond", "rt_ms=rt"], ["task=stroop"])
import_files(Store(sys.argv[1]), [sys.argv[2]], mapping, study=sys.argv[4])
"""


def write_data(path: Path, n_rows: int) -> None:
    rng = np.random.default_rng(1)
    with open(path, "w") as handle:
        handle.write("subj,cond,rt\n")
        conditions = rng.choice(["congruent", "incongruent"], n_rows)
        rts = rng.integers(300, 1200, n_rows)
        for i in range(n_rows):
            handle.write(f"S1,{conditions[i]},{rts[i]}\n")   # one participant: one session


def session_commits(url: str, code: str, *, stop_when=None, n_max: int = 600):
    """Commit a trial every 100 ms; returns (latencies ms, trials kept for the next ITI)."""
    store = Store(url)
    session_id = store.start_session(participant_code=code, task="stroop")
    latencies, kept, pending, index = [], 0, [], 0
    while index < n_max and (stop_when is None or not stop_when()):
        pending.append({"task": "stroop", "source": "human", "agent": code, "trial_index": index,
                        "rt_ms": 600.0})
        index += 1
        start = time.perf_counter()
        while pending:
            try:
                store.add_trial(pending[0], session_id=session_id, wait_s=0.4)
                pending.pop(0)
            except DatabaseBusyError:
                kept += 1
                break
        latencies.append((time.perf_counter() - start) * 1000)
        time.sleep(0.1)
        if stop_when is None and index >= 100:
            break
    while pending:
        try:
            store.add_trial(pending.pop(0), session_id=session_id)
        except DatabaseBusyError:
            pass
    store.finish_session(session_id)
    store.dispose()
    return np.array(latencies), kept


def beside_import(url: str, data: Path, chunk_rows: int, code: str):
    script = Path(data).with_name("importer.py")
    script.write_text(IMPORTER)
    process = subprocess.Popen([sys.executable, str(script), url, str(data), str(chunk_rows),
                                f"import-{code}"], stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)            # the import is reading and checking the file, then writing
    result = session_commits(url, code, stop_when=lambda: process.poll() is not None)
    _, err = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"import failed: {err.strip().splitlines()[-1]}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        Store(url).dispose()
        data = Path(folder) / "data.csv"
        write_data(data, args.rows)
        results = {"alone (baseline)": session_commits(url, "ALONE"),
                   "beside chunked import": beside_import(url, data, 2000, "CHUNKED"),
                   "beside one-transaction import": beside_import(url, data, 10 ** 9, "ONE")}
    base = results["alone (baseline)"][0]
    print(f"trial commit latency beside a {args.rows:,}-row import (ms; ratio to alone)")
    print(f"{'':<32}{'p50':>8}{'p99':>9}{'max':>9}{'max ratio':>11}{'kept for next ITI':>19}")
    for name, (latencies, kept) in results.items():
        print(f"{name:<32}{np.percentile(latencies, 50):>8.2f}{np.percentile(latencies, 99):>9.1f}"
              f"{latencies.max():>9.1f}{latencies.max() / base.max():>10.1f}x{kept:>10} of {len(latencies)}")


if __name__ == "__main__":
    main()
