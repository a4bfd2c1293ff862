"""Which cells the WEAVER++ family is fitted on (shared by WEAVER++, the cumulative accounts
and the Howard et al. 2006-style model). The fit itself is the shared RT mapping
(``models.base.fit_rt_mapping``) and the human trials are those ``models.base.rt_trials``
keeps (the analysis' cleaning when the pipeline cleaned them)."""

from __future__ import annotations

import pandas as pd

from models.base import json_cells, rt_trials

__all__ = ["cell_columns", "json_cells", "rt_trials"]


def cell_columns(frame: pd.DataFrame) -> list[str]:
    """task × instruction × condition (× soa_ms), those the frame has."""
    return [c for c in ("task", "instruction", "condition", "soa_ms") if c in frame.columns]
