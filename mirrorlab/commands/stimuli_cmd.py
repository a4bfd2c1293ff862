"""``mirrorlab stimuli list|show|validate|trials``: the stimulus sets people and models share."""

from __future__ import annotations

import argparse
import sys


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "stimuli", help="list, show, validate stimulus sets and print their trial lists",
        description="Stimulus sets are folders with items.csv, set.toml and optionally "
                    "trials.csv (see docs/stimuli.md). A SET is a bundled name (see `mirrorlab "
                    "stimuli list`), a set folder, or an items CSV file.")
    commands = parser.add_subparsers(dest="stimuli_command", metavar="SUBCOMMAND", required=True)

    listing = commands.add_parser("list", help="the bundled stimulus sets",
                                  description="List the bundled stimulus sets with their task, "
                                              "language, number of items and content hash.")
    listing.set_defaults(handler=run_list)

    show = commands.add_parser("show", help="metadata, items, design and attribution of a set",
                               description="Show one set: metadata, counts of items per role "
                                           "and condition, design options, content hash, "
                                           "licence and the attribution to show with its "
                                           "pictures.")
    show.add_argument("set", metavar="SET", help="bundled name, set folder or items CSV")
    show.add_argument("--items", type=int, default=10, metavar="N",
                      help="print the first N items (default 10; 0 for none)")
    show.set_defaults(handler=run_show)

    validate = commands.add_parser(
        "validate", help="check stimulus files; exit status 2 with a one-line error if bad",
        description="Load each set with full validation (columns, conditions, duplicate ids, "
                    "UTF-8, answers among choices, picture files) and build its trial list for "
                    "every instruction. Prints 'ok' per set, or one line per bad set naming "
                    "file, line, column and value; exits 2 if any set is bad.")
    validate.add_argument("paths", nargs="+", metavar="PATH",
                          help="set folders, items CSV files or bundled names")
    validate.set_defaults(handler=run_validate)

    trials = commands.add_parser(
        "trials", help="print or save the trial list a participant would get",
        description="Generate the trial list of a set (same seed, same list) and write it as "
                    "CSV to --out or standard output.")
    trials.add_argument("set", metavar="SET", help="bundled name, set folder or items CSV")
    trials.add_argument("--seed", type=int, default=1, help="randomisation seed (default 1)")
    trials.add_argument("--instruction", default=None,
                        help="task instruction, e.g. colour_naming or word_reading "
                             "(default: the set's first)")
    trials.add_argument("--participant-index", type=int, default=0, metavar="K",
                        help="counterbalancing row for the K-th participant (default 0)")
    trials.add_argument("--no-practice", action="store_true", help="leave out practice trials")
    trials.add_argument("--out", metavar="CSV", default=None, help="write to this file")
    trials.set_defaults(handler=run_trials)


def run_list(args: argparse.Namespace) -> int:
    from stimuli import list_sets, load_set

    print(f"{'name':<24} {'task':<18} {'lang':<4} {'items':>5}  hash")
    for name in list_sets():
        stimulus_set = load_set(name)
        print(f"{name:<24} {stimulus_set.task:<18} {stimulus_set.language:<4} "
              f"{len(stimulus_set.items):>5}  {stimulus_set.hash[:12]}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from stimuli import load_set

    stimulus_set = load_set(args.set)
    summary = stimulus_set.summary()
    print(f"name:         {summary['name']}")
    if summary["title"]:
        print(f"title:        {summary['title']}")
    print(f"task:         {summary['task']}  (instructions: {', '.join(summary['instructions'])})")
    print(f"language:     {summary['language']}")
    print(f"path:         {summary['path']}")
    print(f"hash:         {summary['hash']}")
    print(f"files:        {len(stimulus_set.files)} hashed")
    roles = ", ".join(f"{count} {role}" for role, count in summary["roles"].items())
    print(f"items:        {summary['items']} ({roles})")
    if "condition" in stimulus_set.items:
        counts = stimulus_set.items.groupby("condition").size()
        print("conditions:   " + ", ".join(f"{n} {c}" for c, n in counts.items()))
    if "category" in stimulus_set.items:
        categories = stimulus_set.items.loc[stimulus_set.items["category"] != "", "category"]
        print(f"categories:   {categories.nunique()}")
    for key, value in stimulus_set.design.items():
        print(f"design:       {key} = {value}")
    source = stimulus_set.metadata.get("source")
    if isinstance(source, dict):
        source = " ".join(f"{key}: {value}" for key, value in source.items())
    if source:
        print(f"source:       {' '.join(str(source).split())}")
    if summary["licence"]:
        print(f"licence:      {summary['licence']}")
    print(f"attribution:  {summary['attribution'] or '(none)'}")
    if args.items > 0:
        print()
        print(stimulus_set.items.head(args.items).to_string(index=False))
    return 0


def run_validate(args: argparse.Namespace) -> int:
    from stimuli import StimulusError, load_set

    failures = 0
    for path in args.paths:
        try:
            stimulus_set = load_set(path)
            for instruction in stimulus_set.instructions:
                stimulus_set.trial_list(seed=0, instruction=instruction)
        except StimulusError as exc:
            failures += 1
            print(f"mirrorlab: error: {exc}", file=sys.stderr)
            continue
        print(f"ok {path}: {stimulus_set.name} ({stimulus_set.task}, {stimulus_set.language}, "
              f"{len(stimulus_set.items)} items, hash {stimulus_set.hash[:12]})")
    return 2 if failures else 0


def run_trials(args: argparse.Namespace) -> int:
    from mirrorlab.outputs import prepare_output_file
    from stimuli import load_set

    if args.out:
        prepare_output_file("--out", args.out)
    stimulus_set = load_set(args.set)
    frame = stimulus_set.trial_list(seed=args.seed, instruction=args.instruction,
                                    participant_index=args.participant_index,
                                    include_practice=not args.no_practice)
    if args.out:
        frame.to_csv(args.out, index=False)
        print(f"{len(frame)} trials of {stimulus_set.name} (hash {stimulus_set.hash[:12]}, "
              f"seed {args.seed}) written to {args.out}")
    else:
        frame.to_csv(sys.stdout, index=False)
    if stimulus_set.attribution:
        print(f"attribution: {stimulus_set.attribution}", file=sys.stderr)
    return 0
