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


def _nlopt_minimise(function, start, bounds, algorithm: str, scale=None) -> tuple[np.ndarray, float, str]:
    """Minimise ``function`` from ``start`` within ``bounds`` with an NLopt algorithm.

    With ``scale`` the optimiser works on ``z = (x − start) / scale`` — fixed effects in units of
    their standard error, variance parameters as they are — so that one trust-region radius
    suits every coordinate (an intercept of 1,400 ms next to a relative SD of 0.3 otherwise
    stops BOBYQA short of the optimum).
    """
    import nlopt

    start = np.asarray(start, dtype=float)
    scale = np.ones_like(start) if scale is None else np.asarray(scale, dtype=float)
    lower = np.array([-np.inf if lo is None else lo for lo, _ in bounds], dtype=float)
    upper = np.array([np.inf if hi is None else hi for _, hi in bounds], dtype=float)
    start = np.clip(start, lower, upper)
    opt = nlopt.opt(getattr(nlopt, algorithm), len(start))
    opt.set_min_objective(lambda z, grad: float(function(start + scale * z)))
    opt.set_lower_bounds((lower - start) / scale)
    opt.set_upper_bounds((upper - start) / scale)
    opt.set_ftol_abs(FTOL_ABS)
    opt.set_xtol_abs(1e-7)
    opt.set_maxeval(MAX_EVALUATIONS)
    # lme4's bobyqa starts with rhobeg 0.2 (in these scaled units)
    opt.set_initial_step(np.full(len(start), 0.2))
    z = opt.optimize(np.zeros(len(start)))
    return start + scale * np.asarray(z), float(opt.last_optimum_value()), str(opt.last_optimize_result())


class Lme4Objective:
    """The Laplace objective glmer minimises, on mixedlm's joint (theta, beta) evaluation.

    mixedlm's Laplace deviance is ``Σ unit deviances + |u|² + log det H``; lme4's is
    ``aic(y, mu) + |u|² + log det H`` (``glmResp::Laplace``), the family's AIC with the
    dispersion estimated as deviance / n. For the binomial (0/1 data) the two are equal; for
    Gamma and inverse Gaussian they are not, and optimising the unit deviance finds a different
    optimum (the Gamma(identity) slope 4% off, log-likelihood thousands of units lower). So
    for those families the unit deviance is replaced by the family's AIC, computed from the
    conditional mode mixedlm's evaluation returns: −2 log-likelihood = this objective.

    Checked against glmer's own deviance function (tests/test_glmm_inverse_gaussian.py): the
    same terms at the same mode; values differ only by lme4's looser PIRLS mode, which the
    inverse Gaussian's n·log(deviance / n) amplifies (0.006 log-likelihood units on Stark).
    """

    def __init__(self, devfun, family_name: str):
        self.joint = devfun._joint_objective()
        self.family_name = family_name
        matrices = self.joint.matrices
        self.y = np.asarray(matrices.y, dtype=float)
        self.weights = np.asarray(matrices.weights, dtype=float)
        self.n_theta = self.joint.n_theta

    def mu(self, x: np.ndarray, random_effects: np.ndarray) -> np.ndarray:
        matrices = self.joint.matrices
        eta = matrices.offset + matrices.X @ x[self.n_theta:] + matrices.Z @ random_effects
        return np.asarray(self.joint.family.link.inverse(eta), dtype=float)

    def aic(self, mu: np.ndarray) -> float:
        from scipy import stats

        y, w = self.y, self.weights
        unit = np.asarray(self.joint.family.deviance_resids(y, mu, w), dtype=float)
        n = float(np.sum(w))
        dispersion = float(np.sum(unit)) / n
        if self.family_name == "gamma-identity":
            shape = 1.0 / dispersion
            return float(-2 * np.sum(stats.gamma.logpdf(y, shape, scale=mu * dispersion) * w) + 2)
        if self.family_name == "inverse-gaussian-identity":
            return float(n * (np.log(dispersion * 2 * np.pi) + 1) + 3 * np.sum(np.log(y) * w) + 2)
        raise ValueError(self.family_name)

    def sigma(self, x) -> float:
        """lme4's residual scale of a GLMM with a dispersion (``sigma(glmer fit)``):
        sqrt((Σ Pearson residuals² + |u|²) / n), u the spherical random effects."""
        x = np.asarray(x, dtype=float)
        u, mu, _, _ = self.mode(x)
        pearson = (self.y - mu) ** 2 * self.weights / np.asarray(self.joint.family.variance(mu), dtype=float)
        return float(np.sqrt((np.sum(pearson) + u @ u) / np.sum(self.weights)))

    def mode(self, x: np.ndarray):
        """The conditional mode of the spherical random effects u at (theta, beta), by PIRLS
        with step-halving on the penalised deviance (warm-started from the last mode).

        Written here rather than taken from mixedlm's joint evaluation, which fails to
        converge at some (theta, beta) of crossed designs (it returned an infinite deviance at
        the stage-1 solution of Williams et al.'s accuracy with participants and items, so
        the optimisers stopped 0.08 log-likelihood units below glmer). Returns
        (u, mu, log det(Λ'Z'WZΛ + I), converged).
        """
        from mixedlm.estimation.laplace import _get_lambda_cached
        from scipy import linalg, sparse

        matrices = self.joint.matrices
        family = self.joint.family
        theta, beta = x[:self.n_theta], x[self.n_theta:]
        lam = _get_lambda_cached(np.ascontiguousarray(theta), matrices.random_structures)
        zl = sparse.csr_matrix(matrices.Z @ lam)
        eta_fixed = np.asarray(matrices.offset + matrices.X @ beta, dtype=float)
        q = zl.shape[1]
        u = self._last_u.copy() if getattr(self, "_last_u", None) is not None and len(self._last_u) == q else np.zeros(q)

        def penalised(u_):
            mu_ = np.asarray(family.link.inverse(eta_fixed + zl @ u_), dtype=float)
            if not np.all(np.isfinite(mu_)) or (self.family_name != "binomial" and np.any(mu_ <= 0)):
                return np.inf, mu_
            unit = np.asarray(family.deviance_resids(self.y, mu_, self.weights), dtype=float)
            return float(np.sum(unit) + u_ @ u_), mu_

        value, mu = penalised(u)
        if not np.isfinite(value):
            u = np.zeros(q)
            value, mu = penalised(u)
        converged = False
        for _ in range(100):
            eta = eta_fixed + zl @ u
            dmu_deta = 1.0 / np.asarray(family.link.deriv(mu), dtype=float)
            working = self.weights * dmu_deta ** 2 / np.asarray(family.variance(mu), dtype=float)
            z = (eta - eta_fixed) + (self.y - mu) / dmu_deta
            weighted = sparse.diags(working) @ zl
            system = (zl.T @ weighted).toarray() + np.eye(q)
            target = zl.T @ (working * z)
            step = linalg.cho_solve(linalg.cho_factor(system, lower=True), target) - u
            for _halving in range(30):
                candidate_value, candidate_mu = penalised(u + step)
                if candidate_value <= value + 1e-12 * max(1.0, abs(value)):
                    break
                step = step / 2
            else:
                break
            change = value - candidate_value
            u, value, mu = u + step, candidate_value, candidate_mu
            # Newton converges quadratically: iterate to a tight mode, so that the objective is
            # smooth enough for finite-difference Hessians (a loose mode makes SEs noisy)
            if abs(change) < 1e-12 * (abs(value) + 0.1) and np.max(np.abs(step)) < 1e-10 * (1 + np.max(np.abs(u))):
                converged = True
                break
        dmu_deta = 1.0 / np.asarray(family.link.deriv(mu), dtype=float)
        working = self.weights * dmu_deta ** 2 / np.asarray(family.variance(mu), dtype=float)
        system = (zl.T @ (sparse.diags(working) @ zl)).toarray() + np.eye(q)
        try:
            factor = linalg.cholesky(system, lower=True)
            log_det = 2.0 * float(np.sum(np.log(np.diag(factor))))
        except linalg.LinAlgError:
            return u, mu, np.inf, False
        if converged:
            self._last_u = u
        return u, mu, log_det, converged

    def __call__(self, x) -> float:
        """lme4's Laplace objective: aic(y, mu) (−2 log-likelihood for 0/1 data) + |u|² + log det."""
        x = np.asarray(x, dtype=float)
        u, mu, log_det, converged = self.mode(x)
        if not converged or not np.isfinite(log_det):
            return np.inf
        if self.family_name == "binomial":
            unit = np.asarray(self.joint.family.deviance_resids(self.y, mu, self.weights), dtype=float)
            return float(np.sum(unit) + u @ u + log_det)
        return float(self.aic(mu) + u @ u + log_det)


def _result_from(devfun, theta, beta, deviance, optimizer, n_iter=0):
    import mixedlm

    opt = mixedlm.OptimizeResult(theta=np.asarray(theta, dtype=float), deviance=float(deviance),
                                 converged=True, n_iter=int(n_iter), message=optimizer,
                                 nAGQ=1, beta=None if beta is None else np.asarray(beta, dtype=float),
                                 optimizer=optimizer)
    return mixedlm.mkGlmerMod(devfun, opt)


def fit_glmm_at_optimum(formula_text: str, frame: pd.DataFrame, family, contrasts=None,
                        family_name: str = "binomial"):
    """(best mixedlm GlmerResult, optimum table, notes, best x, objective) for one GLMM formula.

    The mixedlm result object carries the best (theta, beta); its own ``logLik`` is mixedlm's
    (for Gamma/inverse Gaussian not lme4's) — use ``-objective(x) / 2``."""
    import mixedlm

    notes: list[str] = []
    rows: list[dict] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = mixedlm.glFormula(formula_text, frame, family=family, contrasts=contrasts)
        devfun = mixedlm.mkGlmerDevfun(parsed, nAGQ=1)
        laplace = Lme4Objective(devfun, family_name)
        pirls = mixedlm.mkGlmerDevfun(parsed, nAGQ=0)
        n_theta = len(pirls.get_start())
        candidates = []   # (deviance, theta, beta, label)

        started = time.process_time()
        theta0, deviance0, message0 = _nlopt_minimise(pirls, pirls.get_start(), pirls.get_bounds(),
                                                      "LN_BOBYQA")
        stage1 = _result_from(pirls, theta0, None, deviance0, "bobyqa (nAGQ=0)")
        beta0 = np.array(list(stage1.fixef().values()), dtype=float)
        joint_start = np.concatenate([theta0, beta0])
        try:
            beta_se = np.sqrt(np.diag(np.asarray(stage1.vcov(), dtype=float)))
        except Exception:  # noqa: BLE001 - unit scale where the working SEs are not available
            beta_se = np.ones_like(beta0)
        if family_name != "binomial":
            # mixedlm's working SEs assume dispersion 1; lme4's sigma puts them on the data's scale
            sigma_mixedlm = float(stage1.sigma() if callable(getattr(stage1, "sigma", None)) else stage1.sigma)
            beta_se = beta_se * laplace.sigma(joint_start) / sigma_mixedlm
        beta_se = np.where(np.isfinite(beta_se) & (beta_se > 0), beta_se, 1.0)
        joint_scale = np.concatenate([np.ones_like(theta0), beta_se])
        rows.append({"start": "start values", "optimizer": "bobyqa, theta only, nAGQ=0 (stage 1)",
                     "deviance": float(laplace(joint_start)), "message": message0,
                     "cpu_s": time.process_time() - started})
        candidates.append((rows[-1]["deviance"], theta0, beta0, rows[-1]["start"] + ", stage 1"))

        for algorithm, label in (("LN_BOBYQA", "bobyqa"), ("LN_NELDERMEAD", "Nelder-Mead")):
            started = time.process_time()
            try:
                x, deviance, message = _nlopt_minimise(laplace, joint_start,
                                                       devfun.get_bounds(joint=True), algorithm,
                                                       scale=joint_scale)
            except Exception as exc:  # noqa: BLE001 - one failed optimiser is one row of the check
                rows.append({"start": "nAGQ=0 solution", "optimizer": label, "deviance": np.nan,
                             "message": f"failed: {type(exc).__name__}", "cpu_s": time.process_time() - started})
                continue
            rows.append({"start": "nAGQ=0 solution", "optimizer": f"{label}, (theta, beta) Laplace",
                         "deviance": deviance, "message": message, "cpu_s": time.process_time() - started})
            candidates.append((deviance, x[:n_theta], x[n_theta:], f"nAGQ=0 solution, {label}"))

        started = time.process_time()
        try:
            if family_name != "binomial":
                raise _Skipped
            default = mixedlm.glmer(formula_text, frame, family=family, contrasts=contrasts)
            theta_d = np.asarray(default.theta, dtype=float)
            beta_d = np.array(list(default.fixef().values()), dtype=float)
            deviance_d = float(laplace(np.concatenate([theta_d, beta_d])))
            rows.append({"start": "mixedlm default", "optimizer": "mixedlm glmer (COBYQA)",
                         "deviance": deviance_d, "message": str(getattr(default, "message", "")),
                         "cpu_s": time.process_time() - started})
            candidates.append((deviance_d, theta_d, beta_d, "mixedlm glmer default"))
        except _Skipped:
            notes.append("mixedlm's own glmer is not among the starts: for this family it "
                         "optimises a different objective (the unit deviance, not lme4's AIC).")
        except Exception as exc:  # noqa: BLE001
            rows.append({"start": "mixedlm default", "optimizer": "mixedlm glmer (COBYQA)",
                         "deviance": np.nan, "message": f"failed: {type(exc).__name__}",
                         "cpu_s": time.process_time() - started})

        finite = [c for c in candidates if np.isfinite(c[0])]
        best_deviance, theta, beta, label = min(finite, key=lambda c: c[0])
        best = _result_from(devfun, theta, beta, best_deviance, label)
    table = pd.DataFrame(rows)
    table["log_likelihood"] = -0.5 * table["deviance"]
    table["below_best"] = table["log_likelihood"].max() - table["log_likelihood"]
    table["kept"] = False
    kept_index = table["deviance"].idxmin()
    table.loc[kept_index, "kept"] = True
    # the stage-1 solution is a start, not an optimum: the spread is over the final optimisers
    finals = table[table["optimizer"].str.contains("Laplace|glmer", regex=True)]
    spread = float(finals["below_best"].max(skipna=True))
    table.attrs["spread"] = spread
    notes.append(f"GLMM optimum: best of {len(finite)} optimiser runs ({label}); log-likelihoods "
                 f"across runs differ by up to {spread:.3g}.")
    laplace.scale = joint_scale
    return best, table, notes, np.concatenate([theta, beta]), laplace


class _Skipped(Exception):
    pass


def hessian_standard_errors(objective, x0: np.ndarray, bounds, n_theta: int,
                            scale=None, theta_step: float = 1e-4, beta_step: float = 5e-4) -> np.ndarray:
    """glmer's default SEs: the Hessian of the Laplace objective over (theta, beta) by central
    finite differences at the optimum (as lme4's ``deriv12``), ``vcov = 2 H⁻¹``, the beta block.
    Steps: 1e-4 for theta (as lme4), 5e-4 × the working (RX-based) SE for each fixed effect, so
    that the differences stand well above the objective's numerical noise (PIRLS tolerance)
    for fixed effects of any unit (1e-4 absolute is lost in the noise of a Gamma deviance of
    1.8e5). A theta on its lower bound (a zero variance) is left out.

    The RX-based SEs (mixedlm's ``vcov``, lme4's ``use.hessian = FALSE``) ignore the uncertainty
    in theta and can be far smaller where accuracy is near ceiling (0.197 vs 0.316 on von Bastian
    et al.'s Stroop accuracy), so the Hessian ones are reported, as glmer does.
    """
    x0 = np.asarray(x0, dtype=float)
    n = len(x0)
    scale = np.ones(n) if scale is None else np.asarray(scale, dtype=float)
    steps = np.where(np.arange(n) < n_theta, theta_step, beta_step * scale)
    f0 = float(objective(x0))
    free = np.array([not (lo is not None and x0[i] - steps[i] < lo) for i, (lo, _) in enumerate(bounds)])
    index_free = np.flatnonzero(free)
    values: dict = {}

    def at(offsets):
        key = tuple(offsets)
        if key not in values:
            point = x0.copy()
            for index, sign in offsets:
                point[index] += sign * steps[index]
            values[key] = float(objective(point))
        return values[key]

    hessian = np.zeros((n, n))
    for a in index_free:
        hessian[a, a] = (at([(a, 1)]) - 2 * f0 + at([(a, -1)])) / steps[a] ** 2
        for b in index_free[index_free > a]:
            value = (at([(a, 1), (b, 1)]) - at([(a, 1), (b, -1)]) - at([(a, -1), (b, 1)])
                     + at([(a, -1), (b, -1)])) / (4 * steps[a] * steps[b])
            hessian[a, b] = hessian[b, a] = value
    vcov = 2 * np.linalg.inv(hessian[np.ix_(index_free, index_free)])
    beta_positions = [k for k, i in enumerate(index_free) if i >= n_theta]
    return np.sqrt(np.diag(vcov)[beta_positions])
