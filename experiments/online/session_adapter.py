"""The one place where online sessions meet the session plan and the store.

Everything ``mirrorlab serve`` and ``mirrorlab links`` need from today's
``experiments.session_plan`` (trial lists, seeds, counterbalancing, the session record) and
``db.store`` (sessions, trials) is called from this module only, so that it can be re-pointed
in one place when those APIs change.

A slot's session is planned exactly as ``mirrorlab run TASK --participant CODE`` plans it
(same default seed from code/task/session, same counterbalancing index from the code's
trailing number, same stimulus set and options), and stored with the slot's response mode
(``keyboard``, or ``voice``: one recording per trial, uploaded and run through the lab's voice
key, ``experiments.online.audio``) and ``machine_info.source_mode='online'``. A reopened session continues at the first trial
of its stored list that has no stored row (practice included), so a reload or a lost
connection neither repeats nor skips a trial. Trial rows are built here, on the server, from
the stored trial list plus what the browser measured: the stimulus columns can never come
from the page.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from experiments.errors import ExperimentError

#: how a slot's rows are labelled: people, or a scripted/simulated participant in a pilot/test
SLOT_SOURCES = ("human", "simulated")
#: run options a slot may carry (as for ``mirrorlab run``)
SLOT_OPTION_KEYS = ("seed", "max_trials", "max_practice_trials", "practice", "params", "source",
                    "response")


class SlotClosed(Exception):
    """The link's session is over (completed): the token may not be used again."""


class RecordingMissing(ExperimentError):
    """A voice trial was posted before its recording was uploaded (the page uploads again)."""


@dataclass
class Slot:
    id: int
    study: str
    slot_number: int
    participant_code: str
    task: str
    stimulus_set: str | None
    language: str | None
    instruction: str | None
    options: dict[str, Any]
    session_id: int | None


@dataclass
class OpenSession:
    """What the page needs to continue a slot's session."""

    session_id: int
    task: str
    participant_code: str
    session_number: int
    language: str
    instruction: str
    params: dict[str, Any]
    trials: list[dict[str, Any]]          # the whole stored list
    to_run: list[dict[str, Any]]          # not yet stored, in order
    stimulus_set: Any
    n_done: int
    resumed: bool
    source: str = "human"
    response_mode: str = "keyboard"
    audio_dir: str | None = None          # where a voice session's recordings are kept
    extras: dict[str, Any] = field(default_factory=dict)


def _slot_from_row(row) -> Slot:
    return Slot(id=row.id, study=row.study, slot_number=row.slot_number,
                participant_code=row.participant_code, task=row.task,
                stimulus_set=row.stimulus_set, language=row.language,
                instruction=row.instruction, options=dict(row.options or {}),
                session_id=row.session_id)


def trial_key(record: dict[str, Any]) -> tuple[int, bool]:
    return int(record["trial_index"]), bool(record.get("is_practice"))


def recording_label(opened: "OpenSession", key: tuple[int, bool]) -> str:
    """A trial's recording file name, as the lab names it (``<code>_s<n>_t<index>[_practice]``,
    with anything but letters, digits, ``.``, ``-`` and ``_`` replaced, as
    ``VoiceRecorder`` does, so a code can never name another folder)."""
    import re

    label = (f"{opened.participant_code}_s{opened.session_number}_t{key[0]}"
             f"{'_practice' if key[1] else ''}")
    return re.sub(r"[^\w.-]+", "_", label, flags=re.ASCII).strip("._") or "trial"


class OnlineSessions:
    """Slots, sessions and trial rows of online studies on one ``db.store.Store``."""

    def __init__(self, store, *, audio_root=None):
        from pathlib import Path

        from experiments.session_plan import default_csv_dir

        self.store = store
        #: voice sessions keep their recordings in ``<audio_root>/<session stem>_audio/``
        self.audio_root = Path(audio_root) if audio_root is not None else default_csv_dir(store)
        self._recordings: dict[tuple[int, int, bool], dict[str, Any]] = {}
        self._slot_locks: dict[int, threading.Lock] = defaultdict(threading.Lock)
        self._locks_guard = threading.Lock()
        self._open_cache: dict[int, OpenSession] = {}

    def _lock(self, slot_id: int) -> threading.Lock:
        with self._locks_guard:
            return self._slot_locks[slot_id]

    # ------------------------------------------------------------------ slots (links)
    def create_slots(self, *, study: str, n: int, task: str, stimuli: str | None = None,
                     language: str | None = None, instruction: str | None = None,
                     options: dict[str, Any] | None = None, code_prefix: str | None = None
                     ) -> list[tuple[Slot, str]]:
        """Create ``n`` more slots of ``study`` and return them with their tokens (shown
        once; only the hashes are stored). Participant codes are pseudonymous:
        ``<prefix>-<slot number>`` (the trailing number is the counterbalancing index, as in
        ``mirrorlab run``)."""
        from sqlalchemy import func, select

        from db.online_schema import OnlineSlot
        from experiments.online.tokens import new_token, token_hash
        from experiments.tasks import task_class

        task_class(task)                                   # unknown task: one clear line
        if n < 1:
            raise ExperimentError(f"--n {n}: must be at least 1")
        options = dict(options or {})
        unknown = set(options) - set(SLOT_OPTION_KEYS)
        if unknown:
            raise ExperimentError(f"unknown slot option(s) {', '.join(sorted(unknown))}")
        if options.get("source", "human") not in SLOT_SOURCES:
            raise ExperimentError(f"slot source {options.get('source')!r}: choose human or simulated")
        response = options.get("response", "keyboard")
        from stimuli.tasks import task_card

        allowed = task_card(task).response_modes
        if response not in allowed:
            raise ExperimentError(f"--response {response!r}: task {task} is answered with "
                                  f"{' or '.join(allowed)} only")
        self._check_plan(task, stimuli, language, instruction, options)
        prefix = code_prefix or "W"
        created = []
        with self.store.orm(write=True) as orm:
            last = orm.scalar(select(func.max(OnlineSlot.slot_number)).where(
                OnlineSlot.study == study)) or 0
            for number in range(last + 1, last + 1 + n):
                token = new_token()
                row = OnlineSlot(study=study, slot_number=number,
                                 participant_code=f"{prefix}-{number:03d}", task=task,
                                 stimulus_set=stimuli, language=language,
                                 instruction=instruction, options=options,
                                 token_sha256=token_hash(token))
                orm.add(row)
                created.append((row, token))
            orm.commit()
            return [(_slot_from_row(row), token) for row, token in created]

    @staticmethod
    def _check_plan(task, stimuli, language, instruction, options) -> None:
        """Refuse at ``links`` time what would refuse the session later (unknown set,
        instruction, parameter)."""
        from experiments.parameters import resolve_parameters
        from experiments.session_plan import _load_stimulus_set
        from experiments.tasks import task_class

        task_cls = task_class(task)
        stimulus_set = _load_stimulus_set(stimuli, task, language)
        if stimulus_set.task != task:
            raise ExperimentError(f"--stimuli {stimulus_set.name}: a {stimulus_set.task} set, "
                                  f"not {task}")
        if instruction is not None and instruction not in task_cls.instructions_supported:
            raise ExperimentError(f"--instruction {instruction!r}: task {task} supports "
                                  f"{', '.join(task_cls.instructions_supported)}")
        resolve_parameters(task_cls.parameters(), options.get("params") or {}, task=task)

    def slot_for_token(self, token: str) -> Slot | None:
        from sqlalchemy import select

        from db.online_schema import OnlineSlot
        from experiments.online.tokens import looks_like_token, token_hash

        if not looks_like_token(token):
            return None
        with self.store.orm() as orm:
            row = orm.scalar(select(OnlineSlot).where(OnlineSlot.token_sha256 == token_hash(token)))
            return None if row is None else _slot_from_row(row)

    def touch(self, slot: Slot) -> None:
        """Remember when the slot's page was last heard from (for the abandonment timeout)."""
        from sqlalchemy import update

        from db.online_schema import OnlineSlot
        from db.schema import utc_now

        with self.store.orm(write=True) as orm:
            orm.execute(update(OnlineSlot).where(OnlineSlot.id == slot.id)
                        .values(last_seen_at=utc_now()))
            orm.commit()

    # ------------------------------------------------------------------ sessions
    def open(self, slot: Slot) -> OpenSession:
        """Plan the slot's session on first use, else reopen it at its next unstored trial.
        Raises ``SlotClosed`` for a completed session."""
        with self._lock(slot.id):
            session_id = self._session_id(slot)
            if session_id is None:
                opened = self._plan_new(slot)
            else:
                opened = self._reopen(slot, session_id)
            self.touch(slot)
            self._open_cache[slot.id] = opened
            return opened

    def _session_id(self, slot: Slot) -> int | None:
        from db.online_schema import OnlineSlot

        with self.store.orm() as orm:
            row = orm.get(OnlineSlot, slot.id)
            return None if row is None else row.session_id

    def _plan_new(self, slot: Slot) -> OpenSession:
        from db.online_schema import OnlineSlot
        from db.provenance import machine_info
        from experiments.session_plan import plan_session
        from experiments.tasks import task_class

        options = slot.options
        plan = plan_session(
            task_class(slot.task), slot.participant_code, 1, store=self.store,
            stimuli=slot.stimulus_set, trial_list=None, language=slot.language,
            instruction=slot.instruction, response=options.get("response", "keyboard"),
            resume=False,
            seed=options.get("seed"), csv_dir=None, max_trials=options.get("max_trials"),
            max_practice_trials=options.get("max_practice_trials"),
            practice=bool(options.get("practice", True)), params=options.get("params") or {},
            study=slot.study, simulate=False, simulation=None, participant_agent=None)
        server = machine_info()
        info = {"source_mode": "online", "server": server, "slot_number": slot.slot_number}
        audio_dir = None
        if plan.response_mode == "voice":
            from experiments.session_plan import session_file_stem, unique_path

            audio_dir = str(unique_path(self.audio_root.absolute(), session_file_stem(
                slot.participant_code, slot.task, 1, slot.study), "_audio"))
            info["audio_dir"] = audio_dir
        self.store.update_session(plan.session_id, csv_path=None, machine_info=info)
        with self.store.orm(write=True) as orm:
            row = orm.get(OnlineSlot, slot.id)
            row.session_id = plan.session_id
            orm.commit()
        return OpenSession(session_id=plan.session_id, task=plan.task,
                           participant_code=slot.participant_code, session_number=1,
                           language=plan.language, instruction=plan.instruction,
                           params=dict(plan.params), trials=plan.trials, to_run=list(plan.trials),
                           stimulus_set=plan.stimulus_set, n_done=0, resumed=False,
                           source=options.get("source", "human"),
                           response_mode=plan.response_mode, audio_dir=audio_dir)

    def _reopen(self, slot: Slot, session_id: int) -> OpenSession:
        from experiments.session_plan import _load_stimulus_set

        stored = self.store.get_session(session_id)
        if stored.status == "completed":
            raise SlotClosed(f"slot {slot.slot_number} of study {slot.study}: the session is "
                             "completed")
        records = list(stored.trial_list or [])
        done = self.stored_trial_keys(session_id)
        to_run = [r for r in records if trial_key(r) not in done]
        if stored.status != "running":
            self.store.start_session(participant_code=slot.participant_code, task=slot.task,
                                     session_number=stored.session_number, study=slot.study,
                                     resume=True)
        parameters = dict(stored.parameters or {})
        stimulus_set = None
        if stored.stimulus_set and stored.stimulus_set != "custom":
            try:
                stimulus_set = _load_stimulus_set(slot.stimulus_set or stored.stimulus_set,
                                                  slot.task, stored.language)
            except ExperimentError:
                stimulus_set = None
        return OpenSession(session_id=session_id, task=slot.task,
                           participant_code=slot.participant_code,
                           session_number=stored.session_number, language=stored.language or "en",
                           instruction=parameters.get("instruction") or "",
                           params=dict(parameters.get("task") or {}), trials=records,
                           to_run=to_run, stimulus_set=stimulus_set, n_done=len(done),
                           resumed=bool(done), source=slot.options.get("source", "human"),
                           response_mode=stored.response_mode or "keyboard",
                           audio_dir=(stored.machine_info or {}).get("audio_dir"))

    def stored_trial_keys(self, session_id: int) -> set[tuple[int, bool]]:
        from sqlalchemy import select

        from db.schema import Trial

        with self.store.orm() as orm:
            return {(int(i), bool(p)) for i, p in orm.execute(select(
                Trial.trial_index, Trial.is_practice).where(Trial.session_id == session_id))}

    def session_status(self, session_id: int) -> str:
        return self.store.get_session(session_id).status

    # ------------------------------------------------------------------ trials
    def store_trial(self, slot: Slot, measured: dict[str, Any]) -> dict[str, Any]:
        """Build the trial row from the stored trial list and the browser's measurements,
        and commit it (once: a retried POST of a stored trial is answered as stored)."""
        from sqlalchemy import select, update

        from db.online_schema import OnlineSlot
        from db.schema import Session, Trial, utc_now
        from db.store import trial_values

        with self._lock(slot.id):
            key = (int(measured["trial_index"]), bool(measured["is_practice"]))
            opened, record = self._opened_record(slot, key)
            session_id = opened.session_id
            voice = None
            if opened.response_mode == "voice":
                if key in self.stored_trial_keys(session_id):
                    return {"stored": False, "duplicate": True}
                voice = self._measure_recording(slot, opened, key, measured)
            row = self.trial_row(opened, record, measured, voice=voice)
            values = trial_values(row, session_id=session_id)
            with self.store.orm(write=True) as orm:    # one short transaction, Core statements
                existing = orm.scalar(select(Trial.id).where(
                    Trial.session_id == session_id, Trial.trial_index == key[0],
                    Trial.is_practice.is_(key[1])))
                if existing is not None:
                    return {"stored": False, "duplicate": True}
                status = orm.scalar(select(Session.status).where(Session.id == session_id))
                if status is None or status == "completed":
                    raise SlotClosed("the session is completed")
                if status != "running":                   # came back after the timeout
                    orm.execute(update(Session).where(Session.id == session_id)
                                .values(status="running", ended_at=None))
                self.store.insert_trial_values(orm, [values])
                orm.execute(update(OnlineSlot).where(OnlineSlot.id == slot.id)
                            .values(last_seen_at=utc_now()))
                orm.commit()
            self._recordings.pop((slot.id, *key), None)
            return {"stored": True, "duplicate": False, "correct": row["correct"],
                    "rt_ms": row["rt_ms"]}

    def _opened_record(self, slot: Slot, key: tuple[int, bool]):
        """The slot's open session (reopened after a server restart) and one trial of its
        list (caller holds the slot's lock)."""
        opened = self._open_cache.get(slot.id)
        if opened is None:                      # e.g. the server restarted since /session
            session_id = self._session_id(slot)
            if session_id is None:
                raise ExperimentError("the session has not been opened")
            opened = self._reopen(slot, session_id)
            self._open_cache[slot.id] = opened
        record = next((r for r in opened.trials if trial_key(r) == key), None)
        if record is None:
            raise ExperimentError(f"trial {key[0]} (practice={key[1]}) is not in this "
                                  "session's trial list")
        return opened, record

    # ------------------------------------------------------------------ voice recordings
    def store_recording(self, slot: Slot, key: tuple[int, bool], data: bytes,
                        content_type: str | None) -> dict[str, Any]:
        """Check, decode and keep one voice trial's uploaded recording (a WAV in the session's
        audio folder). Refused uploads (``audio.AudioUploadError``: not a voice session, a
        stored trial, not audio) write nothing."""
        from experiments.online.audio import (AudioUploadError, accepted_content_type,
                                              decode_recording, save_recording)

        media_type = accepted_content_type(content_type)        # 415 before decoding
        with self._lock(slot.id):
            opened, _ = self._opened_record(slot, key)
            if opened.response_mode != "voice" or not opened.audio_dir:
                raise AudioUploadError(409, "this session is answered with the keyboard; it "
                                            "takes no recordings")
            if key in self.stored_trial_keys(opened.session_id):
                return {"stored": False, "duplicate": True}
        samples, rate, info = decode_recording(data, media_type)   # 422: not audio
        with self._lock(slot.id):
            if key in self.stored_trial_keys(opened.session_id):
                return {"stored": False, "duplicate": True}
            path = save_recording(opened.audio_dir, recording_label(opened, key), samples, rate)
            info = {**info, "decoded_sample_rate_hz": rate, "decoded_samples": int(samples.size)}
            self._recordings[(slot.id, *key)] = info
        return {"stored": True, "duplicate": False,
                "duration_ms": round(1000.0 * samples.size / rate, 1)}

    def _measure_recording(self, slot: Slot, opened: OpenSession, key: tuple[int, bool],
                           measured: dict[str, Any]) -> dict[str, Any]:
        """The lab's voice key on the trial's stored recording: the row's voice fields."""
        from pathlib import Path

        from experiments.online.audio import voice_fields

        path = Path(opened.audio_dir or "") / f"{recording_label(opened, key)}.wav"
        start_ms, onset_ms = measured.get("recording_start_ms"), measured.get("target_onset_ms")
        if not path.is_file():
            raise RecordingMissing(f"trial {key[0]}: its recording has not been uploaded")
        if start_ms is None or onset_ms is None:
            raise ExperimentError(f"trial {key[0]}: a voice trial needs recording_start_ms "
                                  "and target_onset_ms")
        recording = {"upload": self._recordings.get((slot.id, *key), {})}
        return voice_fields(path, float(onset_ms) - float(start_ms),
                            opened.params.get("voice_key"), recording=recording)

    @staticmethod
    def trial_row(opened: OpenSession, record: dict[str, Any], measured: dict[str, Any],
                  voice: dict[str, Any] | None = None):
        """The shared trial row, as ``experiments.runner`` builds it in the lab, with the
        browser's ``performance.now()`` timing in extras and ``source_mode='online'``.
        ``voice``: the voice key's fields of a voice trial (``audio.voice_fields``)."""
        from experiments.tasks import task_class
        from experiments.tasks.naming_proxy import ACCURACY_ASSUMED, NAMING_RESPONSE

        task = task_class(opened.task)(opened.params, language=opened.language,
                                       stimulus_set=opened.stimulus_set)
        key_map = task.response_key_map(record)
        key = measured.get("key")
        response = key_map.get(key) if key else None
        onset_ms, key_time_ms = measured.get("target_onset_ms"), measured.get("key_time_ms")
        rt_ms = None
        if response is not None and onset_ms is not None and key_time_ms is not None:
            rt_ms = float(key_time_ms) - float(onset_ms)
        correct = task.score(record, response)
        extras: dict[str, Any] = {
            "source_mode": "online", "response_mode": opened.response_mode, "response_key": key,
            "target_onset_ms": onset_ms, "key_time_ms": key_time_ms,
            "onsets_ms": measured.get("onsets_ms") or {},
            "fixation_onset_ms": measured.get("fixation_onset_ms"),
            "refresh_interval_ms": measured.get("refresh_interval_ms"),
            "onset_frame_interval_ms": measured.get("onset_frame_interval_ms"),
            "post_attempts": measured.get("attempt"),
            "timing_clock": "performance.now() (ms); onset = requestAnimationFrame after the draw",
        }
        onsets = extras["onsets_ms"]
        if "picture" in onsets and "word" in onsets:
            extras["measured_soa_ms"] = float(onsets["word"]) - float(onsets["picture"])
        if voice is not None:                        # as the lab's voice trials
            voice = dict(voice)
            rt_ms = voice.pop("rt_ms")
            extras.update(voice)
            extras.update({name: measured.get(name) for name in (
                "recording_start_ms", "recording_stop_ms", "recording_type")})
            # did the recording reach the deadline? (False: a late onset may be missing)
            in_recording_ms = voice["voice_key"]["stimulus_onset_in_recording_ms"]
            extras["recording_covers_deadline"] = bool(
                voice["recording_duration_ms"] - in_recording_ms
                >= float(opened.params.get("response_deadline_ms", 0.0)))
            correct = None
            extras["accuracy_source"] = "to review (voice)"
        elif rt_ms is None:
            correct = False                          # no key by the deadline: an error
        elif response == NAMING_RESPONSE:
            extras["accuracy_source"] = ACCURACY_ASSUMED
        if rt_ms is not None and rt_ms > float(opened.params.get("response_deadline_ms", math.inf)):
            extras["too_slow"] = True
        if measured.get("after_resume"):
            extras["after_break"] = True
        from db.rows import split_trial_fields, trial_row

        stimulus, presentation_only = split_trial_fields(record)   # picture files → extras
        return trial_row(stimulus, response=response, correct=correct, rt_ms=rt_ms,
                         source=opened.source, agent=opened.participant_code,
                         session=opened.session_number,
                         extras={**presentation_only, **extras}).as_dict()

    def finish(self, slot: Slot, browser: dict[str, Any] | None = None) -> str:
        """End the session as completed when every trial is stored; returns the status."""
        with self._lock(slot.id):
            session_id = self._session_id(slot)
            if session_id is None:
                raise ExperimentError("the session has not been opened")
            stored = self.store.get_session(session_id)
            if stored.status == "completed":
                return "completed"
            done = self.stored_trial_keys(session_id)
            missing = [r for r in (stored.trial_list or []) if trial_key(r) not in done]
            if missing:
                raise ExperimentError(f"{len(missing)} trial(s) of this session are not stored yet")
            self.store.finish_session(session_id, "completed")
            self._open_cache.pop(slot.id, None)
            return "completed"

    def record_browser(self, slot: Slot, browser: dict[str, Any]) -> None:
        """Keep the browser's display facts (refresh estimate, window size) with the session;
        nothing that identifies the person (no IP address, no user-agent string)."""
        session_id = self._session_id(slot)
        if session_id is None:
            return
        stored = self.store.get_session(session_id)
        info = dict(stored.machine_info or {})
        info["browser"] = browser
        refresh = browser.get("refresh_interval_ms")
        fields: dict[str, Any] = {"machine_info": info}
        if isinstance(refresh, (int, float)) and refresh > 0:
            fields["frame_rate_hz"] = 1000.0 / float(refresh)
        self.store.update_session(session_id, **fields)

    # ------------------------------------------------------------------ experimenter
    def progress(self) -> list[dict[str, Any]]:
        """Per slot: code, task, status, trials stored / planned, last heard from. No trial
        data."""
        from sqlalchemy import func, select

        from db.online_schema import OnlineSlot
        from db.schema import Session, Trial

        query = (select(OnlineSlot, Session.status, Session.trial_list,
                        select(func.count()).select_from(Trial)
                        .where(Trial.session_id == OnlineSlot.session_id).scalar_subquery())
                 .outerjoin(Session, Session.id == OnlineSlot.session_id)
                 .order_by(OnlineSlot.study, OnlineSlot.slot_number))
        rows = []
        with self.store.orm() as orm:
            for slot, status, trial_list, n_stored in orm.execute(query):
                rows.append({"study": slot.study, "slot": slot.slot_number,
                             "participant": slot.participant_code, "task": slot.task,
                             "status": status or "not started", "n_stored": int(n_stored or 0),
                             "n_planned": len(trial_list or []) if status else None,
                             "last_seen_at": slot.last_seen_at.isoformat()
                             if slot.last_seen_at else None})
        return rows

    def abort_abandoned(self, timeout_s: float) -> int:
        """Sessions of slots not heard from for ``timeout_s`` end as ``aborted`` (every
        stored trial kept; the link still resumes at the next trial)."""
        from sqlalchemy import select

        from db.online_schema import OnlineSlot
        from db.schema import Session, utc_now

        cutoff = utc_now() - dt.timedelta(seconds=timeout_s)
        with self.store.orm() as orm:
            candidates = list(orm.execute(
                select(OnlineSlot.id, OnlineSlot.session_id, OnlineSlot.last_seen_at)
                .join(Session, Session.id == OnlineSlot.session_id)
                .where(Session.status == "running")))
        n = 0
        for slot_id, session_id, last_seen in candidates:
            if last_seen is not None and last_seen.tzinfo is None:
                last_seen = last_seen.replace(tzinfo=dt.timezone.utc)
            if last_seen is None or last_seen < cutoff:
                with self._lock(slot_id):
                    self.store.finish_session(session_id, "aborted")
                    self._open_cache.pop(slot_id, None)
                n += 1
        return n
