"""Colour-naming SOA curves of the PDP Stroop models (Cohen et al. 1990, Figs. 5–6).

The irrelevant word appears ``soa_ms`` before (negative) or after (positive) the colour; the
models turn that into cycles with their own time scale ``soa_ms_per_cycle`` (the Dunbar &
MacLeod calibration), never with a later fit's ms per cycle (``ms_per_unit``). The curve is interference
(incongruent − neutral) and facilitation (neutral − congruent) in ms of the model's RT line,
from correct simulated trials.
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

GLASER_SOAS_MS = tuple(range(-400, 401, 100))


def colour_naming_soa_curve(model, soas_ms: Sequence[float] = GLASER_SOAS_MS, n: int = 100,
                            seed: int = 0, colours: Sequence[str] = ("red", "green")
                            ) -> pd.DataFrame:
    """One row per SOA: soa_ms, interference_ms, facilitation_ms, soa_cycles."""
    from models.pdp.stimuli import canonical_trials

    rows = []
    for k, soa in enumerate(soas_ms):
        trials = canonical_trials(tuple(colours), ("colour_naming",), soa_ms=float(soa))
        out = model.simulate(trials, n=n, seed=seed + k)
        means = out[out["correct"]].groupby("condition")["rt_ms"].mean()
        rows.append({"soa_ms": float(soa),
                     "interference_ms": float(means["incongruent"] - means["neutral"]),
                     "facilitation_ms": float(means["neutral"] - means["congruent"]),
                     "soa_cycles": int(out["extras"].iloc[0]["soa_cycles"])})
    return pd.DataFrame(rows)
