"""Experimenters' reviews of trials: reading a session's trials as a review sees them, and
applying a review — in one place, for ``mirrorlab review`` and any other front end.

The rule (also what ``Store.trials_frame`` applies): a review never overwrites the measured
values; where a review gives a value for one of ``REVIEWED_FIELDS`` it replaces the measured
one in what the analysis reads, and the measured value stays available. A review may be given
in steps (first the accuracy, later a corrected onset): fields not given keep their earlier
reviewed value (``KEEP``). Nothing heavy is imported until a function runs (the command
line imports this module at start-up).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Trial fields a review can correct.
REVIEWED_FIELDS = ("rt_ms", "correct", "response")
#: extras keys that may hold the WAV path and the voice-key details (``VoiceResult.trial_fields``
#: writes the first of each; older sessions and imports may use the others).
AUDIO_KEYS = ("audio_path", "voice_wav", "wav_path", "audio_file")
VOICE_KEY_DETAILS_KEYS = ("voice_key", "voice")
#: Reviews stored by the voice key's re-measurement, not by a person.
AUTO_REVIEWER_PREFIX = "voicekey:"


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


def reviewed_value(measured: Any, reviewed: Any) -> Any:
    """The value the analysis uses: the review's where it gives one, else the measured."""
    return measured if reviewed is None else reviewed


@dataclass
class ReviewTrial:
    """One trial of a session as the review sees it: measured values and current review."""

    trial_id: int
    trial_index: int | None
    block: int | None
    is_practice: bool
    item_id: str | None
    condition: str | None
    soa_ms: float | None
    stimulus: str
    expected_response: str | None
    measured_rt_ms: float | None
    measured_correct: bool | None
    extras: dict[str, Any]
    review: dict[str, Any] | None

    @property
    def audio_path(self) -> str | None:
        for key in AUDIO_KEYS:
            if self.extras.get(key):
                return str(self.extras[key])
        return None

    @property
    def voice_key(self) -> dict[str, Any]:
        for key in VOICE_KEY_DETAILS_KEYS:
            if isinstance(self.extras.get(key), dict):
                return dict(self.extras[key])
        return {}

    @property
    def rt_ms(self) -> float | None:
        return reviewed_value(self.measured_rt_ms, (self.review or {}).get("rt_ms"))

    @property
    def correct(self) -> bool | None:
        return reviewed_value(self.measured_correct, (self.review or {}).get("correct"))

    @property
    def reviewed_by_person(self) -> bool:
        return bool(self.review) and not str(self.review.get("reviewer") or "").startswith(
            AUTO_REVIEWER_PREFIX)

    @property
    def label(self) -> str:
        return f"trial {self.trial_index}" if self.trial_index is not None else f"trial id {self.trial_id}"


def load_session_trials(store, session_id: int) -> list[ReviewTrial]:
    """The session's trials in presentation order, with their extras and current review."""
    from sqlalchemy import select

    from db.schema import Trial, TrialReview

    query = (select(Trial, TrialReview).outerjoin(TrialReview, TrialReview.trial_id == Trial.id)
             .where(Trial.session_id == session_id).order_by(Trial.trial_index, Trial.id))
    trials = []
    with store.orm() as orm:
        for trial, review in orm.execute(query):
            stimulus = " / ".join(str(v) for v in (trial.word, trial.ink, trial.picture,
                                                   trial.distractor, trial.target) if v)
            trials.append(ReviewTrial(
                trial_id=trial.id, trial_index=trial.trial_index, block=trial.block,
                is_practice=bool(trial.is_practice), item_id=trial.item_id,
                condition=trial.condition, soa_ms=trial.soa_ms, stimulus=stimulus,
                expected_response=trial.expected_response, measured_rt_ms=trial.rt_ms,
                measured_correct=trial.correct, extras=dict(trial.extras or {}),
                review=None if review is None else {
                    "correct": review.correct, "rt_ms": review.rt_ms, "response": review.response,
                    "note": review.note, "reviewer": review.reviewer}))
    return trials


def apply_review(store, trial: ReviewTrial, *, correct: Any = KEEP, rt_ms: Any = KEEP,
                 response: Any = KEEP, note: Any = KEEP, reviewer: str | None) -> dict[str, Any]:
    """Store a review of ``trial`` (committed now); fields given as ``KEEP`` keep their earlier
    reviewed value. Returns the review as stored and updates ``trial.review``."""
    merged = dict(trial.review or {"correct": None, "rt_ms": None, "response": None, "note": None})
    for key, value in (("correct", correct), ("rt_ms", rt_ms), ("response", response), ("note", note)):
        if value is not KEEP:
            merged[key] = value
    merged["reviewer"] = reviewer
    store.review_trial(trial.trial_id, correct=merged["correct"], rt_ms=merged["rt_ms"],
                       response=merged["response"], note=merged["note"], reviewer=reviewer)
    trial.review = merged
    return merged
