"""The frame loop of one trial: time-based scheduling, onsets stamped on the flip, RT from the
target's flip, dropped frames counted. Nothing here touches the database.

How the timing works (see docs/experiments.md, "Timing"):

* Every component has a start and end in ms on the target axis. Before each flip the loop
  predicts when that flip will happen (last flip + one frame period) and draws the components
  whose interval contains that moment (with half a frame of tolerance), so durations are in ms
  and land on the nearest frame whatever the refresh rate.
* The first frame on which a component is drawn registers ``win.callOnFlip`` callbacks: the
  onset time (``core.getTime()`` right after the buffer swap) is stamped then. On the target's
  first frame the keyboard clock is reset and the keyboard buffer cleared on that same flip,
  so ``KeyPress.rt`` is the RT from the measured onset; a simulated participant is told the
  measured onset there and schedules its key press from it.
* Once the first stimulus component (e.g. the picture of a picture–word trial) is on the
  screen, the axis is re-anchored on its *measured* onset: the later components (the
  distractor word) are scheduled from when the first one was actually shown, so a first
  frame that came late (dropped frames under CPU load) delays them too instead of shortening
  the SOA.
* ``win.nDroppedFrames`` (with ``recordFrameIntervals`` on and ``refreshThreshold`` at 1.5
  frame periods) gives the dropped frames of the trial.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from experiments.tasks.base import Component

ESCAPE_KEY = "escape"


class EscapePressed(Exception):
    """The experimenter pressed Escape during a trial (the runner asks for confirmation)."""


def poll_keys(kb, key_list) -> list:
    """Key presses in ``key_list`` since the last poll, released or not, oldest first.

    PsychoPy's ``getKeys(waitRelease=False)`` skips presses whose release arrived in the same
    poll, and ``waitRelease=True`` skips presses still held; asking both gets every press.
    A press reported while held comes back (the same object, now with a duration) when it is
    released; it is marked the first time and not reported twice.
    """
    keys = list(kb.getKeys(keyList=key_list, waitRelease=False))
    keys += list(kb.getKeys(keyList=key_list, waitRelease=True))
    fresh = []
    for key in keys:
        if getattr(key, "_mirrorlab_reported", False):
            continue
        key._mirrorlab_reported = True
        fresh.append(key)
    fresh.sort(key=lambda key: key.tDown)
    return fresh


@dataclass
class TrialTiming:
    """What the frame loop measured for one trial (times on psychopy's core clock, s)."""

    onsets_s: dict[str, float] = field(default_factory=dict)
    offsets_s: dict[str, float] = field(default_factory=dict)
    onset_frame_intervals_ms: dict[str, float] = field(default_factory=dict)
    fixation_onset_s: float | None = None
    response_key: str | None = None
    rt_ms: float | None = None
    n_frames: int = 0
    dropped_frames: int = 0
    max_frame_interval_ms: float | None = None
    mean_frame_ms: float | None = None      # frame-loop time per frame (first to last flip)
    target_name: str = ""

    @property
    def target_onset_s(self) -> float | None:
        return self.onsets_s.get(self.target_name)


def run_trial_frames(
    win,
    kb,
    components: list[Component],
    *,
    fixation: Any,
    fixation_ms: float,
    response_keys: Mapping[str, str],
    response_deadline_ms: float,
    frame_period_s: float,
    end_on_response: bool = True,
    on_target_onset: Callable[[float], None] | None = None,
    before_target_flip: Callable[[], None] | None = None,
    accept_keys: bool = True,
) -> TrialTiming:
    """Show one trial and collect its key response; raise ``EscapePressed`` on Escape."""
    from psychopy import core

    timing = TrialTiming()
    targets = [c for c in components if c.is_target]
    if len(targets) != 1:
        raise ValueError("a trial needs exactly one target component")
    target = targets[0]
    timing.target_name = target.name
    first_ms = min(c.start_ms for c in components)
    axis_start_ms = first_ms - fixation_ms          # the fixation's onset on the target axis
    half_frame_ms = frame_period_s * 500.0
    key_list = [*response_keys.keys(), ESCAPE_KEY]

    win.recordFrameIntervals = True
    win.frameIntervals = []
    dropped_before = win.nDroppedFrames
    visible_before: set[str] = set()
    shown: set[str] = set()
    responded = False
    anchor_s: float | None = None       # the axis' zero: measured flip of the first frame, then
                                        # (re-anchored) from the first component's onset
    first_flip_s: float | None = None
    first_component = min(components, key=lambda c: c.start_ms)
    reanchored = False
    last_flip_s: float | None = None

    def stamp(name: str, table: dict[str, float]) -> None:
        table[name] = core.getTime()
        if table is timing.onsets_s and last_flip_s is not None:
            # how long the onset frame took: the onset can be late by at most this much
            timing.onset_frame_intervals_ms[name] = (table[name] - last_flip_s) * 1000.0

    while True:
        if last_flip_s is None:
            axis_ms = axis_start_ms
        else:
            predicted_flip_s = last_flip_s + frame_period_s
            axis_ms = axis_start_ms + (predicted_flip_s - anchor_s) * 1000.0

        target_onset = timing.onsets_s.get(target.name)
        if target_onset is not None and last_flip_s is not None:
            if responded and end_on_response:
                break
            since_target_ms = (last_flip_s + frame_period_s - target_onset) * 1000.0
            if since_target_ms >= response_deadline_ms:
                break

        visible: set[str] = set()
        if fixation is not None and axis_ms < first_ms - half_frame_ms:
            fixation.draw()
            if last_flip_s is None:
                win.callOnFlip(lambda: setattr(timing, "fixation_onset_s", core.getTime()))
        for component in components:
            if axis_ms < component.start_ms - half_frame_ms:
                continue
            if component.end_ms is not None and axis_ms >= component.end_ms - half_frame_ms:
                continue
            if responded and component.hide_on_response:
                continue
            component.draw()
            visible.add(component.name)
            if component.name not in shown:
                shown.add(component.name)
                win.callOnFlip(stamp, component.name, timing.onsets_s)
                if component is target:
                    if before_target_flip is not None:
                        before_target_flip()
                    win.callOnFlip(kb.clock.reset)
                    win.callOnFlip(kb.clearEvents)
                    if on_target_onset is not None:
                        win.callOnFlip(lambda: on_target_onset(timing.onsets_s[target.name]))
        for name in visible_before - visible:
            win.callOnFlip(stamp, name, timing.offsets_s)
        visible_before = visible

        win.flip()
        timing.n_frames += 1
        now_s = core.getTime()
        if anchor_s is None:
            anchor_s = timing.fixation_onset_s or timing.onsets_s.get(first_component.name, now_s)
            first_flip_s = anchor_s
        if not reanchored and first_component.name in timing.onsets_s:
            # schedule what follows from the first component's measured onset
            anchor_s = timing.onsets_s[first_component.name] - (first_ms - axis_start_ms) / 1000.0
            reanchored = True
        last_flip_s = now_s

        for key in poll_keys(kb, key_list):
            if key.name == ESCAPE_KEY:
                raise EscapePressed()
            if (accept_keys and not responded and target.name in timing.onsets_s
                    and key.name in response_keys):
                responded = True
                timing.response_key = key.name
                timing.rt_ms = float(key.rt) * 1000.0
                break

    for name in visible_before:
        win.callOnFlip(stamp, name, timing.offsets_s)
    win.flip()                                   # blank screen: the ITI begins
    timing.dropped_frames = int(win.nDroppedFrames - dropped_before)
    if first_flip_s is not None and last_flip_s is not None and timing.n_frames > 1:
        timing.mean_frame_ms = (last_flip_s - first_flip_s) * 1000.0 / (timing.n_frames - 1)
    if win.frameIntervals:
        timing.max_frame_interval_ms = float(max(win.frameIntervals)) * 1000.0
    win.frameIntervals = []
    win.recordFrameIntervals = False
    return timing
