"""Howard, Nickels, Coltheart & Cole-Virtue (2006), Cognition 100, 464–482: cumulative semantic
inhibition in continuous picture naming, values read off the figures [FIG]
(``shared/reference/published_targets.md`` §4). Naming latency rises about 30 ms per preceding
category member, linearly, with no effect of lag (intervening trials since the previous member).
"""

from stimuli.published import PublishedTable

CITATION = ("Howard, Nickels, Coltheart & Cole-Virtue (2006), Cognition 100, 464–482 "
            "(values read off the figures)")
_BY_POSITION_MS = {1: 610, 2: 635, 3: 661, 4: 688, 5: 735}
_BY_LAG_MS = {2: 679, 4: 681, 6: 681, 8: 679}
_MODEL_CYCLES_BY_POSITION = {1: 126.6, 2: 130.9, 3: 136.1, 4: 142.8, 5: 151.9}

TABLES = (
    PublishedTable(
        key="howard2006-ordinal-position", task="continuous-naming", citation=CITATION,
        measure="mean naming RT (ms) by ordinal position within category", tag="FIG",
        kind="human", rows=tuple({"ordinal_position": k, "rt_ms": float(v)}
                                 for k, v in _BY_POSITION_MS.items())),
    PublishedTable(
        key="howard2006-lag", task="continuous-naming", citation=CITATION,
        measure="mean naming RT (ms) by lag (intervening trials)", tag="FIG", kind="human",
        rows=tuple({"lag": k, "rt_ms": float(v)} for k, v in _BY_LAG_MS.items())),
    PublishedTable(
        key="howard2006-model-cycles", task="continuous-naming", citation=CITATION,
        measure="the authors' model: cycles to response by ordinal position", tag="FIG",
        kind="model", rows=tuple({"ordinal_position": k, "cycles": float(v)}
                                 for k, v in _MODEL_CYCLES_BY_POSITION.items())),
)
