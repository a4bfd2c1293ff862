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
import uuid
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def bundled_data_dir() -> Path:
    """The real human datasets bundled with the package (``db/datasets``)."""
    from db.importer import bundled_data_dir as bundled

    return bundled()


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
@pytest.fixture(scope="session")
def xvfb_display():
    """A running X server; sets ``$DISPLAY`` for the tests that open PsychoPy windows."""
    from mirrorlab.virtual_display import virtual_display_if_needed

    with virtual_display_if_needed() as display:
        if display is None:
            pytest.fail("no X display and no Xvfb: install Debian's xvfb package (scripts/setup.sh does)")
        yield display
