"""``mirrorlab project new | power | merge | report``: replication projects for instructors
(docs/projects.md). Heavy imports happen inside the handlers."""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "project", help="class replication projects: new, power, merge, report",
        description="A replication project for a class: scaffold it from a published effect, "
                    "plan its power, merge the groups' databases, and write the class report.",
        epilog="Example: mirrorlab project new stroop-class --replicate pratte2010-stroop; "
               "mirrorlab project power stroop-class; mirrorlab project merge stroop-class "
               "group1.db group2.db; mirrorlab project report stroop-class --lang ja")
    commands = parser.add_subparsers(dest="project_command", metavar="SUBCOMMAND")
    from mirrorlab.project.names import TARGET_NAMES

    new = commands.add_parser("new", help="create a project folder for one published effect")
    new.add_argument("directory", metavar="DIR")
    new.add_argument("--replicate", required=True, metavar="TARGET", choices=TARGET_NAMES,
                     help="one of: " + ", ".join(TARGET_NAMES))
    new.add_argument("--lang", choices=("en", "ja"), default="en",
                     help="language of the stimulus set students run (default en)")
    new.add_argument("--name", help="project (and study) name (default: the folder's name)")
    new.set_defaults(handler=new_command)

    power = commands.add_parser("power", help="simulated power of the preregistered model")
    power.add_argument("directory", metavar="DIR")
    power.add_argument("--simulations", type=int, metavar="N", help="data sets per cell (default: project.toml)")
    power.add_argument("--participants", type=int, nargs="+", metavar="N")
    power.add_argument("--trials", type=int, nargs="+", metavar="T", help="trials per condition level")
    power.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help="Dask scheduler (default: $MIRRORLAB_DASK_SCHEDULER, else a local cluster)")
    power.add_argument("--workers", type=int, metavar="N",
                       help="local Dask workers (default: one per core; 0 = no Dask, in this process)")
    power.set_defaults(handler=power_command)

    merge = commands.add_parser("merge", help="merge the groups' SQLite databases into the project's")
    merge.add_argument("directory", metavar="DIR")
    merge.add_argument("files", nargs="+", metavar="FILE")
    merge.add_argument("--group", action="append", metavar="NAME",
                       help="group name of each FILE, in order (default: the file's name)")
    merge.set_defaults(handler=merge_command)

    report = commands.add_parser("report", help="the class report (one self-contained HTML file)")
    report.add_argument("directory", metavar="DIR")
    report.add_argument("--lang", choices=("en", "ja"), default="en")
    report.add_argument("--include-simulated", action="store_true",
                        help="analyse simulated participants too (labelled in every table)")
    report.add_argument("--output", metavar="FILE.html")
    report.add_argument("--heldout", metavar="M1,M2",
                        help="also fit these models to the class's people by maximum likelihood and "
                             "compare them by held-out log-likelihood, AIC/BIC and random-effects "
                             "model selection (e.g. cohen1990,weaver,dummy-conditions)")
    report.add_argument("--folds", type=int, default=None, metavar="K",
                        help="--heldout: folds within each participant (default 3)")
    report.add_argument("--workers", type=int, default=None, metavar="N",
                        help="--heldout: local Dask workers (default: one per core)")
    report.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="--heldout: a running Dask scheduler (or $MIRRORLAB_DASK_SCHEDULER)")
    report.set_defaults(handler=report_command)
    parser.set_defaults(handler=lambda args: parser.print_help() or 2)


def new_command(args: argparse.Namespace) -> int:
    from mirrorlab.project.config import load
    from mirrorlab.project.scaffold import new_project

    folder = new_project(args.directory, args.replicate, language=args.lang, name=args.name)
    cfg = load(folder)
    print(f"project {cfg['project']['name']} in {folder}: {cfg['project']['title']}; original "
          f"{cfg['original']['effect_ms']} ms ({cfg['original']['source']}). First pilot:\n"
          f"  cd {folder} && {cfg['pilot']['command']}")
    return 0


def power_command(args: argparse.Namespace) -> int:
    from mirrorlab.project.planning import run_power

    table, record = run_power(args.directory, n_simulations=args.simulations,
                              participants=args.participants, trials_per_level=args.trials,
                              scheduler=args.scheduler, workers=args.workers)
    components = record["variance_components"]
    print(f"power of {record['target']} at effect {components['effect_ms']:.2f} ms "
          f"({components['source']}), {record['n_simulations']} simulations per cell, seed {record['seed']}:")
    print(table[["n_participants", "trials_per_level", "power", "mean_estimate_ms"]].to_string(index=False))
    print(f"table, figure and record in {args.directory}/power/")
    return 0


def merge_command(args: argparse.Namespace) -> int:
    from mirrorlab.project.merge import merge_files

    result = merge_files(args.directory, args.files, args.group)
    groups = ", ".join(f"{g}: {n}" for g, n in result.by_group.items()) or "none"
    print(f"merged {result.merged_sessions} sessions ({result.merged_trials} trials; {groups}); "
          f"{result.skipped_sessions} already merged, skipped")
    return 0


def report_command(args: argparse.Namespace) -> int:
    from mirrorlab.project.report import build_report

    heldout = [m.strip() for m in args.heldout.split(",") if m.strip()] if args.heldout else None
    if args.folds is not None and not heldout:
        from mirrorlab.project.errors import ProjectError

        raise ProjectError("--folds is for --heldout MODELS (the likelihood comparison)")
    path, summary = build_report(args.directory, language=args.lang,
                                 include_simulated=True if args.include_simulated else None,
                                 output=args.output, heldout_models=heldout,
                                 heldout_folds=args.folds, scheduler=args.scheduler,
                                 workers=args.workers)
    if summary["model_selection"] is not None:
        print(f"models on the class's people: {summary['model_selection'].summary_text()}")
    print(f"report: {path} ({len(summary['estimates']) - 1} groups + pooled)")
    return 0
