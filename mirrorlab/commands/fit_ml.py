"""``mirrorlab fit MODEL --task T --per-participant [--free a,b]``: maximum-likelihood fits.

Used by ``mirrorlab fit`` (``models_cmd``) when ``--per-participant``, ``--pooled``,
``--hierarchical`` or ``--free`` is given: fits the model to the human trials of the task by
maximum likelihood (BADS), one participant at a time or pooled, prints one line per fit and
stores each fit as a model run (fitted parameters, log-likelihood, AIC/BIC, optimiser trace,
seed). ``--hierarchical`` fits every participant at once by empirical Bayes
(``models.fitting.hierarchical``: a population prior estimated by EM, MAP fits per participant,
one call per participant per iteration on ``mirrorlab.distributed.map_calls``).
"""

from __future__ import annotations

import argparse
import sys


def add_ml_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--per-participant", action="store_true",
                        help="maximum-likelihood fit per participant (BADS); stores one model run each")
    parser.add_argument("--pooled", action="store_true",
                        help="one maximum-likelihood fit to all participants together")
    parser.add_argument("--free", metavar="A,B", help="parameters to estimate (default: the model's; "
                                                      "see docs/models/fitting.md)")
    parser.add_argument("--participants", metavar="A,B",
                        help="fit only these participant codes (default: every participant)")
    parser.add_argument("--max-evals", type=int, help="BADS evaluations per fit "
                                                      "(default 60 × (free parameters + 1))")
    parser.add_argument("--hierarchical", action="store_true",
                        help="empirical-Bayes fit of every participant with a population prior "
                             "estimated by EM (Huys et al. 2011); stores one model run each")
    parser.add_argument("--iterations", type=int, default=8, metavar="N",
                        help="--hierarchical: at most N EM iterations after the independent fits "
                             "(default %(default)s)")
    parser.add_argument("--workers", type=int, default=0, metavar="N",
                        help="--hierarchical: Dask workers on this machine for the per-participant "
                             "fits (default 0: in this process)")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="--hierarchical: a running Dask scheduler for the per-participant fits")
    parser.add_argument("--predictive", action="store_true",
                        help="with --per-participant: also simulate each participant at their fit on "
                             "their own trials and store it as one run, for the RT-distribution views "
                             "(quantiles, delta plots, CAFs) of `mirrorlab compare`")


def wants_ml(args: argparse.Namespace) -> bool:
    return bool(args.per_participant or args.pooled or args.free
                or getattr(args, "hierarchical", False))


def run_ml_fit(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from db.store import Store
    from mirrorlab.pipeline import human_trials_for, new_seed, parse_params
    from models.fitting.ml import build_model, fit_per_participant, fit_pooled, store_fit

    store = Store(args.db)
    human = human_trials_for(store, args.task, args.study)
    if args.participants:
        from models.base import ModelInputError

        wanted = [c.strip() for c in args.participants.split(",") if c.strip()]
        known = set(human["agent"].astype(str))
        unknown = [c for c in wanted if c not in known]
        if unknown:
            raise ModelInputError(f"no human {args.task} trials of participant(s) "
                                  f"{', '.join(unknown)} in {store.url}")
        human = human[human["agent"].astype(str).isin(wanted)]
    params = parse_params(args.param)
    model, _ = build_model(args.model, params)
    model.check_task(human)
    seed = args.seed if args.seed is not None else new_seed()
    if args.hierarchical:
        return _run_hierarchical(args, store, human, params, seed)
    options = dict(params=params, free=args.free, seed=seed, max_fun_evals=args.max_evals)
    if args.per_participant:
        codes = human["agent"].nunique()
        with tqdm(total=codes, desc=f"fit {args.model}", file=sys.stderr) as bar:
            results = fit_per_participant(args.model, human, progress=bar.update, **options)
    else:
        results = [fit_pooled(args.model, human, **options)]
    total_loglik = 0.0
    for result in results:
        rows = human if result.participant is None else human[human["agent"].astype(str) == result.participant]
        run_id = store_fit(store, result, task=args.task, trials=rows)
        total_loglik += result.loglik
        values = ", ".join(f"{k}={v:.4g}" for k, v in result.params.items()
                           if isinstance(v, (int, float)))
        print(f"{result.participant or 'pooled'}: {values}; loglik {result.loglik:.1f} over "
              f"{result.n_trials} trials, BIC {result.bic:.1f}, {result.n_evaluations} evaluations, "
              f"{result.elapsed_s:.1f} s (model run {run_id})")
    print(f"{args.model}: {len(results)} maximum-likelihood fit(s) to {args.task} human trials, "
          f"total loglik {total_loglik:.1f} (in-sample), seed {seed} ({store.url})")
    if args.per_participant and getattr(args, "predictive", False):
        # the posterior-predictive views of `mirrorlab compare`: each person simulated at their fit
        from models.fitting.predictive import store_predictive_run

        run_id = store_predictive_run(store, args.model, args.task, human, seed=seed)
        print(f"{args.model}: each participant simulated at their fit on their own trials for the "
              f"RT-distribution views of `mirrorlab compare` (model run {run_id})")
    return 0


def _run_hierarchical(args, store, human, params, seed) -> int:
    from models.base import ModelInputError
    from models.fitting.hierarchical import fit_hierarchical, store_hierarchical

    if args.per_participant or args.pooled:
        raise ModelInputError("--hierarchical fits every participant with a population prior; "
                              "give it without --per-participant or --pooled")
    if args.iterations < 1:
        raise ModelInputError(f"--iterations must be at least 1, not {args.iterations}")
    if args.workers < 0:
        raise ModelInputError(f"--workers must be 0 or more, not {args.workers}")

    def report(step):
        print(f"iteration {step['iteration']} ({step['prior']} prior): total loglik "
              f"{step['total_loglik']:.1f}, population mean (z) "
              f"{', '.join(f'{v:.3f}' for v in step['mean_z'])}, sd (z) "
              f"{', '.join(f'{v:.3f}' for v in step['sd_z'])}", file=sys.stderr)

    result = fit_hierarchical(args.model, human, free=args.free, params=params, seed=seed,
                              max_iterations=args.iterations, max_fun_evals=args.max_evals,
                              scheduler=args.scheduler, workers=args.workers, progress=report)
    run_ids = store_hierarchical(store, result, task=args.task, trials=human)
    for (code, values), run_id in zip(result.participants.items(), run_ids):
        shown = ", ".join(f"{k}={v:.4g} (ML {result.independent[code][k]:.4g})" for k, v in values.items())
        print(f"{code}: {shown}; loglik {result.loglik[code]:.1f} (model run {run_id})")
    population = ", ".join(f"{k}={v:.4g} (sd {result.population_sd_z[k]:.3f} in logit units)"
                           for k, v in result.population_mean.items())
    state = "converged" if result.converged else "stopped at the iteration limit"
    print(f"{args.model}: hierarchical fit of {len(run_ids)} participants ({args.task} human trials), "
          f"population {population}; {len(result.iterations)} iterations, {state}, in-sample, "
          f"seed {seed} ({store.url})")
    return 0
