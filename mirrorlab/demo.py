"""``mirrorlab demo``: the whole pipeline on the embedded SQLite default, in a few minutes.

1. **People.** The real Stroop data of Pratte et al. (2010) are imported (when the shared data
   folder is there), and simulated participants do every task through the real PsychoPy loop
   (a private Xvfb is started when there is no screen); their trials are committed as they end.
2. **Models.** Every model is fitted to the human trials of its task and simulated on the same
   stimulus set people saw: Cohen et al. (1990), Cohen & Huston (1994), the Stroop CNN and
   WEAVER++ on Stroop; WEAVER++ on picture–word interference; the Roelofs (2018) and
   Howard et al. (2006) accounts on continuous naming; the embedding model on the Japanese
   association set.
3. **Comparison.** Mixed-effects models and human–model fit per task, written into one
   self-contained HTML report, whose path is printed last.

Running it again reuses what the database already holds (imported data, simulated sessions)
and adds new model runs; the report uses each model's newest run.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mirrorlab.virtual_display import virtual_display_if_needed

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
#: (model, stimulus set it is fitted for and simulated on, extra parameters); the task is the set's.
DEMO_MODELS = (
    ("cohen1990", "stroop-en", {}),
    ("cohen-huston1994", "stroop-en", {}),
    ("stroop-cnn", "stroop-en", {}),
    ("weaver", "stroop-en", {}),
    ("weaver", "picture-word-en", {}),
    ("weaver-cumulative", "continuous-naming-en", {}),
    ("howard2006", "continuous-naming-en", {}),
    ("embedding", "association-ja", {}),
)


def task_of_set(name: str) -> str:
    """The task of a bundled stimulus set (the demo's picture–word list: its source set's)."""
    from stimuli import load_set

    return load_set(DEMO_PICTURE_WORD_SOURCE if name == DEMO_PICTURE_WORD_SET else name).task
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
    quick: bool = False          # fewer trials, no CNN: for tests
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


def import_real_data(store) -> str:
    from db.errors import ImportMappingError
    from db.importer import import_dataset

    if "pratte2010" in set(store.sessions_frame()["study"]):
        return "Pratte et al. (2010) already imported"
    try:
        result = import_dataset(store, "pratte2010")
    except ImportMappingError as exc:  # no shared data folder on this machine
        return f"real data not imported ({exc})"
    return f"imported Pratte et al. (2010): {result.n_participants} participants, {result.n_trials} trials"


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
    ``mirrorlab run --simulate`` process (two at a time), under a private Xvfb if needed."""
    import subprocess

    commands = session_commands(store, options)
    if not commands:
        return ["all simulated sessions already in the database"]
    with virtual_display_if_needed() as display:
        if display is None:
            return ["no display and no Xvfb: simulated sessions skipped"]
        notes = []
        pending = list(commands)
        running: list[tuple[str, subprocess.Popen]] = []
        while pending or running:
            while pending and len(running) < options.parallel_sessions:
                label, command = pending.pop(0)
                running.append((label, subprocess.Popen(command, stdout=subprocess.PIPE,
                                                        stderr=subprocess.PIPE, text=True)))
            label, process = running.pop(0)
            out, err = process.communicate()
            if process.returncode != 0:
                lines = (err or out).strip().splitlines()
                notes.append(f"{label}: failed ({lines[-1] if lines else process.returncode})")
            else:
                notes.append(f"{label}: " + (out.strip().splitlines() or ["done"])[-1])
    return notes


def run_models(store, options: DemoOptions) -> list[str]:
    from mirrorlab.pipeline import human_trials_for, run_model
    from models.base import ModelInputError

    notes = []
    for model, stimulus_set, params in DEMO_MODELS:
        task = task_of_set(stimulus_set)
        if model in options.skip_models or (options.quick and model == "stroop-cnn"):
            continue
        try:
            human = human_trials_for(store, task)
        except ModelInputError as exc:
            notes.append(f"{model} on {task}: not fitted ({exc})")
            continue
        result = _step(f"fit and simulate {model} on {stimulus_set}",
                       lambda: run_model(store, model, stimulus_set, n=options.n_model_agents,
                                         seed=options.seed, params=params, human_trials=human))
        fit = result.fit or {}
        summary = ", ".join(f"{k} {fit[k]:.3g}" for k in ("r", "rmse_ms") if isinstance(fit.get(k), (int, float)))
        notes.append(f"{model} on {task}: run {result.run_id}, {result.n_trials} trials" +
                     (f" ({summary})" if summary else ""))
    return notes


def compare_and_report(store, options: DemoOptions) -> Path:
    from analysis import compare, write_report

    results = []
    from stimuli.tasks import task_names

    for task in task_names():
        if store.count_trials(task=task) == 0:
            continue
        results.append(_step(f"compare people and models on {task}",
                             lambda: compare(store, task, engine=options.engine,
                                             structure=options.structure)))
    from mirrorlab.report_projection import attach_embedding_projections

    attach_embedding_projections(store, results)
    return write_report(results, options.report, tables_dir=options.tables_dir)


def run_demo(options: DemoOptions) -> Path:
    from db.store import Store

    store = Store(options.db)
    _say(f"[demo] database: {store.url}")
    _say("[demo] " + _step("import real data", lambda: import_real_data(store)))
    for note in _step("simulated participants in PsychoPy", lambda: run_simulated_sessions(store, options)):
        _say(f"[demo]   {note}")
    for note in _step("models", lambda: run_models(store, options)):
        _say(f"[demo]   {note}")
    report = _step("report", lambda: compare_and_report(store, options))
    return Path(report).resolve()
