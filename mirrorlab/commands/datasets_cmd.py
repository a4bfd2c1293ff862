"""``mirrorlab datasets``: the real human datasets bundled with mirrorlab, with licence,
citation and the counts their sources document (``mirrorlab import NAME`` imports one)."""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "datasets", help="list the bundled real human datasets (licence, citation, counts)",
        description="List the datasets shipped in db/datasets/ (each folder verbatim from its "
                    "source, with the source's licence text). `mirrorlab import NAME` imports one; "
                    "the import checks that it gives the counts listed here.")
    parser.set_defaults(handler=run_datasets)


def format_count(value) -> str:
    return "?" if value is None else f"{int(value):,}"


def run_datasets(args: argparse.Namespace) -> int:
    from db.importer import describe_datasets

    for dataset in describe_datasets():
        print(f"{dataset.name}  ({dataset.task}; study {dataset.study!r})")
        print(f"  trials {format_count(dataset.n_trials)}, participants "
              f"{format_count(dataset.n_participants)}, sessions {format_count(dataset.n_sessions)}"
              + (f"; {dataset.note}" if dataset.note else ""))
        print(f"  citation: {dataset.citation}")
        print(f"  licence:  {dataset.licence}" + (f" ({dataset.licence_file})" if dataset.licence_file else ""))
        print(f"  files:    {', '.join('db/datasets/' + f for f in dataset.files)}")
        print(f"  import:   mirrorlab import {dataset.name}")
    return 0
