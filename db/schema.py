"""The mirrorlab database schema (SQLAlchemy 2.0 typed mappings).

One trial table is shared by people and models (see ARCHITECTURE.md, "the shared trial
row"): a trial from a PsychoPy session and a trial from a model run have the same columns,
so the analysis never needs to know where a row came from beyond ``source``.

Provenance lives beside the trials: a human trial belongs to a ``Session`` (participant,
seed, software versions, stimulus-set hash, machine), a model trial to a ``ModelRun``
(model, version, parameters, seed, stimulus-set hash). Demographics are kept in their own
table, apart from trial data, keyed only by the pseudonymous participant code.

Schema changes go through Alembic (``db/migrations``); never edit a released migration.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Deterministic constraint names so that Alembic migrations work on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SESSION_STATUSES = ("running", "completed", "aborted", "imported", "importing")
MODEL_RUN_STATUSES = ("running", "completed", "failed")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Study(Base):
    """A named study (an experiment, a class project, an imported dataset)."""

    __tablename__ = "studies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    participants: Mapped[list["Participant"]] = relationship(back_populates="study")


class Participant(Base):
    """A pseudonymous participant code within a study. No names, no contact data."""

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("study_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    study: Mapped[Study] = relationship(back_populates="participants")
    sessions: Mapped[list["Session"]] = relationship(back_populates="participant")
    demographics: Mapped[Optional["Demographics"]] = relationship(back_populates="participant")


class Demographics(Base):
    """Optional demographics, stored apart from trial data (never joined into exports by default)."""

    __tablename__ = "demographics"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    age_years: Mapped[Optional[int]] = mapped_column(Integer)
    gender: Mapped[Optional[str]] = mapped_column(String(50))
    handedness: Mapped[Optional[str]] = mapped_column(String(20))
    native_language: Mapped[Optional[str]] = mapped_column(String(50))
    extra: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)

    participant: Mapped[Participant] = relationship(back_populates="demographics")


class Session(Base):
    """One run of one task by one participant (or one imported participant's data)."""

    __tablename__ = "sessions"
    __table_args__ = (UniqueConstraint("participant_id", "task", "session_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    task: Mapped[str] = mapped_column(String(50))
    session_number: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default="running")
    seed: Mapped[Optional[int]] = mapped_column(Integer)
    language: Mapped[Optional[str]] = mapped_column(String(10))
    response_mode: Mapped[Optional[str]] = mapped_column(String(20))
    stimulus_set: Mapped[Optional[str]] = mapped_column(String(200))
    stimulus_set_hash: Mapped[Optional[str]] = mapped_column(String(64))
    parameters: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    trial_list: Mapped[Optional[list[dict[str, Any]]]] = mapped_column(JSON)
    software_versions: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    machine_info: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    frame_rate_hz: Mapped[Optional[float]] = mapped_column(Float)
    csv_path: Mapped[Optional[str]] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    ended_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))

    participant: Mapped[Participant] = relationship(back_populates="sessions")
    trials: Mapped[list["Trial"]] = relationship(back_populates="session_ref")


class SessionLease(Base):
    """Who runs a session now: one row per session that a process has open.

    A runner takes the lease when it starts or resumes a session and renews ``heartbeat_at``
    while it runs (and with every trial it commits); a second runner is refused while the
    lease is alive. A lease expires ``ttl_s`` after its last heartbeat, or at once when its
    owner was a process on this same machine that no longer exists (a crash, a kill).
    """

    __tablename__ = "session_leases"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64))
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    ttl_s: Mapped[float] = mapped_column(Float)
    acquired_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    heartbeat_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class ModelRun(Base):
    """One simulation by one model on one stimulus set, with everything needed to redo it."""

    __tablename__ = "model_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(String(100))
    model_version: Mapped[str] = mapped_column(String(50))
    task: Mapped[str] = mapped_column(String(50))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    seed: Mapped[Optional[int]] = mapped_column(Integer)
    n_simulated: Mapped[Optional[int]] = mapped_column(Integer)
    stimulus_set: Mapped[Optional[str]] = mapped_column(String(200))
    stimulus_set_hash: Mapped[Optional[str]] = mapped_column(String(64))
    software_versions: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    fit: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="running")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    trials: Mapped[list["Trial"]] = relationship(back_populates="model_run")


class Trial(Base):
    """The shared trial row. Exactly one of ``session_id`` / ``model_run_id`` is set.

    Units are in the names. ``choices`` is a list of strings for choice tasks. Rows are built
    by ``db.rows.trial_row`` (the one builder); whatever only some sources have goes into
    ``extras``: onset timing and dropped frames for people, cycles and activations for models.
    """

    __tablename__ = "trials"
    __table_args__ = (
        Index("ix_trials_task_source", "task", "source"),
        Index("ix_trials_session_trial", "session_id", "trial_index"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=False
    )
    model_run_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("model_runs.id", ondelete="CASCADE"), index=True
    )
    task: Mapped[str] = mapped_column(String(50))
    instruction: Mapped[Optional[str]] = mapped_column(String(50))
    item_id: Mapped[Optional[str]] = mapped_column(String(100))
    condition: Mapped[Optional[str]] = mapped_column(String(50))
    soa_ms: Mapped[Optional[float]] = mapped_column(Float)
    word: Mapped[Optional[str]] = mapped_column(String(200))
    ink: Mapped[Optional[str]] = mapped_column(String(50))
    word_colour: Mapped[Optional[str]] = mapped_column(String(50))
    picture: Mapped[Optional[str]] = mapped_column(String(200))
    distractor: Mapped[Optional[str]] = mapped_column(String(200))
    distractor_category: Mapped[Optional[str]] = mapped_column(String(100))
    target: Mapped[Optional[str]] = mapped_column(String(200))
    choices: Mapped[Optional[list[str]]] = mapped_column(JSON)
    category: Mapped[Optional[str]] = mapped_column(String(100))
    ordinal_position: Mapped[Optional[int]] = mapped_column(Integer)
    lag: Mapped[Optional[int]] = mapped_column(Integer)
    language: Mapped[Optional[str]] = mapped_column(String(10))
    expected_response: Mapped[Optional[str]] = mapped_column(String(200))
    response: Mapped[Optional[str]] = mapped_column(String(200))
    correct: Mapped[Optional[bool]] = mapped_column(Boolean)
    rt_ms: Mapped[Optional[float]] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(100))
    agent: Mapped[str] = mapped_column(String(200))
    session: Mapped[Optional[int]] = mapped_column(Integer)
    block: Mapped[Optional[int]] = mapped_column(Integer)
    trial_index: Mapped[Optional[int]] = mapped_column(Integer)
    is_practice: Mapped[bool] = mapped_column(Boolean, default=False)
    extras: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    session_ref: Mapped[Optional[Session]] = relationship(back_populates="trials")
    model_run: Mapped[Optional[ModelRun]] = relationship(back_populates="trials")
    review: Mapped[Optional["TrialReview"]] = relationship(back_populates="trial")


class TrialReview(Base):
    """An experimenter's review of a (voice) trial: accuracy and a corrected onset.

    Stored apart from the trial so the measured values are never overwritten; the analysis
    reads trials with reviews applied (``db.store.trials_frame(apply_reviews=True)``).
    """

    __tablename__ = "trial_reviews"

    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id", ondelete="CASCADE"), primary_key=True)
    correct: Mapped[Optional[bool]] = mapped_column(Boolean)
    rt_ms: Mapped[Optional[float]] = mapped_column(Float)
    response: Mapped[Optional[str]] = mapped_column(String(200))
    note: Mapped[Optional[str]] = mapped_column(Text)
    reviewer: Mapped[Optional[str]] = mapped_column(String(100))
    reviewed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    trial: Mapped[Trial] = relationship(back_populates="review")


class EmbeddingCache(Base):
    """Cached text embeddings: (backend, model, text) -> float32 vector bytes."""

    __tablename__ = "embedding_cache"
    __table_args__ = (UniqueConstraint("backend", "model_name", "text"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    backend: Mapped[str] = mapped_column(String(50))
    model_name: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class ItemCovariate(Base):
    """A numeric per-item value for the analysis, e.g. the semantic relatedness of a
    picture and its distractor computed by an embedding backend."""

    __tablename__ = "item_covariates"
    __table_args__ = (UniqueConstraint("stimulus_set_hash", "item_id", "name", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stimulus_set: Mapped[Optional[str]] = mapped_column(String(200))
    stimulus_set_hash: Mapped[str] = mapped_column(String(64))
    item_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    value: Mapped[Optional[float]] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(300))
    details: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


#: Columns of the shared trial row, in the order exports and data frames use.
TRIAL_COLUMNS: tuple[str, ...] = (
    "task",
    "instruction",
    "item_id",
    "condition",
    "soa_ms",
    "word",
    "ink",
    "word_colour",
    "picture",
    "distractor",
    "distractor_category",
    "target",
    "choices",
    "category",
    "ordinal_position",
    "lag",
    "language",
    "expected_response",
    "response",
    "correct",
    "rt_ms",
    "source",
    "agent",
    "session",
    "block",
    "trial_index",
    "is_practice",
    "extras",
)

# Tables of other parts that live in their own modules but in the same metadata (migrations
# and the schema check see them): online browser sessions (``mirrorlab serve``).
from db import online_schema as _online_schema  # noqa: E402,F401
