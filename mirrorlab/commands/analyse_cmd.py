"""``mirrorlab analyse --formula "…"``: one lme4-style mixed model on any design, from the database
or a CSV file; prints lme4-style tables, writes them as CSV with ``--out``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mirrorlab.cli import add_db_option

FAMILIES = ("gaussian", "binomial", "gamma-identity", "inverse-gaussian-identity")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "analyse", help="fit one mixed model (lme4 formula) to trials in the database or a CSV file",
        description="Fit an lme4-style mixed model to human trials in the database (or a CSV file) "
                    "on the mixedlm engine: Satterthwaite df and p-values for linear models, GLMMs "
                    "optimised with BOBYQA and checked from several starts. A singular fit is "
                    "simplified by removing the random-effect terms with (near) zero variance "
                    "first (docs/analysis.md); --structure as-given fits the formula as written.",
        epilog='Example: mirrorlab analyse --formula "rt_ms ~ congruency*depletion + '
               '(1 + congruency | participant)" --where "study == \'vonbastian2016\'"')
    parser.add_argument("--formula", required=True, help="lme4 formula, e.g. 'rt_ms ~ condition + "
                                                         "(1 + condition | participant) + (1 | item)'")
    parser.add_argument("--data", metavar="CSV", help="fit a CSV table instead of the database")
    parser.add_argument("--task", help="only trials of this task (database)")
    parser.add_argument("--source", default="human",
                        help="trial source: human (default), simulated, model:NAME, or 'all'")
    parser.add_argument("--where", metavar="EXPR", help="row filter, e.g. \"study == 'pratte2010'\"")
    parser.add_argument("--family", choices=FAMILIES, default="gaussian")
    parser.add_argument("--transform", choices=("none", "log"), default="none",
                        help="transform the response before fitting (log: the log of it)")
    fitting = parser.add_mutually_exclusive_group()
    fitting.add_argument("--reml", dest="reml", action="store_true", default=None,
                         help="REML (the default for Gaussian models)")
    fitting.add_argument("--ml", dest="reml", action="store_false", help="maximum likelihood")
    parser.add_argument("--engine", choices=("mixedlm", "statsmodels"), default="mixedlm",
                        help="mixedlm (default: lme4's answers) or statsmodels (intercepts and || "
                             "slopes only; says so before fitting when the model is beyond it)")
    parser.add_argument("--structure", choices=("auto", "as-given"), default="auto",
                        help="auto: simplify a singular fit by the documented rule; as-given: no")
    parser.add_argument("--factor", action="append", default=[], metavar="COLUMN",
                        help="treat a numeric column as a factor (repeatable)")
    parser.add_argument("--levels", action="append", default=[], metavar="COLUMN=A,B,…",
                        help="level order of a factor (first = reference)")
    parser.add_argument("--contrast", action="append", default=[], metavar="COLUMN=CODING",
                        help="treatment (default), simple, sum, sdif, helmert")
    parser.add_argument("--out", metavar="DIR", help="write fixed_effects.csv, random_effects.csv, "
                                                     "attempts.csv, optimum.csv, provenance.json")
    add_db_option(parser)
    parser.set_defaults(handler=run_analyse)


def _pairs(values: list[str], option: str) -> dict[str, str]:
    from analysis.errors import AnalysisInputError

    pairs = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name.strip() or not rest.strip():
            raise AnalysisInputError(f"{option} {value!r}: write it as COLUMN=VALUE")
        pairs[name.strip()] = rest.strip()
    return pairs


def run_analyse(args: argparse.Namespace) -> int:
    import pandas as pd

    from analysis.formula_fit import fit

    levels = {name: [v.strip() for v in value.split(",")] for name, value in
              _pairs(args.levels, "--levels").items()}
    contrasts = _pairs(args.contrast, "--contrast")
    data = args.data if args.data else args.db
    if args.data and args.db:
        from analysis.errors import AnalysisInputError

        raise AnalysisInputError("give --data CSV or --db URL, not both")
    result = fit(data, args.formula, family=args.family, where=args.where, transform=args.transform,
                 reml=args.reml, engine=args.engine, structure=args.structure, factors=tuple(args.factor),
                 levels=levels, contrasts=contrasts, task=args.task,
                 source=None if args.source == "all" else args.source,
                 progress=lambda message: print(f"mirrorlab analyse: note: {message}", file=sys.stderr))
    final = result.final
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(f"formula: {final.formula}")
        print(f"family: {final.family}; engine: {final.engine}; "
              f"{'REML criterion' if final.reml else 'deviance'}: {final.criterion:.4f}; "
              f"logLik: {final.log_likelihood:.4f}" if final.log_likelihood is not None else
              f"family: {final.family}; engine: {final.engine}; no log-likelihood")
        groups = ", ".join(f"{g} {n}" for g, n in final.n_groups.items())
        print(f"observations: {final.n_obs}; groups: {groups}; converged: {final.converged}; "
              f"singular: {final.singular}")
        print("\nfixed effects (SE: " + final.se_definition + "):")
        print(final.fixed_effects.drop(columns=["statistic_name"]).to_string(
            index=False, float_format=lambda v: f"{v:.6g}"))
        print("\nrandom effects:")
        print(final.random_effects.to_string(index=False, float_format=lambda v: f"{v:.6g}"))
        if len(result.attempts_fits) > 1:
            print("\nsimplification (singular fits):")
            for attempt, reason in zip(result.attempts_fits, result.reasons):
                print(f"  {attempt.formula}\n    → {reason}")
            print(f"  chosen: {final.formula}")
        if len(final.optimum):
            print("\nGLMM optimum check:")
            print(final.optimum[["start", "optimizer", "log_likelihood", "below_best", "kept"]].to_string(index=False))
        if len(result.nested):
            row = result.nested.iloc[0]
            print(f"\nnested check: logLik {row['log_likelihood']:.4f} vs {row['nested_model']} "
                  f"{row['nested_log_likelihood']:.4f}" + ("  BELOW: not at the optimum" if row["below_nested"] else ""))
        for note in final.notes:
            print(f"note: {note}")
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        final.fixed_effects.to_csv(out / "fixed_effects.csv", index=False)
        final.random_effects.to_csv(out / "random_effects.csv", index=False)
        result.attempts.to_csv(out / "attempts.csv", index=False)
        final.optimum.to_csv(out / "optimum.csv", index=False)
        (out / "provenance.json").write_text(json.dumps(result.provenance, indent=2, default=str))
        print(f"tables: {out}")
    return 0
