"""Glaser & Düngelhoff (1984), JEP:HPP 10(5), 640–654, Experiment 1: picture–word
interference across SOAs. Values read off the paper's figure [FIG], as listed in the
project's reference notes (``published_targets.md`` §3): RT(condition) − RT(nonword
distractor) in ms, positive = inhibition. The paper's SOA for word reading is picture
onset − word onset; it is negated here so that ``soa_ms`` is always word onset − picture
onset (negative = word first). The number of participants and SEs are not in these notes.
"""

from __future__ import annotations

from stimuli.published import PublishedTable

CITATION = "Glaser & Düngelhoff (1984), JEP:HPP 10(5), 640–654, Exp. 1 (values read off the figure)"
SOAS_MS = (-400, -300, -200, -100, 0, 100, 200, 300, 400)
#: G&D's labels: incongruent = unrelated, category congruent = related, concept congruent = identical.
_EFFECTS_MS = {
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


def _rows(instruction: str) -> tuple[dict, ...]:
    sign = -1 if instruction == "word_reading" else 1
    return tuple({"instruction": instruction, "condition": condition, "soa_ms": float(sign * soa),
                  "effect_ms": float(effect)}
                 for condition, effects in _EFFECTS_MS[instruction].items()
                 for soa, effect in zip(SOAS_MS, effects))


TABLES = tuple(
    PublishedTable(
        key=f"glaser1984-{instruction.replace('_', '-')}", task="picture-word", citation=CITATION,
        measure="effect_ms = RT(condition) - RT(nonword) by soa_ms (word onset - picture onset)",
        tag="FIG", kind="human", rows=_rows(instruction), n_participants=None,
        note="baseline: nonword distractor", extras={"baseline": "nonword"})
    for instruction in ("picture_naming", "word_reading"))
