"""What a statsmodels fit will cost, said before fitting (statsmodels has no correlated random
effects and scales badly with crossed random effects; mixedlm is the default engine)."""

from __future__ import annotations

#: Measured (issue 15): crossed intercepts on 80,000 rows with about 1,100 random-effect columns
#: took statsmodels 224 CPU-s and 1.8 GB (lme4: 0.41 s); the zero-correlation slope model did
#: not finish in 590 s. Cost grows with rows × random-effect columns.
MEASURED_ROWS, MEASURED_COLUMNS, MEASURED_CPU_S, MEASURED_GB = 80_000, 1_100, 224.0, 1.8


def statsmodels_cost_note(n_rows: int, random_columns: int, n_random_terms: int) -> str | None:
    """One line when statsmodels is expected to need over a minute or a gigabyte, else None."""
    load = (n_rows / MEASURED_ROWS) * (random_columns / MEASURED_COLUMNS)
    cpu_s = MEASURED_CPU_S * load * max(1, n_random_terms - 1)
    memory_gb = MEASURED_GB * load
    if cpu_s < 60 and memory_gb < 1.0:
        return None
    return (f"engine statsmodels on {n_rows:,} rows × {random_columns:,} random-effect columns: "
            f"expect about {cpu_s:,.0f} CPU-s and {memory_gb:.1f} GB (measured: 224 CPU-s, 1.8 GB "
            "at 80,000 × 1,100); --engine mixedlm gives lme4's answer in seconds")
