"""``mirrorlab models``, ``mirrorlab simulate MODEL`` and ``mirrorlab fit MODEL``."""

from __future__ import annotations

import argparse

from mirrorlab.cli import add_db_option


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=20, help="simulated agents (default 20)")
    parser.add_argument("--seed", type=int, help="random seed (default: a fresh one, recorded)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="model parameter (repeatable; see `mirrorlab models`)")
    parser.add_argument("--backend", help="embedding backend (sentence-transformers, "
                                          "use-multilingual, chive, glove); same as --param backend=...")
    parser.add_argument("--instruction", action="append", metavar="INSTRUCTION",
                        help="only this instruction of the set, e.g. colour_naming (repeatable)")
    add_db_option(parser)


def register(subparsers) -> None:
    models = subparsers.add_parser("models", help="list the models with their tasks and parameters",
                                   description="List the computational models, the tasks they do and "
                                               "their parameters with default (published) values.")
    models.set_defaults(handler=run_models)

    simulate = subparsers.add_parser(
        "simulate", help="run a model on a stimulus set and store its trials",
        description="Send a stimulus set (the same trial list people see) to a model and store a "
                    "model run (model, version, parameters, seed, stimulus-set hash) with its trials.")
    simulate.add_argument("model", metavar="MODEL", help="model name (see `mirrorlab models`)")
    simulate.add_argument("--stimuli", required=True, metavar="SET", help="stimulus set name or folder")
    _add_run_options(simulate)
    simulate.set_defaults(handler=run_simulate)

    fit = subparsers.add_parser(
        "fit", help="fit a model to the human trials in the database, then simulate and store",
        description="Calibrate a model's free parameters (at least its cycles->ms mapping) on the "
                    "human trials of a task in the database, cleaned as `mirrorlab compare` cleans "
                    "them (same options), print the fit (r, RMSE), then simulate with the fitted "
                    "values and store the run together with its fit.")
    fit.add_argument("model", metavar="MODEL")
    fit.add_argument("--task", required=True, help="task whose human trials to fit")
    fit.add_argument("--stimuli", metavar="SET", help="stimulus set to simulate after fitting "
                                                      "(default: the task's English set)")
    fit.add_argument("--study", help="fit only to this study's participants")
    fit.add_argument("--own-sequences", action="store_true",
                     help="continuous naming: simulate on each participant's own trial sequence "
                          "(the same pictures in the same order) instead of a stimulus set; "
                          "--n agents per sequence")
    # the same cleaning as `mirrorlab compare`, so a model is calibrated on the trials it is judged on
    fit.add_argument("--rt-min", type=float, default=200.0, metavar="MS", help="lower RT bound (200)")
    fit.add_argument("--rt-max", type=float, default=2000.0, metavar="MS", help="upper RT bound (2000)")
    fit.add_argument("--sd-trim", type=float, default=None, metavar="SD",
                     help="also trim RTs beyond SD standard deviations per participant × condition")
    fit.add_argument("--keep-errors", action="store_true", help="keep error trials in RT fits")
    _add_run_options(fit)
    from mirrorlab.commands.fit_ml import add_ml_options
    add_ml_options(fit)
    fit.set_defaults(handler=run_fit)


def _params(args: argparse.Namespace) -> dict:
    from mirrorlab.pipeline import parse_params

    params = parse_params(args.param)
    if args.backend:
        params["backend"] = args.backend
    return params


def run_models(args: argparse.Namespace) -> int:
    from models.registry import MODELS, YARDSTICKS, model_class

    for name in (*MODELS, *YARDSTICKS):
        try:
            cls = model_class(name)
        except ImportError as exc:
            print(f"{name}: not available ({exc})")
            continue
        print(f"{name}  [{', '.join(cls.tasks)}]  v{cls.version}")
        if cls.summary:
            print(f"    {cls.summary}")
        defaults = cls.default_params()
        print("    parameters: " + ", ".join(f"{k}={v!r}" for k, v in defaults.items()))
    return 0


def _print_fit(fit: dict | None) -> None:
    if not fit:
        return
    shown = {k: v for k, v in fit.items() if not isinstance(v, (dict, list))}
    print("fit: " + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                              for k, v in shown.items()))


def run_simulate(args: argparse.Namespace) -> int:
    from db.store import Store
    from mirrorlab.pipeline import run_model

    store = Store(args.db)
    result = run_model(store, args.model, args.stimuli, n=args.n, seed=args.seed,
                       params=_params(args), instructions=args.instruction)
    print(f"model run {result.run_id}: {result.model} on {args.stimuli}, {result.n_trials} trials, "
          f"seed {result.seed} ({store.url})")
    return 0


def run_fit(args: argparse.Namespace) -> int:
    from mirrorlab.commands.fit_ml import run_ml_fit, wants_ml
    from models.fitting.ml import parse_model_spec
    from models.registry import model_class

    # an unknown model, or one that does not do the task, is named before any data are read
    model_class(parse_model_spec(args.model)[0]).check_does_task(args.task)
    if wants_ml(args):
        return run_ml_fit(args)
    from db.store import Store
    from mirrorlab.pipeline import default_stimulus_set, human_trials_for, run_model

    from analysis.cleaning import CleaningOptions

    stimulus_set = args.stimuli or default_stimulus_set(args.task)
    store = Store(args.db)
    cleaning = CleaningOptions(rt_min_ms=args.rt_min, rt_max_ms=args.rt_max, sd_trim=args.sd_trim,
                               drop_errors=not args.keep_errors)
    if args.own_sequences:
        from mirrorlab.pipeline import run_model_on_human_sequences
        from models.base import ModelInputError
        from stimuli.tasks import task_card, task_names

        if not task_card(args.task).order_matters or args.stimuli:
            ordered = [t for t in task_names() if task_card(t).order_matters]
            raise ModelInputError(f"--own-sequences is for tasks whose trial order matters "
                                  f"({', '.join(ordered)}), without --stimuli")
        human = human_trials_for(store, args.task, args.study)
        result = run_model_on_human_sequences(store, args.model, human, n=args.n, seed=args.seed,
                                              params=_params(args), cleaning=cleaning)
        _print_fit(result.fit)
        print(f"model run {result.run_id}: {result.model} fitted to {human['agent'].nunique()} "
              f"participants' {len(human)} trials (in-sample), simulated {result.n_trials} trials "
              f"on their own sequences, seed {result.seed} ({store.url})")
        return 0
    human = human_trials_for(store, args.task, args.study)
    result = run_model(store, args.model, stimulus_set, n=args.n, seed=args.seed,
                       params=_params(args), instructions=args.instruction, human_trials=human,
                       cleaning=cleaning)
    _print_fit(result.fit)
    print(f"model run {result.run_id}: {result.model} fitted to {human['agent'].nunique()} "
          f"participants' {len(human)} trials, simulated {result.n_trials} trials on {stimulus_set}, "
          f"seed {result.seed} ({store.url})")
    return 0
