"""Glaser & Düngelhoff (1984), JEP:HPP 10(5), 640–654, Exp. 1: picture–word interference,
RT(condition) − RT(nonword) in ms at nine SOAs, values read off the figures [FIG]
(``shared/reference/published_targets.md`` §3).

Their relations are mirrorlab's conditions: incongruent = ``unrelated``, category congruent =
``related``, concept congruent = ``identical``; the nonword baseline is ``nonword``.

SOA: Glaser & Düngelhoff plot both tasks against the onset of the *irrelevant* stimulus minus
the onset of the target (``gd_soa_ms``, kept for reference). mirrorlab's ``soa_ms`` is always
word onset − picture onset. In picture naming the word is the irrelevant stimulus, so the two
agree; in word reading the picture is, so ``soa_ms = −gd_soa_ms``. The conversion happens here,
once; every reader uses ``soa_ms``.
"""

from stimuli.published import PublishedTable

GD_SOAS_MS = (-400, -300, -200, -100, 0, 100, 200, 300, 400)

_PICTURE_NAMING = {
    "unrelated": (41, 59, 74, 45, 47, 81, 41, -12, 17),
    "related": (5, 69, 78, 70, 133, 160, 55, 8, 8),
    "identical": (-78, -74, -67, -75, -41, -28, -24, 8, -19),
}
_WORD_READING = {
    "unrelated": (-7, 9, 18, 11, 18, 4, 4, 3, -3),
    "related": (2, 8, 8, 19, 22, 18, 18, -9, 0),
    "identical": (-32, -16, -5, 0, 16, -10, 2, -9, -2),
}
CITATION = ("Glaser & Düngelhoff (1984), JEP:HPP 10(5), 640–654, Exp. 1 "
            "(values read off the figures)")


def _rows(instruction: str, table: dict, word_is_irrelevant: bool) -> tuple[dict, ...]:
    sign = 1.0 if word_is_irrelevant else -1.0
    return tuple(
        {"instruction": instruction, "condition": condition,
         "soa_ms": sign * float(gd_soa) + 0.0, "gd_soa_ms": float(gd_soa),
         "effect_ms": float(effect)}
        for condition, effects in table.items()
        for gd_soa, effect in zip(GD_SOAS_MS, effects)
    )


TABLES = (
    PublishedTable(
        key="glaser1984-picture-naming", task="picture-word", citation=CITATION,
        measure="RT(condition) − RT(nonword), ms, by soa_ms (word − picture onset)",
        tag="FIG", kind="human", rows=_rows("picture_naming", _PICTURE_NAMING, True),
        note="gd_soa_ms = soa_ms (the word is the distractor)"),
    PublishedTable(
        key="glaser1984-word-reading", task="picture-word", citation=CITATION,
        measure="RT(condition) − RT(nonword), ms, by soa_ms (word − picture onset)",
        tag="FIG", kind="human", rows=_rows("word_reading", _WORD_READING, False),
        note="gd_soa_ms = −soa_ms (the picture is the distractor)"),
)
