"""Glaser & Düngelhoff (1984), Experiment 2: picture categorising with word distractors —
WEAVER++'s out-of-sample prediction.

When the task is to say the picture's *category* ("animal" for a dog), a related distractor
(another animal name) primes the category that is the answer, so Roelofs (1992, 2003) predicts
semantic **facilitation**, the opposite of the interference in naming; Glaser & Düngelhoff
found facilitation. In mirrorlab the categorising rule flags the lemma of the picture's
superordinate after three verifications, and the category lemmas compete
(``models.weaver.rules``).

``categorising_prediction`` gives the prediction per SOA and condition (effect vs the nonword
baseline, ms of E[T]) with two parameter sets, neither fitted to categorising:

* ``"picture-naming fit"`` — the two timing parameters fitted to Glaser & Düngelhoff's 27
  picture-naming cells (``models.weaver.report.GLASER_DUNGELHOFF_FIT``; a test re-derives them
  from the grid): an out-of-sample prediction;
* ``"program defaults"`` — Roelofs' published parameters, no lead-in, no sustained input.

The per-SOA magnitudes of Experiment 2 were not found (see ``docs/models/weaver.md``, section
5: where we looked), so only the direction can be compared
(``glaser1984-picture-categorising-direction``).
"""

from __future__ import annotations

import pandas as pd

PARAMETER_SETS = ("picture-naming fit", "program defaults")


def categorising_prediction(model=None) -> pd.DataFrame:
    """One row per parameter set × SOA: ``identical_ms``, ``related_ms``, ``unrelated_ms``
    (E[T] effect vs nonword) and ``semantic_ms`` (related − unrelated; negative = facilitation),
    on mirrorlab's ``soa_ms`` axis (word onset − picture onset)."""
    from models.weaver.model import Weaver
    from models.weaver.report import GLASER_DUNGELHOFF_FIT, glaser_dungelhoff_effects
    from models.weaver.rules import PICTURE_CATEGORISING

    base = (model or Weaver()).get_params()
    frames = []
    for label, params in (("picture-naming fit", GLASER_DUNGELHOFF_FIT), ("program defaults", {})):
        effects = glaser_dungelhoff_effects(Weaver(**{**base, **params}), PICTURE_CATEGORISING)
        wide = effects.pivot_table(index="soa_ms", columns="condition", values="model_ms")
        frame = pd.DataFrame({"parameters": label, "soa_ms": wide.index.to_numpy(float)})
        for condition in ("identical", "related", "unrelated"):
            frame[f"{condition}_ms"] = wide[condition].to_numpy(float)
        frame["semantic_ms"] = frame["related_ms"] - frame["unrelated_ms"]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
