"""``mirrorlab demo``: the whole pipeline (people → models → comparison → report)."""

from __future__ import annotations

import argparse
from pathlib import Path

from mirrorlab.cli import add_db_option


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo", help="the whole pipeline: data and simulated participants, models, report",
        description="Import the real Stroop data of Pratte et al. (2010), let simulated participants "
                    "do every task in PsychoPy (under a private Xvfb when there is no screen), fit "
                    "and simulate every model on the same stimuli, compare people and models with "
                    "mixed-effects models, and write one self-contained HTML report.")
    add_db_option(parser)
    parser.add_argument("--report", type=Path, default=Path("mirrorlab-demo-report.html"),
                        help="report file (default: mirrorlab-demo-report.html)")
    parser.add_argument("--tables", type=Path, default=Path("mirrorlab-demo-tables"),
                        help="folder for the CSV tables (default: mirrorlab-demo-tables)")
    parser.add_argument("--participants", type=int, default=2,
                        help="simulated participants per task (default 2)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--engine", choices=("statsmodels", "mixedlm"), default="mixedlm",
                        help="mixed-model engine (default mixedlm: seconds instead of minutes here)")
    parser.add_argument("--quick", action="store_true",
                        help="fewer trials and no CNN training (about a minute)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from mirrorlab.demo import DemoOptions, run_demo

    report = run_demo(DemoOptions(db=args.db, report=args.report, tables_dir=args.tables,
                                  participants=args.participants, seed=args.seed,
                                  quick=args.quick, engine=args.engine))
    print(f"report: {report}")
    return 0
