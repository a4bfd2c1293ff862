"""``mirrorlab run TASK``: run one session of a task with a participant in PsychoPy.

Nothing heavy is imported until the command runs (``mirrorlab --help`` stays fast).
"""

from __future__ import annotations

import argparse

from mirrorlab.cli import add_db_option



def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "run", help="run a session of a task with a participant (PsychoPy)",
        description="Run one session: instructions (en/ja), practice with feedback, main blocks "
                    "with breaks, end screen. Every trial is stored in the database as it ends "
                    "and written to a PsychoPy-style CSV beside it. Escape asks to end the "
                    "session (kept as 'aborted'); --resume continues a stopped session.",
        epilog="Examples: mirrorlab run stroop --participant P01 --windowed; "
               "mirrorlab run picture-word --participant P02 --response voice; "
               "mirrorlab run stroop --participant SIM1 --simulate --windowed --max-trials 24. "
               "Task parameters: --param NAME=VALUE (see --list-params).")
    from stimuli.tasks import task_names

    parser.add_argument("task", metavar="TASK", choices=task_names(),
                        help="one of: " + ", ".join(task_names()))
    parser.add_argument("--participant", metavar="CODE",
                        help="participant code (default: ask in PsychoPy's participant dialog)")
    parser.add_argument("--session", type=int, default=1, metavar="N",
                        help="session number (default 1)")
    parser.add_argument("--stimuli", metavar="SET_OR_FILE",
                        help="bundled set name, set folder or items.csv (default: TASK-LANG)")
    parser.add_argument("--lang", choices=("en", "ja"),
                        help="language of instructions and default set (default: the set's)")
    parser.add_argument("--instruction", metavar="NAME",
                        help="e.g. colour_naming or word_reading (default: the set's first)")
    parser.add_argument("--response", choices=("keyboard", "voice"), default="keyboard",
                        help="keyboard (default) or voice (microphone + voice key)")
    parser.add_argument("--windowed", action="store_true",
                        help="a window instead of full screen (piloting, demos)")
    parser.add_argument("--resume", action="store_true",
                        help="continue this participant's stopped session at its next trial")
    parser.add_argument("--simulate", action="store_true",
                        help="a simulated participant answers with real key events (XTEST)")
    parser.add_argument("--sim-param", action="append", default=[], metavar="NAME=VALUE",
                        help="simulated participant parameter, e.g. tau_ms=80 (repeatable)")
    parser.add_argument("--seed", type=int, metavar="S",
                        help="seed of the trial order and the simulation (default: from "
                             "participant, task and session; recorded)")
    parser.add_argument("--csv-dir", metavar="DIR",
                        help="folder of the PsychoPy-style CSV (default: data/ beside the "
                             "SQLite database)")
    parser.add_argument("--max-trials", type=int, metavar="N",
                        help="only the first N main trials (pilots, demos)")
    parser.add_argument("--max-practice", type=int, metavar="N",
                        help="only the first N practice trials")
    parser.add_argument("--no-practice", action="store_true", help="skip the practice block")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="task parameter, e.g. iti_ms=800 or key_map=red:d,green:f,"
                             "blue:j,yellow:k (repeatable)")
    parser.add_argument("--screenshots", metavar="DIR",
                        help="save a PNG of each trial's display (taken between trials; for "
                             "checking stimuli and methods figures)")
    parser.add_argument("--study", default="default", help="study name (default: default)")
    parser.add_argument("--list-params", action="store_true",
                        help="print the task's parameters with defaults and sources, then exit")
    add_db_option(parser)
    parser.set_defaults(handler=run_command)


#: Allowed values of the simulated participant's parameters (ms unless a rate or a scale).
SIM_PARAM_RANGES = {
    "sigma_ms": (0.0, 5000.0, False), "tau_ms": (0.0, 5000.0, False),
    "effect_scale": (0.0, 100.0, True), "mean_shift_ms": (-5000.0, 5000.0, True),
    "error_rate": (0.0, 1.0, True), "conflict_error_rate": (0.0, 1.0, True),
    "screen_reading_ms": (0.0, 600_000.0, True), "min_rt_ms": (0.0, 5000.0, True),
}


def check_simulation_params(values) -> None:
    """``--sim-param`` values inside their range (``tau_ms`` > 0, rates 0–1, …): a value
    the simulation would quietly clamp is refused instead."""
    import math

    from experiments.errors import ExperimentError

    for name, value in (values or {}).items():
        if name not in SIM_PARAM_RANGES:
            continue                    # unknown names: the simulated participant says so
        low, high, low_allowed = SIM_PARAM_RANGES[name]
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ExperimentError(f"--sim-param {name}={value!r}: not a number") from None
        if not math.isfinite(number) or number > high or number < low or (
                number == low and not low_allowed):
            bound = f"{'≥' if low_allowed else '>'} {low:g} and ≤ {high:g}"
            raise ExperimentError(f"--sim-param {name}={value}: must be {bound}")


def run_command(args: argparse.Namespace) -> int:
    from experiments.errors import ExperimentError
    from experiments.parameters import describe, parse_param_options
    from experiments.tasks import task_class

    if args.list_params:
        cls = task_class(args.task)
        print(f"{args.task} parameters (name = default unit: meaning [source]):")
        print(describe(cls.parameters()))
        return 0
    for name, value in (("--max-trials", args.max_trials), ("--max-practice", args.max_practice)):
        if value is not None and value < 0:
            raise ExperimentError(f"{name} {value}: must be ≥ 0")
    params = parse_param_options(args.param)
    simulation = parse_param_options(args.sim_param)
    if simulation and not args.simulate:
        raise ExperimentError("--sim-param needs --simulate")
    check_simulation_params(simulation)

    from experiments.runner import run_session
    from experiments.session_options import SessionOptions

    options = SessionOptions(
        session=args.session, stimuli=args.stimuli, language=args.lang,
        instruction=args.instruction, response=args.response, db=args.db,
        windowed=args.windowed, resume=args.resume, simulate=args.simulate,
        simulation=simulation or None, seed=args.seed, csv_dir=args.csv_dir,
        max_trials=args.max_trials, max_practice_trials=args.max_practice,
        practice=not args.no_practice, params=params, study=args.study,
        screenshot_dir=args.screenshots)
    session_id = run_session(args.task, args.participant, options)
    from db.store import Store

    store = Store(args.db)
    session = store.get_session(session_id)
    n_trials = store.count_trials(session_id=session_id)
    code = store.session_participant_code(session_id)
    print(f"session {session_id}: {args.task}, participant {code} session "
          f"{session.session_number}, {session.status}, {n_trials} trials stored; "
          f"CSV {session.csv_path}")
    return 0
