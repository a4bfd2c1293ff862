"""The trial store: the one place where people's and models' trials are written and read.

Writes are small transactions: ``add_trial`` commits one trial and returns only after the
database has it, so a crash or a killed process loses at most the trial in progress. Bulk
writers (model runs, imports) use ``add_trials``, which commits in chunks inside a single
model run or session.

Reading gives pandas data frames with the columns of ``db.schema.TRIAL_COLUMNS`` plus
provenance columns (``session_id``, ``model_run_id``, ``trial_id``), with experimenter
reviews applied unless asked otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import sessionmaker

from db.engine import make_engine
from db.errors import SessionExistsError, StoreError
from db.migrate import ensure_current
from db.rows import TrialRow, trial_row
from db.schema import (
    TRIAL_COLUMNS,
    Demographics,
    EmbeddingCache,
    ItemCovariate,
    ModelRun,
    Participant,
    Session,
    Study,
    Trial,
    TrialReview,
    utc_now,
)

DEFAULT_STUDY = "default"


def json_safe(value: Any) -> Any:
    """Convert numpy / pandas scalars and NaN (also inside dicts and lists) to plain Python
    values that the database and JSON columns accept."""
    if value is None:
        return None
    if isinstance(value, (np.generic,)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value.__class__.__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, Mapping):       # dicts, and mapping types such as a fit report
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [json_safe(v) for v in value]
    return value


def trial_from_row(row: Mapping[str, Any] | TrialRow, **links: Any) -> Trial:
    """A ``Trial`` from a row built by (or acceptable to) ``db.rows.trial_row``: unknown keys
    are an error (``TrialRowError``), never moved into extras."""
    return Trial(**trial_row(row).as_dict(), **links)


def trial_values(row: Mapping[str, Any], **links: Any) -> dict[str, Any]:
    """A shared-row mapping as the column values of one ``trials`` insert (bulk writers)."""
    trial = trial_from_row(row, **links)
    return {c.key: getattr(trial, c.key) for c in Trial.__table__.columns if c.key != "id"}


class Store:
    """A handle on one mirrorlab database (see ``db.engine`` for how the URL is chosen)."""

    def __init__(self, url: str | None = None, *, engine: Engine | None = None, migrate: bool = True):
        self.engine = engine or make_engine(url)
        if migrate:
            ensure_current(self.engine)
        self._sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite: writes begin with BEGIN IMMEDIATE (see db.engine); ignored elsewhere.
        self._write_sessionmaker = sessionmaker(
            self.engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def orm(self, write: bool = False) -> OrmSession:
        """A new ORM session (use as a context manager); ``write=True`` for sessions that
        write, so concurrent writers queue for the lock instead of failing."""
        return (self._write_sessionmaker if write else self._sessionmaker)()

    def dispose(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ studies, participants
    @staticmethod
    def _get_or_create(orm: OrmSession, model, **keys):
        """The row with ``keys``, created if missing; safe when another process creates it at
        the same moment (the loser of the race reads the winner's row)."""
        row = orm.scalar(select(model).filter_by(**keys))
        if row is not None:
            return row
        try:
            with orm.begin_nested():
                row = model(**keys)
                orm.add(row)
            return row
        except IntegrityError:
            return orm.scalar(select(model).filter_by(**keys))

    def _study(self, orm: OrmSession, name: str) -> Study:
        return self._get_or_create(orm, Study, name=name)

    def _participant(self, orm: OrmSession, study: Study, code: str) -> Participant:
        return self._get_or_create(orm, Participant, study_id=study.id, code=code)

    def set_demographics(self, participant_code: str, *, study: str = DEFAULT_STUDY,
                         **fields: Any) -> None:
        """Store optional demographics (age_years, gender, handedness, native_language, extra)
        in their own table, apart from the trials; exports never include them."""
        allowed = {"age_years", "gender", "handedness", "native_language", "extra"}
        unknown = set(fields) - allowed
        if unknown:
            raise StoreError(f"unknown demographic field(s) {', '.join(sorted(unknown))}; "
                             f"known: {', '.join(sorted(allowed))}")
        with self.orm(write=True) as orm:
            participant = self._participant(orm, self._study(orm, study), str(participant_code))
            row = orm.get(Demographics, participant.id)
            if row is None:
                row = Demographics(participant_id=participant.id)
                orm.add(row)
            for key, value in fields.items():
                setattr(row, key, json_safe(value))
            orm.commit()

    # ------------------------------------------------------------------ human sessions
    def start_session(
        self,
        *,
        participant_code: str,
        task: str,
        session_number: int = 1,
        study: str = DEFAULT_STUDY,
        resume: bool = False,
        status: str = "running",
        **fields: Any,
    ) -> int:
        """Create a session (or, with ``resume``, reopen the existing one) and return its id.

        A participant code + task + session number that already has a session is refused
        with ``SessionExistsError`` unless ``resume`` is true. ``fields`` are further
        ``Session`` columns: seed, language, response_mode, stimulus_set, stimulus_set_hash,
        parameters, trial_list, software_versions, machine_info, frame_rate_hz, csv_path.
        """
        code = str(participant_code).strip()
        if not code:
            raise StoreError("participant code is empty")
        with self.orm(write=True) as orm:
            study_row = self._study(orm, study)
            participant = self._participant(orm, study_row, code)
            existing = orm.scalar(select(Session).where(
                Session.participant_id == participant.id, Session.task == task,
                Session.session_number == session_number))
            if existing is not None:
                if not resume:
                    n_trials = orm.scalar(select(func.count()).select_from(Trial).where(
                        Trial.session_id == existing.id))
                    raise SessionExistsError(
                        f"participant {code!r} already has {task} session {session_number} "
                        f"in study {study!r} ({existing.status}, {n_trials} trials): "
                        "use --resume to continue it or choose another --session")
                existing.status = "running"
                existing.ended_at = None
                orm.commit()
                return existing.id
            if resume:
                raise StoreError(
                    f"--resume: participant {code!r} has no {task} session {session_number} "
                    f"in study {study!r} to resume")
            session = Session(participant_id=participant.id, task=task,
                              session_number=session_number, status=status, **fields)
            orm.add(session)
            try:
                orm.commit()
            except IntegrityError:
                orm.rollback()
                raise SessionExistsError(
                    f"participant {code!r} already has {task} session {session_number} "
                    f"in study {study!r} (created by another process just now)") from None
            return session.id

    def get_session(self, session_id: int) -> Session:
        with self.orm() as orm:
            session = orm.get(Session, session_id)
            if session is None:
                raise StoreError(f"no session with id {session_id} in {self.url}")
            orm.expunge(session)
            return session

    def session_participant_code(self, session_id: int) -> str:
        with self.orm() as orm:
            code = orm.scalar(select(Participant.code).join(Session).where(Session.id == session_id))
            if code is None:
                raise StoreError(f"no session with id {session_id} in {self.url}")
            return code

    def update_session(self, session_id: int, **fields: Any) -> None:
        with self.orm(write=True) as orm:
            orm.execute(update(Session).where(Session.id == session_id).values(**fields))
            orm.commit()

    def finish_session(self, session_id: int, status: str = "completed") -> None:
        self.update_session(session_id, status=status, ended_at=utc_now())

    def completed_trial_indices(self, session_id: int) -> list[int]:
        """Trial indices already stored for a session (what ``--resume`` skips)."""
        with self.orm() as orm:
            return list(orm.scalars(select(Trial.trial_index).where(
                Trial.session_id == session_id, Trial.is_practice.is_(False)).order_by(Trial.trial_index)))

    # ------------------------------------------------------------------ model runs
    def start_model_run(self, *, model: str, model_version: str, task: str,
                        parameters: Mapping[str, Any], **fields: Any) -> int:
        with self.orm(write=True) as orm:
            run = ModelRun(model=model, model_version=model_version, task=task,
                           parameters=json_safe(dict(parameters)), **fields)
            orm.add(run)
            orm.commit()
            return run.id

    def finish_model_run(self, run_id: int, status: str = "completed", **fields: Any) -> None:
        with self.orm(write=True) as orm:
            orm.execute(update(ModelRun).where(ModelRun.id == run_id).values(
                status=status, **{k: json_safe(v) for k, v in fields.items()}))
            orm.commit()

    # ------------------------------------------------------------------ trials
    def add_trial(self, row: Mapping[str, Any], *, session_id: int | None = None,
                  model_run_id: int | None = None) -> int:
        """Commit one trial now (durable when this returns) and return its id."""
        if (session_id is None) == (model_run_id is None):
            raise ValueError("a trial belongs to exactly one of a session or a model run")
        trial = trial_from_row(row, session_id=session_id, model_run_id=model_run_id)
        with self.orm(write=True) as orm:
            orm.add(trial)
            orm.commit()
            return trial.id

    def add_trials(self, rows: Iterable[Mapping[str, Any]], *, session_id: int | None = None,
                   model_run_id: int | None = None, chunk_size: int = 5000,
                   progress: Any = None) -> int:
        """Insert many trials in one transaction (all or nothing); returns the count.

        ``progress`` is an optional callable taking the number of rows just written.
        """
        if (session_id is None) == (model_run_id is None):
            raise ValueError("trials belong to exactly one of a session or a model run")
        count = 0
        with self.orm(write=True) as orm:
            batch: list[dict[str, Any]] = []
            for row in rows:
                batch.append(trial_values(row, session_id=session_id, model_run_id=model_run_id))
                if len(batch) >= chunk_size:
                    self.insert_trial_values(orm, batch)
                    count += len(batch)
                    if progress:
                        progress(len(batch))
                    batch = []
            if batch:
                self.insert_trial_values(orm, batch)
                count += len(batch)
                if progress:
                    progress(len(batch))
            orm.commit()
        return count

    @staticmethod
    def insert_trial_values(orm: OrmSession, batch: list[dict[str, Any]]) -> None:
        """Insert prepared ``trial_values`` rows inside the caller's transaction."""
        now = utc_now()
        for values in batch:
            if values.get("created_at") is None:
                values["created_at"] = now
            if values.get("is_practice") is None:
                values["is_practice"] = False
        orm.execute(Trial.__table__.insert(), batch)

    def count_trials(self, **filters: Any) -> int:
        with self.orm() as orm:
            query = select(func.count()).select_from(Trial)
            for key, value in filters.items():
                query = query.where(getattr(Trial, key) == value)
            return orm.scalar(query) or 0

    def trials_frame(self, *, task: str | None = None, source: str | None = None,
                     sources: Iterable[str] | None = None, session_id: int | None = None,
                     model_run_id: int | None = None, apply_reviews: bool = True,
                     include_practice: bool = False):
        """All matching trials as a data frame with the shared columns (+ ids).

        With ``apply_reviews`` an experimenter's review replaces ``correct``, ``rt_ms`` and
        ``response`` where it gives a value; the measured values stay in the columns
        ``measured_rt_ms`` / ``measured_correct``.
        """
        import pandas as pd

        trial_table, review_table = Trial.__table__, TrialReview.__table__
        query = (select(*(trial_table.c[c] for c in TRIAL_COLUMNS), trial_table.c.id.label("trial_id"),
                        trial_table.c.session_id, trial_table.c.model_run_id,
                        review_table.c.trial_id.label("review_trial_id"),
                        review_table.c.rt_ms.label("review_rt_ms"),
                        review_table.c.correct.label("review_correct"),
                        review_table.c.response.label("review_response"))
                 .select_from(trial_table.outerjoin(review_table,
                                                    review_table.c.trial_id == trial_table.c.id)))
        if task is not None:
            query = query.where(trial_table.c.task == task)
        if source is not None:
            query = query.where(trial_table.c.source == source)
        if sources is not None:
            query = query.where(trial_table.c.source.in_(list(sources)))
        if session_id is not None:
            query = query.where(trial_table.c.session_id == session_id)
        if model_run_id is not None:
            query = query.where(trial_table.c.model_run_id == model_run_id)
        if not include_practice:
            query = query.where(trial_table.c.is_practice.is_(False))
        query = query.order_by(trial_table.c.id)
        with self.engine.connect() as connection:
            result = connection.execute(query)
            frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        frame["measured_rt_ms"] = frame["rt_ms"]
        frame["measured_correct"] = frame["correct"]
        frame["reviewed"] = frame["review_trial_id"].notna()
        if apply_reviews and frame["reviewed"].any():
            for column in ("rt_ms", "correct", "response"):
                override = frame[f"review_{column}"]
                has_value = override.notna()
                frame[column] = frame[column].astype(object)
                frame.loc[has_value, column] = override[has_value]
        frame = frame.drop(columns=["review_trial_id", "review_rt_ms", "review_correct",
                                    "review_response"])
        for column in ("rt_ms", "soa_ms", "measured_rt_ms"):
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
        return frame

    # ------------------------------------------------------------------ reviews
    def review_trial(self, trial_id: int, *, correct: bool | None = None, rt_ms: float | None = None,
                     response: str | None = None, note: str | None = None,
                     reviewer: str | None = None) -> None:
        """Store (or replace) an experimenter's review of one trial."""
        with self.orm(write=True) as orm:
            if orm.get(Trial, trial_id) is None:
                raise StoreError(f"no trial with id {trial_id} in {self.url}")
            review = orm.get(TrialReview, trial_id)
            if review is None:
                review = TrialReview(trial_id=trial_id)
                orm.add(review)
            review.correct = correct
            review.rt_ms = rt_ms
            review.response = response
            review.note = note
            review.reviewer = reviewer
            review.reviewed_at = utc_now()
            orm.commit()

    # ------------------------------------------------------------------ listings
    def sessions_frame(self):
        import pandas as pd

        query = (select(Session, Participant.code, Study.name,
                        select(func.count()).select_from(Trial).where(
                            Trial.session_id == Session.id).scalar_subquery())
                 .join(Participant, Session.participant_id == Participant.id)
                 .join(Study, Participant.study_id == Study.id).order_by(Session.id))
        rows = []
        with self.orm() as orm:
            for session, code, study, n_trials in orm.execute(query):
                rows.append({
                    "session_id": session.id, "study": study, "participant": code,
                    "task": session.task, "session_number": session.session_number,
                    "status": session.status, "seed": session.seed, "language": session.language,
                    "response_mode": session.response_mode, "stimulus_set": session.stimulus_set,
                    "stimulus_set_hash": session.stimulus_set_hash,
                    "software_versions": session.software_versions,
                    "machine_info": session.machine_info, "started_at": session.started_at,
                    "ended_at": session.ended_at, "n_trials": n_trials,
                    "simulated": bool((session.parameters or {}).get("simulated_participant")),
                })
        return pd.DataFrame(rows, columns=[
            "session_id", "study", "participant", "task", "session_number", "status", "seed",
            "language", "response_mode", "stimulus_set", "stimulus_set_hash", "software_versions",
            "machine_info", "started_at", "ended_at", "n_trials", "simulated"])

    def model_runs_frame(self, *, task: str | None = None):
        import pandas as pd

        query = select(ModelRun, select(func.count()).select_from(Trial).where(
            Trial.model_run_id == ModelRun.id).scalar_subquery()).order_by(ModelRun.id)
        if task is not None:
            query = query.where(ModelRun.task == task)
        rows = []
        with self.orm() as orm:
            for run, n_trials in orm.execute(query):
                rows.append({
                    "model_run_id": run.id, "model": run.model, "model_version": run.model_version,
                    "task": run.task, "parameters": run.parameters, "seed": run.seed,
                    "n_simulated": run.n_simulated, "stimulus_set": run.stimulus_set,
                    "stimulus_set_hash": run.stimulus_set_hash,
                    "software_versions": run.software_versions, "fit": run.fit,
                    "status": run.status, "created_at": run.created_at, "n_trials": n_trials,
                })
        return pd.DataFrame(rows, columns=[
            "model_run_id", "model", "model_version", "task", "parameters", "seed", "n_simulated",
            "stimulus_set", "stimulus_set_hash", "software_versions", "fit", "status",
            "created_at", "n_trials"])

    # ------------------------------------------------------------------ embedding cache
    def cached_embeddings(self, backend: str, model_name: str, texts: Iterable[str]) -> dict[str, np.ndarray]:
        """The cached vectors for those of ``texts`` that have one."""
        wanted = list(dict.fromkeys(texts))
        found: dict[str, np.ndarray] = {}
        with self.orm() as orm:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                for entry in orm.scalars(select(EmbeddingCache).where(
                        EmbeddingCache.backend == backend, EmbeddingCache.model_name == model_name,
                        EmbeddingCache.text.in_(chunk))):
                    found[entry.text] = np.frombuffer(entry.vector, dtype=np.float32).copy()
        return found

    def cache_embeddings(self, backend: str, model_name: str, vectors: Mapping[str, np.ndarray]) -> None:
        """Store vectors (float32); texts already cached are left as they are."""
        if not vectors:
            return
        existing = self.cached_embeddings(backend, model_name, vectors.keys())
        with self.orm(write=True) as orm:
            for text_value, vector in vectors.items():
                if text_value in existing:
                    continue
                array = np.asarray(vector, dtype=np.float32).ravel()
                orm.add(EmbeddingCache(backend=backend, model_name=model_name, text=text_value,
                                       dim=int(array.size), vector=array.tobytes()))
            try:
                orm.commit()
            except IntegrityError:  # another process cached the same texts meanwhile
                orm.rollback()

    # ------------------------------------------------------------------ item covariates
    def put_item_covariates(self, rows: Iterable[Mapping[str, Any]]) -> int:
        """Upsert per-item values: each row has stimulus_set_hash, item_id, name, value, source
        (and optionally stimulus_set, details)."""
        count = 0
        with self.orm(write=True) as orm:
            for row in rows:
                key = (row["stimulus_set_hash"], str(row["item_id"]), row["name"], row["source"])
                entry = orm.scalar(select(ItemCovariate).where(
                    ItemCovariate.stimulus_set_hash == key[0], ItemCovariate.item_id == key[1],
                    ItemCovariate.name == key[2], ItemCovariate.source == key[3]))
                if entry is None:
                    entry = ItemCovariate(stimulus_set_hash=key[0], item_id=key[1], name=key[2],
                                          source=key[3])
                    orm.add(entry)
                entry.stimulus_set = row.get("stimulus_set")
                entry.value = json_safe(row.get("value"))
                entry.details = json_safe(row.get("details"))
                entry.created_at = utc_now()
                count += 1
            orm.commit()
        return count

    def item_covariates_frame(self, *, name: str | None = None, stimulus_set_hash: str | None = None):
        import pandas as pd

        query = select(ItemCovariate)
        if name is not None:
            query = query.where(ItemCovariate.name == name)
        if stimulus_set_hash is not None:
            query = query.where(ItemCovariate.stimulus_set_hash == stimulus_set_hash)
        columns = ["stimulus_set", "stimulus_set_hash", "item_id", "name", "value", "source", "details"]
        with self.orm() as orm:
            rows = [{c: getattr(entry, c) for c in columns} for entry in orm.scalars(query)]
        return pd.DataFrame(rows, columns=columns)

