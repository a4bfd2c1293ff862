"""Roelofs (2018), Cognition 172: the conceptual-bias account of cumulative semantic
interference in WEAVER++. The model's cumulative effect in picture naming by ordinal position,
read off the figure [FIG] (``shared/reference/published_targets.md`` §2). A model's output,
not people's data (``kind="model"``).
"""

from stimuli.published import PublishedTable

_EFFECT_MS = {1: 0, 2: 11, 3: 23, 4: 34, 5: 43}

TABLES = (
    PublishedTable(
        key="roelofs2018-cumulative-effect", task="continuous-naming",
        citation="Roelofs (2018), Cognition 172 (values read off the figure)",
        measure="WEAVER++ cumulative effect, RT(position k) − RT(position 1), ms",
        tag="FIG", kind="model",
        rows=tuple({"ordinal_position": k, "effect_ms": float(v)} for k, v in _EFFECT_MS.items())),
)
