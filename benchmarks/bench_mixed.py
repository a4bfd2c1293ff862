"""Fit time (CPU seconds) and peak memory of the mixed models against data size, both engines,
the chosen statsmodels formulation against the naive dense one, and lme4 where R is installed.

    .venv/bin/python benchmarks/bench_mixed.py                   # 20x30 and 40x60 (quick)
    .venv/bin/python benchmarks/bench_mixed.py --sizes 20x30,40x60,80x120,160x240
    .venv/bin/python benchmarks/bench_mixed.py --skip statsmodels-dense,statsmodels-zero_correlation

Design: P participants x I items x 3 conditions (every participant sees every item in every
condition: P*I*3 trials; 160x240 = 115,200). Each fit runs in a fresh subprocess; CPU time is
that of the fit alone (time.process_time / R's system.time), peak memory is the subprocess's
maximum resident set (os.wait4), which includes the interpreter and libraries: an "import
only" subprocess is measured as the floor. Ratios are against numbers from this same run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CONDITIONS = ("congruent", "neutral", "incongruent")
CASES = (
    ("statsmodels", "crossed_intercepts"),     # chosen: one group + variance components, sparse >= 7000 rows
    ("statsmodels-dense", "crossed_intercepts"),  # same formulation, dense matrices (the naive way)
    ("statsmodels", "zero_correlation"),
    ("statsmodels", "binomial"),               # BinomialBayesMixedGLM (variational Bayes)
    ("mixedlm", "crossed_intercepts"),
    ("mixedlm", "maximal"),
    ("mixedlm", "binomial"),
    ("lme4", "crossed_intercepts"),
    ("lme4", "maximal"),
    ("lme4", "binomial"),
)


def make_data(participants: int, items: int, seed: int = 1):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    p = np.repeat(np.arange(participants), items * 3)
    i = np.tile(np.repeat(np.arange(items), 3), participants)
    c = np.tile(np.arange(3), participants * items)
    slopes = rng.multivariate_normal([0, 0, 0], [[3600, 600, 900], [600, 900, 300], [900, 300, 1600]],
                                     participants)
    effect = np.array([0.0, 20.0, 80.0])[c] + np.where(c == 1, slopes[p, 1], 0) + np.where(c == 2, slopes[p, 2], 0)
    rt = 650 + slopes[p, 0] + rng.normal(0, 35, items)[i] + effect + rng.normal(0, 110, len(p))
    eta = 2.5 - 0.3 * (c == 1) - 0.7 * (c == 2) + rng.normal(0, 0.5, participants)[p] + rng.normal(0, 0.4, items)[i]
    correct = (rng.random(len(p)) < 1 / (1 + np.exp(-eta))).astype(int)
    return pd.DataFrame({"participant": [f"p{x}" for x in p], "item": [f"i{x}" for x in i],
                         "condition": np.array(CONDITIONS)[c], "rt_ms": rt, "correct": correct})


def child(engine: str, model: str, participants: int, items: int) -> dict:
    """Run one fit in this (fresh) process and return its numbers."""
    data = make_data(participants, items)
    if engine == "import-only":
        import mixedlm  # noqa: F401
        import statsmodels.api  # noqa: F401
        return {"cpu_s": 0.0}
    sys.path.insert(0, str(REPO))
    from analysis.mixed import ModelSpec, Predictor, fit_one
    from analysis.mixed import statsmodels_engine

    condition = Predictor("condition", CONDITIONS)
    family = "binomial" if model == "binomial" else "gaussian"
    structure = "crossed_intercepts" if model == "binomial" else model
    spec = ModelSpec("correct" if family == "binomial" else "rt_ms", (condition,), family,
                     slopes=("condition",), structure=structure)
    frame = spec.model_frame(data)
    if engine == "statsmodels-dense":
        statsmodels_engine.SPARSE_FROM_ROWS = 10**12
        engine = "statsmodels"
    # import the engine's libraries before the clock starts (mixedlm loads its modules lazily)
    import mixedlm
    from statsmodels.genmod.bayes_mixed_glm import BinomialBayesMixedGLM  # noqa: F401
    from statsmodels.regression.mixed_linear_model import MixedLM  # noqa: F401

    _ = (mixedlm.lmer, mixedlm.glmer, mixedlm.families.Binomial)
    started = time.process_time()
    result = fit_one(spec, frame, engine)
    cpu_s = time.process_time() - started
    return {"cpu_s": cpu_s, "loglik": result.log_likelihood, "converged": result.converged,
            "error": result.error}


R_SCRIPT = r"""
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); model <- args[2]
d$condition <- factor(d$condition, levels = c("congruent", "neutral", "incongruent"))
f <- switch(model,
  crossed_intercepts = rt_ms ~ condition + (1 | participant) + (1 | item),
  maximal = rt_ms ~ condition + (1 + condition | participant) + (1 | item),
  binomial = correct ~ condition + (1 | participant) + (1 | item))
t <- system.time(fit <- if (model == "binomial") glmer(f, d, family = binomial) else lmer(f, d, REML = TRUE))
cat(sprintf('{"cpu_s": %.6f, "loglik": %.6f}\n', t[["user.self"]] + t[["sys.self"]], as.numeric(logLik(fit))))
"""


def run_measured(command: list[str]) -> tuple[dict, float]:
    """Run a subprocess; its JSON line and its peak resident memory in MB."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.stdout.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    lines = [line for line in output.splitlines() if line.startswith("{")]
    if process.returncode != 0 or not lines:
        return {"error": f"exit {process.returncode}"}, usage.ru_maxrss / 1024
    return json.loads(lines[-1]), usage.ru_maxrss / 1024


def measure(engine: str, model: str, participants: int, items: int, workdir: Path) -> dict:
    if engine == "lme4":
        csv = workdir / f"data_{participants}x{items}.csv"
        if not csv.exists():
            make_data(participants, items).to_csv(csv, index=False)
        script = workdir / "fit.R"
        script.write_text(R_SCRIPT)
        numbers, peak_mb = run_measured(["Rscript", str(script), str(csv), model])
    else:
        numbers, peak_mb = run_measured([sys.executable, __file__, "--child", engine, model,
                                         str(participants), str(items)])
    return {**numbers, "peak_mb": peak_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20x30,40x60", help="participants x items, comma-separated")
    parser.add_argument("--skip", default="", help="cases to skip, e.g. statsmodels-dense,lme4-maximal "
                                                   "(engine or engine-model)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        engine, model, participants, items = args.child
        print(json.dumps(child(engine, model, int(participants), int(items))))
        return
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    have_r = shutil.which("Rscript") is not None
    sizes = [tuple(int(v) for v in size.split("x")) for size in args.sizes.split(",")]
    floor, floor_mb = run_measured([sys.executable, __file__, "--child", "import-only", "-", "2", "2"])
    print(f"python + numpy/pandas/statsmodels/mixedlm imported, no fit: peak {floor_mb:.0f} MB")
    print(f"{'size':>9} {'trials':>7} {'engine':<18} {'model':<19} {'CPU s':>8} {'peak MB':>8} "
          f"{'logLik':>14}  ratio")
    with tempfile.TemporaryDirectory() as tmp:
        for participants, items in sizes:
            results = {}
            for engine, model in CASES:
                if engine in skip or f"{engine}-{model}" in skip or (engine == "lme4" and not have_r):
                    continue
                numbers = measure(engine, model, participants, items, Path(tmp))
                results[(engine, model)] = numbers
                ratio = ""
                if engine == "statsmodels-dense" and ("statsmodels", model) in results:
                    ratio = f"dense / sparse one-group = {numbers.get('cpu_s', float('nan')) / results[('statsmodels', model)]['cpu_s']:.2f}"
                if engine == "lme4":
                    parts = []
                    for other in ("mixedlm", "statsmodels"):
                        if (other, model) in results and "cpu_s" in results[(other, model)] and numbers.get("cpu_s"):
                            parts.append(f"{other}/lme4 = {results[(other, model)]['cpu_s'] / numbers['cpu_s']:.2f}")
                    ratio = ", ".join(parts)
                loglik = numbers.get("loglik")
                print(f"{participants:>4}x{items:<4} {participants * items * 3:>7} {engine:<18} {model:<19} "
                      f"{numbers.get('cpu_s', float('nan')):>8.2f} {numbers['peak_mb']:>8.0f} "
                      f"{loglik if loglik is not None else float('nan'):>14.3f}  {ratio}"
                      + (f"  [{numbers['error']}]" if numbers.get("error") else ""), flush=True)


if __name__ == "__main__":
    main()
