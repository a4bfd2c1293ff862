"""Published preparations of bundled datasets, step by step as the authors' scripts do them.

``stark2024_rt_trials()`` prepares Stark et al. (2024)'s ``data_long_anonymous.csv`` for their
reaction-time model exactly as their ``04_…Rmd`` does (see
``shared/reference/published_targets.md`` §6): fillers dropped; ``PosOr`` = running count of a
category's members within subject × session in trial order; correct = codes 1, 1.1, 1.2, 1.3
(a missing VOT is a technical error; cells ``1;;;;;;`` are ``1``); ``PosOr.cont`` = PosOr
centred on the correct trials (their line 782, before the VOT filter); VOT ≥ 200 ms; ``lVOT`` =
log(VOT); ``group`` from the subject code (1xx people with aphasia = ``PWA``, 2xx ``control``).
The contrasts they set (session simple-coded, group ``MASS::contr.sdif``) are options of the
fit (``contrasts={"session": "simple", "group": "sdif"}``), not columns. Until the importer
mapping for this dataset exists, this function is how the reproduction gets its data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from db.importer import bundled_data_dir

CORRECT_CODES = (1.0, 1.1, 1.2, 1.3)


def stark2024_rt_trials() -> pd.DataFrame:
    """The 12,455 correct, non-filler naming trials of Stark et al. (2024), source ``human``."""
    path = bundled_data_dir() / "stark2024_csi_aphasia" / "data_long_anonymous.csv"
    data = pd.read_csv(path, dtype=str, keep_default_na=False)
    data = data[data["category"] != "Filler"].copy()
    data["trial"] = data["trial"].astype(int)
    data = data.sort_values(["subject", "session", "trial"], kind="stable")
    data["PosOr"] = data.groupby(["subject", "session", "category"]).cumcount() + 1
    data["VOT"] = pd.to_numeric(data["VOT"], errors="coerce")
    code = data["correct"].str.replace(";;;;;;", "", regex=False).where(data["VOT"].notna(), "0")
    correct = pd.to_numeric(code, errors="coerce").round(1).isin(CORRECT_CODES)
    trials = data[correct].copy()
    trials["PosOr.cont"] = trials["PosOr"] - trials["PosOr"].mean()
    trials = trials[trials["VOT"] >= 200].copy()
    trials["lVOT"] = np.log(trials["VOT"])
    trials["group"] = np.where(trials["subject"].astype(int) < 200, "PWA", "control")
    trials["source"] = "human"
    return trials[["subject", "session", "trial", "item", "category", "PosOr", "PosOr.cont", "VOT",
                   "lVOT", "group", "source"]].reset_index(drop=True)
