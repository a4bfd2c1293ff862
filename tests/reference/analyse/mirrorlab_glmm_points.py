"""Write mirrorlab's GLMM optima on Stark et al.'s latencies for lme4_glmm_optimum_check.R.

The R script evaluates glmer's own deviance function at these points and refits glmer from
them, to settle which of the two programs' optima is the better one on lme4's objective.
Run once from the repository root (about a minute; no R needed):

    PYTHONPATH=$PWD .venv/bin/python tests/reference/analyse/mirrorlab_glmm_points.py \
        > tests/reference/analyse/mirrorlab_glmm_points.json

The points are (theta, beta) in lme4's order and scale (theta: relative Cholesky factors,
column-wise lower triangle, per grouping factor; beta: the fixed effects), so they are the
parameter vector of ``update(glmer_fit, devFunOnly = TRUE)`` for nAGQ = 1.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

#: the models of the check: name -> (family, formula)
MODELS = {
    "stark_inverse_gaussian_identity_intercepts": (
        "inverse-gaussian-identity", "VOT ~ PosOr.cont + (1 | subject) + (1 | category)"),
    "stark_gamma_identity": (
        "gamma-identity", "VOT ~ PosOr.cont + (1 + PosOr.cont | subject) + (1 | category)"),
}


def main() -> None:
    from analysis.mixed import formula_engine
    from analysis.mixed.glmm_optimum import fit_glmm_at_optimum
    from analysis.preparations import stark2024_rt_trials

    trials = stark2024_rt_trials()
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    out = {}
    for name, (family, formula) in MODELS.items():
        started = time.process_time()
        best, table, _notes, x, objective = fit_glmm_at_optimum(
            formula, trials, formula_engine.mixedlm_family(family), None, family_name=family)
        out[name] = {
            "family": family, "formula": formula, "nobs": int(len(trials)),
            "n_theta": int(objective.n_theta), "x": [float(v) for v in x],
            "fixef": {k: float(v) for k, v in best.fixef().items()},
            "logLik": float(-objective(x) / 2), "sigma_lme4": float(objective.sigma(x)),
            "cpu_s": round(time.process_time() - started, 1),
            "runs": table[["start", "optimizer", "log_likelihood"]].to_dict("records"),
            "mirrorlab_commit": commit,
        }
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
