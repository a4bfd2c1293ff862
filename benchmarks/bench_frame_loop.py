"""Frame-loop time per frame with trial storage on versus off, and commit time per trial.

The session runner commits each trial in the inter-trial interval, never inside the frame
loop, so storing trials must add nothing to the time a frame takes. This runs one real
PsychoPy window (Xvfb is started when there is no display) and the real runner's trial code
(``SessionRunner.run_one``: preload, frame loop, store, CSV, ITI) over Stroop trials answered
by a scripted participant through XTEST (a key 400 ms after each onset). Trials alternate in
blocks between a real store (an SQLite file, or ``--db URL``) and a null store that drops the
rows, so drift in machine load falls on both. Printed: mean frame-loop time per frame in each
condition and their ratio (on / off, 1.00 = storage adds nothing), the frame-time
percentiles, and the commit time per trial (p50 / p99) measured around ``store.add_trial``.

    .venv/bin/python benchmarks/bench_frame_loop.py [--trials 40] [--db URL]

Under Xvfb there is no vsync: a "frame" is as long as drawing and swapping take, so the
absolute frame times say little about a lab display; the on/off ratio is the result.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402


class NullStore:
    """Accepts trials and keeps nothing (the 'storage off' condition)."""

    def add_trial(self, row, *, session_id=None, model_run_id=None):
        return 0

    def update_session(self, *args, **kwargs):
        pass

    def finish_session(self, *args, **kwargs):
        pass


def ensure_display() -> subprocess.Popen | None:
    if os.environ.get("DISPLAY") and subprocess.run(
            ["xdpyinfo"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
        return None
    if not shutil.which("Xvfb"):
        sys.exit("no X display and no Xvfb: install Debian's xvfb")
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0",
                                "1280x1024x24", "-nolisten", "tcp", "+extension", "GLX",
                                "+extension", "XTEST"], pass_fds=(write_fd,),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    number = b""
    while not number.endswith(b"\n"):
        chunk = os.read(read_fd, 16)
        if not chunk:
            break
        number += chunk
    os.close(read_fd)
    os.environ["DISPLAY"] = f":{number.decode().strip()}"
    return process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=40, help="trials in all (default 40)")
    parser.add_argument("--block", type=int, default=5, help="trials per on/off block")
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    xvfb = ensure_display()
    folder = Path(tempfile.mkdtemp(prefix="mirrorlab-bench-frames-"))
    status = 0
    try:
        run(args, folder)
    except BaseException:  # noqa: BLE001 - reported, then the exit status says it failed
        traceback.print_exc()
        status = 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if xvfb is not None:
        # psychtoolbox keeps an X connection whose loss ends the process with Xlib's error
        # message: flush and leave first, then stop the server
        sys.stdout.flush()
        sys.stderr.flush()
        xvfb.terminate()
        os._exit(status)
    sys.exit(status)


def run(args, folder: Path) -> None:
    from db.store import Store
    from experiments.runner import SessionRunner
    from experiments.session_plan import SessionPlan, trial_records
    from experiments.parameters import resolve_parameters
    from experiments.simulated import ScriptedParticipant
    from experiments.tasks import task_class
    from stimuli import load_set

    task_cls = task_class("stroop")
    stimulus_set = load_set("stroop-en")
    trials = trial_records(stimulus_set.trial_list(seed=1, include_practice=False)
                           .iloc[:args.trials])
    params = resolve_parameters(task_cls.parameters(),
                                {"fixation_ms": 200, "iti_ms": 150}, task="stroop")
    store = Store(args.db or f"sqlite:///{folder / 'bench.db'}")
    session_id = store.start_session(participant_code=f"BENCH-{time.time_ns()}", task="stroop",
                                     trial_list=trials, parameters={"task": params})
    plan = SessionPlan(task="stroop", participant="BENCH", session_number=1,
                       session_id=session_id, language="en", instruction="colour_naming",
                       response_mode="keyboard", params=params, seed=1, trials=trials,
                       to_run=trials, stimulus_set=stimulus_set, stimulus_set_name="stroop-en",
                       csv_path=folder / "bench.csv", resumed=False, n_main_total=len(trials))
    key_map = params["key_map"]
    agent = ScriptedParticipant(script=lambda t: (key_map[t["expected_response"]], 400.0))
    runner = SessionRunner(plan, store=store, task_cls=task_cls, agent=agent, windowed=True)
    frame_ms = {"on": [], "off": []}
    commit_ms: list[float] = []
    null_store = NullStore()
    runner._open()
    try:
        for index, trial in enumerate(trials):
            storage_on = (index // args.block) % 2 == 0
            runner.store = store if storage_on else null_store
            commits_before = len(runner.commit_times_ms)
            captured = {}
            original = runner._trial_row

            def capture_row(*a, **k):
                row = original(*a, **k)
                captured["row"] = row
                return row

            runner._trial_row = capture_row
            runner.run_one(trial)
            runner._trial_row = original
            extras = captured["row"]["extras"]
            frame_ms["on" if storage_on else "off"].append(extras["mean_frame_ms"])
            if storage_on:
                commit_ms.extend(runner.commit_times_ms[commits_before:])
    finally:
        runner.store = store
        store.finish_session(session_id, "completed")
        runner._close()

    on, off = np.array(frame_ms["on"]), np.array(frame_ms["off"])
    stored = store.count_trials(session_id=session_id)
    print(f"frame loop, Stroop, {len(trials)} trials ({len(on)} storage on, {len(off)} off), "
          f"frame period measured {runner.frame_period_s * 1000:.2f} ms")
    print(f"  mean frame time, storage on : {on.mean():.3f} ms (median {np.median(on):.3f})")
    print(f"  mean frame time, storage off: {off.mean():.3f} ms (median {np.median(off):.3f})")
    print(f"  ratio on/off: {on.mean() / off.mean():.3f} (1.00 = storage adds nothing to a frame)")
    commits = np.array(commit_ms)
    print(f"commit per trial ({store.url.split(':')[0]}, {stored} trials stored): "
          f"p50 {np.percentile(commits, 50):.2f} ms, p99 {np.percentile(commits, 99):.2f} ms, "
          f"max {commits.max():.2f} ms (inside the {params['iti_ms']:.0f}-ms ITI)")


if __name__ == "__main__":
    main()
