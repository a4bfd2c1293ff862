"""Published human (and model) numbers drawn as a third series, "original study", beside the
people and models in this database. Values from ``shared/reference/published_targets.md``;
tags there: [SRC] exact, [FIG] read off a figure (±2–3 ms), [2ND] secondary source.
"""

from __future__ import annotations

import pandas as pd

#: Dunbar & MacLeod (1984) via Cohen, Dunbar & McClelland (1990) [2ND]; control = neutral.
DUNBAR_MACLEOD_1984 = {
    "citation": "Dunbar & MacLeod (1984), as fitted by Cohen, Dunbar & McClelland (1990), "
                "Psychological Review 97(3), 332–361 [secondary source]",
    "rt_ms": {
        ("colour_naming", "neutral"): 656, ("colour_naming", "incongruent"): 856,
        ("colour_naming", "congruent"): 590,
        ("word_reading", "neutral"): 496, ("word_reading", "incongruent"): 518,
        ("word_reading", "congruent"): 500,
    },
}

#: Glaser & Düngelhoff (1984), JEP:HPP 10(5), 640–654, picture naming [FIG]:
#: RT(condition) − RT(nonword) in ms by SOA (negative = distractor first).
GLASER_DUNGELHOFF_1984_SOAS_MS = (-400, -300, -200, -100, 0, 100, 200, 300, 400)
GLASER_DUNGELHOFF_1984 = {
    "citation": "Glaser & Düngelhoff (1984), JEP:HPP 10(5), 640–654, Exp. 1 (values read off the figure)",
    "picture_naming": {
        "unrelated": (41, 59, 74, 45, 47, 81, 41, -12, 17),     # "incongruent"
        "related": (5, 69, 78, 70, 133, 160, 55, 8, 8),          # "category congruent"
        "identical": (-78, -74, -67, -75, -41, -28, -24, 8, -19),  # "concept congruent"
    },
    "word_reading": {
        "unrelated": (-7, 9, 18, 11, 18, 4, 4, 3, -3),
        "related": (2, 8, 8, 19, 22, 18, 18, -9, 0),
        "identical": (-32, -16, -5, 0, 16, -10, 2, -9, -2),
    },
}

#: Howard, Nickels, Coltheart & Cole-Virtue (2006), Cognition 100, 464–482 [FIG].
HOWARD_2006 = {
    "citation": "Howard, Nickels, Coltheart & Cole-Virtue (2006), Cognition 100, 464–482 "
                "(values read off the figures)",
    "ordinal_position_rt_ms": {1: 610, 2: 635, 3: 661, 4: 688, 5: 735},
    "lag_rt_ms": {2: 679, 4: 681, 6: 681, 8: 679},
}

#: Pyramids and Palm Trees (Howard & Patterson 1992): healthy controls make at most 3 errors in 52.
PPT_1992 = {"citation": "Howard & Patterson (1992), Pyramids and Palm Trees test manual",
            "min_accuracy_controls": 49 / 52}


def stroop_condition_means() -> pd.DataFrame:
    rows = [{"instruction": i, "condition": c, "rt_ms": float(v)}
            for (i, c), v in DUNBAR_MACLEOD_1984["rt_ms"].items()]
    return pd.DataFrame(rows)


def picture_word_soa_effects() -> pd.DataFrame:
    """The G&D effects on mirrorlab's SOA axis: ``soa_ms`` = word onset − picture onset for
    both tasks. G&D's SOA is distractor onset − target onset, so their word-reading SOAs
    (where the picture is the distractor) change sign."""
    rows = []
    for instruction in ("picture_naming", "word_reading"):
        sign = -1.0 if instruction == "word_reading" else 1.0
        for condition, values in GLASER_DUNGELHOFF_1984[instruction].items():
            for soa_ms, effect in zip(GLASER_DUNGELHOFF_1984_SOAS_MS, values):
                rows.append({"instruction": instruction, "condition": condition,
                             "soa_ms": sign * float(soa_ms), "effect_ms": float(effect)})
    return pd.DataFrame(rows)


def continuous_naming_curves() -> dict[str, pd.DataFrame]:
    return {
        "ordinal_position": pd.DataFrame(
            [{"ordinal_position": k, "rt_ms": float(v)} for k, v in HOWARD_2006["ordinal_position_rt_ms"].items()]),
        "lag": pd.DataFrame([{"lag": k, "rt_ms": float(v)} for k, v in HOWARD_2006["lag_rt_ms"].items()]),
    }


CITATIONS = {
    "stroop": DUNBAR_MACLEOD_1984["citation"],
    "picture-word": GLASER_DUNGELHOFF_1984["citation"],
    "continuous-naming": HOWARD_2006["citation"],
    "association": PPT_1992["citation"],
}
