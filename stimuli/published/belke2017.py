"""Blocked-cyclic naming: the semantic blocking effect by cycle — the pattern, not numbers.

Belke, E. (2017). The role of task-specific response strategies in blocked-cyclic naming.
Frontiers in Psychology, 7, 1955 (a review), abstract: "In the first cycle, participants
typically show either no context effect or semantic facilitation. From cycle two onward, they
display a stable semantic interference effect that does not increase over cycles." Belke, Meyer
& Damian (2005, QJEP 58A(4), 667–692, Exp. 1) likewise found that the effect "only arose after
all objects of a set had been shown and named once". The rows hold the direction of
homogeneous − heterogeneous naming latency per cycle band (tag ``2ND``: a review's summary).
"""

from stimuli.published import PublishedTable

TABLES = (
    PublishedTable(
        key="belke2017-blocked-cyclic-pattern",
        task="continuous-naming",
        citation=("Belke (2017), Frontiers in Psychology 7, 1955, abstract; Belke, Meyer & Damian "
                  "(2005), QJEP 58A(4), 667-692"),
        measure=("blocked-cyclic picture naming, homogeneous − heterogeneous block latency: "
                 "direction per cycle band, and whether it grows over cycles"),
        tag="2ND",
        kind="human",
        rows=(
            {"instruction": "picture_naming", "cycle_from": 1, "cycle_to": 1,
             "blocking_effect": "none_or_facilitation", "grows_over_cycles": False},
            {"instruction": "picture_naming", "cycle_from": 2, "cycle_to": None,
             "blocking_effect": "interference", "grows_over_cycles": False},
        ),
        note="Qualitative only: no magnitudes; cycle_to None = every later cycle.",
    ),
)
