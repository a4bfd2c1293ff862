"""GLMMs at their optimum: mixedlm's own Laplace deviance, optimised as glmer does, then checked.

mixedlm's default GLMM optimiser can stop short (on 232,217 accuracy trials 4–26 log-likelihood
units below glmer, reported as converged; a Gamma(identity) model 2,550 units below). The fix
is at the optimiser, not in the deviance: mixedlm exposes the deviance (``GlmerDevfun``), and
this module minimises it the way lme4 does —

1. stage 1 (``nAGQ = 0``): BOBYQA over the covariance parameters theta, fixed effects from
   PIRLS;
2. stage 2 (``nAGQ = 1``, Laplace): BOBYQA over (theta, beta) jointly, started at stage 1;

— and checks the optimum the way lme4 users do with ``allFit``: the joint deviance is also
minimised by a second optimiser (Nelder–Mead, from stage 1) and mixedlm's own ``glmer`` fit
is evaluated on the same deviance. The best (smallest deviance) is kept; the spread of
log-likelihoods and fixed effects across starts is reported (``optimum`` table), so an
analyst sees whether the answer depends on the optimiser.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

#: Relative tolerance on the deviance for BOBYQA / Nelder–Mead (lme4's bobyqa uses ftol_abs 1e-6).
FTOL_ABS = 1e-7
MAX_EVALUATIONS = 20000


def _nlopt_minimise(function, start, bounds, algorithm: str) -> tuple[np.ndarray, float, str]:
    import nlopt

    start = np.asarray(start, dtype=float)
    opt = nlopt.opt(getattr(nlopt, algorithm), len(start))
    opt.set_min_objective(lambda x, grad: float(function(x)))
    lower = np.array([-np.inf if lo is None else lo for lo, _ in bounds], dtype=float)
    upper = np.array([np.inf if hi is None else hi for _, hi in bounds], dtype=float)
    opt.set_lower_bounds(lower)
    opt.set_upper_bounds(upper)
    opt.set_ftol_abs(FTOL_ABS)
    opt.set_xtol_abs(1e-8)
    opt.set_maxeval(MAX_EVALUATIONS)
    # BOBYQA needs a finite initial step; lme4 starts with rhobeg 0.2 (times the scale of x)
    opt.set_initial_step(np.maximum(0.2 * np.abs(start), 0.05))
    start = np.clip(start, lower, upper)
    x = opt.optimize(start)
    return np.asarray(x), float(opt.last_optimum_value()), str(opt.last_optimize_result())


def _result_from(devfun, theta, beta, deviance, optimizer, n_iter=0):
    import mixedlm

    opt = mixedlm.OptimizeResult(theta=np.asarray(theta, dtype=float), deviance=float(deviance),
                                 converged=True, n_iter=int(n_iter), message=optimizer,
                                 nAGQ=1, beta=None if beta is None else np.asarray(beta, dtype=float),
                                 optimizer=optimizer)
    return mixedlm.mkGlmerMod(devfun, opt)


def fit_glmm_at_optimum(formula_text: str, frame: pd.DataFrame, family, contrasts=None):
    """(best mixedlm GlmerResult, optimum table, notes) for one GLMM formula."""
    import mixedlm

    notes: list[str] = []
    rows: list[dict] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = mixedlm.glFormula(formula_text, frame, family=family, contrasts=contrasts)
        laplace = mixedlm.mkGlmerDevfun(parsed, nAGQ=1)
        pirls = mixedlm.mkGlmerDevfun(parsed, nAGQ=0)
        n_theta = len(pirls.get_start())
        candidates = []   # (deviance, theta, beta, label)

        started = time.process_time()
        theta0, deviance0, message0 = _nlopt_minimise(pirls, pirls.get_start(), pirls.get_bounds(),
                                                      "LN_BOBYQA")
        stage1 = _result_from(pirls, theta0, None, deviance0, "bobyqa (nAGQ=0)")
        beta0 = np.array(list(stage1.fixef().values()), dtype=float)
        joint_start = np.concatenate([theta0, beta0])
        rows.append({"start": "nAGQ=0 solution", "optimizer": "bobyqa, theta only (stage 1)",
                     "deviance": float(laplace(joint_start)), "message": message0,
                     "cpu_s": time.process_time() - started})
        candidates.append((rows[-1]["deviance"], theta0, beta0, rows[-1]["start"] + ", stage 1"))

        for algorithm, label in (("LN_BOBYQA", "bobyqa"), ("LN_NELDERMEAD", "Nelder-Mead")):
            started = time.process_time()
            try:
                x, deviance, message = _nlopt_minimise(laplace, joint_start,
                                                       laplace.get_bounds(joint=True), algorithm)
            except Exception as exc:  # noqa: BLE001 - one failed optimiser is one row of the check
                rows.append({"start": "nAGQ=0 solution", "optimizer": label, "deviance": np.nan,
                             "message": f"failed: {type(exc).__name__}", "cpu_s": time.process_time() - started})
                continue
            rows.append({"start": "nAGQ=0 solution", "optimizer": f"{label}, (theta, beta) Laplace",
                         "deviance": deviance, "message": message, "cpu_s": time.process_time() - started})
            candidates.append((deviance, x[:n_theta], x[n_theta:], f"nAGQ=0 solution, {label}"))

        started = time.process_time()
        try:
            default = mixedlm.glmer(formula_text, frame, family=family, contrasts=contrasts)
            theta_d = np.asarray(default.theta, dtype=float)
            beta_d = np.array(list(default.fixef().values()), dtype=float)
            deviance_d = float(laplace(np.concatenate([theta_d, beta_d])))
            rows.append({"start": "mixedlm default", "optimizer": "mixedlm glmer (COBYQA)",
                         "deviance": deviance_d, "message": str(getattr(default, "message", "")),
                         "cpu_s": time.process_time() - started})
            candidates.append((deviance_d, theta_d, beta_d, "mixedlm glmer default"))
        except Exception as exc:  # noqa: BLE001
            rows.append({"start": "mixedlm default", "optimizer": "mixedlm glmer (COBYQA)",
                         "deviance": np.nan, "message": f"failed: {type(exc).__name__}",
                         "cpu_s": time.process_time() - started})

        finite = [c for c in candidates if np.isfinite(c[0])]
        best_deviance, theta, beta, label = min(finite, key=lambda c: c[0])
        best = _result_from(laplace, theta, beta, best_deviance, label)
    table = pd.DataFrame(rows)
    table["log_likelihood"] = -0.5 * table["deviance"]
    table["below_best"] = table["log_likelihood"].max() - table["log_likelihood"]
    table["kept"] = False
    kept_index = table["deviance"].idxmin()
    table.loc[kept_index, "kept"] = True
    spread = float(table["below_best"].max(skipna=True))
    notes.append(f"GLMM optimum: best of {len(finite)} optimiser runs ({label}); log-likelihoods "
                 f"across runs differ by up to {spread:.3g}.")
    return best, table, notes


def hessian_standard_errors(formula_text: str, frame: pd.DataFrame, family, fit, contrasts=None,
                            step: float = 1e-4) -> np.ndarray:
    """glmer's default SEs: the Hessian of the Laplace deviance over (theta, beta) by central
    finite differences at the optimum (lme4's ``deriv12``, step 1e-4), ``vcov = 2 H⁻¹``, beta block.

    The RX-based SEs (mixedlm's ``vcov``, lme4's ``use.hessian = FALSE``) ignore the uncertainty
    in theta and can be far smaller where accuracy is near ceiling (0.197 vs 0.316 on von Bastian
    et al.'s Stroop accuracy), so the Hessian ones are reported, as glmer does.
    """
    import mixedlm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = mixedlm.glFormula(formula_text, frame, family=family, contrasts=contrasts)
        laplace = mixedlm.mkGlmerDevfun(parsed, nAGQ=1)
        theta = np.asarray(fit.theta, dtype=float)
        beta = np.array(list(fit.fixef().values()), dtype=float)
        x0 = np.concatenate([theta, beta])
        bounds = laplace.get_bounds(joint=True)
        n = len(x0)
        f0 = float(laplace(x0))
        hessian = np.zeros((n, n))
        steps = np.full(n, step)
        # a theta on its lower bound (0) is differenced one-sidedly inward, as lme4 does not;
        # such a boundary parameter is left out of the Hessian instead (its row is degenerate)
        free = np.array([not (lo is not None and x0[i] - step < lo) for i, (lo, _) in enumerate(bounds)])
        values = {}

        def at(offsets):
            key = tuple(offsets)
            if key not in values:
                point = x0.copy()
                for index, sign in offsets:
                    point[index] += sign * steps[index]
                values[key] = float(laplace(point))
            return values[key]

        index_free = np.flatnonzero(free)
        for a in index_free:
            hessian[a, a] = (at([(a, 1)]) - 2 * f0 + at([(a, -1)])) / steps[a] ** 2
            for b in index_free[index_free > a]:
                value = (at([(a, 1), (b, 1)]) - at([(a, 1), (b, -1)]) - at([(a, -1), (b, 1)])
                         + at([(a, -1), (b, -1)])) / (4 * steps[a] * steps[b])
                hessian[a, b] = hessian[b, a] = value
        sub = hessian[np.ix_(index_free, index_free)]
        vcov = 2 * np.linalg.inv(sub)
        beta_positions = [k for k, i in enumerate(index_free) if i >= len(theta)]
        return np.sqrt(np.diag(vcov)[beta_positions])
