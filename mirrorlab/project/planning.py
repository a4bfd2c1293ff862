"""``mirrorlab project power DIR``: the power table and figure of the preregistered model.

Variance components come from the target (``mirrorlab.project.targets.variance_components``,
labelled with where they come from); the grid, number of simulations and seed from
``[power]`` in project.toml. Cells run on Dask through ``mirrorlab.distributed`` (same seed →
same table whatever the number of workers). Writes ``power/power.csv``, ``power/power.png``
and ``power/power.json`` (components, seed, software versions, stimulus-set hash).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from mirrorlab.project import config as project_config


def run_power(directory: Path | str, *, n_simulations: int | None = None, participants=None,
              trials_per_level=None, scheduler: str | None = None, workers: int | None = None,
              processes: bool = True) -> tuple[pd.DataFrame, dict]:
    from analysis.project.design import EffectDesign
    from analysis.project.power import power_grid
    from db.provenance import software_versions
    from mirrorlab.distributed import map_calls
    from mirrorlab.project.targets import target, variance_components

    cfg = project_config.load(directory)
    t = target(cfg["project"]["target"])
    design = EffectDesign.from_mapping(cfg["analysis"])
    components = variance_components(t)
    settings = cfg["power"]
    grid_participants = list(participants or settings["participants"])
    grid_trials = list(trials_per_level or settings["trials_per_level"])
    n_sims = int(n_simulations or settings["n_simulations"])

    def spread(function, calls):
        return map_calls(function, calls, scheduler=scheduler, workers=workers, processes=processes)

    table = power_grid(components, design.x_values(), grid_participants, grid_trials,
                       n_simulations=n_sims, seed=int(settings["seed"]),
                       alpha=float(cfg["verdict"]["alpha"]), map_calls=spread)
    record = {"target": t.name, "variance_components": components.to_mapping(),
              "seed": int(settings["seed"]), "n_simulations": n_sims,
              "n_original": cfg["original"].get("n_participants"),
              "stimulus_set_hash": cfg["task"]["stimulus_set_hash"],
              "software_versions": software_versions(("dask", "distributed"))}
    out = Path(directory) / "power"
    out.mkdir(exist_ok=True)
    table.to_csv(out / "power.csv", index=False)
    (out / "power.json").write_text(json.dumps(record, indent=2, default=str), encoding="utf-8")
    power_figure(table, record, out / "power.png")
    return table, record


def power_figure(table: pd.DataFrame, record: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.4, 4.2))
    for trials, rows in table.groupby("trials_per_level"):
        axes.plot(rows["n_participants"], rows["power"], marker="o", label=f"{trials} trials/level")
    if record.get("n_original"):
        axes.axvline(record["n_original"], color="grey", linestyle=":", label="original n")
    axes.axhline(0.8, color="black", linewidth=0.6, linestyle="--")
    axes.set_xlabel("participants")
    axes.set_ylabel("power (simulated)")
    axes.set_ylim(0, 1.02)
    axes.set_title(f"{record['target']}: effect {record['variance_components']['effect_ms']:.1f} ms")
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
