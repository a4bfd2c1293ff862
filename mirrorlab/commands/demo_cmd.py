"""``mirrorlab demo``: the whole pipeline (people → models → comparison → report)."""

from __future__ import annotations

import argparse
from pathlib import Path

from mirrorlab.cli import add_db_option


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo", help="the whole pipeline: real people, models, comparison, report",
        description="Import the bundled real data (Stroop: Pratte et al. 2010; continuous naming: "
                    "Stark et al. 2024, controls), fit every model to the people of its task and "
                    "simulate it on the same stimuli (continuous naming: each person's own "
                    "sequence), compare picture-word interference with the published aggregates "
                    "of Glaser & Düngelhoff (1984), say that the association task has no bundled "
                    "human data, run simulated pilots in PsychoPy (their own labelled section; "
                    "--no-pilots skips them), and write one self-contained HTML report.")
    add_db_option(parser)
    parser.add_argument("--report", type=Path, default=Path("mirrorlab-demo-report.html"),
                        help="report file (default: mirrorlab-demo-report.html)")
    parser.add_argument("--tables", type=Path, default=Path("mirrorlab-demo-tables"),
                        help="folder for the CSV tables (default: mirrorlab-demo-tables)")
    parser.add_argument("--participants", type=int, default=2,
                        help="simulated pilot participants per task (default 2)")
    parser.add_argument("--no-pilots", action="store_true",
                        help="no simulated pilot sessions (no PsychoPy, no display needed)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--engine", choices=("statsmodels", "mixedlm"), default="mixedlm",
                        help="mixed-model engine (default mixedlm: seconds instead of minutes here)")
    parser.add_argument("--quick", action="store_true",
                        help="fewer trials, no CNN training, 4 Stark controls (a few minutes)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from mirrorlab.demo import DemoOptions, run_demo

    report = run_demo(DemoOptions(db=args.db, report=args.report, tables_dir=args.tables,
                                  participants=args.participants, seed=args.seed,
                                  quick=args.quick, engine=args.engine,
                                  pilots=not args.no_pilots))
    print(f"report: {report}")
    return 0
