"""The trial store: the one place where people's and models' trials are written and read.

Writes are small transactions: ``add_trial`` commits one trial and returns only after the
database has it, so a crash or a killed process loses at most the trial in progress. Bulk
writers (model runs, imports) use ``add_trials``, which commits in chunks inside a single
model run or session.

A running session is owned by one process at a time: ``start_session`` takes the session's
lease (``db.schema.SessionLease``) in the same transaction that creates or reopens it, every
``add_trial`` renews it and checks it is still ours, and ``heartbeat`` renews it between
trials (the runner calls it from a thread). A second runner is refused with
``SessionBusyError`` while the lease is alive; a dead owner's lease expires (see
``lease_is_alive``).

A write that finds the database locked by another writer for longer than the busy timeout
raises ``DatabaseBusyError`` (one line); the session runner keeps such a trial in memory and
commits it again in the next inter-trial interval.

Reading gives pandas data frames with the columns of ``db.schema.TRIAL_COLUMNS`` plus
provenance columns (``session_id``, ``model_run_id``, ``trial_id``), with experimenter
reviews applied unless asked otherwise.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import socket
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import sessionmaker

from db.engine import is_read_only, make_engine
from db.errors import (DatabaseBusyError, SessionBusyError, SessionExistsError,
                       SessionLeaseLost, StoreError)
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
    SessionLease,
    Study,
    Trial,
    TrialReview,
    utc_now,
)

DEFAULT_STUDY = "default"
#: A session lease expires this long after its last heartbeat (the runner beats every few s).
LEASE_TTL_S = 30.0
#: Session statuses whose trials are not (yet) data: an import that has not finished.
INCOMPLETE_STATUSES = ("importing",)


def _pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine (a zombie counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _as_utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.timezone.utc)


def lease_is_alive(lease: SessionLease, now: dt.datetime | None = None) -> bool:
    """A lease is alive until ``ttl_s`` after its last heartbeat; a lease held by a process
    of this machine that has died (killed, crashed) is dead at once."""
    if lease.host == socket.gethostname() and not _pid_alive(int(lease.pid)):
        return False
    now = now or utc_now()
    return (now - _as_utc(lease.heartbeat_at)).total_seconds() < float(lease.ttl_s)


def is_locked_error(exc: BaseException) -> bool:
    """SQLite's "database is locked" / "busy" (another writer held the lock too long)."""
    message = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in message or "database is busy" in message


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


#: Participant codes are stored in a 100-character column.
MAX_PARTICIPANT_CODE_CHARS = 100
_TEXT_LIMITS = {c.key: c.type.length for c in Trial.__table__.columns
                if getattr(c.type, "length", None)}


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return False


def check_trial_row(row: Mapping[str, Any], where: str = "trial") -> None:
    """Refuse values one database would reject and another store silently (the same rule
    on SQLite and PostgreSQL): NUL bytes anywhere, text longer than its column, infinite
    numbers."""
    for key, value in row.items():
        if _has_nul(value):
            raise StoreError(f"{where}: field {key} contains a NUL byte")
        limit = _TEXT_LIMITS.get(key)
        if limit and isinstance(value, str) and len(value) > limit:
            raise StoreError(f"{where}: field {key} is {len(value)} characters long; at most "
                             f"{limit} fit")
        if isinstance(value, float) and math.isinf(value):
            raise StoreError(f"{where}: field {key} is infinite")


def trial_from_row(row: Mapping[str, Any] | TrialRow, **links: Any) -> Trial:
    """A ``Trial`` from a row built by (or acceptable to) ``db.rows.trial_row``: unknown keys
    are an error (``TrialRowError``), never moved into extras; values one database would
    reject and another store silently are refused first (``check_trial_row``)."""
    values = trial_row(row).as_dict()
    check_trial_row(values, f"trial {values.get('trial_index')}")
    return Trial(**values, **links)


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
        self._leases: dict[int, str] = {}       # session id -> this store's lease token
        self.lease_ttl_s = LEASE_TTL_S

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def orm(self, write: bool = False) -> OrmSession:
        """A new ORM session (use as a context manager); ``write=True`` for sessions that
        write, so concurrent writers queue for the lock instead of failing."""
        if write and is_read_only(self.engine):
            raise StoreError(f"database {self.url} is read-only (read-only media, or a folder "
                             "this user cannot write): it can be read, not written")
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
        if "\x00" in code or len(code) > MAX_PARTICIPANT_CODE_CHARS:
            raise StoreError(f"participant code {code[:20]!r}…: at most "
                             f"{MAX_PARTICIPANT_CODE_CHARS} characters and no NUL byte")
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
                if existing.status in INCOMPLETE_STATUSES + ("imported",):
                    raise StoreError(
                        f"--resume: {task} session {session_number} of participant {code!r} "
                        f"in study {study!r} is {existing.status} data, not a session to run")
                self._take_lease(orm, existing.id, code=code, task=task,
                                 session_number=session_number)
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
                orm.flush()
                if status == "running":
                    self._take_lease(orm, session.id, code=code, task=task,
                                     session_number=session_number)
                orm.commit()
            except IntegrityError:
                orm.rollback()
                raise SessionExistsError(
                    f"participant {code!r} already has {task} session {session_number} "
                    f"in study {study!r} (created by another process just now)") from None
            return session.id

    # ------------------------------------------------------------------ session leases
    def _take_lease(self, orm: OrmSession, session_id: int, *, code: str, task: str,
                    session_number: int) -> None:
        """Make this store the session's one owner, inside the caller's write transaction;
        ``SessionBusyError`` when another live process owns it."""
        lease = orm.get(SessionLease, session_id, populate_existing=True)
        mine = self._leases.get(session_id)
        if lease is not None and lease.owner != mine and lease_is_alive(lease):
            age_s = (utc_now() - _as_utc(lease.heartbeat_at)).total_seconds()
            raise SessionBusyError(
                f"{task} session {session_number} of participant {code!r} is being run by "
                f"another process (pid {lease.pid} on {lease.host}, last heartbeat "
                f"{age_s:.0f} s ago); only one runner may own a session — wait for it to end, "
                f"or retry after its lease expires ({lease.ttl_s:.0f} s without a heartbeat)")
        token = uuid.uuid4().hex
        now = utc_now()
        if lease is None:
            orm.add(SessionLease(session_id=session_id, owner=token, host=socket.gethostname(),
                                 pid=os.getpid(), ttl_s=self.lease_ttl_s, acquired_at=now,
                                 heartbeat_at=now))
        else:
            lease.owner, lease.host, lease.pid = token, socket.gethostname(), os.getpid()
            lease.ttl_s, lease.acquired_at, lease.heartbeat_at = self.lease_ttl_s, now, now
        self._leases[session_id] = token

    def _renew_lease(self, orm: OrmSession, session_id: int) -> None:
        token = self._leases.get(session_id)
        if token is None:
            return
        renewed = orm.execute(update(SessionLease).where(
            SessionLease.session_id == session_id, SessionLease.owner == token).values(
            heartbeat_at=utc_now()))
        if renewed.rowcount == 0:
            orm.rollback()
            self._leases.pop(session_id, None)
            raise SessionLeaseLost(
                f"session {session_id}: this process's lease expired and another runner took "
                "the session over; this runner stops without storing more trials")

    def heartbeat(self, session_id: int) -> None:
        """Renew this store's lease on a session (``SessionLeaseLost`` if it was taken)."""
        with self.orm(write=True) as orm:
            self._renew_lease(orm, session_id)
            orm.commit()

    def release_lease(self, session_id: int) -> None:
        """Give up this store's lease (the session ended); a no-op if it holds none."""
        token = self._leases.pop(session_id, None)
        if token is None:
            return
        with self.orm(write=True) as orm:
            orm.execute(delete(SessionLease).where(SessionLease.session_id == session_id,
                                                   SessionLease.owner == token))
            orm.commit()

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
        """Record the session's end and give up its lease."""
        self.update_session(session_id, status=status, ended_at=utc_now())
        self.release_lease(session_id)

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
                  model_run_id: int | None = None, wait_s: float | None = None) -> int:
        """Commit one trial now (durable when this returns) and return its id.

        ``wait_s`` bounds how long an SQLite writer waits for another writer's lock (default:
        the engine's busy timeout); when it runs out, ``DatabaseBusyError`` says the trial is
        not stored yet (the session runner keeps it and tries again in the next ITI).
        """
        if (session_id is None) == (model_run_id is None):
            raise ValueError("a trial belongs to exactly one of a session or a model run")
        trial = trial_from_row(row, session_id=session_id, model_run_id=model_run_id)
        self.orm(write=True).close()       # refuses a read-only database in one line
        try:
            with self._writer_connection(wait_s) as connection, \
                    OrmSession(bind=connection, expire_on_commit=False) as orm:
                if session_id is not None:
                    self._renew_lease(orm, session_id)
                orm.add(trial)
                orm.commit()
                return trial.id
        except OperationalError as exc:
            raise self.write_error(exc, "the trial was not stored yet") from None

    def write_error(self, exc: OperationalError, what: str) -> Exception:
        """A one-line ``StoreError`` for a write that failed for a reason the user can act on
        (lock held too long, disk full, read-only file); other errors unchanged."""
        message = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else ""
        if is_locked_error(exc):
            return DatabaseBusyError(f"{self.url}: another writer held the database lock for "
                                     f"longer than this writer could wait; {what}")
        lowered = message.lower()
        if "disk is full" in lowered or "no space left" in lowered or "diskfull" in lowered:
            return StoreError(f"{self.url}: the disk is full ({message}); {what}")
        if "readonly" in lowered or "read-only" in lowered:
            return StoreError(f"{self.url} is read-only ({message}); {what}")
        return exc

    def _writer_connection(self, wait_s: float | None):
        """A connection for one write transaction (SQLite: BEGIN IMMEDIATE, busy timeout
        ``wait_s`` if given, restored afterwards)."""
        import contextlib

        from db.engine import SQLITE_BUSY_TIMEOUT_MS

        @contextlib.contextmanager
        def connect():
            with self.engine.connect() as connection:
                sqlite = connection.dialect.name == "sqlite"
                if sqlite and wait_s is not None:     # set before BEGIN IMMEDIATE waits
                    connection.exec_driver_sql(f"PRAGMA busy_timeout={max(1, int(wait_s * 1000))}")
                    connection.commit()           # end the autobegun (deferred) transaction
                if sqlite:
                    connection = connection.execution_options(sqlite_begin="IMMEDIATE")
                try:
                    yield connection
                finally:
                    if sqlite and wait_s is not None:
                        connection.rollback()
                        connection.execution_options(sqlite_begin="DEFERRED")
                        connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
                        connection.commit()
        return connect()

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
        unfinished_imports = select(Session.id).where(Session.status.in_(INCOMPLETE_STATUSES))
        query = query.where(trial_table.c.session_id.is_(None)
                            | trial_table.c.session_id.not_in(unfinished_imports))
        query = query.order_by(trial_table.c.id)
        with self.engine.connect() as connection:
            result = connection.execute(query)
            frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        frame["measured_rt_ms"] = frame["rt_ms"]
        frame["measured_correct"] = frame["correct"]
        frame["reviewed"] = frame["review_trial_id"].notna()
        if apply_reviews and frame["reviewed"].any():
            from db.reviews import REVIEWED_FIELDS   # the rule of db.reviews.reviewed_value

            for column in REVIEWED_FIELDS:
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

