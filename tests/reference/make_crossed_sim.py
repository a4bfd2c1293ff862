"""Write ``crossed_sim.csv``: the fixed simulated crossed design the lme4 reference numbers use.

30 participants x 36 items, every participant sees every item once; each item belongs to one
condition (12 congruent, 12 neutral, 12 incongruent), as in a Stroop or picture-word item set.
RTs have a by-participant intercept, by-participant condition slopes (correlated), a
by-item intercept and residual noise; accuracy follows a logistic model with crossed
intercepts. The CSV is committed, so the script only documents how it was made (seed 20101).
"""

from pathlib import Path

import numpy as np
import pandas as pd

CONDITIONS = ("congruent", "neutral", "incongruent")


def make(n_participants: int = 30, n_items: int = 36, seed: int = 20101) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    item_condition = np.array([CONDITIONS[i % 3] for i in range(n_items)])
    item_effect_ms = rng.normal(0, 35, n_items)
    participant_cov = np.array([[70.0**2, 0.3 * 70 * 30, 0.5 * 70 * 45],
                                [0.3 * 70 * 30, 30.0**2, 0.4 * 30 * 45],
                                [0.5 * 70 * 45, 0.4 * 30 * 45, 45.0**2]])
    participant_effects = rng.multivariate_normal(np.zeros(3), participant_cov, n_participants)
    participant_logit = rng.normal(0, 0.6, n_participants)
    item_logit = rng.normal(0, 0.5, n_items)
    condition_ms = {"congruent": 0.0, "neutral": 20.0, "incongruent": 75.0}
    condition_logit = {"congruent": 2.6, "neutral": 2.4, "incongruent": 1.7}
    rows = []
    for p in range(n_participants):
        for i in range(n_items):
            condition = item_condition[i]
            c = CONDITIONS.index(condition)
            slope = participant_effects[p, 1] if c == 1 else participant_effects[p, 2] if c == 2 else 0
            rt = (650 + condition_ms[condition] + participant_effects[p, 0] + slope
                  + item_effect_ms[i] + rng.normal(0, 110))
            eta = condition_logit[condition] + participant_logit[p] + item_logit[i]
            correct = int(rng.random() < 1 / (1 + np.exp(-eta)))
            rows.append({"participant": f"S{p + 1:02d}", "item": f"item{i + 1:02d}",
                         "condition": condition, "rt_ms": round(float(rt), 3), "correct": correct})
    return pd.DataFrame(rows)


if __name__ == "__main__":
    make().to_csv(Path(__file__).with_name("crossed_sim.csv"), index=False)
