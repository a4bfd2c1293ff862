"""``analysis.fit``: one lme4-style mixed model on any design, returning DataFrames.

    from analysis import fit
    result = fit("sqlite:///lab.db", "rt_ms ~ congruency*depletion + (1 + congruency | participant)",
                 where="study == 'vonbastian2016'")
    result.fixed_effects      # term, estimate, se, df, statistic, p  (Satterthwaite for LMMs)
    result.random_effects     # group, term, term2, variance, sd, corr
    result.attempts           # every formula fitted by the simplification rule, and why
    result.optimum            # GLMMs: the optimiser runs compared (allFit-style)

Data: a DataFrame, a CSV file, or a database (URL or ``db.store.Store``; human trials by
default, with ``participant`` = the agent, ``item`` = ``item_id``, and every imported extra
column, such as a ``factor:`` of the importer, as a column of its own). Nothing is fitted
silently on nothing: a formula naming a column the data lack (``item`` in data without items)
is a one-line error that lists the columns there are.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import AnalysisInputError, EngineCapabilityError
from analysis.mixed.contrasts import CODINGS, contrast_matrix
from analysis.mixed.engine_cost import statsmodels_cost_note
from analysis.mixed.formula import Formula, parse_formula
from analysis.mixed.formula_engine import FAMILIES, Factor, FormulaFit

ENGINES = ("mixedlm", "statsmodels")
TRANSFORMS = ("none", "log")
STRUCTURES = ("auto", "as-given")


@dataclass
class AnalysisResult:
    """The chosen fit, every attempt and the checks, as DataFrames."""

    final: FormulaFit
    attempts_fits: list[FormulaFit]
    reasons: list[str]
    nested: pd.DataFrame
    provenance: dict[str, Any]
    messages: list[str] = field(default_factory=list)

    @property
    def fixed_effects(self) -> pd.DataFrame:
        return self.final.fixed_effects

    @property
    def random_effects(self) -> pd.DataFrame:
        return self.final.random_effects

    @property
    def optimum(self) -> pd.DataFrame:
        return self.final.optimum

    @property
    def attempts(self) -> pd.DataFrame:
        rows = []
        for index, attempt in enumerate(self.attempts_fits):
            row = attempt.summary_row()
            row["chosen"] = attempt is self.final
            row["next_because"] = self.reasons[index] if index < len(self.reasons) else ""
            rows.append(row)
        return pd.DataFrame(rows)

    def summary(self) -> pd.DataFrame:
        """One row: what was fitted on what, and how it went."""
        row = self.final.summary_row()
        row.update({k: v for k, v in self.provenance.items() if not isinstance(v, (dict, list))})
        return pd.DataFrame([row])


# ----------------------------------------------------------------------------- data

def load_data(data, *, task: str | None = None, source: str | None = "human") -> tuple[pd.DataFrame, str]:
    """(trial table, where it came from) from a DataFrame, a CSV path or a database."""
    if isinstance(data, pd.DataFrame):
        return data.copy(), "the given data frame"
    if isinstance(data, (str, Path)) and str(data).lower().endswith((".csv", ".csv.gz", ".tsv")):
        path = Path(data)
        if not path.is_file():
            raise AnalysisInputError(f"data file {path} does not exist")
        try:
            frame = pd.read_csv(path, sep="\t" if str(path).lower().endswith(".tsv") else ",")
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            raise AnalysisInputError(f"{path}: not a readable CSV table ({str(exc).splitlines()[0]})") from None
        return frame, str(path)
    from db.store import Store

    store = data if isinstance(data, Store) else Store(data)
    frame = store.trials_frame(task=task, source=source)
    what = f"{source or 'all'} trials" + (f" of task {task}" if task else "")
    if "extras" in frame:
        extras = pd.DataFrame([value if isinstance(value, dict) else
                               (json.loads(value) if isinstance(value, str) and value.startswith("{") else {})
                               for value in frame["extras"]], index=frame.index)
        for column in extras.columns:
            if column not in frame.columns:
                frame[column] = extras[column]
        frame = frame.drop(columns=["extras"])
    if "study" not in frame.columns and "session_id" in frame.columns:
        sessions = store.sessions_frame()
        study_of = dict(zip(sessions["session_id"], sessions["study"]))
        frame["study"] = frame["session_id"].map(study_of)
    frame["participant"] = frame["agent"]
    frame["item"] = frame["item_id"]
    if frame.empty:
        raise AnalysisInputError(f"no {what} in {store.url}: import or run sessions first")
    return frame, f"{what} in {store.url}"


def _level_order(values: pd.Series) -> list[str]:
    unique = pd.unique(values.dropna().astype(str))
    try:
        return sorted(unique, key=float)
    except ValueError:
        return sorted(unique)


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def model_frame(data: pd.DataFrame, formula: Formula, where_from: str, *,
                factors: tuple[str, ...] = (), levels: dict[str, list[str]] | None = None,
                contrasts: dict[str, str] | None = None) -> tuple[pd.DataFrame, dict[str, Factor]]:
    """The complete rows of the formula's columns, factors typed, with their contrasts."""
    levels = levels or {}
    contrasts = contrasts or {}
    missing = [c for c in formula.variables() if c not in data.columns]
    if missing:
        shown = ", ".join(map(str, data.columns[:40]))
        raise AnalysisInputError(
            f"formula {formula.text()!r}: column(s) {', '.join(missing)} not in {where_from} "
            f"(it has: {shown}); data without items need a model without an item term")
    for name in list(contrasts) + list(levels) + list(factors):
        if name not in formula.variables():
            raise AnalysisInputError(f"factor option for {name!r}: not a column of the formula {formula.text()!r}")
    empty = [c for c in formula.variables() if data[c].isna().all()]
    if empty:
        raise AnalysisInputError(
            f"formula {formula.text()!r}: column(s) {', '.join(empty)} have no values in {where_from}"
            + ("; data without items need a model without an item term" if "item" in empty else ""))
    frame = data[formula.variables()].copy()
    grouping = set(formula.groups())
    factor_names = [c for c in formula.variables()
                    if c != formula.response and c not in grouping
                    and (c in factors or c in contrasts or c in levels or not _is_numeric(frame[c]))]
    response = pd.to_numeric(frame[formula.response], errors="coerce")
    if response.notna().sum() == 0:
        raise AnalysisInputError(f"response {formula.response!r} in {where_from} has no numeric values")
    frame[formula.response] = response.astype(float)
    for name in formula.variables():
        if name in grouping:
            frame[name] = frame[name].where(frame[name].isna(), frame[name].astype(str))
        elif name not in factor_names and name != formula.response:
            frame[name] = pd.to_numeric(frame[name], errors="coerce")
    frame = frame.dropna().reset_index(drop=True)
    if frame.empty:
        raise AnalysisInputError(f"formula {formula.text()!r}: no complete rows in {where_from}")
    built: dict[str, Factor] = {}
    for name in factor_names:
        values = frame[name].astype(str)
        order = [str(v) for v in levels.get(name, _level_order(values))]
        unknown = sorted(set(values) - set(order))
        if unknown:
            raise AnalysisInputError(f"factor {name}: level(s) {', '.join(unknown)} in {where_from} "
                                     f"are not among the given levels {', '.join(order)}")
        order = [level for level in order if level in set(values)]
        coding = contrasts.get(name, "treatment")
        if coding not in CODINGS:
            raise AnalysisInputError(f"factor {name}: unknown contrast {coding!r}; choose one of: {', '.join(CODINGS)}")
        matrix, columns = contrast_matrix(coding, order)
        frame[name] = pd.Categorical(values, categories=order)
        built[name] = Factor(name, order, coding, matrix, columns)
    for group in formula.groups():
        if frame[group].nunique() < 2:
            raise AnalysisInputError(f"grouping factor {group!r} has {frame[group].nunique()} level(s) in "
                                     f"{where_from}: a random effect needs at least two")
    return frame, built


def apply_where(data: pd.DataFrame, where: str | None, where_from: str) -> pd.DataFrame:
    if not where:
        return data
    try:
        kept = data.query(where, engine="python")
    except Exception as exc:  # noqa: BLE001 - any bad filter is the user's to fix
        raise AnalysisInputError(f"--where {where!r} on {where_from}: {type(exc).__name__}: "
                                 f"{str(exc).splitlines()[0] if str(exc) else 'invalid'}") from None
    if kept.empty:
        raise AnalysisInputError(f"--where {where!r} keeps no rows of {where_from}")
    return kept


def apply_transform(data: pd.DataFrame, formula: Formula, transform: str | None,
                    where_from: str) -> tuple[pd.DataFrame, Formula]:
    if transform in (None, "none"):
        return data, formula
    if transform != "log":
        raise AnalysisInputError(f"unknown transform {transform!r}; choose one of: {', '.join(TRANSFORMS)}")
    values = pd.to_numeric(data[formula.response], errors="coerce")
    if (values <= 0).any():
        raise AnalysisInputError(f"--transform log: {formula.response} in {where_from} has "
                                 f"{int((values <= 0).sum())} value(s) ≤ 0")
    name = f"log_{formula.response}"
    data = data.assign(**{name: np.log(values)})
    return data, Formula(name, formula.fixed, formula.random)


# ----------------------------------------------------------------------------- engines

def engine_precheck(formula: Formula, frame: pd.DataFrame, family: str, engine: str,
                    factors: dict[str, Factor]) -> str | None:
    """One line, said before fitting, when the model or the data size is beyond the engine."""
    random_columns = sum(frame[t.group].nunique() * t.n_terms for t in formula.random)
    n = len(frame)
    if engine == "statsmodels":
        for term in formula.random:
            if term.correlated and term.n_terms > 1:
                raise EngineCapabilityError(
                    f"engine statsmodels cannot fit {term.text()} (correlated random effects); "
                    "use --engine mixedlm (the default), or write it with ||")
            if any(t in factors for t in term.terms):
                raise EngineCapabilityError(
                    f"engine statsmodels cannot fit a factor slope in {term.text()}; use --engine mixedlm")
        if family not in ("gaussian", "binomial"):
            raise EngineCapabilityError(f"engine statsmodels has no {family} mixed model; use --engine mixedlm")
        if family == "binomial" and any(t.terms for t in formula.random):
            raise EngineCapabilityError("engine statsmodels fits binomial models with random intercepts "
                                        "only (variational Bayes); use --engine mixedlm")
        return statsmodels_cost_note(n, random_columns, len(formula.random))
    return None


def _fit_statsmodels(formula: Formula, frame: pd.DataFrame, family: str, reml: bool) -> FormulaFit:
    """Gaussian: one-group variance components (= lme4's crossed model); binomial: VB intercepts."""
    import warnings

    from analysis.mixed.spec import random_effects_frame

    started = time.process_time()
    vc = {}
    for term in formula.random:
        if term.intercept:
            vc[f"{term.group}"] = f"0 + C({term.group})"
        for t in term.terms:
            vc[f"{term.group}:{t}"] = f"0 + C({term.group}):{t}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if family == "binomial":
            from statsmodels.genmod.bayes_mixed_glm import BinomialBayesMixedGLM

            model = BinomialBayesMixedGLM.from_formula(f"{formula.response} ~ {formula.fixed}", vc, frame)
            result = model.fit_vb()
            names = ["(Intercept)" if n == "Intercept" else n for n in model.exog_names]
            fixed = pd.DataFrame({"term": names, "estimate": result.fe_mean, "posterior_sd": result.fe_sd,
                                  "df": np.nan, "statistic": np.nan, "statistic_name": "", "p": np.nan})
            rows = [{"group": n, "term": "(Intercept)", "term2": None, "variance": float(np.exp(m)) ** 2,
                     "sd": float(np.exp(m)), "corr": np.nan} for n, m in zip(model.vcp_names, result.vcp_mean)]
            return FormulaFit(
                formula=formula.text(), family=family, engine="statsmodels", reml=False, fixed_effects=fixed,
                random_effects=random_effects_frame(rows), log_likelihood=None, criterion=None,
                converged=True, singular=any(r["sd"] < 1e-4 for r in rows), n_obs=len(frame),
                n_groups={g: int(frame[g].nunique()) for g in formula.groups()},
                cpu_s=time.process_time() - started,
                se_definition="posterior SD of the variational approximation — NOT a standard error "
                              "(27–41% of glmer's SEs in our measurements); column posterior_sd",
                notes=["variational Bayes (BinomialBayesMixedGLM): no log-likelihood, no p-values."])
        from statsmodels.regression.mixed_linear_model import MixedLM

        model = MixedLM.from_formula(f"{formula.response} ~ {formula.fixed}", groups="_one_group",
                                     re_formula="0", vc_formula=vc, data=frame.assign(_one_group=1),
                                     use_sparse=len(frame) >= 7000)
        if reml:
            from analysis.mixed.statsmodels_engine import GAIN_REJECT, _fit_checked

            result, gain, polish_notes = _fit_checked(model)   # L-BFGS + Newton check + polish
            result.converged = bool(result.converged) and gain <= GAIN_REJECT
        else:
            result, polish_notes = model.fit(reml=False, method=["lbfgs", "powell"]), []
    names = ["(Intercept)" if n == "Intercept" else n.replace("[T.", "[") for n in model.exog_names]
    fixed = pd.DataFrame({"term": names, "estimate": result.fe_params, "se": result.bse_fe, "df": np.nan,
                          "statistic": np.asarray(result.fe_params) / np.asarray(result.bse_fe),
                          "statistic_name": "z", "p": np.nan})
    rows = []
    for name, variance in zip(model.exog_vc.names, result.vcomp):
        group, _, term = name.partition(":")
        rows.append({"group": group, "term": term or "(Intercept)", "term2": None, "variance": float(variance),
                     "sd": float(np.sqrt(max(variance, 0))), "corr": np.nan})
    rows.append({"group": "Residual", "term": None, "term2": None, "variance": float(result.scale),
                 "sd": float(np.sqrt(result.scale)), "corr": np.nan})
    singular = any(r["sd"] / np.sqrt(result.scale) < 1e-4 for r in rows[:-1])
    return FormulaFit(
        formula=formula.text(), family=family, engine="statsmodels", reml=reml, fixed_effects=fixed,
        random_effects=random_effects_frame(rows), log_likelihood=float(result.llf),
        criterion=float(-2 * result.llf), converged=bool(result.converged), singular=singular,
        n_obs=len(frame), n_groups={g: int(frame[g].nunique()) for g in formula.groups()},
        cpu_s=time.process_time() - started,
        se_definition="inverse observed information (statsmodels bse_fe); no Satterthwaite df",
        notes=["statsmodels MixedLM, one-group variance-components formulation."] + polish_notes)


def fit_formula(formula: Formula, frame: pd.DataFrame, family: str, reml: bool, engine: str,
                factors: dict[str, Factor]) -> FormulaFit:
    """Fit one formula exactly as given; numerical failures become a FormulaFit with ``error``."""
    from analysis.mixed import formula_engine

    try:
        if engine == "statsmodels":
            return _fit_statsmodels(formula, frame, family, reml)
        if family == "gaussian":
            return formula_engine.fit_lmm(formula, frame, factors, reml)[0]
        return _fit_glmm(formula, frame, family, factors)
    except AnalysisInputError:
        raise
    except Exception as exc:  # noqa: BLE001 - reported with the attempt, then simplified
        return formula_engine.failed_fit(formula, family, reml, frame, exc)


def _fit_glmm(formula: Formula, frame: pd.DataFrame, family: str, factors: dict[str, Factor]) -> FormulaFit:
    from analysis.mixed import formula_engine
    from analysis.mixed.glmm_optimum import fit_glmm_at_optimum, hessian_standard_errors

    started = time.process_time()
    mixed_family = formula_engine.mixedlm_family(family)
    contrasts = {name: f.matrix for name, f in factors.items()} or None
    best, optimum, notes, x_best, objective = fit_glmm_at_optimum(
        formula.text(), frame, mixed_family, contrasts, family_name=family)
    names = list(best.fixef().keys())
    estimates = np.array(list(best.fixef().values()), dtype=float)
    rx_se = np.sqrt(np.diag(np.asarray(best.vcov(), dtype=float)))
    if family == "binomial":
        se_definition = ("glmer's default: finite-difference Hessian of the Laplace deviance over "
                         "(theta, beta)")
        try:
            se = hessian_standard_errors(objective, x_best, objective.joint.bounds, objective.n_theta,
                                         scale=objective.scale)
        except Exception as exc:  # noqa: BLE001 - fall back to the RX-based SEs, said so
            se = rx_se
            se_definition = "RX-based (lme4 use.hessian = FALSE): the Hessian was not invertible"
            notes.append(f"Hessian SEs failed ({type(exc).__name__}); RX-based SEs reported.")
    else:
        # The Laplace objective of a family with a dispersion penalises u on the unit scale
        # while the AIC part scales with 1/dispersion: its Hessian does not give the fixed
        # effects' covariance (glmer's own is numerically singular here). lme4's RX-based
        # covariance, sigma^2 (RX'RX)^-1, with lme4's sigma (mixedlm's is 1 for these families):
        sigma_mixedlm = float(best.sigma() if callable(getattr(best, "sigma", None)) else best.sigma)
        se = rx_se * objective.sigma(x_best) / sigma_mixedlm
        se_definition = ("lme4's vcov(use.hessian = FALSE): sigma^2 (RX'RX)^-1 with lme4's sigma "
                         "(glmer's Hessian is numerically singular for this family)")
    from scipy import stats

    z = estimates / se
    scale = None
    if family != "binomial":
        sigma = best.sigma() if callable(getattr(best, "sigma", None)) else getattr(best, "sigma", None)
        scale = None if sigma is None else float(sigma) ** 2
    fixed = pd.DataFrame({"term": [formula_engine.term_label(n, factors) for n in names], "estimate": estimates,
                          "se": se, "df": np.nan, "statistic": z, "statistic_name": "z",
                          "p": 2 * stats.norm.sf(np.abs(z))})
    if family == "binomial":
        rows = formula_engine.random_rows(best, factors, None)
    else:
        # lme4 scales the relative covariance by its sigma; mixedlm's own sigma differs
        sigma_lme4 = objective.sigma(x_best)
        sigma_mixedlm = float(best.sigma() if callable(getattr(best, "sigma", None)) else best.sigma)
        ratio = (sigma_lme4 / sigma_mixedlm) ** 2
        rows = formula_engine.random_rows(best, factors, sigma_lme4 ** 2)
        for row in rows[:-1]:
            row["variance"] *= ratio
            if row["term2"] is None:
                row["sd"] = float(np.sqrt(max(row["variance"], 0.0)))
    relative = None if family == "binomial" else scale
    boundary = sorted(formula_engine.singular_groups(best, relative if relative else None))
    singular = bool(boundary) or bool(best.isSingular())
    kept = optimum.loc[optimum["kept"]].iloc[0]
    spread = float(optimum.attrs.get("spread", optimum["below_best"].max(skipna=True)))
    return FormulaFit(
        formula=formula.text(), family=family, engine="mixedlm", reml=False, fixed_effects=fixed,
        random_effects=pd.DataFrame(rows, columns=["group", "term", "term2", "variance", "sd", "corr"]),
        log_likelihood=float(-0.5 * objective(x_best)), criterion=float(objective(x_best)),
        converged=bool(np.isfinite(kept["deviance"])), singular=singular, n_obs=int(best.nobs()),
        n_groups={g: int(frame[g].nunique()) for g in formula.groups()},
        cpu_s=time.process_time() - started, se_definition=se_definition, optimum=optimum,
        boundary_groups=boundary,
        notes=notes + ([f"optimisers disagree by {spread:.3g} log-likelihood units: check the model"]
                       if spread > 0.01 else []))


# ----------------------------------------------------------------------------- the entry point

def _hash_frame(frame: pd.DataFrame) -> str:
    return hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).values.tobytes()).hexdigest()[:16]


def nested_check(final: FormulaFit, formula: Formula, frame: pd.DataFrame, family: str, reml: bool,
                 engine: str, factors: dict[str, Factor]) -> pd.DataFrame:
    """logLik of the chosen fit against the model with only its first grouping factor's intercept.

    A fit whose log-likelihood is below that nested model's is not at its optimum (the richer
    model contains the nested one); it is flagged ``below_nested`` (GLMMs and ML fits; REML
    criteria of models with the same fixed effects compare the same way).
    """
    if final.log_likelihood is None or not formula.random:
        return pd.DataFrame()
    group = formula.random[0].group
    from analysis.mixed.formula import RandomTerm

    nested = formula.with_random([RandomTerm(group, ())])
    if nested.text() == formula.text():
        return pd.DataFrame()
    nested_fit = fit_formula(nested, frame, family, reml, engine, factors)
    if nested_fit.log_likelihood is None:
        return pd.DataFrame()
    below = final.log_likelihood < nested_fit.log_likelihood - 1e-6
    return pd.DataFrame([{"model": final.formula, "log_likelihood": final.log_likelihood,
                          "nested_model": nested.text(), "nested_log_likelihood": nested_fit.log_likelihood,
                          "below_nested": below}])


def fit(data, formula: str, *, family: str = "gaussian", where: str | None = None,
        transform: str | None = None, reml: bool | None = None, engine: str = "mixedlm",
        structure: str = "auto", factors: tuple[str, ...] | list[str] = (),
        levels: dict[str, list[str]] | None = None, contrasts: dict[str, str] | None = None,
        task: str | None = None, source: str | None = "human", check_nested: bool = True,
        progress=None) -> AnalysisResult:
    """Fit ``formula`` to ``data``; simplify a singular fit by the documented rule unless
    ``structure="as-given"``. REML by default for Gaussian models (ML with ``reml=False``)."""
    if family not in FAMILIES:
        raise AnalysisInputError(f"unknown family {family!r}; choose one of: {', '.join(FAMILIES)}")
    if engine not in ENGINES:
        raise AnalysisInputError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
    if structure not in STRUCTURES:
        raise AnalysisInputError(f"unknown structure {structure!r}; choose one of: {', '.join(STRUCTURES)}")
    parsed = parse_formula(formula)
    if not parsed.random:
        raise AnalysisInputError(f"formula {formula!r} has no random effects, e.g. (1 | participant)")
    reml = (family == "gaussian") if reml is None else bool(reml)
    if reml and family != "gaussian":
        raise AnalysisInputError(f"REML applies to Gaussian models only, not {family}")
    raw, where_from = load_data(data, task=task, source=source)
    raw = apply_where(raw, where, where_from)
    raw, parsed = apply_transform(raw, parsed, transform, where_from)
    frame, built = model_frame(raw, parsed, where_from, factors=tuple(factors), levels=levels,
                               contrasts=contrasts)
    messages = []
    warning = engine_precheck(parsed, frame, family, engine, built)
    if warning:
        messages.append(warning)
        if progress:
            progress(warning)
    from analysis.mixed.simplify import next_step

    factor_columns = {name: f.column_names for name, f in built.items()}
    attempts, reasons = [], []
    current = parsed
    while True:
        result = fit_formula(current, frame, family, reml, engine, built)
        attempts.append(result)
        if structure == "as-given" or result.error or not result.singular:
            break
        relative = {(r.group, r.term): r.relative_sd for r in result.relative_sds().itertuples()}
        singular = sorted({group for (group, _), value in relative.items() if value < 1e-4}
                          | set(_degenerate_groups(result)) | set(result.boundary_groups))
        step = next_step(current, relative, singular, factor_columns)
        if step is None:
            break
        reasons.append(step.reason)
        current, frame = expand_uncorrelated_factor_slopes(step.formula, frame, built)
    final = attempts[-1]
    if final.error and len(attempts) > 1:
        final = next((a for a in reversed(attempts) if not a.error), final)
    if final.error:
        raise AnalysisInputError(f"formula {final.formula!r} could not be fitted on {where_from}: {final.error}")
    nested = (nested_check(final, current if final is attempts[-1] else parse_formula(final.formula),
                           frame, family, reml, engine, built)
              if check_nested and family != "gaussian" else pd.DataFrame())
    if len(nested) and bool(nested["below_nested"].iloc[0]):
        final.notes.append("log-likelihood below the nested participant-intercept model's: "
                           "NOT at the optimum")
        final.converged = False
    from db.provenance import software_versions

    provenance = {"data": where_from, "where": where or "", "transform": transform or "none",
                  "requested_formula": formula, "n_rows_used": len(frame), "data_hash": _hash_frame(frame),
                  "factors": {n: {"levels": f.levels, "contrast": f.coding} for n, f in built.items()},
                  "software_versions": software_versions(("mixedlm", "statsmodels", "nlopt")),
                  "seed": None}
    return AnalysisResult(final, attempts, reasons, nested, provenance, messages)


def expand_uncorrelated_factor_slopes(formula: Formula, frame: pd.DataFrame,
                                      factors: dict[str, Factor]) -> tuple[Formula, pd.DataFrame]:
    """``(1 + f || g)`` with a factor ``f`` → its numeric contrast columns, as afex's
    ``expand_re`` does: lme4 (and mixedlm) would otherwise give ``f`` a full dummy set,
    redundant with the intercept — a model that is singular by construction."""
    import re
    from dataclasses import replace

    random = []
    for term in formula.random:
        if term.correlated or not any(t in factors for t in term.terms):
            random.append(term)
            continue
        terms = []
        for t in term.terms:
            if t not in factors:
                terms.append(t)
                continue
            factor = factors[t]
            codes = frame[t].cat.codes.to_numpy()
            for column_index, column_name in enumerate(factor.column_names):
                name = re.sub(r"\W", "_", f"{t}{column_name}")
                if name not in frame.columns:
                    frame = frame.assign(**{name: factor.matrix[codes, column_index]})
                terms.append(name)
        random.append(replace(term, terms=tuple(terms)))
    return formula.with_random(random), frame


def _degenerate_groups(result: FormulaFit) -> list[str]:
    rows = result.random_effects
    corr = rows[rows["term2"].notna()]
    return sorted(set(corr.loc[corr["corr"].abs() > 0.9999, "group"]))
