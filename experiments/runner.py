"""The session runner: everything around the one-trial presentation of a task.

Order of a session: participant info → stimulus set and trial list → the store refuses a
duplicate (before any window opens) → window and frame-period measurement → instructions →
practice with feedback → main blocks with breaks and progress → end screen. Each trial is
committed to the store and appended to the PsychoPy-style CSV in the inter-trial interval,
never inside the frame loop. Escape asks for confirmation on screen; "y" ends the session as
``aborted`` with every finished trial kept. ``resume=True`` reopens the stored session and
continues at the next trial of its stored trial list. What is decided before the window
opens (participant, trial list, parameters, the session record) lives in
``experiments.session_plan``.

Python API (used by ``mirrorlab run`` and by the demo pipeline)::

    from experiments import SessionOptions, run_session
    options = SessionOptions(stimuli="stroop-en", simulate=True, windowed=True,
                             max_trials=24, params={"iti_ms": 300})
    session_id = run_session("stroop", "P01", options)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from db.rows import split_trial_fields, trial_row
from experiments.errors import ExperimentError, SessionAborted
from experiments.session_plan import (
    RESPONSE_MODES,
    SessionPlan,
    ask_participant,
    check_display,
    check_output_folder,
    check_session_inputs,
    open_microphone,
    plan_session,
)
from experiments.session_options import SessionOptions
from experiments.tasks import task_class
from experiments.tasks.naming_proxy import ACCURACY_ASSUMED, NAMING_RESPONSE
from stimuli.tasks import task_card

FRAME_PERIOD_FALLBACK_S = 1.0 / 60.0
#: At the session's end, kept trials are committed with this many busy-timeout waits.
END_OF_SESSION_COMMIT_ATTEMPTS = 10


# ---------------------------------------------------------------------------- the API
def run_session(task: str, participant: str | None = None,
                options: SessionOptions | None = None, **overrides: Any) -> int:
    """Run one session of ``task`` and return its session id (see the module docstring).

    ``stimuli`` is a bundled set name, a folder, an items.csv path or a loaded set (default:
    ``<task>-<language>``); ``trial_list`` a ready DataFrame instead. ``simulate`` lets a
    simulated participant answer (``simulation`` overrides its profile); ``participant_agent``
    is any ``experiments.simulated.KeyAgent`` (tests use a scripted one). With
    ``response='voice'`` the microphone is opened before the session is created, so a missing
    microphone refuses the session instead of leaving an empty one; ``voice_recorder`` may be
    a ready ``experiments.voice.VoiceRecorder`` (e.g. on prerecorded speech).
    ``screenshot_dir`` saves one PNG of each trial's full display (taken in the ITI).
    All of these are fields of ``options`` (``experiments.session_options.SessionOptions``);
    keyword arguments of the same names override them.
    """
    from db.store import Store

    chosen = SessionOptions.build(options, **overrides)
    (session, stimuli, trial_list, language, instruction, response, store, db, windowed,
     window_size, resume, simulate, simulation, participant_agent, voice_recorder,
     screenshot_dir, seed, csv_dir, max_trials, max_practice_trials, practice, params,
     study) = (getattr(chosen, f.name) for f in dataclasses.fields(SessionOptions))

    task_cls = task_class(task)
    if response not in RESPONSE_MODES:
        raise ExperimentError(f"--response {response!r}: choose keyboard or voice")
    if response not in task_card(task).response_modes:
        raise ExperimentError(f"task {task} is answered with "
                              f"{' or '.join(task_card(task).response_modes)} only; "
                              f"--response {response} is not for this task")
    if participant is None:
        participant, session = ask_participant(session)
    participant = str(participant).strip()
    if not participant:
        raise ExperimentError("participant code is empty")
    if isinstance(session, bool) or int(session) < 1:
        raise ExperimentError(f"--session {session!r}: must be a whole number ≥ 1")
    check_session_inputs(participant, session, seed)
    check_output_folder("--csv-dir", csv_dir)
    check_output_folder("--screenshots", screenshot_dir)
    check_display()
    store = store if store is not None else Store(db)
    if response == "voice" and voice_recorder is None and not resume:
        voice_recorder = open_microphone(csv_dir, store, participant, task, int(session),
                                          simulated=simulate or participant_agent is not None,
                                          seed=seed or 0)

    try:
        plan = plan_session(task_cls, participant, int(session), store=store, stimuli=stimuli,
                             trial_list=trial_list, language=language, instruction=instruction,
                             response=response, resume=resume, seed=seed, csv_dir=csv_dir,
                             max_trials=max_trials, max_practice_trials=max_practice_trials,
                             practice=practice, params=params, study=study, simulate=simulate,
                             simulation=simulation, participant_agent=participant_agent)
    except BaseException:
        if voice_recorder is not None:
            voice_recorder.close()
        raise
    if plan.response_mode != "voice":
        voice_recorder = None
    agent = participant_agent
    if agent is None and simulate:
        from experiments.simulated import SimulatedParticipant, SimulationProfile

        agent = SimulatedParticipant(seed=plan.seed,
                                     profile=SimulationProfile.from_mapping(simulation))
    if plan.response_mode == "voice" and voice_recorder is None:      # resumed voice session
        voice_recorder = open_microphone(csv_dir, store, participant, task, int(session),
                                          simulated=simulate or participant_agent is not None,
                                          seed=plan.seed)
    runner = SessionRunner(plan, store=store, task_cls=task_cls, agent=agent,
                           windowed=windowed, window_size=window_size, voice=voice_recorder,
                           screenshot_dir=screenshot_dir)
    runner.run()
    return plan.session_id


# ---------------------------------------------------------------------------- the session
class SessionRunner:
    """Runs a planned session in a PsychoPy window (see the module docstring)."""

    def __init__(self, plan: SessionPlan, *, store, task_cls, agent=None, windowed=False,
                 window_size=(1024, 768), voice=None, screenshot_dir=None):
        self.plan = plan
        self.store = store
        self.task = task_cls(plan.params, language=plan.language,
                             stimulus_set=plan.stimulus_set, response_mode=plan.response_mode)
        self.agent = agent
        self.windowed = windowed
        self.window_size = tuple(window_size)
        self.win = None
        self.kb = None
        self.csv = None
        self.voice = voice
        self.screenshot_dir = Path(screenshot_dir) if screenshot_dir is not None else None
        if self.screenshot_dir is not None:
            self.screenshot_dir.mkdir(parents=True, exist_ok=True)
        self.frame_period_s = FRAME_PERIOD_FALLBACK_S
        self.commit_times_ms: list[float] = []
        self.n_escapes_declined = 0
        self.n_stored = 0                  # trials done: committed, or kept for the next ITI
        self.pending_rows: list[dict[str, Any]] = []   # done, not yet committed (db locked)
        self.heartbeat = None

    # ------------------------------------------------------------ life cycle
    def run(self) -> None:
        from experiments.heartbeat import LeaseHeartbeat

        status = "aborted"
        self.heartbeat = LeaseHeartbeat(self.store, self.plan.session_id).start()
        try:
            self._open()
            self._run_screens_and_trials()
            status = "completed"
        except SessionAborted:
            status = "aborted"
        except OSError as exc:
            raise self._output_error(exc) from None
        finally:
            self.heartbeat.stop()
            self._close()
            self._end_session(status)
        self.status = status

    def _end_session(self, status: str) -> None:
        """Commit what is still pending (waiting longer now that nobody waits for the next
        trial), then record the end; never touch a session another runner took over."""
        from sqlalchemy.exc import OperationalError

        from db.errors import SessionLeaseLost, StoreError

        if self.heartbeat is not None and self.heartbeat.lost is not None:
            return
        try:
            self._commit_pending(wait_s=None)
        except SessionLeaseLost:
            return
        except StoreError:
            status = "aborted"          # trials that could not be stored are in the CSV
        try:
            self.store.finish_session(self.plan.session_id, status)
        except (StoreError, OperationalError):
            pass     # e.g. a full disk: the lease expires with this process, --resume works

    def _output_error(self, exc: OSError) -> Exception:
        import errno

        what = exc.filename or self.plan.csv_path
        if exc.errno == errno.ENOSPC:
            return ExperimentError(
                f"the disk is full (writing {what}): session {self.plan.session_id} ended as "
                f"aborted; the {self.n_stored - len(self.pending_rows)} trials committed before "
                "are kept (free space, then --resume)")
        return ExperimentError(f"cannot write {what}: {exc.strerror or exc}; session "
                               f"{self.plan.session_id} ended as aborted, committed trials kept")

    def _commit_pending(self, wait_s: float | None) -> None:
        """Commit kept trials in order; ``DatabaseBusyError`` (SQLite's lock held by another
        writer for longer than ``wait_s``) leaves the rest for the next ITI."""
        from db.errors import DatabaseBusyError

        if self.heartbeat is not None and self.heartbeat.lost is not None:
            raise self.heartbeat.lost
        attempts_left = END_OF_SESSION_COMMIT_ATTEMPTS
        while self.pending_rows:
            commit_start = _now()
            try:
                self.store.add_trial(self.pending_rows[0], session_id=self.plan.session_id,
                                     wait_s=wait_s)
            except DatabaseBusyError:
                attempts_left -= 1
                if wait_s is None and attempts_left > 0:
                    continue            # end of session: each attempt waits the busy timeout
                if wait_s is None:
                    raise
                return
            self.commit_times_ms.append((_now() - commit_start) * 1000.0)
            self.pending_rows.pop(0)

    def _open(self) -> None:
        from psychopy import core, logging, visual
        from psychopy.hardware import keyboard

        from db.provenance import machine_info
        from experiments.psychopy_csv import PsychoPyCsv

        logging.console.setLevel(logging.ERROR)
        params = self.plan.params
        self.win = visual.Window(size=self.window_size, fullscr=not self.windowed,
                                 units="pix", color=self.task.rgb(params["background_rgb"]),
                                 colorSpace="rgb", allowGUI=self.windowed, waitBlanking=True,
                                 checkTiming=False)
        self.win.mouseVisible = self.windowed
        self.frame_period_s = measure_frame_period(self.win)
        self.win.refreshThreshold = 1.5 * self.frame_period_s
        self.kb = keyboard.Keyboard()
        self.session_clock = core.Clock()
        self.task.setup(self.win)
        width_px, height_px = (int(v) for v in self.win.size)   # full screen: the screen's size
        self.message = visual.TextStim(self.win, "", height=28, wrapWidth=width_px * 0.8,
                                       color=self.task.rgb(params["foreground_rgb"]),
                                       colorSpace="rgb", units="pix", font=self.task.font())
        self.footer = visual.TextStim(self.win, "", height=14, pos=(0, -height_px / 2 + 30),
                                      wrapWidth=width_px * 0.9,
                                      color=self.task.rgb(params["foreground_rgb"]),
                                      colorSpace="rgb", units="pix", font=self.task.font())
        info = machine_info()
        info.update({"window_size_px": [int(v) for v in self.win.size], "fullscreen": not self.windowed,
                     "frame_period_ms": self.frame_period_s * 1000.0,
                     "keyboard_backend": keyboard.KeyboardDevice.getBackend()})
        self.store.update_session(self.plan.session_id, frame_rate_hz=1.0 / self.frame_period_s,
                                  machine_info=info, csv_path=str(self.plan.csv_path))
        self.csv = PsychoPyCsv(self.plan.csv_path)
        if self.agent is not None:
            self.agent.start()
        self._psychopy_version = __import__("psychopy").__version__
        self._date = dt.datetime.now().strftime("%Y-%m-%d_%Hh%M.%S.%f")[:-3]

    def _close(self) -> None:
        if self.agent is not None:
            self.agent.close()
        if self.voice is not None:
            self.voice.close()
        if self.csv is not None:
            try:
                self.csv.close()
            except OSError:
                pass                    # a full disk: the session's error says so
        if self.win is not None:
            self.win.close()
            self.win = None

    # ------------------------------------------------------------ screens
    def show_screen(self, text: str, *, footer: str = "", keys=("space",)) -> str:
        """Show ``text`` until one of ``keys``; Escape asks to end the session."""
        from experiments.trial_loop import ESCAPE_KEY, poll_keys

        while True:
            self.message.text = text
            self.footer.text = footer
            self.message.draw()
            self.footer.draw()
            onset = {}
            self.win.callOnFlip(lambda: onset.setdefault("t", _now()))
            self.kb.clearEvents()
            self.win.flip()
            if self.agent is not None and "space" in keys:
                self.agent.on_screen(onset["t"], "space")
            pressed = self._wait_keys([*keys, ESCAPE_KEY], poll_keys)
            if pressed != ESCAPE_KEY:
                return pressed
            self.confirm_abort()

    def _wait_keys(self, keys, poll_keys) -> str:
        from psychopy import core

        while True:
            for key in poll_keys(self.kb, list(keys)):
                return key.name
            core.wait(0.005, hogCPUperiod=0)

    def confirm_abort(self) -> None:
        """Escape: ask on screen; 'y' raises ``SessionAborted``, 'n' returns."""
        from experiments.instructions import screen_text
        from experiments.trial_loop import poll_keys

        if self.agent is not None:
            self.agent.cancel()
        self.message.text = screen_text("confirm_abort", self.plan.language)
        self.message.draw()
        onset = {}
        self.win.callOnFlip(lambda: onset.setdefault("t", _now()))
        self.kb.clearEvents()
        self.win.flip()
        if self.agent is not None and hasattr(self.agent, "on_confirm_abort"):
            self.agent.on_confirm_abort(onset["t"])
        answer = self._wait_keys(["y", "n"], poll_keys)
        self.win.flip()
        if answer == "y":
            raise SessionAborted()

    # ------------------------------------------------------------ the session's course
    def _run_screens_and_trials(self) -> None:
        from experiments.instructions import VOICE_LEGEND, instruction_text, screen_text

        plan, lang = self.plan, self.plan.language
        legend = (VOICE_LEGEND[lang] if plan.response_mode == "voice"
                  else self.task.key_legend(plan.trials))
        attribution = getattr(plan.stimulus_set, "attribution", "") or ""
        if plan.resumed:
            self.show_screen(screen_text("resume", lang) + "\n\n"
                             + instruction_text(plan.task, plan.instruction, lang, legend),
                             footer=attribution)
        else:
            self.show_screen(instruction_text(plan.task, plan.instruction, lang, legend)
                             + "\n\n" + screen_text("continue", lang), footer=attribution)
        practice = [t for t in plan.to_run if t.get("is_practice")]
        main = [t for t in plan.to_run if not t.get("is_practice")]
        if practice:
            self.show_screen(screen_text("practice", lang) + "\n\n" + screen_text("continue", lang))
            for trial in practice:
                self.run_one(trial)
            self.show_screen(screen_text("practice_done", lang) + "\n\n"
                             + screen_text("continue", lang))
        blocks = sorted({int(t.get("block") or 1) for t in plan.trials if not t.get("is_practice")})
        previous_block = None
        done_before = plan.extras.get("already_done", 0)
        for position, trial in enumerate(main):
            block = int(trial.get("block") or 1)
            after_break = previous_block is not None and block != previous_block
            if after_break:
                finished = done_before + position
                self.show_screen(screen_text(
                    "break", lang, done=blocks.index(previous_block) + 1, total=len(blocks),
                    percent=round(100 * finished / max(plan.n_main_total, 1)))
                    + "\n\n" + screen_text("continue", lang))
            previous_block = block
            self.run_one(trial, after_break=after_break or (position == 0 and plan.resumed))
        self.show_screen(screen_text("end", lang), keys=("space", "return"))

    # ------------------------------------------------------------ one trial
    def run_one(self, trial: dict[str, Any], *, after_break: bool = False) -> None:
        """Present one trial (again, if Escape was answered 'no'), store it in the ITI."""
        from experiments.trial_loop import EscapePressed, run_trial_frames

        params = self.plan.params
        while True:
            prepared = self.task.prepare(self.win, trial)
            self._preload(prepared, trial)
            planned_box: dict[str, Any] = {}

            def on_target_onset(onset_s, trial=trial, box=planned_box):
                if self.agent is None:
                    return
                speaker = getattr(self.voice, "source", None)
                if speaker is not None and hasattr(speaker, "say"):
                    # a simulated speaker: the answer is speech at the drawn latency
                    planned = self.agent.plan(self.task, trial)
                    if planned.key is not None and planned.delay_ms is not None:
                        speaker.say(str(trial.get("expected_response") or ""),
                                    self.plan.language, planned.delay_ms)
                    box["planned"] = planned
                else:
                    box["planned"] = self.agent.on_target_onset(self.task, trial, onset_s)

            before_flip = self.voice.start if self.voice is not None else None
            try:
                timing = run_trial_frames(
                    self.win, self.kb, prepared.components, fixation=self.task.fixation,
                    fixation_ms=params["fixation_ms"], response_keys=prepared.response_keys,
                    response_deadline_ms=params["response_deadline_ms"],
                    frame_period_s=self.frame_period_s,
                    end_on_response=params["end_on_response"] and self.voice is None,
                    on_target_onset=on_target_onset, before_target_flip=before_flip,
                    accept_keys=self.voice is None)
            except EscapePressed:
                if self.voice is not None:
                    self._stop_voice(trial, None)
                self.confirm_abort()
                self.n_escapes_declined += 1       # 'n': the trial is shown again
                continue
            break
        iti_start = _now()
        row = self._trial_row(trial, prepared, timing, planned_box.get("planned"))
        flag_soa_error(row, self.frame_period_s)
        if after_break:
            row["extras"]["after_break"] = True     # first trial after a break or a resume
        if self.n_escapes_declined:
            row["extras"]["escape_declined"] = self.n_escapes_declined
            self.n_escapes_declined = 0
        # Commit in the ITI; if another writer holds the database's lock for longer than
        # most of the ITI, keep the trial (in memory and in the CSV) and commit it next time.
        self.pending_rows.append(row)
        self._commit_pending(wait_s=max(0.05, 0.8 * params["iti_ms"] / 1000.0))
        self.n_stored += 1
        self.csv.write(self._csv_row(trial, row, timing))
        if trial.get("is_practice"):
            self._feedback(row)
            iti_start = _now()
        self._wait_until(iti_start + params["iti_ms"] / 1000.0)

    def _preload(self, prepared, trial) -> None:
        """Draw every component once into the back buffer and clear it: textures and text
        layouts are built now, in the ITI, not on the frame where the stimulus must appear
        (a first draw can take tens of ms and would delay that onset). With a screenshot
        folder, the full display (all components) is saved from the back buffer here too,
        so screenshots never cost time inside the frame loop."""
        self.task.fixation.draw()
        self.win.clearBuffer()
        for component in prepared.components:
            component.draw()
        if self.screenshot_dir is not None:
            path = self.screenshot_dir / screenshot_name(trial)
            if not path.exists():                # a trial shown again keeps its first picture
                self.win.getMovieFrame(buffer="back").save(path)
                self.win.movieFrames = []
        self.win.clearBuffer()

    def _stop_voice(self, trial, onset_s):
        label = f"{self.plan.participant}_s{self.plan.session_number}_t{trial.get('trial_index')}" \
                f"{'_practice' if trial.get('is_practice') else ''}"
        return self.voice.stop(label, onset_s if onset_s is not None else _now())

    def _trial_row(self, trial, prepared, timing, planned) -> dict[str, Any]:
        response = prepared.response_keys.get(timing.response_key) if timing.response_key else None
        rt_ms = timing.rt_ms
        extras: dict[str, Any] = {
            "target_onset_s": timing.target_onset_s,
            "onsets_s": dict(timing.onsets_s), "offsets_s": dict(timing.offsets_s),
            "onset_frame_intervals_ms": dict(timing.onset_frame_intervals_ms),
            "fixation_onset_s": timing.fixation_onset_s,
            "dropped_frames": timing.dropped_frames, "n_frames": timing.n_frames,
            "max_frame_interval_ms": timing.max_frame_interval_ms,
            "mean_frame_ms": timing.mean_frame_ms,
            "frame_period_ms": self.frame_period_s * 1000.0,
            "response_key": timing.response_key, "response_mode": self.plan.response_mode,
            "session_time_s": self.session_clock.getTime(),
        }
        extras.update(self.task.measured_extras(trial, timing.onsets_s))
        if self.voice is not None:
            result = self._stop_voice(trial, timing.target_onset_s)
            fields = result.trial_fields()      # rt_ms + audio_path / voice_key for review
            rt_ms = fields.pop("rt_ms")
            extras.update(fields)
            correct = None
            extras["accuracy_source"] = "to review (voice)"
        else:
            correct = self.task.score(trial, response)
            if rt_ms is None:
                correct = False                      # no key by the deadline: an error
            elif response == NAMING_RESPONSE:
                extras["accuracy_source"] = ACCURACY_ASSUMED
        if rt_ms is not None and rt_ms > self.plan.params["response_deadline_ms"]:
            extras["too_slow"] = True
        if planned is not None:
            extras["simulated_key"] = planned.key
            extras["simulated_delay_ms"] = planned.delay_ms
            extras["simulated_intended_correct"] = planned.intended_correct
            extras["simulated_mean_ms"] = planned.mean_ms
            extras["simulated_press_late_ms"] = self.agent.press_lateness_ms(planned)
        stimulus, presentation_only = split_trial_fields(trial)   # picture files → extras
        # a simulated (or scripted) participant is not a person: its trials are kept apart
        source = "simulated" if self.agent is not None else "human"
        return trial_row(stimulus, response=response, correct=correct, rt_ms=rt_ms,
                         source=source, agent=self.plan.participant,
                         session=self.plan.session_number,
                         extras={**presentation_only, **extras}).as_dict()

    def _csv_row(self, trial, row, timing) -> dict[str, Any]:
        extras = row["extras"]
        clock_zero = _now() - self.session_clock.getTime()

        def on_session_clock(t):
            return None if t is None else round(t - clock_zero, 6)

        out = {key: value for key, value in trial.items()}
        out.update({
            "participant": self.plan.participant, "session": self.plan.session_number,
            "date": self._date, "expName": self.plan.task,
            "psychopyVersion": self._psychopy_version,
            "frameRate": round(1.0 / self.frame_period_s, 3),
            "trials.thisN": self.n_stored - 1, "trials.thisIndex": trial.get("trial_index"),
            "key_resp.keys": timing.response_key,
            "key_resp.rt": None if timing.rt_ms is None or self.voice is not None
            else round(timing.rt_ms / 1000.0, 6),
            "key_resp.corr": None if row["correct"] is None else int(bool(row["correct"])),
            "response": row["response"], "rt_ms": row["rt_ms"],
            "fixation.started": on_session_clock(timing.fixation_onset_s),
            "stimulus.started": on_session_clock(timing.target_onset_s),
            "distractor.started": on_session_clock(extras.get("word_onset_s"))
            if trial.get("instruction") != "word_reading"
            else on_session_clock(extras.get("picture_onset_s")),
            "measured_soa_ms": extras.get("measured_soa_ms"),
            "dropped_frames": timing.dropped_frames,
            "voice.wav": extras.get("audio_path"),
            "voice.rt": None if self.voice is None or row["rt_ms"] is None
            else round(row["rt_ms"] / 1000.0, 6),
            "simulated": int(self.agent is not None),
        })
        return out

    def _feedback(self, row) -> None:
        from experiments.instructions import screen_text

        if row["correct"] is None:
            return
        if row["rt_ms"] is None:
            name = "too_slow"
        else:
            name = "correct" if row["correct"] else "error"
        self.message.text = screen_text(name, self.plan.language)
        self.message.draw()
        self.win.flip()
        self._wait_until(_now() + self.plan.params["feedback_ms"] / 1000.0)
        self.win.flip()

    def _wait_until(self, t_s: float) -> None:
        from psychopy import core

        remaining = t_s - _now()
        if remaining > 0:
            core.wait(remaining, hogCPUperiod=min(remaining, 0.002))


def flag_soa_error(row: dict[str, Any], frame_period_s: float) -> None:
    """Record how far the measured SOA is from the requested one (``soa_error_ms``) and flag
    the trial (``soa_off_by_more_than_a_frame``) when that is more than one frame period."""
    extras = row.get("extras") or {}
    measured, requested = extras.get("measured_soa_ms"), row.get("soa_ms")
    if measured is None or requested is None:
        return
    error_ms = float(measured) - float(requested)
    extras["soa_error_ms"] = round(error_ms, 3)
    if abs(error_ms) > frame_period_s * 1000.0:
        extras["soa_off_by_more_than_a_frame"] = True


def screenshot_name(trial) -> str:
    """``trial-0012.png`` / ``practice-0003.png`` for a trial's screenshot."""
    kind = "practice" if trial.get("is_practice") else "trial"
    return f"{kind}-{int(trial['trial_index']):04d}.png"


def _now() -> float:
    from psychopy import core

    return core.getTime()


def measure_frame_period(win, n_frames: int = 40, warm_up: int = 10) -> float:
    """Median interval (s) between ``n_frames`` flips after ``warm_up`` flips.

    PsychoPy's ``getActualFrameRate`` needs identical intervals, which never happen without
    vsync (e.g. under Xvfb); the median is robust either way and is recorded with the session.
    """
    from psychopy import core

    times = []
    for index in range(warm_up + n_frames + 1):
        win.flip()
        if index >= warm_up:
            times.append(core.getTime())
    intervals = sorted(b - a for a, b in zip(times, times[1:]))
    median = intervals[len(intervals) // 2] if intervals else FRAME_PERIOD_FALLBACK_S
    return median if median > 0 else FRAME_PERIOD_FALLBACK_S
