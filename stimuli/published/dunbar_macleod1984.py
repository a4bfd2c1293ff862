"""Dunbar & MacLeod (1984): the Stroop condition means that Cohen, Dunbar & McClelland
(1990) fitted their PDP model to — a secondary source [2ND], as listed in the project's
reference notes (``published_targets.md`` §1). "control" is mirrorlab's ``neutral``,
"conflict" its ``incongruent``. The number of participants and SEs are not in these notes.
"""

from __future__ import annotations

from stimuli.published import PublishedTable

_MEANS_MS = {
    ("colour_naming", "neutral"): 656, ("colour_naming", "incongruent"): 856,
    ("colour_naming", "congruent"): 590,
    ("word_reading", "neutral"): 496, ("word_reading", "incongruent"): 518,
    ("word_reading", "congruent"): 500,
}

TABLES = (
    PublishedTable(
        key="dunbar-macleod1984-stroop", task="stroop",
        citation="Dunbar & MacLeod (1984), as fitted by Cohen, Dunbar & McClelland (1990), "
                 "Psychological Review 97(3), 332–361 [secondary source]",
        measure="mean RT (ms) per instruction × condition", tag="2ND", kind="human",
        rows=tuple({"instruction": i, "condition": c, "rt_ms": float(v)}
                   for (i, c), v in _MEANS_MS.items()),
        n_participants=None),
)
