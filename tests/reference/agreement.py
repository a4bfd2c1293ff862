"""Print how far each engine is from lme4 on the committed reference datasets (the numbers in
docs/analysis.md). Run from the repository root: .venv/bin/python tests/reference/agreement.py"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent.parent))

import reference_data  # noqa: E402

from analysis.mixed import ModelSpec, Predictor, fit_one  # noqa: E402


def lme4_term(name: str) -> str:
    for prefix in ("condition", "c_"):
        if name.startswith(prefix) and name != "(Intercept)":
            return f"condition[{name[len(prefix):]}]"
    return name


def main() -> None:
    reference = json.loads((HERE / "lme4_reference.json").read_text())["datasets"]
    shared = HERE.parent.parent.parent / "shared" / "data"
    rt, accuracy = reference_data.pratte2010(shared)
    sim = reference_data.crossed_sim()
    data = {"crossed_sim": (sim, sim), "pratte2010": (rt, accuracy)}
    condition = Predictor("condition", reference_data.CONDITION_LEVELS)
    print(f"{'dataset':<12} {'model':<19} {'engine':<12} {'fixef rel':>10} {'SE rel':>9} {'var rel':>9} "
          f"{'|dlogLik|':>10} {'CPU s':>7}")
    for dataset, (rt_data, acc_data) in data.items():
        for model, ref in reference[dataset].items():
            family = "binomial" if model == "binomial" else "gaussian"
            structure = "crossed_intercepts" if model == "binomial" else model
            spec = ModelSpec("correct" if family == "binomial" else "rt_ms", (condition,), family,
                             slopes=("condition",), structure=structure)
            frame = spec.model_frame(acc_data if family == "binomial" else rt_data)
            for engine in ("statsmodels", "mixedlm"):
                if engine == "statsmodels" and model == "maximal":
                    continue
                result = fit_one(spec, frame, engine)
                fixef = max(abs(result.fixed(lme4_term(k)) - v) / abs(v) for k, v in ref["fixef"].items())
                se = max(abs(result.fixed(lme4_term(k), "se") - v) / v for k, v in ref["se"].items())
                variances = []
                for row in ref["varcorr"]:
                    group = row["group"].split(".")[0]
                    if row["var2"] is not None or group == "Residual" and family == "binomial":
                        continue
                    if group == "Residual":
                        got = float(result.random_effects.query("group == 'Residual'")["variance"].iloc[0])
                    else:
                        got = result.variance(group, lme4_term(row["var1"]))
                    variances.append(abs(got - row["vcov"]) / row["vcov"])
                loglik = (abs(result.log_likelihood - ref["logLik"]) if result.log_likelihood is not None
                          else float("nan"))
                print(f"{dataset:<12} {model:<19} {engine:<12} {fixef:>10.1e} {se:>9.1e} "
                      f"{max(variances):>9.1e} {loglik:>10.1e} {result.cpu_s:>7.2f}", flush=True)


if __name__ == "__main__":
    main()
