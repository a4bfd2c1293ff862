"""``mirrorlab compare --task TASK``: people and models on one task, mixed-effects statistics,
one self-contained HTML report (and CSV tables)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mirrorlab.cli import add_db_option

ENGINES = ("statsmodels", "mixedlm")
STRUCTURES = ("auto", "maximal", "zero_correlation", "crossed_intercepts")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "compare", help="compare people and models on a task; write an HTML report",
        description="Clean the trials of a task, fit mixed-effects models with participants and "
                    "items crossed, compare the human data with each model's newest run (condition "
                    "means r/RMSE, item level, task-specific curves, the published study), and write "
                    "one self-contained HTML report plus CSV tables.")
    from stimuli.tasks import task_names

    parser.add_argument("--task", required=True, choices=task_names())
    parser.add_argument("--models", metavar="M1,M2", help="models to compare (default: every model "
                                                          "with trials for the task)")
    parser.add_argument("--report", metavar="PATH", default=None,
                        help="HTML report to write (default: report-TASK.html)")
    parser.add_argument("--tables", metavar="DIR", help="also write every table as CSV into DIR "
                                                         "(default: REPORT-tables/ beside the report)")
    parser.add_argument("--lang", choices=("en", "ja"), default="en",
                        help="language of the report's headings, notes and figure labels (default en)")
    parser.add_argument("--pdf", metavar="FILE", help="also print the report to FILE (PDF) with "
                                                      "headless Chromium")
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
    parser.add_argument("--include-simulated", action="store_true",
                        help="analyse simulated participants (`mirrorlab run --simulate`) with the "
                             "human data (default: left out, they are not people)")
    add_db_option(parser)
    parser.set_defaults(handler=run_compare)


def published_human_tables(task: str) -> list[str]:
    """Keys of the published human aggregates of ``task`` (``stimuli/published/``)."""
    from stimuli.published import tables_for_task

    return [t.key for t in tables_for_task(task) if t.kind == "human" and
            any("effect_ms" in row or "rt_ms" in row for row in t.rows)]


def run_compare(args: argparse.Namespace) -> int:
    from analysis import CleaningOptions, compare, write_report
    from db.store import Store
    from mirrorlab.outputs import check_output_folder, prepare_output_file

    prepare_output_file("--report", args.report or f"report-{args.task}.html")
    if args.tables:
        check_output_folder("--tables", args.tables)
    models = [m.strip() for m in args.models.split(",") if m.strip()] if args.models else None
    store = Store(args.db)
    published = published_human_tables(args.task)
    if (published and store.count_trials(task=args.task, source="human") == 0
            and store.count_trials(task=args.task) > store.count_trials(task=args.task, source="simulated")):
        # models but no people: the published aggregates are the human side, labelled as such
        from analysis.published_side import compare_with_published

        print(f"mirrorlab compare: note: no human {args.task} trials in {store.url}; the human "
              f"side is published aggregates ({', '.join(published)}), labelled 'published'",
              file=sys.stderr)
        result = compare_with_published(store, args.task, published, models)
        for message in result.messages:
            print(f"mirrorlab compare: note: {message}", file=sys.stderr)
        if not result.fit_table.empty:
            print(result.fit_table[["model", "published_table", "source", "n_cells", "r", "rmse_ms"]]
                  .to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        path = write_report(result, args.report or f"report-{args.task}.html", tables_dir=args.tables)
        print(f"report: {path}")
        return 0
    cleaning = CleaningOptions(rt_min_ms=args.rt_min, rt_max_ms=args.rt_max, sd_trim=args.sd_trim,
                               drop_errors=not args.keep_errors)
    result = compare(store, args.task, models=models, engine=args.engine, cleaning=cleaning,
                     structure=args.structure, fit_accuracy=not args.no_accuracy,
                     include_simulated=args.include_simulated)
    from mirrorlab.report_projection import attach_embedding_projections

    attach_embedding_projections(store, [result])   # the association items' embedding figure
    for message in result.messages:
        print(f"mirrorlab compare: note: {message}", file=sys.stderr)
    if not result.fit_table.empty:
        columns = [c for c in ("model", "subset", "n_cells", "r", "rmse_ms", "item_r") if c in result.fit_table]
        print(result.fit_table[columns].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    report = Path(args.report or f"report-{args.task}.html")
    tables = args.tables or str(report.with_name(f"{report.stem}-tables"))
    path = write_report(result, report, tables_dir=tables, lang=args.lang)
    print(f"report: {path}")
    print(f"tables: {tables}")
    if args.pdf:
        from analysis.pdf import print_to_pdf

        print(f"pdf: {print_to_pdf(path, args.pdf)}")
    return 0
