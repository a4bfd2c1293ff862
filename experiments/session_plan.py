"""Planning a session before any window opens: participant info, the stimulus set and trial
list, the parameters, and the store's session record (which refuses a duplicate participant
code + task + session, or reopens it for ``--resume``).

Everything that can be the experimenter's mistake is found here and refused as one line
(``ExperimentError``) before a session exists, where possible.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from experiments.errors import ExperimentError
from experiments.parameters import resolve_parameters

SHARED_TRIAL_LIST_COLUMNS = ("task", "instruction", "item_id", "condition", "language",
                             "expected_response", "block", "trial_index", "is_practice")
RESPONSE_MODES = ("keyboard", "voice")


# ---------------------------------------------------------------------------- set-up helpers
def participant_index_for(code: str) -> int:
    """Counterbalancing index from a participant code: its trailing number (``P07`` → 7),
    else a stable hash of the code (so the same code always gets the same rotation)."""
    match = re.search(r"(\d+)\s*$", code)
    if match:
        return int(match.group(1))
    return zlib.crc32(code.encode("utf-8")) % 10_000


def default_seed(code: str, session_number: int, task: str) -> int:
    """The seed when none is given: a stable function of participant, task and session, so a
    session can be redone exactly from what is stored."""
    return zlib.crc32(f"{code}/{task}/{session_number}".encode("utf-8")) % (2 ** 31)


def trial_records(frame) -> list[dict[str, Any]]:
    """A trial-list DataFrame as JSON-safe records (what the session stores for resume)."""
    from db.store import json_safe

    records = []
    for row in frame.to_dict(orient="records"):
        records.append({str(k): json_safe(v) for k, v in row.items()})
    return records


def trial_list_hash(records: list[dict[str, Any]]) -> str:
    text = json.dumps(records, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def shorten(frame, max_trials: int | None, max_practice_trials: int | None, practice: bool):
    """Keep the first ``max_practice_trials`` practice and ``max_trials`` main trials (for
    pilots, demos and tests); trial indices stay those of the generated list."""
    practice_rows = frame[frame["is_practice"].astype(bool)]
    main_rows = frame[~frame["is_practice"].astype(bool)]
    if not practice:
        practice_rows = practice_rows.iloc[0:0]
    elif max_practice_trials is not None:
        practice_rows = practice_rows.iloc[:max_practice_trials]
    if max_trials is not None:
        main_rows = main_rows.iloc[:max_trials]
    import pandas as pd

    return pd.concat([practice_rows, main_rows]).reset_index(drop=True)


def check_trial_values(records: list[dict[str, Any]], where: str) -> None:
    """Every trial of the list must be storable (no NUL byte, no text longer than its
    column), so a session never stops half-way at the first trial a database refuses."""
    from db.errors import StoreError
    from db.store import check_trial_row

    for record in records:
        try:
            check_trial_row(record, f"{where}, trial {record.get('trial_index')}")
        except StoreError as exc:
            raise ExperimentError(str(exc)) from None


def check_trial_list(frame, task_cls, where: str) -> None:
    if frame is None or len(frame) == 0:
        raise ExperimentError(f"{where}: the trial list is empty")
    tasks = set(frame["task"].astype(str)) if "task" in frame.columns else {task_cls.name}
    if tasks != {task_cls.name}:
        raise ExperimentError(f"{where}: trial list is for task(s) {', '.join(sorted(tasks))}, "
                              f"not {task_cls.name}")
    needed = (*SHARED_TRIAL_LIST_COLUMNS, *task_cls.required_columns)
    missing = [column for column in needed if column not in frame.columns]
    if missing:
        raise ExperimentError(f"{where}: trial list lacks column(s) {', '.join(missing)} "
                              f"needed by task {task_cls.name}")
    main = frame[~frame["is_practice"].astype(bool)]
    if main["trial_index"].duplicated().any():
        raise ExperimentError(f"{where}: trial list has repeated trial_index values")


#: Seeds are stored in a 32-bit integer column (PostgreSQL's ``integer``).
MAX_SEED = 2 ** 31 - 1


def check_session_inputs(participant: str, session_number: Any, seed: Any) -> None:
    """Refuse, before either database sees them, inputs that one database would reject and
    the other store silently: an over-long code, a NUL byte, a seed beyond 32 bits."""
    from db.store import MAX_PARTICIPANT_CODE_CHARS

    if "\x00" in participant:
        raise ExperimentError("participant code contains a NUL byte")
    if len(participant) > MAX_PARTICIPANT_CODE_CHARS:
        raise ExperimentError(f"participant code is {len(participant)} characters long; at most "
                              f"{MAX_PARTICIPANT_CODE_CHARS} are allowed")
    if isinstance(session_number, bool) or int(session_number) < 1 or int(session_number) > MAX_SEED:
        raise ExperimentError(f"--session {session_number!r}: must be a whole number from 1 to "
                              f"{MAX_SEED}")
    if seed is not None and (isinstance(seed, bool) or not 0 <= int(seed) <= MAX_SEED):
        raise ExperimentError(f"--seed {seed}: must be a whole number from 0 to {MAX_SEED}")


def check_display() -> None:
    """Refuse early (before a session exists) when there is no screen to show it on."""
    import os
    import sys

    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY") \
            and not os.environ.get("WAYLAND_DISPLAY"):
        raise ExperimentError("no display: $DISPLAY is not set (run on the lab machine's desktop, "
                              "or under xvfb-run for a simulated pilot)")


def ask_participant(session_number: int) -> tuple[str, int]:
    """PsychoPy's participant dialog (used when no participant code is given)."""
    try:
        from psychopy import gui
    except Exception as exc:  # noqa: BLE001 - Qt missing or no display
        raise ExperimentError(f"no --participant given and the participant dialog cannot open "
                              f"({exc})") from None
    info = {"participant": "", "session": session_number}
    dialog = gui.DlgFromDict(info, title="mirrorlab", order=["participant", "session"])
    if not dialog.OK:
        raise ExperimentError("participant dialog cancelled: no session started")
    code = str(info["participant"]).strip()
    if not code:
        raise ExperimentError("participant dialog: the participant code is empty")
    try:
        return code, int(info["session"])
    except (TypeError, ValueError):
        raise ExperimentError(f"participant dialog: session {info['session']!r} is not a "
                              "whole number") from None


def default_csv_dir(store) -> Path:
    """``data/`` beside an SQLite database file, else ``./data``."""
    url = store.engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).resolve().parent / "data"
    return Path.cwd() / "data"


@dataclass
class SessionPlan:
    """Everything decided before the window opens."""

    task: str
    participant: str
    session_number: int
    session_id: int
    language: str
    instruction: str
    response_mode: str
    params: dict[str, Any]
    seed: int
    trials: list[dict[str, Any]]          # the whole stored list (practice + main)
    to_run: list[dict[str, Any]]          # what this run presents, in order
    stimulus_set: Any
    stimulus_set_name: str
    csv_path: Path
    resumed: bool
    n_main_total: int
    extras: dict[str, Any] = field(default_factory=dict)


def open_microphone(csv_dir, store, participant, task, session_number, *, simulated=False,
                     seed=0):
    """A ``VoiceRecorder`` writing one WAV per trial under the CSV folder: on the microphone,
    or, for a simulated participant, on speech synthesised (espeak-ng, over noise) at the
    latency the simulated participant draws."""
    try:
        from experiments.voice import SynthesizedSpeech, VoiceRecorder
    except ImportError as exc:
        raise ExperimentError(f"--response voice: the voice key is not available ({exc})") from None
    folder = Path(csv_dir) if csv_dir is not None else default_csv_dir(store)
    audio_dir = unique_path(folder, session_file_stem(participant, task, session_number), "_audio")
    if simulated:
        return VoiceRecorder(audio_dir, source=SynthesizedSpeech(seed=int(seed or 0)))
    return VoiceRecorder(audio_dir)


def plan_session(task_cls, participant, session_number, *, store, stimuli, trial_list,
                  language, instruction, response, resume, seed, csv_dir, max_trials,
                  max_practice_trials, practice, params, study, simulate, simulation,
                  participant_agent) -> SessionPlan:
    from db.provenance import machine_info, software_versions

    task = task_cls.name
    if resume:
        return _plan_resume(task_cls, participant, session_number, store=store, study=study,
                            response=response, stimuli=stimuli)

    stimulus_set, set_name, set_hash = None, "custom", None
    if trial_list is None:
        stimulus_set = _load_stimulus_set(stimuli, task, language)
        set_name, set_hash = stimulus_set.name, stimulus_set.hash
        if stimulus_set.task != task:
            raise ExperimentError(f"--stimuli {set_name}: a {stimulus_set.task} set, not {task}")
        language = language or stimulus_set.language
        instruction = instruction or stimulus_set.instructions[0]
        if instruction not in task_cls.instructions_supported:
            raise ExperimentError(f"--instruction {instruction!r}: task {task} supports "
                                  f"{', '.join(task_cls.instructions_supported)}")
        seed = default_seed(participant, session_number, task) if seed is None else int(seed)
        frame = _generate(stimulus_set, seed, instruction, participant, practice)
    else:
        frame = trial_list.copy()
        if stimuli is not None:      # the set the list was made from: name, hash, colours
            stimulus_set = _load_stimulus_set(stimuli, task, language)
            set_name, set_hash = stimulus_set.name, stimulus_set.hash
        seed = default_seed(participant, session_number, task) if seed is None else int(seed)
        if instruction is None and "instruction" in frame.columns and len(frame):
            instruction = str(frame["instruction"].iloc[0])
        if language is None and "language" in frame.columns and len(frame):
            language = str(frame["language"].iloc[0])
    language = language or "en"
    if language not in ("en", "ja"):
        raise ExperimentError(f"--lang {language!r}: choose en or ja")
    instruction = instruction or task_cls.instructions_supported[0]
    check_trial_list(frame, task_cls, f"task {task}")
    frame = shorten(frame, max_trials, max_practice_trials, practice)
    records = trial_records(frame)
    check_trial_values(records, f"task {task} trial list ({set_name})")
    if set_hash is None:
        set_hash = trial_list_hash(records)

    resolved = resolve_parameters(task_cls.parameters(), params, task=task)
    task_cls.check_trials(records, resolved, f"task {task}")
    agent_description = None
    if participant_agent is not None:
        agent_description = participant_agent.description
    elif simulate:
        from experiments.simulated import SimulatedParticipant, SimulationProfile

        agent_description = SimulatedParticipant(
            seed=seed, profile=SimulationProfile.from_mapping(simulation)).description
    stored_parameters = {"task": resolved, "instruction": instruction,
                         "participant_index": participant_index_for(participant),
                         "max_trials": max_trials, "max_practice_trials": max_practice_trials,
                         "practice": practice, "simulated_participant": agent_description}
    csv_folder = Path(csv_dir) if csv_dir is not None else default_csv_dir(store)
    check_output_folder("--csv-dir" if csv_dir is not None else "CSV folder", csv_folder)
    csv_path = unique_path(csv_folder, session_file_stem(participant, task, session_number, study),
                           ".csv").resolve()
    versions = software_versions(("python-xlib", "psychtoolbox", "pyglet"))
    session_id = store.start_session(
        participant_code=participant, task=task, session_number=session_number, study=study,
        resume=False, seed=seed, language=language, response_mode=response,
        stimulus_set=set_name, stimulus_set_hash=set_hash, parameters=stored_parameters,
        trial_list=records, software_versions=versions, machine_info=machine_info(),
        csv_path=str(csv_path))
    n_main = sum(1 for r in records if not r.get("is_practice"))
    return SessionPlan(task=task, participant=participant, session_number=session_number,
                       session_id=session_id, language=language, instruction=instruction,
                       response_mode=response, params=resolved, seed=seed, trials=records,
                       to_run=records, stimulus_set=stimulus_set, stimulus_set_name=set_name,
                       csv_path=csv_path, resumed=False, n_main_total=n_main)


def _plan_resume(task_cls, participant, session_number, *, store, study, response, stimuli):
    task = task_cls.name
    session_id = store.start_session(participant_code=participant, task=task,
                                     session_number=session_number, study=study, resume=True)
    stored = store.get_session(session_id)
    records = list(stored.trial_list or [])
    if not records:
        store.finish_session(session_id, "aborted")
        raise ExperimentError(f"--resume: {participant} {task} session {session_number} has no "
                              "stored trial list to continue")
    done = set(store.completed_trial_indices(session_id))
    to_run = [r for r in records if not r.get("is_practice") and int(r["trial_index"]) not in done]
    n_main = sum(1 for r in records if not r.get("is_practice"))
    if not to_run:
        store.finish_session(session_id, "completed")
        raise ExperimentError(f"--resume: {participant} {task} session {session_number} already "
                              f"has all {n_main} trials; nothing to continue")
    parameters = dict(stored.parameters or {})
    stimulus_set = None
    if stored.stimulus_set and stored.stimulus_set != "custom":
        try:
            stimulus_set = _load_stimulus_set(stimuli or stored.stimulus_set, task, None)
        except ExperimentError:
            stimulus_set = None    # the stored trial list is enough to go on
    csv_path = Path(stored.csv_path) if stored.csv_path else default_csv_dir(store) / (
        f"{file_safe_code(participant)}_{task}_s{session_number}_resumed.csv")
    return SessionPlan(task=task, participant=participant, session_number=session_number,
                       session_id=session_id, language=stored.language or "en",
                       instruction=parameters.get("instruction") or task_cls.instructions_supported[0],
                       response_mode=stored.response_mode or response,
                       params=dict(parameters.get("task") or {}), seed=int(stored.seed or 0),
                       trials=records, to_run=to_run, stimulus_set=stimulus_set,
                       stimulus_set_name=stored.stimulus_set or "custom", csv_path=csv_path,
                       resumed=True, n_main_total=n_main,
                       extras={"already_done": len(done)})


#: Longest participant-code part of a file name (the code itself is stored verbatim).
MAX_CODE_CHARS_IN_FILE_NAME = 40


def file_safe_code(code: str) -> str:
    """A participant code as part of a file name: letters of every script (``山田`` stays
    ``山田``), digits and ``_.-`` are kept; anything else becomes ``-``. When that changes the
    code or it is longer than ``MAX_CODE_CHARS_IN_FILE_NAME``, an 8-character hash of the
    exact code is appended, so two codes never share a file name."""
    kept = re.sub(r"[^\w.-]+", "-", code, flags=re.UNICODE).strip(".-") or "participant"
    if kept == code and len(code) <= MAX_CODE_CHARS_IN_FILE_NAME:
        return code
    digest = hashlib.sha256(code.encode("utf-8")).hexdigest()[:8]
    return f"{kept[:MAX_CODE_CHARS_IN_FILE_NAME]}-{digest}"


def session_file_stem(participant: str, task: str, session_number: int, study: str = "default") -> str:
    """``<code>_<task>_s<n>_<date>`` (with ``<study>_`` in front for a study other than the
    default), the stem of a session's CSV and audio folder."""
    stamp = dt.datetime.now().strftime("%Y-%m-%d_%Hh%M.%S")
    prefix = "" if study == "default" else f"{file_safe_code(study)}_"
    return f"{prefix}{file_safe_code(participant)}_{task}_s{session_number}_{stamp}"


def unique_path(folder: Path, stem: str, suffix: str) -> Path:
    """``folder/stem+suffix``, or ``stem-2``, ``stem-3`` … when that name is taken."""
    candidate = folder / f"{stem}{suffix}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{number}{suffix}"
        number += 1
    return candidate


def check_output_folder(option: str, folder: str | Path | None) -> None:
    """Refuse, before a window opens or anything is stored, an output folder that is a file,
    lies under a file, or cannot be written."""
    if folder is None:
        return
    path = Path(folder)
    for candidate in (path, *path.parents):
        if candidate.exists():
            if not candidate.is_dir():
                which = "is a file" if candidate == path else f"is under the file {candidate}"
                raise ExperimentError(f"{option} {folder}: {which}, not a folder")
            if not os.access(candidate, os.W_OK | os.X_OK):
                raise ExperimentError(f"{option} {folder}: {candidate} is not writable")
            return


def _load_stimulus_set(stimuli, task: str, language: str | None):
    from stimuli import StimulusError, load_set

    if stimuli is not None and not isinstance(stimuli, (str, Path)):
        return stimuli
    name = stimuli or f"{task}-{language or 'en'}"
    try:
        return load_set(name)
    except StimulusError as exc:
        raise ExperimentError(f"--stimuli {name}: {exc}") from None


def _generate(stimulus_set, seed, instruction, participant, practice):
    from stimuli import StimulusError

    try:
        return stimulus_set.trial_list(seed=seed, instruction=instruction,
                                       participant_index=participant_index_for(participant),
                                       include_practice=practice)
    except StimulusError as exc:
        raise ExperimentError(f"--stimuli {stimulus_set.name}: {exc}") from None
