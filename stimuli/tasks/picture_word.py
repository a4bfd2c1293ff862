"""The picture–word interference card (Glaser & Düngelhoff 1984): name a picture (or read a
word) with a distractor word (or picture) at an SOA.

``soa_ms`` = word onset − picture onset (negative = word first) for both instructions; the
published table converts Glaser & Düngelhoff's axis once (``stimuli/published/glaser1984.py``).
Conditions identical / related / unrelated / nonword (baseline nonword). Analysis: condition ×
SOA, and the effect-by-SOA curves of the original study.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from stimuli.generators.picture_word import (TASK_COLUMNS, picture_word_fixed_rows,
                                             picture_word_trial_list)
from stimuli.tasks.card import AnalysisDesign, Curve, Factor, TaskCard

#: The classic SOA list of Glaser & Düngelhoff (1984): −400…+400 ms in 100-ms steps.
DEFAULT_SOAS_MS = tuple(range(-400, 401, 100))
#: The simulated participant's nonword-baseline RT (ms) per instruction: our choice (no
#: absolute latencies are published with the difference scores).
SIMULATED_BASELINE_MS = {"picture_naming": 720.0, "word_reading": 520.0}
TARGETS = {"picture_naming": "glaser1984-picture-naming", "word_reading": "glaser1984-word-reading"}


@lru_cache(maxsize=None)
def _effect_curves(instruction: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    from stimuli.published import published_table

    curves: dict[str, list] = {}
    for row in published_table(TARGETS[instruction]).rows:
        curves.setdefault(row["condition"], []).append((row["soa_ms"], row["effect_ms"]))
    return {condition: tuple(np.array(v, dtype=float) for v in zip(*sorted(points)))
            for condition, points in curves.items()}


def simulated_mean_ms(trial: Mapping[str, Any], effect_scale: float) -> float:
    """Baseline + ``effect_scale`` × Glaser & Düngelhoff's effect at the trial's ``soa_ms``
    (linear between their SOAs, flat beyond); the nonword baseline has no effect."""
    instruction = str(trial.get("instruction") or "")
    instruction = instruction if instruction in TARGETS else "picture_naming"
    curve = _effect_curves(instruction).get(str(trial.get("condition") or ""))
    effect = 0.0 if curve is None else float(np.interp(float(trial.get("soa_ms") or 0.0), *curve))
    return SIMULATED_BASELINE_MS[instruction] + effect_scale * effect


def conflict_trial(trial: Mapping[str, Any]) -> bool:
    """Related and unrelated distractors close to the target (|SOA| ≤ 100 ms)."""
    return (trial.get("condition") in ("related", "unrelated")
            and abs(float(trial.get("soa_ms") or 0.0)) <= 100)


def check_items(table, card, folder, metadata) -> dict:
    from stimuli.validation import check_picture_word

    return check_picture_word(table, card, folder)


CARD = TaskCard(
    name="picture-word",
    title="Picture–word interference",
    required_columns=("item_id", "picture", "category", "picture_source", "related_distractor",
                      "unrelated_distractor", "unrelated_category", "nonword_distractor"),
    conditions=("identical", "related", "unrelated", "nonword"),
    baseline="nonword",
    instructions=("picture_naming", "word_reading"),
    design_defaults={"soas_ms": list(DEFAULT_SOAS_MS), "repetitions_per_soa": 1,
                     "practice_trials": 8, "max_same_condition_in_row": 3,
                     "picture_size_px": 300},
    stimulus_columns=TASK_COLUMNS,
    trial_list=picture_word_trial_list,
    fixed_rows=picture_word_fixed_rows,
    fixed_required=("soa_ms",),
    check_items=check_items,
    default_stimulus_set="picture-word-en",
    simulated_mean_ms=simulated_mean_ms,
    conflict_trial=conflict_trial,
    analysis=AnalysisDesign(
        condition_levels=("unrelated", "related", "identical", "nonword"),
        cell_columns=("condition", "soa_ms"),
        fixed_effects="condition + soa + condition:soa",
        random_slopes=("condition",),
        factors=(Factor("soa", "soa_ms", missing=0.0),),
        curves=(Curve("soa", x="soa_ms", title="SOA curves",
                      x_label="SOA (ms; word onset − picture onset, negative = word first)",
                      measure="effect", baseline=("nonword", "unrelated"),
                      panels=("related", "unrelated", "identical"),
                      targets=tuple(TARGETS.values())),),
        condition_means_figure=False,
    ),
    human_targets=tuple(TARGETS.values()),
)
