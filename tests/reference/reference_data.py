"""The two fixed datasets behind ``lme4_reference.json``, built exactly as ``lme4_reference.R`` builds
them (same rows, same factor levels), so the tests can compare without R."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
CONDITION_LEVELS = ("congruent", "neutral", "incongruent")
PRATTE_COLUMNS = ["exp", "sub", "blk", "trial", "color", "distract", "cond", "resp", "acc", "rt",
                  "errorTotal"]


def crossed_sim() -> pd.DataFrame:
    return pd.read_csv(HERE / "crossed_sim.csv")


def pratte2010(bundled_data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(RT rows, accuracy rows) of Pratte et al. (2010) Exp. 1, Stroop part."""
    raw = pd.read_csv(bundled_data_dir / "pratte2010_stroop" / "allsi2.dat", sep=r"\s+", header=None,
                      names=PRATTE_COLUMNS)
    raw = raw[raw["exp"] == 1]
    rt_ms = raw["rt"].to_numpy() * 1000
    ink = np.array(["red", "green", "blue"])[raw["color"].to_numpy()]
    word = np.array(["RED", "GREEN", "BLUE", "XXX"])[raw["distract"].to_numpy()]
    frame = pd.DataFrame({
        "participant": [f"s{s:02d}" for s in raw["sub"]],
        "item": [f"{a}/{b}" for a, b in zip(ink, word)],
        "condition": np.array(["incongruent", "congruent", "neutral"])[raw["cond"].to_numpy()],
        "rt_ms": rt_ms, "correct": raw["acc"].to_numpy()})
    frame = frame[(frame["rt_ms"] >= 200) & (frame["rt_ms"] <= 2000)].reset_index(drop=True)
    return frame[frame["correct"] == 1].reset_index(drop=True), frame
