"""Shared fixtures: real SQLite files, a real PostgreSQL server, a real X server (Xvfb).

The test session starts what it needs itself, so ``pytest`` works the same from ``make test``,
from CI and from a developer's shell:

* PostgreSQL: ``$MIRRORLAB_TEST_PG_URL`` if set, else a private cluster made with Debian's
  ``initdb`` in a temporary folder and started on 127.0.0.1 (as the ``postgres`` user when run as
  root, since PostgreSQL refuses to run as root). Each test gets a fresh database.
* Xvfb: ``$DISPLAY`` if it answers, else a private Xvfb started for the session.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_ROOT.parent / "shared"


def pytest_configure(config):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """The real human datasets (``../shared/data``)."""
    path = SHARED_DIR / "data"
    assert path.is_dir(), f"shared data folder not found at {path}"
    return path


@pytest.fixture()
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'mirrorlab-test.db'}"


# ---------------------------------------------------------------------------- PostgreSQL
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.fail(f"PostgreSQL's {name} not found: install Debian's postgresql package "
                    "(scripts/setup.sh does)")
    return found[-1]


@pytest.fixture(scope="session")
def postgres_server():
    """URL of a PostgreSQL server (without database name) for the whole test session."""
    given = os.environ.get("MIRRORLAB_TEST_PG_URL")
    if given:
        yield given.rstrip("/")
        return
    as_root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="mirrorlab-pg-"))
    data_dir, socket_dir = base / "data", base / "sock"
    socket_dir.mkdir()
    prefix: list[str] = []
    if as_root:
        shutil.chown(base, "postgres")
        shutil.chown(socket_dir, "postgres")
        os.chmod(base, 0o755)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run([*prefix, _postgres_bin("initdb"), "-D", str(data_dir), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8", "--no-locale"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log = base / "server.log"
    if as_root:
        log.touch()
        shutil.chown(log, "postgres")
    subprocess.run([*prefix, _postgres_bin("pg_ctl"), "-D", str(data_dir), "-l", str(log), "-w",
                    "-o", f"-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off",
                    "start"], check=True, stdout=subprocess.DEVNULL)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run([*prefix, _postgres_bin("pg_ctl"), "-D", str(data_dir), "-m", "fast", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture()
def pg_url(postgres_server) -> str:
    """A fresh, empty database on the real PostgreSQL server."""
    import sqlalchemy

    name = f"mirrorlab_test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(f"{postgres_server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    yield f"{postgres_server}/{name}"
    admin = sqlalchemy.create_engine(f"{postgres_server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


# ---------------------------------------------------------------------------- Xvfb
def _display_answers(display: str) -> bool:
    if not display or not shutil.which("xdpyinfo"):
        return False
    result = subprocess.run(["xdpyinfo", "-display", display], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    return result.returncode == 0


@pytest.fixture(scope="session")
def xvfb_display():
    """A running X server; sets ``$DISPLAY`` for the tests that open PsychoPy windows."""
    existing = os.environ.get("DISPLAY", "")
    if _display_answers(existing):
        yield existing
        return
    if not shutil.which("Xvfb"):
        pytest.fail("Xvfb not found: install Debian's xvfb package (scripts/setup.sh does)")
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x1024x24", "-nolisten", "tcp",
         "+extension", "GLX", "+extension", "XTEST"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    number = b""
    deadline = time.monotonic() + 20
    while not number.endswith(b"\n") and time.monotonic() < deadline:
        chunk = os.read(read_fd, 16)
        if not chunk:
            break
        number += chunk
    os.close(read_fd)
    display = f":{number.decode().strip()}"
    os.environ["DISPLAY"] = display
    try:
        yield display
    finally:
        process.terminate()
        process.wait(timeout=10)
        if existing:
            os.environ["DISPLAY"] = existing
