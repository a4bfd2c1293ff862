"""Within-subject confidence intervals of cell means (Cousineau 2005, Morey 2008).

Between-participant differences in overall speed are removed before the interval is taken:
each agent's cell means are centred on that agent's own mean and shifted to the grand mean
(Cousineau's normalisation), and the variance is inflated by ``J / (J − 1)`` for ``J`` cells
(Morey's correction). The interval is ``mean ± t(0.975, n − 1) · sd / √n`` over the ``n``
agents that have every cell of their source × subset. This is what the papers' error bars for
repeated-measures condition means show; it is computed per source, so a model with one
simulated agent has no interval (NaN) rather than a made-up one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def cousineau_morey(rows: pd.DataFrame, cells: list[str], value: str = "rt_ms",
                    confidence: float = 0.95) -> pd.DataFrame:
    """One row per source × subset × cell: ``mean``, ``ci_low``, ``ci_high``, ``ci_half_width``,
    ``n_agents`` (agents with all cells, the ones the interval uses) and ``n_cells``."""
    from scipy import stats

    keys = ["source", "subset"]
    columns = [*keys, *cells, "mean", "ci_low", "ci_high", "ci_half_width", "n_agents", "n_cells"]
    if rows is None or rows.empty or value not in rows:
        return pd.DataFrame(columns=columns)
    data = rows.dropna(subset=[value]).copy()
    data["_cell"] = data[cells].astype(str).agg(" / ".join, axis=1)
    agent_cell = data.groupby([*keys, "agent", "_cell"], dropna=False)[value].mean().rename("m").reset_index()
    n_cells = agent_cell.groupby(keys)["_cell"].transform("nunique")
    cells_per_agent = agent_cell.groupby([*keys, "agent"])["_cell"].transform("nunique")
    complete = agent_cell[cells_per_agent == n_cells].copy()
    complete["n_cells"] = n_cells[cells_per_agent == n_cells]
    agent_mean = complete.groupby([*keys, "agent"])["m"].transform("mean")
    grand_mean = complete.groupby(keys)["m"].transform("mean")
    complete["normalised"] = complete["m"] - agent_mean + grand_mean
    summary = complete.groupby([*keys, "_cell"]).agg(
        mean=("m", "mean"), sd=("normalised", "std"), n_agents=("agent", "nunique"),
        n_cells=("n_cells", "first")).reset_index()
    j = summary["n_cells"].astype(float)
    n = summary["n_agents"].astype(float)
    morey = np.sqrt(np.where(j > 1, j / (j - 1).where(j > 1, 1.0), np.nan))
    t_quantile = stats.t.ppf(0.5 + confidence / 2, np.where(n > 1, n - 1, np.nan))
    half = t_quantile * summary["sd"] * morey / np.sqrt(n)
    summary["ci_half_width"] = half
    summary["ci_low"] = summary["mean"] - half
    summary["ci_high"] = summary["mean"] + half
    cell_values = data.drop_duplicates("_cell").set_index("_cell")[cells]
    summary = summary.join(cell_values, on="_cell")
    return summary[columns].sort_values([*keys, *cells]).reset_index(drop=True)
