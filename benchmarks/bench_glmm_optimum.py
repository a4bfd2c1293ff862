"""What checking a GLMM's optimum costs: CPU seconds of mirrorlab's GLMM fit (BOBYQA stage 1 and
2, Nelder–Mead restart, mixedlm's own fit as a third start, Hessian SEs) against mixedlm's
default ``glmer`` alone and — where R is installed — lme4's ``glmer(optimizer = "bobyqa")``, on
von Bastian et al.'s Stroop accuracy (17,424 trials, bundled). Ratios are against mixedlm's
default fit in the same run; log-likelihoods show what the extra time buys.

    .venv/bin/python benchmarks/bench_glmm_optimum.py [--formula "accuracy ~ congruency + (1 | participant)"]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_FORMULA = "accuracy ~ congruency + (1 + congruency | participant)"


def load():
    import pandas as pd

    from db.importer import bundled_data_dir

    data = pd.read_csv(bundled_data_dir() / "vonbastian_stroop" / "LEF_stroop.csv", sep=";")
    data["participant"] = data["ID"].astype(str)
    data["congruency"] = pd.Categorical(data["congruency"])
    return data


def lme4_seconds(data, formula: str):
    if shutil.which("Rscript") is None:
        return None, None
    with tempfile.TemporaryDirectory() as folder:
        csv = Path(folder) / "d.csv"
        data.to_csv(csv, index=False)
        script = (f'suppressMessages(library(lme4)); d <- read.csv("{csv}"); d$participant <- factor(d$participant);'
                  f't <- system.time(m <- glmer({formula}, d, family = binomial, '
                  'control = glmerControl(optimizer = "bobyqa"))); cat(t[["user.self"]], as.numeric(logLik(m)))')
        out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, timeout=600)
        if out.returncode != 0:
            return None, None
        seconds, loglik = out.stdout.split()[-2:]
        return float(seconds), float(loglik)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formula", default=DEFAULT_FORMULA)
    args = parser.parse_args()
    import mixedlm

    from analysis import fit

    data = load()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        started = time.process_time()
        default = mixedlm.glmer(args.formula, data, family=mixedlm.families.Binomial())
        default_s = time.process_time() - started
        started = time.process_time()
        ours = fit(data, args.formula, family="binomial", check_nested=False)
        ours_s = time.process_time() - started
    r_s, r_loglik = lme4_seconds(data, args.formula)
    print(f"formula: {args.formula}  ({len(data):,} trials)")
    print(f"{'fit':40s} {'CPU s':>8s} {'ratio':>7s} {'logLik':>14s}")
    print(f"{'mixedlm glmer (default, baseline)':40s} {default_s:8.2f} {1.0:7.2f} {float(default.logLik()):14.4f}")
    print(f"{'mirrorlab analyse (checked optimum)':40s} {ours_s:8.2f} {ours_s / default_s:7.2f} "
          f"{ours.final.log_likelihood:14.4f}")
    if r_s is not None:
        print(f"{'lme4 glmer (bobyqa)':40s} {r_s:8.2f} {r_s / default_s:7.2f} {r_loglik:14.4f}")
    print(ours.optimum[["optimizer", "log_likelihood", "below_best", "cpu_s"]].to_string(index=False))


if __name__ == "__main__":
    main()
