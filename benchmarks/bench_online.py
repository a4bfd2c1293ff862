"""Online sessions: trials per second a `mirrorlab serve` process commits with 50 participants
posting at once, and the latency from POST to the committed answer, on SQLite (WAL) and on
PostgreSQL. Baseline in the same run: the same rows written by ``Store.add_trial`` in one
process without HTTP (what a lab session does), so the ratio says what the web layer costs.

Each participant posts its next trial when the last one is committed (as the page does);
all 50 participants at once, on loopback. PostgreSQL is a private server started here from
Debian's postgresql package (or ``--pg URL`` of an existing empty database).

    .venv/bin/python benchmarks/bench_online.py [--participants 50] [--trials 40] [--pg URL]
"""

from __future__ import annotations

import argparse
import glob
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from db.store import Store  # noqa: E402
from online_helpers import Server, make_links, post_trials_concurrently  # noqa: E402


@contextmanager
def private_postgres():
    def binary(name):
        found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
        if not found:
            raise SystemExit(f"PostgreSQL's {name} not found (apt-get install postgresql)")
        return found[-1]

    base = Path(tempfile.mkdtemp(prefix="mirrorlab-bench-pg-"))
    prefix = []
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        os.chmod(base, 0o755)
        prefix = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data, log = base / "data", base / "log"
    subprocess.run([*prefix, binary("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                    "-E", "UTF8", "--no-locale"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    subprocess.run([*prefix, binary("pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o",
                    f"-p {port} -k {base} -c listen_addresses=127.0.0.1", "start"], check=True,
                   stdout=subprocess.DEVNULL)
    try:
        subprocess.run([*prefix, "psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                        "-c", "CREATE DATABASE bench"], check=True, stdout=subprocess.DEVNULL)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/bench"
    finally:
        subprocess.run([*prefix, binary("pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(base, ignore_errors=True)


def direct_baseline(url: str, n_participants: int, n_trials: int) -> float:
    """Trials/s of ``Store.add_trial`` in one process (one commit per trial, no HTTP)."""
    store = Store(url)
    rng = random.Random(1)
    sessions = [store.start_session(participant_code=f"B-{i:03d}", task="stroop", study="baseline")
                for i in range(n_participants)]
    rows = [(sid, {"task": "stroop", "trial_index": t, "source": "simulated", "agent": f"B-{i}",
                   "rt_ms": rng.uniform(400, 900), "extras": {"source_mode": "baseline"}})
            for t in range(n_trials) for i, sid in enumerate(sessions)]
    start = time.perf_counter()
    for sid, row in rows:
        store.add_trial(row, session_id=sid)
    return len(rows) / (time.perf_counter() - start)


def measure(name: str, url: str, n_participants: int, n_trials: int) -> dict:
    links = make_links(url, "--study", "bench", "--n", str(n_participants), "--task", "stroop",
                       "--max-trials", str(n_trials), "--no-practice", "--simulated")
    server = Server(url, extra_args=["--rate", "1000"]).start()
    try:
        result = post_trials_concurrently(server.base, [l["token"] for l in links],
                                          trials_per_participant=n_trials,
                                          max_in_flight=n_participants, one_at_a_time=True)
    finally:
        server.stop()
    stored = Store(url).count_trials(source="simulated")
    assert stored == n_participants * n_trials, (stored, n_participants * n_trials)
    assert set(result["statuses"]) == {200}
    result["baseline_trials_per_s"] = direct_baseline(url, n_participants, n_trials)
    result["name"] = name
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=50)
    parser.add_argument("--trials", type=int, default=40, help="trials per participant")
    parser.add_argument("--pg", metavar="URL", help="an empty PostgreSQL database (default: a private server)")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(measure("SQLite (WAL)", f"sqlite:///{folder}/bench.db", args.participants,
                               args.trials))
    if args.pg:
        results.append(measure("PostgreSQL", args.pg, args.participants, args.trials))
    else:
        with private_postgres() as url:
            results.append(measure("PostgreSQL", url, args.participants, args.trials))
    print(f"{args.participants} participants × {args.trials} trials, each posting its next trial "
          f"when the last is committed (cores: {os.cpu_count()}, load {os.getloadavg()[0]:.1f})")
    print(f"{'database':<14} {'trials/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
          f"{'direct/s':>9} {'served/direct':>14}")
    for r in results:
        print(f"{r['name']:<14} {r['trials_per_s']:9.1f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} "
              f"{r['max_ms']:8.1f} {r['baseline_trials_per_s']:9.1f} "
              f"{r['trials_per_s'] / r['baseline_trials_per_s']:14.2f}")


if __name__ == "__main__":
    main()
