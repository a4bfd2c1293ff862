"""Alembic migrations: they build exactly the schema of db/schema.py, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from db.engine import make_engine
from db.errors import StoreError
from db.migrate import current_revision, head_revision
from db.schema import Base
from db.store import Store


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_upgrade_builds_the_schema_of_the_models(backend, tmp_path, request):
    url = f"sqlite:///{tmp_path / 'm.db'}" if backend == "sqlite" else request.getfixturevalue("pg_url")
    result = subprocess.run([sys.executable, "-m", "mirrorlab", "db", "upgrade", "--db", url],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"upgraded from empty to {head_revision()}" in result.stdout
    engine = make_engine(url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == [], "db/schema.py changed without a migration: " + repr(differences)
    again = subprocess.run([sys.executable, "-m", "mirrorlab", "db", "upgrade", "--db", url],
                           capture_output=True, text=True, timeout=120)
    assert "already at revision" in again.stdout


def test_a_database_at_another_revision_is_not_changed_silently(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = Store(url)
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    with pytest.raises(StoreError, match="revision 0001, this mirrorlab needs .*mirrorlab db upgrade"):
        Store(url)
    assert current_revision(make_engine(url)) == "0001"


def test_demographics_are_kept_apart_from_trials(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'd.db'}")
    store.set_demographics("P01", age_years=23, handedness="right", native_language="ja")
    session_id = store.start_session(participant_code="P01", task="stroop")
    store.add_trial({"task": "stroop", "source": "human", "agent": "P01"}, session_id=session_id)
    frame = store.trials_frame()
    assert not {"age_years", "handedness", "native_language"} & set(frame.columns)
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT age_years FROM demographics")).scalar() == 23
    with pytest.raises(StoreError, match="unknown demographic field"):
        store.set_demographics("P01", name="Alice")
