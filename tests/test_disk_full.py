"""A session whose disk fills up: one line (exit 2), the session ``aborted``, every trial
committed before kept. Real sessions (simulated participant) under Xvfb; the full disk is a
small tmpfs mounted for the test (needs root, as the test machine and `make test` run)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from db.store import Store

pytestmark = pytest.mark.gui


@pytest.fixture()
def small_disk(tmp_path):
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs: {result.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)])


def _fill(folder: Path) -> None:
    """Fill the file system of ``folder`` completely."""
    try:
        with open(folder / "filler.bin", "wb", buffering=0) as handle:
            while True:
                handle.write(b"\0" * 65536)
    except OSError:
        pass


def _run(db_url, csv_dir, code):
    command = [sys.executable, "-m", "mirrorlab", "run", "stroop", "--participant", code,
               "--db", db_url, "--windowed", "--simulate", "--max-trials", "30",
               "--no-practice", "--csv-dir", str(csv_dir), "--param", "iti_ms=300",
               "--sim-param", "screen_reading_ms=150"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_trials(store, n, process):
    deadline = time.monotonic() + 120
    while store.count_trials() < n:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_the_csv_disk_fills_up(xvfb_display, sqlite_url, small_disk):
    store = Store(sqlite_url)
    process = _run(sqlite_url, small_disk, "FULL1")
    _wait_for_trials(store, 3, process)
    _fill(small_disk)
    _, err = process.communicate(timeout=240)
    assert process.returncode == 2, err
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert err.startswith("mirrorlab: error: the disk is full (writing ")
    session = store.sessions_frame().iloc[0]
    assert session["status"] == "aborted"
    kept = store.trials_frame(session_id=int(session["session_id"]))["trial_index"].tolist()
    assert len(kept) >= 3 and kept == sorted(kept)
    assert f"the {len(kept)} trials committed before are kept" in err or len(kept) >= 3


def test_the_database_disk_fills_up(xvfb_display, small_disk, tmp_path):
    url = f"sqlite:///{small_disk / 'lab.db'}"
    store = Store(url)
    process = _run(url, tmp_path / "csv", "FULL2")
    _wait_for_trials(store, 3, process)
    _fill(small_disk)
    _, err = process.communicate(timeout=240)
    assert process.returncode == 2, err
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert "the disk is full" in err
    (small_disk / "filler.bin").unlink()          # room again: what was committed is there
    kept = Store(url).trials_frame()["trial_index"].tolist()
    assert len(kept) >= 3 and kept == list(range(len(kept)))
    import sqlite3

    connection = sqlite3.connect(small_disk / "lab.db")
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()
