"""Stark et al. (2024): the authors' own printed results for the bundled continuous-naming data
(``db/datasets/stark2024_csi_aphasia/``), both from ``scripts/04_analysis_output.txt``:

* ``stark2024-csi-per-position``: the "Ordinal position effect", the mean increase of
  voice-onset latency per ordinal position (correct trials, fillers excluded, both groups and
  all three sessions; ``Rmisc::summarySEwithin`` over subjects): 21.94 ms, 40 participants;
* ``stark2024-lmer-fixed-effects``: their lme4 analysis
(``db/datasets/stark2024_csi_aphasia/``), as printed in ``scripts/04_analysis_output.txt``
(the text of their knitted ``04_…Rmd``; the fixed effects table under "Fixed effects:" of
the model fitted to ``df_RTs``, lines 1706–1742 of that file).

Data as their script prepares it: fillers dropped; ``PosOr`` = running count of a
category's members within subject × session; correct = codes 1, 1.1, 1.2, 1.3; VOT ≥ 200
ms; ``lVOT`` = log(VOT); ``PosOr.cont`` = PosOr centred; ``session`` simple-coded (intercept
= grand mean); ``group`` with ``MASS::contr.sdif(2)`` on (control, PWA): ``group2-1`` =
people with aphasia − controls. 12,455 observations, 40 subjects, 24 categories.
"""

from __future__ import annotations

from stimuli.published import PublishedTable

CITATION = ("Stark, K. et al. (2024). People with aphasia show stable cumulative semantic "
            "interference when tested repeatedly in a web-based paradigm: a perspective for "
            "longitudinal assessment. Analysis output: kirstenstark/CSI_online_aphasia, "
            "scripts/04_analysis_output.txt")
FORMULA = ("lVOT ~ PosOr.cont*session*group + (PosOr.cont+session|subject) + "
           "(PosOr.cont+group|category)")

#: (term, estimate, standard error, Satterthwaite df, t) exactly as printed.
_FIXED_EFFECTS = (
    ("(Intercept)", 7.116562, 0.035604, 58.495400, 199.883),
    ("PosOr.cont", 0.016922, 0.002489, 30.170032, 6.800),
    ("session2", -0.076082, 0.010856, 38.392327, -7.008),
    ("session3", -0.089211, 0.011561, 36.616785, -7.717),
    ("group2-1", 0.157635, 0.060276, 38.561991, 2.615),
    ("PosOr.cont:session2", 0.004635, 0.003924, 12260.584027, 1.181),
    ("PosOr.cont:session3", 0.003648, 0.003895, 12262.086513, 0.937),
    ("PosOr.cont:group2-1", 0.006992, 0.004565, 37.104902, 1.532),
    ("session2:group2-1", -0.025605, 0.021711, 38.391896, -1.179),
    ("session3:group2-1", -0.020079, 0.023122, 36.616755, -0.868),
    ("PosOr.cont:session2:group2-1", 0.013305, 0.007848, 12258.935598, 1.695),
    ("PosOr.cont:session3:group2-1", 0.003095, 0.007790, 12261.681674, 0.397),
)

TABLES = (
    PublishedTable(
        key="stark2024-lmer-fixed-effects",
        task="continuous-naming",
        citation=CITATION,
        measure="lme4/lmerTest fixed effects on log voice-onset latency (lVOT), REML",
        tag="SRC",
        kind="human",
        rows=tuple({"term": term, "estimate": estimate, "se": se, "df": df, "t": t}
                   for term, estimate, se, df, t in _FIXED_EFFECTS),
        n_participants=40,
        note="The paper's summary: about 23 ms per ordinal position, no group difference, "
             "stable over days.",
        extras={"formula": FORMULA, "reml_criterion": 1158.2, "n_observations": 12455,
                "n_categories": 24, "residual_sd": 0.248090,
                "optimizer": "bobyqa, maxfun = 2e5", "dataset": "stark2024",
                "source_file": "db/datasets/stark2024_csi_aphasia/scripts/04_analysis_output.txt"},
    ),
    PublishedTable(
        key="stark2024-csi-per-position", task="continuous-naming", citation=CITATION,
        measure="mean increase of naming latency (VOT, ms) per ordinal position within category",
        tag="SRC", kind="human", rows=({"effect_ms_per_position": 21.94},), n_participants=40,
        note="Rmisc::summarySEwithin over subjects; correct trials, fillers excluded"),
)
