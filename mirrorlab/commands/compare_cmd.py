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
    heldout = parser.add_argument_group(
        "likelihood comparison (--heldout)",
        "Fit every model to every participant by maximum likelihood on k−1 folds of their "
        "trials and score the held-out fold; report held-out log-likelihood with paired CIs, "
        "AIC/BIC (in-sample) and random-effects BMS (protected exceedance probabilities). Each "
        "fit is one Dask task, stored as it finishes; a rerun with the same seed and options "
        "reuses the stored fits. Models need no simulated runs. See "
        "docs/analysis/model-comparison.md.")
    heldout.add_argument("--heldout", action="store_true",
                         help="run the likelihood comparison of --models on the people's trials")
    heldout.add_argument("--folds", type=int, default=5, help="folds within each participant (default 5)")
    heldout.add_argument("--pooled", action="store_true",
                         help="pooled fits judged leave-one-participant-out instead of k folds")
    heldout.add_argument("--seed", type=int, default=0, help="seed of the folds and fits (default 0)")
    heldout.add_argument("--participants", metavar="A,B", help="only these participant codes")
    heldout.add_argument("--max-evals", type=int, help="BADS evaluations per fit (default 60 × (free + 1))")
    heldout.add_argument("--evidence", choices=("heldout", "bic"), default="heldout",
                         help="log-evidence for BMS: held-out log-likelihood (default) or −BIC/2")
    heldout.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                         help="a running Dask scheduler (default: $MIRRORLAB_DASK_SCHEDULER, else a "
                              "local cluster)")
    heldout.add_argument("--workers", type=int, help="local Dask workers (default: one per core; 0: "
                                                     "no Dask, in this process)")
    add_db_option(parser)
    parser.set_defaults(handler=run_compare)


def run_heldout(args: argparse.Namespace, store, models: list[str] | None):
    """The likelihood comparison; prints its summary and returns the ModelSelectionResult."""
    from models.base import ModelInputError
    from mirrorlab.model_comparison import ComparisonOptions, run_model_comparison

    if not models:
        raise ModelInputError("--heldout needs --models M1,M2,… (registered model names, "
                              "optionally NAME:param=value)")
    participants = ([c.strip() for c in args.participants.split(",") if c.strip()]
                    if args.participants else None)
    options = ComparisonOptions(task=args.task, models=models, n_folds=args.folds, seed=args.seed,
                                scheme="lopo" if args.pooled else "within",
                                max_fun_evals=args.max_evals, participants=participants,
                                include_simulated=args.include_simulated, evidence=args.evidence)
    selection = run_model_comparison(store, options, scheduler=args.scheduler, workers=args.workers)
    for note in selection.notes:
        print(f"mirrorlab compare: note: {note}", file=sys.stderr)
    columns = [c for c in ("model", "heldout_loglik", "delta_vs_best", "mean_difference_per_participant",
                           "ci_low", "ci_high", "aic",
                           "bic", "protected_exceedance_probability") if c in selection.summary]
    print(f"held-out comparison {selection.comparison_id} ({args.task}, seed {args.seed}):")
    print(selection.summary[columns].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(selection.summary_text())
    return selection


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
    selection = None
    if args.heldout:
        selection = run_heldout(args, store, models)
        # the descriptive part shows those of the models that have simulated runs
        runs = store.model_runs_frame(task=args.task)
        simulated = set(runs.loc[runs["n_trials"] > 0, "model"]) if len(runs) else set()
        models = [m for m in models if m in simulated]
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
    parts = [result]
    if selection is not None:
        from analysis.report_model_selection import attach_model_selection

        parts.append(attach_model_selection(result, selection))
    for message in result.messages:
        print(f"mirrorlab compare: note: {message}", file=sys.stderr)
    if not result.fit_table.empty:
        columns = [c for c in ("model", "subset", "n_cells", "r", "rmse_ms", "item_r") if c in result.fit_table]
        print(result.fit_table[columns].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    report = Path(args.report or f"report-{args.task}.html")
    tables = args.tables or str(report.with_name(f"{report.stem}-tables"))
    path = write_report(parts, report, tables_dir=tables, lang=args.lang)
    print(f"report: {path}")
    print(f"tables: {tables}")
    if args.pdf:
        from analysis.pdf import print_to_pdf

        print(f"pdf: {print_to_pdf(path, args.pdf)}")
    return 0
