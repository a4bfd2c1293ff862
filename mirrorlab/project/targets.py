"""The published effects a class can replicate, and where each number comes from.

A target names the task card and stimulus sets students run, the preregistered effect (a
two-condition contrast or a slope, ``analysis.project.design``), the original effect and its
source, and the people whose variance components the power simulation uses:

* ``pratte2010-stroop`` — Stroop interference (incongruent − congruent, colour naming, key
  press). Original effect, n and variance components all from the bundled original trials
  (Pratte et al. 2010, Exp. 1, ``db/datasets/pratte2010_stroop``), cleaned like class data.
* ``stark2024-csi`` — cumulative semantic interference, ms per ordinal position. Original
  effect: the authors' printed 21.94 ms (``stimuli/published/stark2024.py``); variance
  components from the bundled original trials.
* ``glaser1984-pwi`` — picture–word semantic interference at SOA 0 (related − unrelated,
  picture naming), published figure values (``glaser1984-picture-naming``). No original
  trials are bundled: the power simulation borrows the residual and intercept SDs of the
  Stark 2024 naming latencies and assumes a participant SD of the effect of half the effect.
  The original n was not recovered here (small telescopes needs it: set it in project.toml).
* ``howard2006-csi`` — cumulative semantic interference in Howard et al. (2006), the slope of
  their published position means (``howard2006-ordinal-position``); variance components
  borrowed from Stark 2024 (the same paradigm); original n not recovered here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from analysis.project.design import EffectDesign
from mirrorlab.project.errors import ProjectError
from mirrorlab.project.names import TARGET_NAMES

ASSUMED_EFFECT_SD_FRACTION = 0.5
#: The effect each bundled dataset's own components are estimated for.
DATASET_DESIGNS = {
    "pratte2010_stroop": EffectDesign("contrast", "condition", ("congruent", "incongruent")),
    "stark2024_csi_aphasia": EffectDesign("slope", "ordinal_position", (1, 2, 3, 4, 5)),
}


@dataclass(frozen=True)
class ReplicationTarget:
    name: str
    title: str
    stimulus_sets: dict[str, str]  # language → bundled set; the task is the sets' own
    instruction: str | None
    design: EffectDesign
    effect_label: str
    formula: str
    original_source: str           # "human" (bundled trials) or "published"
    published_key: str | None
    original_dataset: str | None
    variance_dataset: str
    variance_note: str
    rules: tuple[str, ...]
    participants_per_group: int
    pilot_max_trials: int
    n_original: int | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def stimulus_set(self, language: str) -> str:
        if language not in self.stimulus_sets:
            raise ProjectError(f"{self.name}: no bundled stimulus set in language {language!r}; "
                               f"known: {', '.join(self.stimulus_sets)}")
        return self.stimulus_sets[language]

    @property
    def task(self) -> str:
        """The task of the target's bundled stimulus set (its card says how it is run)."""
        return _set_task(self.stimulus_set("en"))


@lru_cache(maxsize=None)
def _set_task(set_name: str) -> str:
    from stimuli import load_set

    return load_set(set_name).task


TARGETS = {
    "pratte2010-stroop": ReplicationTarget(
        name="pratte2010-stroop", title="Stroop interference (Pratte et al. 2010, Exp. 1)",
        stimulus_sets={"en": "stroop-en", "ja": "stroop-ja"},
        instruction="colour_naming",
        design=EffectDesign("contrast", "condition", ("congruent", "incongruent")),
        effect_label="incongruent − congruent (ms)",
        formula="rt_ms ~ condition + (1 + condition | participant)",
        original_source="human", published_key=None, original_dataset="pratte2010_stroop",
        variance_dataset="pratte2010_stroop",
        variance_note="estimated from the bundled original trials (people)",
        rules=("small-telescopes", "equivalence"), participants_per_group=6, pilot_max_trials=24),
    "stark2024-csi": ReplicationTarget(
        name="stark2024-csi", title="Cumulative semantic interference (Stark et al. 2024)",
        stimulus_sets={"en": "continuous-naming-en", "ja": "continuous-naming-ja"},
        instruction=None,
        design=EffectDesign("slope", "ordinal_position", (1, 2, 3, 4, 5)),
        effect_label="ms per ordinal position",
        formula="rt_ms ~ ordinal_position + (1 + ordinal_position | participant)",
        original_source="published", published_key="stark2024-csi-per-position",
        original_dataset="stark2024_csi_aphasia", variance_dataset="stark2024_csi_aphasia",
        variance_note="estimated from the bundled original trials (people)",
        rules=("small-telescopes", "equivalence"), participants_per_group=6, pilot_max_trials=30),
    "glaser1984-pwi": ReplicationTarget(
        name="glaser1984-pwi", title="Picture–word semantic interference at SOA 0 (Glaser & Düngelhoff 1984)",
        stimulus_sets={"en": "picture-word-en", "ja": "picture-word-ja"},
        instruction="picture_naming",
        design=EffectDesign("contrast", "condition", ("unrelated", "related"), where=(("soa_ms", 0.0),)),
        effect_label="related − unrelated at SOA 0 (ms)",
        formula="rt_ms ~ condition + (1 + condition | participant)   # trials with soa_ms = 0",
        original_source="published", published_key="glaser1984-picture-naming",
        original_dataset=None, variance_dataset="stark2024_csi_aphasia",
        variance_note=("borrowed: residual and intercept SDs of the Stark 2024 naming latencies "
                       "(no original trials bundled); participant SD of the effect assumed "
                       f"{ASSUMED_EFFECT_SD_FRACTION} × the effect"),
        rules=("equivalence",), participants_per_group=6, pilot_max_trials=24),
    "howard2006-csi": ReplicationTarget(
        name="howard2006-csi", title="Cumulative semantic interference (Howard et al. 2006)",
        stimulus_sets={"en": "continuous-naming-en", "ja": "continuous-naming-ja"},
        instruction=None,
        design=EffectDesign("slope", "ordinal_position", (1, 2, 3, 4, 5)),
        effect_label="ms per ordinal position",
        formula="rt_ms ~ ordinal_position + (1 + ordinal_position | participant)",
        original_source="published", published_key="howard2006-ordinal-position",
        original_dataset=None, variance_dataset="stark2024_csi_aphasia",
        variance_note=("borrowed from the Stark 2024 original trials (same paradigm; no Howard "
                       "trials bundled); participant SD of the effect scaled to this effect"),
        rules=("equivalence",), participants_per_group=6, pilot_max_trials=30),
}

assert tuple(sorted(TARGETS)) == TARGET_NAMES, "mirrorlab/project/names.py lists other targets"


def target(name: str) -> ReplicationTarget:
    if name not in TARGETS:
        raise ProjectError(f"unknown replication target {name!r}; known: {', '.join(TARGETS)}")
    return TARGETS[name]


def original_effect(t: ReplicationTarget) -> dict[str, Any]:
    """The original effect in ms, its source label, citation and n (what project.toml keeps)."""
    import numpy as np

    from stimuli.published import published_table

    if t.original_source == "human":
        from scipy import stats

        components = variance_components(t)
        n = components.n_participants
        half_ms = float(stats.t.ppf(0.975, n - 1) * components.effect_ms / components.dz / np.sqrt(n))
        return {"effect_ms": round(components.effect_ms, 2), "source": "human",
                "ci_low_ms": round(components.effect_ms - half_ms, 2),
                "ci_high_ms": round(components.effect_ms + half_ms, 2),
                "citation": ("Pratte, Rouder, Morey & Feng (2010), Atten. Percept. Psychophys. 72(7), "
                             "Exp. 1: computed here from the bundled original trials"),
                "dataset": f"db/datasets/{t.original_dataset}", "dz": round(components.dz, 3),
                "n_participants": components.n_participants}
    table = published_table(t.published_key)
    if t.name == "stark2024-csi":
        effect = float(table.rows[0]["effect_ms_per_position"])
    elif t.name == "glaser1984-pwi":
        at_zero = table.mapping("condition", "effect_ms", soa_ms=0.0)
        effect = at_zero["related"] - at_zero["unrelated"]
    elif t.name == "howard2006-csi":
        positions = np.array([r["ordinal_position"] for r in table.rows], float)
        rts = np.array([r["rt_ms"] for r in table.rows], float)
        effect = float(np.polyfit(positions, rts, 1)[0])
    else:  # pragma: no cover - every target is handled above
        raise ProjectError(f"no original effect for {t.name}")
    out = {"effect_ms": round(effect, 2), "source": "published", "citation": table.citation,
           "published_key": table.key, "tag": table.tag}
    if table.n_participants:
        out["n_participants"] = table.n_participants
    return out


def variance_components(t: ReplicationTarget):
    """Variance components for the power simulation, labelled by where they come from."""
    from analysis.project.originals import original_trials
    from analysis.project.variance import VarianceComponents, estimate_components

    measured = estimate_components(original_trials(t.variance_dataset),
                                   DATASET_DESIGNS.get(t.variance_dataset, t.design),
                                   source=f"human: db/datasets/{t.variance_dataset}")
    if t.original_dataset == t.variance_dataset and t.original_source == "human":
        return measured
    effect = original_effect(t)["effect_ms"]
    if t.original_dataset == t.variance_dataset:     # published effect, this study's own people
        return VarianceComponents(**{**measured.to_mapping(), "effect_ms": float(effect),
                                     "source": f"{measured.source} (effect: published)"})
    if t.design.kind == "slope":
        effect_sd = measured.effect_sd_ms * effect / measured.effect_ms
    else:
        effect_sd = ASSUMED_EFFECT_SD_FRACTION * abs(effect)
    return VarianceComponents(**{**measured.to_mapping(), "effect_ms": float(effect),
                                 "effect_sd_ms": float(effect_sd),
                                 "dz": float("nan"),
                                 "source": f"borrowed from {measured.source}; {t.variance_note}"})
