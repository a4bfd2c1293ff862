"""``mirrorlab compare --task TASK``: people and models on one task, mixed-effects statistics,
one self-contained HTML report (and CSV tables)."""

from __future__ import annotations

import argparse
import sys

from mirrorlab.cli import add_db_option

TASKS = ("stroop", "picture-word", "association", "continuous-naming")
ENGINES = ("statsmodels", "mixedlm")
STRUCTURES = ("auto", "maximal", "zero_correlation", "crossed_intercepts")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "compare", help="compare people and models on a task; write an HTML report",
        description="Clean the trials of a task, fit mixed-effects models with participants and "
                    "items crossed, compare the human data with each model's newest run (condition "
                    "means r/RMSE, item level, task-specific curves, the original study), and write "
                    "one self-contained HTML report plus CSV tables.")
    parser.add_argument("--task", required=True, choices=TASKS)
    parser.add_argument("--models", metavar="M1,M2", help="models to compare (default: every model "
                                                          "with trials for the task)")
    parser.add_argument("--report", metavar="PATH", default=None,
                        help="HTML report to write (default: report-TASK.html)")
    parser.add_argument("--tables", metavar="DIR", help="also write every table as CSV into DIR")
    parser.add_argument("--engine", choices=ENGINES, default="mixedlm",
                        help="mixed-model engine (default mixedlm: lme4's answers, maximal models, "
                             "glmer-equivalent GLMMs; statsmodels: intercepts and || slopes, slow "
                             "on large data — said before fitting)")
    parser.add_argument("--structure", choices=STRUCTURES, default="auto",
                        help="random-effects structure to start from (default: the richest the "
                             "engine can fit; simplified by the documented rule if it fails)")
    parser.add_argument("--rt-min", type=float, default=200.0, metavar="MS", help="lower RT bound (200)")
    parser.add_argument("--rt-max", type=float, default=2000.0, metavar="MS", help="upper RT bound (2000)")
    parser.add_argument("--sd-trim", type=float, default=None, metavar="SD",
                        help="also trim RTs beyond SD standard deviations per participant × condition")
    parser.add_argument("--keep-errors", action="store_true", help="keep error trials in RT analyses")
    parser.add_argument("--no-accuracy", action="store_true", help="skip the binomial accuracy model")
    add_db_option(parser)
    parser.set_defaults(handler=run_compare)


def run_compare(args: argparse.Namespace) -> int:
    from analysis import CleaningOptions, compare, write_report

    models = [m.strip() for m in args.models.split(",") if m.strip()] if args.models else None
    cleaning = CleaningOptions(rt_min_ms=args.rt_min, rt_max_ms=args.rt_max, sd_trim=args.sd_trim,
                               drop_errors=not args.keep_errors)
    result = compare(args.db, args.task, models=models, engine=args.engine, cleaning=cleaning,
                     structure=args.structure, fit_accuracy=not args.no_accuracy)
    for message in result.messages:
        print(f"mirrorlab compare: note: {message}", file=sys.stderr)
    if not result.fit_table.empty:
        columns = [c for c in ("model", "subset", "n_cells", "r", "rmse_ms", "item_r") if c in result.fit_table]
        print(result.fit_table[columns].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    path = write_report(result, args.report or f"report-{args.task}.html", tables_dir=args.tables)
    print(f"report: {path}")
    if args.tables:
        print(f"tables: {args.tables}")
    return 0
