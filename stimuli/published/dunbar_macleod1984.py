"""Dunbar & MacLeod (1984): Stroop condition means (ms) that Cohen, Dunbar & McClelland (1990)
fitted their PDP model to. Copied from ``shared/reference/published_targets.md`` §1 [2ND]:
the numbers come through Cohen et al. (1990), not checked against the 1984 paper. Their
"control" condition is mirrorlab's ``neutral``, "conflict" is ``incongruent``.
"""

from stimuli.published import PublishedTable

_MEANS_MS = {
    "colour_naming": {"congruent": 590, "neutral": 656, "incongruent": 856},
    "word_reading": {"congruent": 500, "neutral": 496, "incongruent": 518},
}

TABLES = (
    PublishedTable(
        key="dunbar-macleod1984",
        task="stroop",
        citation="Dunbar & MacLeod (1984), as fitted by Cohen, Dunbar & McClelland (1990), "
                 "Psychological Review 97(3), 332–361 [secondary source]",
        measure="mean RT (ms) per instruction × condition",
        tag="2ND",
        kind="human",
        rows=tuple({"instruction": instruction, "condition": condition, "rt_ms": float(rt)}
                   for instruction, means in _MEANS_MS.items()
                   for condition, rt in means.items()),
    ),
)
