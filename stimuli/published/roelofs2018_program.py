"""Roelofs (2018): the printed output of ``CONCEPTUAL BIAS.C``, picture naming by ordinal position.

Roelofs, A. (2018). A unified computational account of cumulative semantic, semantic blocking,
and semantic distractor effects in picture naming. Cognition, 172, 59–72. Program
``CONCEPTUAL BIAS.C`` (Ardi Roelofs, November 2017; https://osf.io/6ysp2/), transcribed with its
printed output in the public notebook ``notebooks/2021Roelofs_Conceptual_bias.ipynb`` of
github.com/project-ccap/project-ccap.github.io. The program prints ``(int) E[T]``: 106, 119,
130, 141, 150 ms at ordinal positions 1–5 (effects 0 / 13 / 24 / 35 / 44; the paper's Fig. 4A
shows 0 / 11 / 23 / 34 / 43, see the ``roelofs2018`` module). Network: five tableware concepts
and their superordinate MANMADE in one clique at half the conceptual rate, bias 2.5 per step on
the concepts named before, for the whole trial.
"""

from stimuli.published import PublishedTable

TABLES = (
    PublishedTable(
        key="roelofs2018-conceptual-bias-program",
        task="continuous-naming",
        citation=("Roelofs (2018), Cognition 172, 59-72; program CONCEPTUAL BIAS.C (transcribed: "
                  "project-ccap/project-ccap.github.io, notebooks/2021Roelofs_Conceptual_bias.ipynb)"),
        measure="printed (int) expected lemma retrieval time, ms from picture onset",
        tag="MODEL",
        kind="model",
        rows=tuple({"ordinal_position": p, "retrieval_ms": ms}
                   for p, ms in zip(range(1, 6), (106, 119, 130, 141, 150))),
        note="Picture naming; the same program prints word naming 50 ms at every position.",
    ),
    PublishedTable(
        key="roelofs2018-conceptual-bias-program-classification",
        task="continuous-naming",
        citation=("Roelofs (2018), Cognition 172, 59-72; program CONCEPTUAL BIAS.C (transcribed: "
                  "project-ccap/project-ccap.github.io, notebooks/2021Roelofs_Conceptual_bias.ipynb)"),
        measure=("printed (int) expected time to the classification button (man-made vs natural), "
                 "ms from picture onset"),
        tag="MODEL",
        kind="model",
        rows=tuple({"instruction": "picture_categorising", "ordinal_position": p,
                    "retrieval_ms": ms}
                   for p, ms in zip(range(1, 6), (250, 200, 175, 175, 150))),
        note=("Semantic classification gets faster with ordinal position: the bias on earlier "
              "co-members feeds the shared category concept (Belke 2013)."),
    ),
)
