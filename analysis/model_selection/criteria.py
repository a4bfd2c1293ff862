"""AIC and BIC from the full-data fits (in-sample: each fit is judged on the trials it was
fitted to, and penalised for its number of free parameters).

Per participant: AIC = 2k − 2 log L̂, BIC = k ln n − 2 log L̂ (k free parameters, n scored
trials). Summed over participants, a per-participant fit's totals are the AIC/BIC of the
model with separate parameters per person. Lower is better; a difference of ~10 in BIC is
"very strong" evidence in Kass & Raftery's (1995) reading.
"""

from __future__ import annotations

import pandas as pd


def criteria_table(full_fits: pd.DataFrame) -> pd.DataFrame:
    """One row per model: participants, free parameters per fit, in-sample log-likelihood,
    AIC, BIC (summed over participants) and the difference to the best model."""
    columns = ["model", "n_participants", "n_free", "n_trials", "loglik_in_sample", "aic",
               "bic", "delta_aic", "delta_bic", "in_sample"]
    if full_fits is None or full_fits.empty:
        return pd.DataFrame(columns=columns)
    grouped = full_fits.groupby("model", sort=False)
    table = pd.DataFrame({
        "model": list(grouped.groups),
        "n_participants": grouped["participant"].nunique().to_numpy(),
        "n_free": grouped["n_free"].first().to_numpy(),
        "n_trials": grouped["n_trials"].sum().to_numpy(),
        "loglik_in_sample": grouped["loglik"].sum().to_numpy(),
        "aic": grouped["aic"].sum().to_numpy(),
        "bic": grouped["bic"].sum().to_numpy(),
    })
    table["delta_aic"] = table["aic"] - table["aic"].min()
    table["delta_bic"] = table["bic"] - table["bic"].min()
    table["in_sample"] = True
    return table.sort_values("bic", kind="stable").reset_index(drop=True)[columns]
