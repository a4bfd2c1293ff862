"""Published effects the WEAVER++ family is compared with (``../shared/reference/published_targets.md``).

All values in ms. Difference scores are RT(condition) − RT(nonword baseline); + = inhibition.
"""

from __future__ import annotations

import pandas as pd

GD_SOAS_MS = (-400, -300, -200, -100, 0, 100, 200, 300, 400)

#: Glaser & Düngelhoff (1984), values read off the figures [FIG].
GLASER_DUNGELHOFF_1984 = {
    "picture_naming": {
        "unrelated": (41, 59, 74, 45, 47, 81, 41, -12, 17),
        "related": (5, 69, 78, 70, 133, 160, 55, 8, 8),
        "identical": (-78, -74, -67, -75, -41, -28, -24, 8, -19),
    },
    "word_reading": {
        "unrelated": (-7, 9, 18, 11, 18, 4, 4, 3, -3),
        "related": (2, 8, 8, 19, 22, 18, 18, -9, 0),
        "identical": (-32, -16, -5, 0, 16, -10, 2, -9, -2),
    },
}

#: Dunbar & MacLeod (1984) condition means, as fitted by Cohen et al. (1990) [2ND].
DUNBAR_MACLEOD_1984 = {
    "colour_naming": {"congruent": 590, "neutral": 656, "incongruent": 856},
    "word_reading": {"congruent": 500, "neutral": 496, "incongruent": 518},
}

#: Howard et al. (2006): naming latency by ordinal position within a category [FIG] ...
HOWARD_2006_BY_POSITION = {1: 610, 2: 635, 3: 661, 4: 688, 5: 735}
#: ... and by lag (intervening trials since the previous category member) [FIG].
HOWARD_2006_BY_LAG = {2: 679, 4: 681, 6: 681, 8: 679}
#: Roelofs (2018) model: cumulative effect by ordinal position [FIG].
ROELOFS_2018_MODEL_EFFECT = {1: 0, 2: 11, 3: 23, 4: 34, 5: 43}


def glaser_dungelhoff_frame() -> pd.DataFrame:
    """Long table: instruction, condition, soa_ms, effect_ms."""
    rows = [
        {"instruction": instruction, "condition": condition, "soa_ms": float(soa),
         "effect_ms": float(value)}
        for instruction, table in GLASER_DUNGELHOFF_1984.items()
        for condition, values in table.items()
        for soa, value in zip(GD_SOAS_MS, values)
    ]
    return pd.DataFrame(rows)
