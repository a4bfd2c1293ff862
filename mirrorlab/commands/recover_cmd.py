"""``mirrorlab recover MODEL --task T``: parameter recovery, and model recovery with ``--against``.

Parameter recovery simulates synthetic participants (``source = "simulated"``) from known
parameters on the task's real trial list (its bundled stimulus set), fits them back by maximum
likelihood and prints recovered-vs-true r and bias per parameter, flagging the parameters this
design cannot identify. ``--against M2,M3`` also runs model recovery: every model generates
participants, every model is fitted to all of them, and the confusion matrix says which model
wins (BIC) on data it generated. See docs/models/fitting.md.
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers) -> None:
    recover = subparsers.add_parser(
        "recover", help="parameter and model recovery on a task's real trial list",
        description="Simulate synthetic participants from known parameters on the task's trial "
                    "list, fit them back by maximum likelihood (BADS) and report recovered-vs-"
                    "true r and bias per parameter; with --against, also the model-recovery "
                    "confusion matrix.")
    recover.add_argument("model", metavar="MODEL",
                         help="model name, optionally with fixed parameters: NAME:param=value,...")
    recover.add_argument("--task", required=True, help="task whose trial list to simulate on")
    recover.add_argument("--stimuli", metavar="SET", help="stimulus set (default: the task's English set)")
    recover.add_argument("--instruction", help="instruction of the set (default: its first)")
    recover.add_argument("--dataset", metavar="NAME",
                         help="use the sequences real participants of a bundled dataset saw "
                              "(e.g. pratte2010) instead of the stimulus set's trial list; "
                              "session k is participant k's sequence")
    recover.add_argument("--n", type=int, default=20, help="synthetic participants (default 20)")
    recover.add_argument("--sessions", type=int, default=1,
                         help="sessions per synthetic participant, each a fresh trial list of the "
                              "set (default 1)")
    recover.add_argument("--free", help="parameters to fit, comma-separated (default: the model's)")
    recover.add_argument("--against", metavar="MODELS",
                         help="comma-separated competitor models for model recovery")
    recover.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    recover.add_argument("--max-evals", type=int, help="BADS evaluations per fit")
    recover.add_argument("--tables", metavar="DIR", help="write the recovery tables as CSV here")
    recover.set_defaults(handler=run_recover)


def task_trial_list(task: str, stimulus_set: str | None = None, instruction: str | None = None,
                    seed: int = 1, sessions: int = 1):
    """The real trial lists a task's participant gets (non-practice trials), ``sessions`` of
    them (seeds ``seed``, ``seed + 1``, …) told apart by the column ``session``."""
    import pandas as pd

    from mirrorlab.pipeline import default_stimulus_set
    from models.base import ModelInputError
    from stimuli import load_set

    name = stimulus_set or default_stimulus_set(task)   # an unknown task: one line naming the known
    loaded = load_set(name)
    if loaded.task != task:
        raise ModelInputError(f"stimulus set {name} is a {loaded.task} set, not {task}")
    if sessions < 1:
        raise ModelInputError(f"--sessions must be at least 1, not {sessions}")
    return pd.concat([loaded.trial_list(seed=seed + k, instruction=instruction,
                                        include_practice=False).assign(session=k + 1)
                      for k in range(sessions)], ignore_index=True)


def dataset_trial_list(task: str, dataset: str, sessions: int = 1):
    """The sequences the first ``sessions`` participants of a bundled dataset saw, as sessions
    1, 2, … of one synthetic participant (their RTs and answers removed)."""
    from db.importer import bundled_datasets
    from models.base import ModelInputError
    from models.fitting.datasets import participant_sessions

    if dataset not in bundled_datasets():
        raise ModelInputError(f"unknown dataset {dataset!r}; bundled: {', '.join(bundled_datasets())}")
    if sessions < 1:
        raise ModelInputError(f"--sessions must be at least 1, not {sessions}")
    trials = participant_sessions(dataset, tuple(range(sessions)))
    tasks = set(trials["task"].dropna())
    if tasks != {task}:
        raise ModelInputError(f"dataset {dataset} holds {', '.join(sorted(tasks))} trials, not {task}")
    return trials


def run_recover(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tqdm import tqdm

    from models.base import ModelInputError
    from models.fitting.ml import build_model
    from models.fitting.parameters import parse_free
    from models.fitting.recovery import IDENTIFIABLE_R, model_recovery, parameter_recovery

    if args.n < 2:
        raise ModelInputError(f"--n must be at least 2 synthetic participants, not {args.n}")
    if args.dataset:
        trials = dataset_trial_list(args.task, args.dataset, args.sessions)
    else:
        trials = task_trial_list(args.task, args.stimuli, args.instruction, sessions=args.sessions)
    model, _ = build_model(args.model)
    model.check_task(trials)
    parse_free(args.free, type(model))            # refuse unknown names before any work
    with tqdm(total=args.n, desc=f"recover {args.model}", file=sys.stderr) as bar:
        recovery = parameter_recovery(args.model, trials, n_participants=args.n, free=args.free,
                                      seed=args.seed, max_fun_evals=args.max_evals,
                                      progress=bar.update)
    print(f"parameter recovery: {args.model} on {len(trials)} {args.task} trials, "
          f"{args.n} synthetic participants (source=simulated), seed {args.seed}")
    print(recovery.summary.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    flagged = recovery.not_identifiable()
    if flagged:
        print(f"NOT IDENTIFIABLE from this design (r < {IDENTIFIABLE_R}): {', '.join(flagged)}")
    else:
        print(f"every fitted parameter recovered with r ≥ {IDENTIFIABLE_R}")
    tables = {"parameter_recovery": recovery.table, "parameter_recovery_summary": recovery.summary}
    if args.against:
        specs = [args.model] + [s.strip() for s in args.against.split(",") if s.strip()]
        for spec in specs[1:]:
            build_model(spec)[0].check_task(trials)
        with tqdm(total=args.n * len(specs), desc="model recovery", file=sys.stderr) as bar:
            confusion = model_recovery(specs, trials, n_participants=args.n, seed=args.seed,
                                       max_fun_evals=args.max_evals, progress=bar.update)
        print("model recovery (rows: generating model, columns: winner by BIC):")
        print(confusion.confusion.to_string())
        for name, share in confusion.accuracy().items():
            print(f"  {name} wins on {share:.0%} of the participants it generated")
        tables["model_recovery"] = confusion.table
        tables["model_recovery_confusion"] = confusion.confusion.reset_index()
    if args.tables:
        folder = Path(args.tables)
        folder.mkdir(parents=True, exist_ok=True)
        for name, table in tables.items():
            table.to_csv(folder / f"{name}.csv", index=False)
        print(f"tables: {folder}")
    return 0
