"""``mirrorlab demo``: the whole pipeline on the embedded SQLite default, in a few minutes.

1. **People.** The real data bundled in ``db/datasets/``: Stroop from Pratte et al. (2010),
   38 participants; continuous naming from Stark et al. (2024), of whom the 20 controls are
   analysed. Picture–word interference has no bundled trial-level human data: its human side
   is the published aggregates of Glaser & Düngelhoff (1984), labelled ``published``. The
   association task has no bundled human data at all (the course's own students are the
   intended source), and the report says so.
2. **Models.** The Stroop models (Cohen et al. 1990, Cohen & Huston 1994, the Stroop CNN,
   WEAVER++) are fitted to the Pratte participants and simulated on the Stroop set; WEAVER++
   runs picture–word interference with its published defaults; the three accounts of
   cumulative semantic interference — Roelofs (2018), Howard et al. (2006) and the "dark side"
   model of Oppenheim et al. (2010) — are fitted to the Stark controls and replay each control's
   own trial sequence (in-sample, and the fit says so); the embedding model runs the Japanese
   association set with its defaults.
3. **Comparison.** Which model explains the Pratte participants, and how sure: Cohen 1990
   and WEAVER++ beside a dummy predictor and the per-condition ex-Gaussian, each fitted to
   each person by maximum likelihood and judged on held-out trials (held-out log-likelihood
   with paired CIs, AIC/BIC, protected exceedance probabilities; six people, three folds — the
   command for all 38 is in the docs). Then mixed-effects models and the descriptive
   human–model fit per task with people, cell-by-cell agreement with the published aggregates
   for picture–word, all in one self-contained HTML report, whose path is printed last.
4. **Simulated pilots** (``--no-pilots`` skips them): simulated participants do every task
   through the real PsychoPy loop (a private Xvfb is started when there is no screen). They
   are stored as ``source="simulated"``, never analysed as people, and get their own
   labelled section of the report.

Running it again reuses what the database already holds (imported data, pilot sessions) and
adds new model runs; the report uses each model's newest run.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any


#: (stimulus set, simulated-session trials, task parameters that shorten the demo); the task
#: is the set's. Picture–word interference uses a short fixed list over every SOA
#: (``DEMO_PICTURE_WORD_SET``, written by demo_picture_word_set from its source set).
DEMO_PICTURE_WORD_SET, DEMO_PICTURE_WORD_SOURCE = "picture-word-en-demo", "picture-word-en"
DEMO_SESSIONS = (
    ("stroop-en", 24, {"iti_ms": 200.0, "fixation_ms": 200.0}),
    (DEMO_PICTURE_WORD_SET, 72, {"iti_ms": 200.0, "fixation_ms": 200.0}),
    ("association-ja", 30, {"iti_ms": 200.0, "fixation_ms": 200.0}),
    ("continuous-naming-en", 80, {"iti_ms": 200.0, "fixation_ms": 200.0}),
)
PICTURE_WORD_TRIALS_PER_RELATION_AND_SOA = 2
#: The bundled human datasets whose people are the human side of their task (the task is the
#: mapping's): dataset -> (extras filter or None, how many participants --quick keeps or None).
HUMAN_DATASETS = {"pratte2010": (None, None), "stark2024": (("group", "control"), 4)}
#: (model, stimulus set, how it meets people); the task is the set's. "fit": fitted to the
#: task's people and simulated on the set; "replay": fitted to the people and simulated on their
#: own sequences (the set only names the task); "defaults": simulated with its published
#: defaults (no human trials to fit to).
DEMO_MODELS = (
    ("cohen1990", "stroop-en", "fit"),
    ("cohen-huston1994", "stroop-en", "fit"),
    ("stroop-cnn", "stroop-en", "fit"),
    ("weaver", "stroop-en", "fit"),
    ("weaver", "picture-word-en", "defaults"),
    ("weaver-cumulative", "continuous-naming-en", "replay"),
    ("howard2006", "continuous-naming-en", "replay"),
    ("dark-side", "continuous-naming-en", "replay"),
    ("embedding", "association-ja", "defaults"),
)
#: The likelihood comparison ("which model explains these people, and how sure?"): stimulus
#: set -> (models, participants, folds) and the same for --quick. Process models beside the dummy
#: predictor (condition codes × a slope) and the per-condition ex-Gaussian, so a score can be
#: read against what needs no mechanism at all. A subset of participants keeps the demo to
#: minutes; `mirrorlab compare --task stroop --heldout --models …` runs all 38.
DEMO_LIKELIHOOD_COMPARISON = {
    "stroop-en": (("cohen1990", "weaver", "dummy-conditions", "exgauss-conditions"), 6, 3),
}
DEMO_LIKELIHOOD_COMPARISON_QUICK = {"stroop-en": (("cohen1990", "dummy-conditions"), 2, 2)}
#: Published aggregates that are the human side of a task without trial-level people.
PUBLISHED_HUMAN_SIDE = ("glaser1984-picture-naming", "glaser1984-word-reading")
DEMO_STUDY = "demo"


@dataclass
class DemoOptions:
    db: str | None = None
    report: Path = Path("mirrorlab-demo-report.html")
    work_dir: Path = Path("mirrorlab-demo-files")
    tables_dir: Path | None = Path("mirrorlab-demo-tables")
    participants: int = 2
    n_model_agents: int = 10
    seed: int = 2026
    quick: bool = False          # fewer trials, no CNN, a few controls: for tests
    pilots: bool = True           # simulated pilot sessions in PsychoPy (their own section)
    parallel_sessions: int = 2
    engine: str = "mixedlm"       # seconds instead of minutes on demo-sized data
    structure: str = "auto"
    skip_models: tuple[str, ...] = field(default_factory=tuple)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _step(title: str, action: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    _say(f"[demo] {title} ...")
    result = action()
    _say(f"[demo] {title}: done in {time.perf_counter() - start:.1f} s")
    return result


def task_of_set(name: str) -> str:
    """The task of a bundled stimulus set (the demo's picture–word list: its source set's)."""
    from stimuli import load_set

    return load_set(DEMO_PICTURE_WORD_SOURCE if name == DEMO_PICTURE_WORD_SET else name).task


def task_of_dataset(name: str) -> str:
    """The task a bundled dataset's mapping stores its trials under."""
    from db.importer import load_mapping

    return load_mapping(name).constants["task"]


def human_side() -> dict[str, tuple[str, tuple | None, int | None]]:
    """task -> (study, extras filter, --quick participants) for the tasks with bundled people."""
    return {task_of_dataset(name): (name, *how) for name, how in HUMAN_DATASETS.items()}


def no_human_data_note(task: str) -> str:
    return (f"No human data for the {task} task is bundled with mirrorlab: the course's own "
            f"students are the intended source (`mirrorlab run {task}`). The model's "
            "choices are stored, but there is no one to compare them with here.")


def import_real_data(store) -> list[str]:
    """Import the bundled datasets the demo uses (each once)."""
    from db.importer import import_dataset

    studies = set(store.sessions_frame()["study"])
    notes = []
    for dataset in HUMAN_DATASETS:
        task = task_of_dataset(dataset)
        if dataset in studies:
            notes.append(f"{dataset} ({task}) already imported")
            continue
        result = import_dataset(store, dataset)
        notes.append(f"imported {dataset} ({task}): {result.n_participants} participants, "
                     f"{result.n_sessions} sessions, {result.n_trials} trials")
    return notes


def demo_people(store, task: str, quick: bool = False):
    """The human side of a task with people: the study's trials (e.g. the Stark controls)."""
    from mirrorlab.pipeline import human_trials_for

    study, only, quick_participants = human_side()[task]
    trials = human_trials_for(store, task, study)
    if only is not None:
        key, value = only
        trials = trials[[(e or {}).get(key) == value for e in trials["extras"]]]
    if quick and quick_participants:
        keep = sorted(trials["agent"].unique())[:quick_participants]
        trials = trials[trials["agent"].isin(keep)]
    return trials


def demo_picture_word_set(folder: Path, seed: int) -> Path:
    """A copy of ``picture-word-en`` with a short fixed trial list (``trials.csv``) that still
    covers every SOA: SOA blocks in order, each with every distractor relation on
    ``PICTURE_WORD_TRIALS_PER_RELATION_AND_SOA`` pictures (rotating through all pictures),
    shuffled within the block. The full design (576 trials) is what a real session runs."""
    import csv
    import shutil

    import numpy as np

    from stimuli import load_set

    source = load_set(DEMO_PICTURE_WORD_SOURCE)
    target = folder / DEMO_PICTURE_WORD_SET
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(source.path / "items.csv", target / "items.csv")
    toml = (source.path / "set.toml").read_text(encoding="utf-8")
    toml = toml.replace(f'name = "{DEMO_PICTURE_WORD_SOURCE}"', f'name = "{DEMO_PICTURE_WORD_SET}"', 1)
    (target / "set.toml").write_text(toml, encoding="utf-8")
    items = source.items
    roles = items["role"] if "role" in items.columns else None
    experimental = list(items.loc[roles != "practice", "item_id"]) if roles is not None else list(items["item_id"])
    practice = list(items.loc[roles == "practice", "item_id"]) if roles is not None else experimental[:2]
    relations = ("identical", "related", "unrelated", "nonword")
    rng = np.random.default_rng(seed)
    rows = [{"item_id": item, "condition": relations[k % 4], "soa_ms": 0, "block": 0}
            for k, item in enumerate(practice[:2])]
    per_block = PICTURE_WORD_TRIALS_PER_RELATION_AND_SOA * len(relations)
    for block, soa_ms in enumerate(source.metadata["design"]["soas_ms"], start=1):
        block_rows = [{"item_id": experimental[(block * per_block + k) % len(experimental)],
                       "condition": relations[k // PICTURE_WORD_TRIALS_PER_RELATION_AND_SOA],
                       "soa_ms": soa_ms, "block": block} for k in range(per_block)]
        rows += [block_rows[i] for i in rng.permutation(per_block)]
    with open(target / "trials.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["item_id", "condition", "soa_ms", "block"])
        writer.writeheader()
        writer.writerows(rows)
    load_set(str(target))  # validate what was written
    return target


def session_commands(store, options: DemoOptions) -> list[tuple[str, list[str]]]:
    """The ``mirrorlab run … --simulate`` command of every demo session not yet stored."""
    existing = store.sessions_frame()
    done = set(zip(existing["participant"], existing["task"])) if len(existing) else set()
    commands = []
    for stimulus_set, n_trials, params in DEMO_SESSIONS:
        task = task_of_set(stimulus_set)
        if options.quick:
            n_trials = min(n_trials, 24)
        for k in range(1, options.participants + 1):
            code = f"SIM{k:02d}"
            if (code, task) in done:
                continue
            if stimulus_set == DEMO_PICTURE_WORD_SET:
                stimulus_set = str(demo_picture_word_set(options.work_dir, options.seed))
            command = [sys.executable, "-m", "mirrorlab", "run", task, "--participant", code,
                       "--stimuli", stimulus_set, "--simulate", "--windowed",
                       "--csv-dir", str(options.work_dir / "psychopy-csv"),
                       "--max-trials", str(n_trials), "--max-practice", "2",
                       "--study", DEMO_STUDY, "--seed", str(options.seed + k),
                       "--db", store.engine.url.render_as_string(hide_password=False)]
            for name, value in params.items():
                command += ["--param", f"{name}={value}"]
            commands.append((f"{task} {code}", command))
    return commands


def run_simulated_sessions(store, options: DemoOptions) -> list[str]:
    """Simulated participants through the real PsychoPy loop: each session is a real
    ``mirrorlab run --simulate`` process, ``parallel_sessions`` at a time, each on a private
    Xvfb display of its own (on one shared display the simulated key presses, sent with XTEST
    to whichever window has the focus, would reach the other session's window)."""
    import os
    import subprocess

    from mirrorlab.virtual_display import display_answers, private_displays

    commands = session_commands(store, options)
    if not commands:
        return ["all simulated sessions already in the database"]
    with private_displays(max(1, options.parallel_sessions)) as displays:
        if not displays and display_answers(os.environ.get("DISPLAY")):
            displays = [os.environ["DISPLAY"]]      # no Xvfb: the screen, one session at a time
        if not displays:
            return ["no display and no Xvfb: simulated sessions skipped"]
        notes = []
        pending = list(commands)
        running: list[tuple[str, str, subprocess.Popen]] = []
        while pending or running:
            free = [d for d in displays if d not in {display for _, display, _ in running}]
            while pending and free:
                label, command = pending.pop(0)
                display = free.pop(0)
                process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                           text=True, env={**os.environ, "DISPLAY": display})
                running.append((label, display, process))
            label, _, process = running.pop(0)
            out, err = process.communicate()
            if process.returncode != 0:
                lines = (err or out).strip().splitlines()
                notes.append(f"{label}: failed ({lines[-1] if lines else process.returncode})")
            else:
                notes.append(f"{label}: " + (out.strip().splitlines() or ["done"])[-1])
    return notes


def run_models(store, options: DemoOptions) -> list[str]:
    """Every demo model, fitted to people where the task has them (see DEMO_MODELS)."""
    from mirrorlab.pipeline import run_model, run_model_on_human_sequences
    from models.base import ModelInputError

    notes = []
    for model, stimulus_set, how in DEMO_MODELS:
        task = task_of_set(stimulus_set)
        if model in options.skip_models or (options.quick and model == "stroop-cnn"):
            continue
        human = None
        if how in ("fit", "replay"):
            try:
                human = demo_people(store, task, options.quick)
            except ModelInputError as exc:
                notes.append(f"{model} on {task}: not fitted ({exc})")
                continue
        if how == "replay":
            who = f"{human['agent'].nunique()} Stark controls' own sequences"
            result = _step(f"fit {model} to the Stark controls and replay {who}",
                           lambda: run_model_on_human_sequences(store, model, human, n=1,
                                                                seed=options.seed))
        else:
            title = (f"fit {model} to {human['agent'].nunique()} people and simulate on {stimulus_set}"
                     if how == "fit" else f"simulate {model} on {stimulus_set} (published defaults; "
                                          "no human trials to fit to)")
            result = _step(title, lambda: run_model(store, model, stimulus_set,
                                                    n=options.n_model_agents, seed=options.seed,
                                                    human_trials=human))
        fit = result.fit or {}
        summary = ", ".join(f"{k} {fit[k]:.3g}" for k in ("r", "rmse_ms") if isinstance(fit.get(k), (int, float)))
        notes.append(f"{model} on {task}: run {result.run_id}, {result.n_trials} trials" +
                     (f" (in-sample fit: {summary})" if summary else ""))
    return notes


@dataclass
class SimulatedPilots:
    """The report's section on simulated pilot sessions: what they did, apart from people."""

    sessions: Any
    means: Any
    task: str = "simulated-pilots"

    def tables(self) -> dict:
        return {"sessions": self.sessions, "condition_means": self.means}

    def summary_text(self) -> str:
        return (f"Simulated pilots, not people: {len(self.sessions)} session(s) answered by "
                "simulated participants in PsychoPy; left out of every analysis above.")

    def section_html(self) -> list[str]:
        from analysis.report import table_html

        return ["<h1>Simulated pilots (not people)</h1>",
                '<div class="note">These sessions were answered by simulated participants '
                "through the real PsychoPy loop (`mirrorlab run --simulate`), to check the "
                "experiments. They are stored with source = simulated and are left out of every "
                "analysis above; their RTs are drawn from a simulation profile, not measured "
                "from anyone.</div>",
                "<h2>Sessions</h2>", table_html(self.sessions),
                "<h2>Mean RT per task and condition (correct trials)</h2>", table_html(self.means)]


def simulated_pilots_section(store) -> SimulatedPilots | None:
    sessions = store.sessions_frame()
    pilots = sessions[sessions["simulated"]] if len(sessions) else sessions
    if pilots.empty:
        return None
    trials = store.trials_frame(source="simulated")
    correct = trials[trials["correct"].fillna(False).astype(bool)]
    means = (correct.groupby(["task", "condition"])["rt_ms"].agg(["mean", "size"])
             .rename(columns={"mean": "rt_ms", "size": "n_trials"}).reset_index())
    columns = ["session_id", "study", "participant", "task", "status", "seed", "stimulus_set", "n_trials"]
    return SimulatedPilots(sessions=pilots[columns].reset_index(drop=True), means=means)


def run_likelihood_comparisons(store, options: DemoOptions) -> dict:
    """task -> ModelSelectionResult: models fitted to each person by maximum likelihood and
    judged on held-out trials (stored as they finish; a second demo run reuses them)."""
    from mirrorlab.model_comparison import ComparisonOptions, run_model_comparison

    plans = DEMO_LIKELIHOOD_COMPARISON_QUICK if options.quick else DEMO_LIKELIHOOD_COMPARISON
    selections = {}
    for stimulus_set, (models, n_people, n_folds) in plans.items():
        task = task_of_set(stimulus_set)
        study = human_side()[task][0]
        people = sorted(demo_people(store, task, options.quick)["agent"].astype(str).unique())[:n_people]
        comparison = ComparisonOptions(task=task, models=list(models), n_folds=n_folds,
                                       seed=options.seed, participants=people, study=study)
        selections[task] = _step(
            f"held-out likelihood of {', '.join(models)} on {len(people)} {study} people "
            f"({n_folds} folds each)",
            lambda: run_model_comparison(store, comparison, progress=False))
        _say(f"[demo]   {selections[task].summary_text()}")
    return selections


def compare_and_report(store, options: DemoOptions, selections: dict | None = None) -> Path:
    from analysis import compare, write_report
    from analysis.published_side import NoHumanData, compare_with_published

    from stimuli.published import published_table
    from stimuli.tasks import task_names

    people = human_side()
    published: dict[str, list[str]] = {}
    for key in PUBLISHED_HUMAN_SIDE:
        published.setdefault(published_table(key).task, []).append(key)
    results = []
    for task in task_names():
        if task in people:
            study = people[task][0]
            sessions = sorted(set(demo_people(store, task, options.quick)["session_id"]))
            results.append(_step(
                f"compare people ({study}, {len(sessions)} sessions) and models on {task}",
                lambda: compare(store, task, engine=options.engine, structure=options.structure,
                                human_sessions=sessions)))
            if task in (selections or {}):
                from analysis.report_model_selection import attach_model_selection

                results.append(attach_model_selection(results[-1], selections[task]))
        elif task in published:
            results.append(_step(f"compare models on {task} with published aggregates",
                                 lambda: compare_with_published(store, task, published[task])))
        else:
            results.append(NoHumanData(task, no_human_data_note(task)))
    pilots = simulated_pilots_section(store)
    if pilots is not None:
        results.append(pilots)
    from mirrorlab.report_projection import attach_embedding_projections

    attach_embedding_projections(store, results)
    return write_report(results, options.report, tables_dir=options.tables_dir)


def run_demo(options: DemoOptions) -> Path:
    from db.store import Store

    store = Store(options.db)
    _say(f"[demo] database: {store.url}")
    for note in _step("import people (bundled datasets)", lambda: import_real_data(store)):
        _say(f"[demo]   {note}")
    for note in _step("models", lambda: run_models(store, options)):
        _say(f"[demo]   {note}")
    if options.pilots:
        for note in _step("simulated pilots in PsychoPy (not people; own report section)",
                          lambda: run_simulated_sessions(store, options)):
            _say(f"[demo]   {note}")
    else:
        _say("[demo] simulated pilots: skipped (--no-pilots)")
    selections = _step("which model explains these people (held-out likelihood)",
                       lambda: run_likelihood_comparisons(store, options))
    report = _step("report", lambda: compare_and_report(store, options, selections))
    return Path(report).resolve()
