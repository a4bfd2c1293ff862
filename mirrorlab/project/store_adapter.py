"""The one module of ``mirrorlab.project`` that touches the trial database's internals.

Why one module: the store (session leases, import validation), the trial row and the
simulated-source label are being changed elsewhere; the project code calls only these
functions, so re-pointing them is one edit here.

* :func:`read_sessions` — every session of a group's database with its trials, read-only
  (the student's file is opened ``mode=ro`` and never migrated or written).
* :func:`write_merged_sessions` — all accepted sessions into the project database in ONE
  transaction (all or nothing), with provenance in ``sessions.parameters["project_merge"]``.
* :func:`class_trials` — the project database's trials with group and a ``simulated`` flag.

A session is *simulated* when its trials say ``source="simulated"`` (from issue C on) or its
parameters name a simulated participant (``mirrorlab run --simulate`` today).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd

from mirrorlab.project.errors import ProjectError

MERGE_KEY = "project_merge"


def _read_only_url(path: Path) -> str:
    return f"sqlite:///file:{path.resolve()}?mode=ro&uri=true"


def session_uid(session: dict[str, Any]) -> str:
    """A fingerprint that is the same every time the same session is merged (so merging a
    file twice never duplicates it), and differs between sessions."""
    keys = {k: session.get(k) for k in ("participant", "task", "session_number", "study",
                                        "stimulus_set_hash", "seed", "started_at")}
    keys["started_at"] = str(keys["started_at"])
    return hashlib.sha256(json.dumps(keys, sort_keys=True, default=str).encode()).hexdigest()[:32]


def read_sessions(path: Path | str) -> list[dict[str, Any]]:
    """The sessions of one SQLite file: columns, participant code, study, trials and reviews."""
    from sqlalchemy import create_engine, inspect, select
    from sqlalchemy.exc import DatabaseError, OperationalError

    from db.schema import Participant, Session, Study, Trial, TrialReview

    file = Path(path)
    if not file.is_file():
        raise ProjectError(f"{file}: no such file")
    with open(file, "rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise ProjectError(f"{file}: not an SQLite database")
    engine = create_engine(_read_only_url(file))
    try:
        tables = set(inspect(engine).get_table_names())
        if not {"sessions", "trials", "participants", "studies"} <= tables:
            raise ProjectError(f"{file}: not a mirrorlab database (no sessions/trials tables)")
        session_columns = [c.name for c in Session.__table__.columns]
        trial_columns = [c.name for c in Trial.__table__.columns]
        with engine.connect() as connection:
            have = {c["name"] for c in inspect(connection).get_columns("sessions")}
            missing = set(session_columns) - have
            if missing:
                raise ProjectError(f"{file}: sessions table lacks {', '.join(sorted(missing))} "
                                   "(an older mirrorlab database: run `mirrorlab db upgrade` on a copy)")
            rows = connection.execute(
                select(Session.__table__, Participant.code, Study.name.label("study_name"))
                .join(Participant, Session.participant_id == Participant.id)
                .join(Study, Participant.study_id == Study.id).order_by(Session.id)).mappings().all()
            sessions = []
            for row in rows:
                session = {c: row[c] for c in session_columns}
                session["participant"] = row["code"]
                session["study"] = row["study_name"]
                trials = connection.execute(select(Trial.__table__).where(
                    Trial.session_id == row["id"]).order_by(Trial.id)).mappings().all()
                session["trials"] = [{c: t[c] for c in trial_columns} for t in trials]
                reviews = connection.execute(select(TrialReview.__table__).join(
                    Trial, Trial.id == TrialReview.trial_id).where(
                    Trial.session_id == row["id"])).mappings().all()
                session["reviews"] = [dict(r) for r in reviews]
                sessions.append(session)
    except (OperationalError, DatabaseError) as exc:
        raise ProjectError(f"{file}: cannot read it as a mirrorlab database "
                           f"({str(getattr(exc, 'orig', exc)).strip()})") from None
    finally:
        engine.dispose()
    for session in sessions:
        session["uid"] = session_uid(session)
    return sessions


def merged_uids(project_url: str) -> set[str]:
    """Fingerprints of the sessions already in the project database."""
    from db.store import Store

    store = Store(project_url)
    try:
        frame = store.sessions_frame()
        if frame.empty:
            return set()
        from sqlalchemy import select

        from db.schema import Session

        with store.orm() as orm:
            return {(p or {}).get(MERGE_KEY, {}).get("uid")
                    for p in orm.scalars(select(Session.parameters))} - {None}
    finally:
        store.dispose()


def write_merged_sessions(project_url: str, accepted: list[tuple[str, str, dict[str, Any]]],
                          merged_at: str) -> int:
    """Copy ``(group, file, session)`` triples into the project database in one transaction.

    Each group is its own study (``<project study>/<group>``), so participant codes of two
    groups never collide; the session keeps its own columns (seed, versions, machine,
    stimulus-set hash) and gains ``parameters["project_merge"]`` = group, file, original id,
    fingerprint and merge time. Trials and reviews are copied as measured. Returns the number
    of trials written.
    """
    from sqlalchemy import insert, select

    from db.schema import Participant, Session, Study, Trial, TrialReview
    from db.store import Store

    store = Store(project_url)
    n_trials = 0
    try:
        with store.orm(write=True) as orm:
            for group, file, session in accepted:
                study_name = f"{session['study']}/{group}"
                study = orm.scalar(select(Study).where(Study.name == study_name))
                if study is None:
                    study = Study(name=study_name, description=f"project group {group}")
                    orm.add(study)
                    orm.flush()
                participant = orm.scalar(select(Participant).where(
                    Participant.study_id == study.id, Participant.code == session["participant"]))
                if participant is None:
                    participant = Participant(study_id=study.id, code=session["participant"])
                    orm.add(participant)
                    orm.flush()
                fields = {k: v for k, v in session.items() if k in Session.__table__.columns.keys()
                          and k not in ("id", "participant_id")}
                parameters = dict(fields.get("parameters") or {})
                parameters[MERGE_KEY] = {"group": group, "file": str(file), "uid": session["uid"],
                                         "original_session_id": session["id"], "merged_at": merged_at}
                fields["parameters"] = parameters
                new_session = Session(participant_id=participant.id, **fields)
                orm.add(new_session)
                orm.flush()
                id_map = {}
                if session["trials"]:
                    values = [{**{k: v for k, v in trial.items() if k not in ("id", "model_run_id")},
                               "session_id": new_session.id} for trial in session["trials"]]
                    new_ids = orm.execute(insert(Trial).returning(Trial.id, sort_by_parameter_order=True),
                                          values).scalars().all()
                    id_map = {trial["id"]: new_id for trial, new_id in zip(session["trials"], new_ids)}
                    n_trials += len(new_ids)
                for review in session["reviews"]:
                    orm.add(TrialReview(**{**review, "trial_id": id_map[review["trial_id"]]}))
            orm.commit()
    finally:
        store.dispose()
    return n_trials


def is_simulated(session_parameters: dict | None, trial_sources: set[str]) -> bool:
    return "simulated" in trial_sources or bool((session_parameters or {}).get("simulated_participant"))


def class_trials(project_url: str, task: str) -> pd.DataFrame:
    """The project database's trials of ``task`` (reviews applied) with ``group``,
    ``participant``, ``simulated`` and the session's stimulus-set hash."""
    from sqlalchemy import select

    from db.schema import Session
    from db.store import Store

    store = Store(project_url)
    try:
        trials = store.trials_frame(task=task)
        with store.orm() as orm:
            sessions = {s.id: s.parameters or {} for s in orm.scalars(select(Session))}
        codes = store.sessions_frame().set_index("session_id")
    finally:
        store.dispose()
    trials = trials[trials["session_id"].notna()].copy()
    if trials.empty:
        return trials.assign(group=[], participant=[], simulated=[])
    session_ids = trials["session_id"].astype(int)
    trials["group"] = session_ids.map(lambda s: sessions.get(s, {}).get(MERGE_KEY, {}).get("group", "unmerged"))
    trials["participant"] = session_ids.map(codes["participant"])
    sources = trials.groupby(session_ids)["source"].agg(lambda s: set(s))
    trials["simulated"] = session_ids.map(lambda s: is_simulated(sessions.get(s), sources[s]))
    return trials


def merged_sessions_frame(project_url: str) -> pd.DataFrame:
    """One row per merged session: group, participant, provenance (for the report)."""
    from sqlalchemy import select

    from db.schema import Session
    from db.store import Store

    store = Store(project_url)
    try:
        frame = store.sessions_frame()
        with store.orm() as orm:
            parameters = {s.id: s.parameters or {} for s in orm.scalars(select(Session))}
    finally:
        store.dispose()
    if frame.empty:
        return frame
    frame["group"] = frame["session_id"].map(lambda s: parameters[s].get(MERGE_KEY, {}).get("group"))
    frame["simulated"] = frame["session_id"].map(lambda s: bool(parameters[s].get("simulated_participant")))
    frame["machine"] = frame["machine_info"].map(lambda m: (m or {}).get("hostname") or (m or {}).get("node"))
    frame["mirrorlab"] = frame["software_versions"].map(lambda v: (v or {}).get("mirrorlab"))
    return frame


def model_trials(project_url: str, task: str) -> pd.DataFrame:
    """Model trials of ``task`` in the project database: ``group`` = ``model:<name> (run N)``,
    ``participant`` = the simulated agent, plus whether the run was fitted (to which data)."""
    from db.store import Store

    store = Store(project_url)
    try:
        trials = store.trials_frame(task=task)
        runs = store.model_runs_frame(task=task)
    finally:
        store.dispose()
    trials = trials[trials["model_run_id"].notna()].copy()
    if trials.empty or runs.empty:
        return trials.assign(group=[], participant=[], fitted=[])
    by_run = runs.set_index("model_run_id")
    run_ids = trials["model_run_id"].astype(int)
    trials["group"] = run_ids.map(lambda r: f"{by_run.loc[r, 'model']} (run {r})")
    trials["participant"] = trials["agent"].astype(str)
    trials["fitted"] = run_ids.map(lambda r: bool(by_run.loc[r, "fit"]) if "fit" in by_run else False)
    return trials
