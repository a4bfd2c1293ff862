"""``mirrorlab import`` and ``mirrorlab export``: trial data in and out of the database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mirrorlab.cli import add_db_option


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "import", help="import external trial-level data (CSV/TSV) with a column mapping",
        description="Import trial-level data into the trial table. Give a mapping file (TOML, see "
                    "db/importer.py) or a bundled mapping name with --mapping, or map columns on the "
                    "command line with --map FIELD=COLUMN and --set FIELD=VALUE. --dataset NAME imports "
                    "a bundled dataset (see `mirrorlab datasets`). All or nothing: a bad row stops "
                    "the import before anything is written.",
        epilog="Example: mirrorlab import LEF_stroop.csv --sep ';' --map participant=ID "
               "--map condition=congruency --map rt_ms=RT --map correct=accuracy --set task=stroop")
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE",
                        help="data file(s), or the name of a bundled dataset")
    parser.add_argument("--dataset", help="a bundled dataset (`mirrorlab datasets`): pratte2010, stark2024, vonbastian2016, "
                                          "williams_stroop_language")
    parser.add_argument("--mapping", help="mapping TOML file or bundled mapping name")
    parser.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                        help="shared field from a file column (repeatable)")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                        help="shared field with a constant value (repeatable)")
    parser.add_argument("--sep", default=",", help="separator: , ; \\t or whitespace (default ,)")
    parser.add_argument("--study", help="study name to import into (default: from the mapping)")
    parser.add_argument("--scale", action="append", default=[], metavar="FIELD=FACTOR",
                        help="multiply a numeric field, e.g. rt_ms=1000 for RTs in seconds")
    parser.add_argument("--where", action="append", default=[], metavar="COLUMN=V1[,V2]",
                        help="import only rows whose COLUMN is one of the values (repeatable)")
    parser.add_argument("--encoding", metavar="NAME",
                        help="text encoding of the files (default utf-8; cp932 for Shift-JIS "
                             "from Excel in Japanese)")
    parser.add_argument("--allow-duplicates", action="store_true",
                        help="keep rows that repeat another row or a participant's trial_index "
                             "(refused by default)")
    parser.add_argument("--data-dir", type=Path, help="folder of the bundled datasets' files "
                                                      "(default: the files bundled in db/datasets/)")
    add_db_option(parser)
    parser.set_defaults(handler=run_import)

    export = subparsers.add_parser(
        "export", help="export trials to CSV or Parquet",
        description="Write the trial table (human and model trials, reviews applied) to CSV or "
                    "Parquet. The format follows the file extension unless --format is given. "
                    "Demographics are never exported with trials. In CSV, a text cell that a "
                    "spreadsheet would run as a formula (starting with = + - @, tab or carriage "
                    "return) is written with a leading apostrophe (OWASP's advice against "
                    "formula injection); Parquet keeps values as they are.")
    export.add_argument("output", type=Path, metavar="OUT", help="output file (.csv or .parquet)")
    export.add_argument("--task", help="only this task")
    export.add_argument("--source", help="only this source (human, model:cohen1990, ...)")
    export.add_argument("--format", choices=("csv", "parquet"))
    export.add_argument("--include-practice", action="store_true")
    add_db_option(export)
    export.set_defaults(handler=run_export)


def run_import(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from db.errors import ImportMappingError
    from db.importer import (apply_options, bundled_datasets, import_dataset, import_files,
                             load_mapping, mapping_from_options)
    from db.store import Store

    # `mirrorlab import pratte2010` means the bundled dataset of that name
    if (not args.dataset and not args.mapping and not args.map and len(args.files) == 1
            and not args.files[0].exists() and str(args.files[0]) in bundled_datasets()):
        args.dataset, args.files = str(args.files[0]), []

    if args.dataset and (args.files or args.mapping or args.map):
        raise ImportMappingError("import: give either --dataset NAME or files with a mapping, not both")
    if not args.dataset and not args.files:
        raise ImportMappingError("import: no file given (or use --dataset NAME)")
    if not args.dataset and not (args.mapping or args.map):
        raise ImportMappingError("import: no mapping given: use --mapping FILE or --map FIELD=COLUMN")
    if args.dataset and (args.scale or args.where or args.encoding or args.allow_duplicates):
        raise ImportMappingError("import: --scale/--where/--encoding/--allow-duplicates are for "
                                 "files with a mapping; a bundled --dataset has its own")
    mapping = None
    if not args.dataset:        # every option is checked before the database is opened
        mapping = load_mapping(args.mapping) if args.mapping else None
        if args.map or args.set:
            mapping = mapping_from_options(args.map, args.set, separator=args.sep, base=mapping)
        mapping = apply_options(mapping, scales=args.scale, wheres=args.where,
                                encoding=args.encoding, allow_duplicates=args.allow_duplicates)
    store = Store(args.db)
    with tqdm(unit=" trials", desc="importing", file=sys.stderr, disable=None) as bar:
        if args.dataset:
            result = import_dataset(store, args.dataset, study=args.study, data_dir=args.data_dir,
                                    progress=bar.update)
        else:
            result = import_files(store, args.files, mapping, study=args.study, progress=bar.update)
    print(f"imported {result.n_trials} trials of {result.n_participants} participants "
          f"into study {result.study!r} ({store.url})")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from db.errors import StoreError
    from db.export import export_trials
    from db.store import Store

    from mirrorlab.outputs import prepare_output_file

    fmt = args.format or args.output.suffix.lstrip(".").lower()
    if fmt not in ("csv", "parquet"):
        raise StoreError(f"export: cannot tell the format of {args.output} (use .csv, .parquet or --format)")
    prepare_output_file("export", args.output)
    store = Store(args.db)
    frame = export_trials(store, args.output, fmt=fmt, task=args.task, source=args.source,
                          include_practice=args.include_practice)
    print(f"exported {len(frame)} trials to {args.output}")
    attribution = picture_attribution(frame["stimulus_set"].dropna().unique())
    if attribution:
        notice = args.output.with_name(args.output.name + ".ATTRIBUTION.txt")
        notice.write_text(attribution + "\n", encoding="utf-8")
        print(f"pictures: {attribution} (also in {notice})")
    return 0


def picture_attribution(stimulus_set_names) -> str:
    """The attribution of the pictures of the named (bundled or on-disk) stimulus sets —
    their licence (OpenMoji: CC BY-SA 4.0) requires it wherever they are exported."""
    from stimuli import StimulusError, load_set

    texts = []
    for name in stimulus_set_names:
        try:
            stimulus_set = load_set(str(name))
        except StimulusError:  # imported data ("import:...") or a set no longer on disk
            continue
        if stimulus_set.pictures and stimulus_set.attribution not in texts:
            texts.append(stimulus_set.attribution)
    return " ".join(texts)
