"""The ``mirrorlab`` command line.

Every command lives in ``mirrorlab.commands.<module>`` and registers itself; nothing heavy
(psychopy, torch, statsmodels) is imported until a command runs. Errors that are the user's
to fix (a bad stimulus file, an unknown model, an unreachable database) carry
``user_facing = True`` and are printed as one line, without a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from mirrorlab import __version__

COMMAND_MODULES = (
    "mirrorlab.commands.run_cmd",
    "mirrorlab.commands.review_cmd",
    "mirrorlab.commands.models_cmd",
    "mirrorlab.commands.relatedness_cmd",
    "mirrorlab.commands.compare_cmd",
    "mirrorlab.commands.analyse_cmd",
    "mirrorlab.commands.stimuli_cmd",
    "mirrorlab.commands.data_cmd",
    "mirrorlab.commands.datasets_cmd",
    "mirrorlab.commands.db_cmd",
    "mirrorlab.commands.demo_cmd",
    "mirrorlab.commands.serve_cmd",
    "mirrorlab.commands.project_cmd",
    "mirrorlab.commands.recover_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mirrorlab",
        description="Run experiments with people and models on the same stimuli, store every "
                    "trial in one database, compare them with mixed-effects statistics.",
        epilog="Database: --db URL, else $MIRRORLAB_DB, else sqlite:///mirrorlab.db. "
               "`mirrorlab COMMAND --help` explains each command.")
    parser.add_argument("--version", action="version", version=f"mirrorlab {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", default=None,
                        help="SQLAlchemy database URL or SQLite file path "
                             "(default: $MIRRORLAB_DB or sqlite:///mirrorlab.db)")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0 if args.command is None else 2
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        print("mirrorlab: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - user errors become one line, others re-raise
        if getattr(exc, "user_facing", False):
            print(f"mirrorlab: error: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    raise SystemExit(main())
