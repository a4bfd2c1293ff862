"""Stark et al. (2024), cumulative semantic interference in continuous naming by people with
aphasia and controls: the authors' own lme4/lmerTest fit of log VOT, as printed in their
``scripts/04_analysis_output.txt`` (bundled in ``db/datasets/stark2024_csi_aphasia``):

    lmer(lVOT ~ PosOr.cont*session*group + (PosOr.cont+session|subject) + (PosOr.cont+group|category),
         control = lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 2e5)))

``session`` simple-coded (treatment − 1/3), ``group`` ``MASS::contr.sdif`` on (control, PWA).
Rows: fixed effects with their SE and Satterthwaite df; the model's REML criterion, number of
observations and residual SD are in ``extras``. ``mirrorlab analyse`` reproduces it
(tests/test_analyse_stark.py).
"""

from stimuli.published import PublishedTable

CITATION = ("Stark, K. et al. (2024). People with aphasia show stable Cumulative Semantic "
            "Interference (CSI) when tested repeatedly in a web-based paradigm: A perspective for "
            "longitudinal assessment. Data and scripts: kirstenstark/CSI_online_aphasia (MIT), "
            "bundled in db/datasets/stark2024_csi_aphasia.")

FIXED_EFFECTS = (
    ("(Intercept)", 7.116562, 0.035604, 58.495400),
    ("PosOr.cont", 0.016922, 0.002489, 30.170032),
    ("session2", -0.076082, 0.010856, 38.392327),
    ("session3", -0.089211, 0.011561, 36.616785),
    ("group2-1", 0.157635, 0.060276, 38.561991),
    ("PosOr.cont:session2", 0.004635, 0.003924, 12260.584027),
    ("PosOr.cont:session3", 0.003648, 0.003895, 12262.086513),
    ("PosOr.cont:group2-1", 0.006992, 0.004565, 37.104902),
    ("session2:group2-1", -0.025605, 0.021711, 38.391896),
    ("session3:group2-1", -0.020079, 0.023122, 36.616755),
    ("PosOr.cont:session2:group2-1", 0.013305, 0.007848, 12258.935598),
    ("PosOr.cont:session3:group2-1", 0.003095, 0.007790, 12261.681674),
)

TABLES = (
    PublishedTable(
        key="stark2024-lvot-lmm",
        task="continuous-naming",
        citation=CITATION,
        measure="fixed effects of an LMM of log VOT (log ms); SE; Satterthwaite df (lmerTest)",
        tag="SRC",
        kind="human",
        rows=tuple({"term": term, "estimate": estimate, "se": se, "df": df}
                   for term, estimate, se, df in FIXED_EFFECTS),
        n_participants=40,
        note="12,455 correct non-filler trials, VOT >= 200 ms; 40 subjects (20 PWA, 20 controls), 24 categories.",
        extras={"formula": "lVOT ~ PosOr.cont*session*group + (PosOr.cont+session|subject) + "
                           "(PosOr.cont+group|category)",
                "reml_criterion": 1158.2, "n_obs": 12455, "n_subjects": 40, "n_categories": 24,
                "residual_sd": 0.248090},
    ),
)
