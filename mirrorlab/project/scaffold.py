"""``mirrorlab project new DIR --replicate TARGET``: a project folder ready for a first pilot.

Writes ``project.toml`` (see ``mirrorlab.project.config``), ``README.md`` (English) and
``README.ja.md`` (Japanese) for students. Nothing has to be edited before the pilot command in
the README runs: it uses a bundled stimulus set whose hash is recorded, so ``project merge``
can later refuse sessions run on other stimuli.
"""

from __future__ import annotations

from pathlib import Path

from mirrorlab import __version__
from mirrorlab.project import config as project_config
from mirrorlab.project.errors import ProjectError
from mirrorlab.project.targets import ReplicationTarget, original_effect, target

DEFAULT_TRIALS_PER_LEVEL = (5, 10, 20, 40, 80)
DEFAULT_SEED = 18


def _participants_grid(n_original: int | None) -> list[int]:
    grid = {4, 6, 10, 20, 30, 40, 60}     # 4–6: one student group
    if n_original:
        grid.add(int(n_original))
    return sorted(grid)


def pilot_command(t: ReplicationTarget, stimulus_set: str, study: str) -> str:
    parts = ["mirrorlab run", t.task, "--stimuli", stimulus_set]
    if t.instruction:
        parts += ["--instruction", t.instruction]
    parts += ["--participant PILOT1 --simulate --windowed --no-practice",
              f"--max-trials {t.pilot_max_trials}", "--db pilot.db", f"--study {study}"]
    return " ".join(parts)


def build_config(t: ReplicationTarget, name: str, language: str) -> dict:
    from stimuli import load_set

    stimulus_set = load_set(t.stimulus_set(language))
    original = original_effect(t)
    n_original = original.get("n_participants") or t.n_original
    return {
        "project": {"name": name, "target": t.name, "title": t.title,
                    "created_with": f"mirrorlab {__version__}"},
        "task": {"name": t.task, "stimulus_set": stimulus_set.name,
                 "stimulus_set_hash": stimulus_set.hash, "language": language,
                 "instruction": t.instruction,
                 "task_version": project_config.task_version(__version__)},
        "groups": {"participants_per_group": t.participants_per_group},
        "analysis": {"formula": t.formula, "effect": t.effect_label, **t.design.to_mapping(),
                     "rt_min_ms": 200.0, "rt_max_ms": 3000.0, "min_accuracy": 0.8,
                     "include_simulated": False},
        "original": {**original, "n_participants": n_original},
        "verdict": {"rules": list(t.rules), "alpha": 0.05,
                    "sesoi_ms": round(abs(float(original["effect_ms"])) / 2.0, 2)},
        "power": {"participants": _participants_grid(n_original),
                  "trials_per_level": list(DEFAULT_TRIALS_PER_LEVEL), "n_simulations": 500,
                  "seed": DEFAULT_SEED, "variance_components": t.variance_note},
        "pilot": {"command": pilot_command(t, stimulus_set.name, name)},
    }


COMMENTS = {
    "task": "task_version = mirrorlab major.minor; merge refuses sessions of another version or stimulus-set hash",
    "analysis": "the preregistered analysis: the fixed effect of `formula`, after these exclusions",
    "original": "source: human = computed from the original trials bundled with mirrorlab; published = from the paper",
    "verdict": "rules: small-telescopes (Simonsohn 2015) and/or equivalence (TOST against ±sesoi_ms); docs/projects.md",
    "power": "`mirrorlab project power DIR` simulates the preregistered model on this grid",
    "pilot": "a simulated participant (labelled simulated, never analysed as a person unless asked)",
}


def readme_en(cfg: dict) -> str:
    task, original, analysis = cfg["task"], cfg["original"], cfg["analysis"]
    return f"""# {cfg['project']['title']} — class replication project `{cfg['project']['name']}`

You are replicating **{original['citation']}**. The effect: **{analysis['effect']}**,
originally **{original['effect_ms']} ms** (source: {original['source']}).

## 1. Try the experiment (simulated pilot, no participant needed)

    {cfg['pilot']['command']}

A simulated participant presses the keys; its trials go to `pilot.db` and are labelled
*simulated*. They never count as people.

## 2. Test your participants ({cfg['groups']['participants_per_group']} per group)

Each group uses its own database file, e.g. group 1:

    mirrorlab run {task['name']} --stimuli {task['stimulus_set']}{' --instruction ' + task['instruction'] if task.get('instruction') else ''} --participant G1P01 --db group1.db --study {cfg['project']['name']}

Use a new participant code for each person. Do not change the stimulus set: sessions on
other stimuli (another hash than `{task['stimulus_set_hash'][:12]}…`) are refused when merged.

## 3. Hand in `groupN.db`; your instructor merges and reports

    mirrorlab project merge . group1.db group2.db …
    mirrorlab project report .          # or --lang ja

Preregistered analysis: `{analysis['formula']}`, excluding errors, RTs outside
{analysis['rt_min_ms']:.0f}–{analysis['rt_max_ms']:.0f} ms and participants below
{analysis['min_accuracy']:.0%} accuracy. Verdict rules: {', '.join(cfg['verdict']['rules'])}
(see docs/projects.md). Power plan: `mirrorlab project power .`.
"""


def readme_ja(cfg: dict) -> str:
    task, original, analysis = cfg["task"], cfg["original"], cfg["analysis"]
    return f"""# {cfg['project']['title']} — 授業の追試プロジェクト `{cfg['project']['name']}`

追試する研究: **{original['citation']}**。効果: **{analysis['effect']}**、
元の研究では **{original['effect_ms']} ms**（出典の種類: {original['source']}）。

## 1. 実験を試す（シミュレーション参加者によるパイロット、参加者は不要）

    {cfg['pilot']['command']}

シミュレーション参加者がキーを押します。試行は `pilot.db` に保存され、*simulated*
（シミュレーション）と表示されます。人のデータとしては数えられません。

## 2. 参加者を測定する（1グループ {cfg['groups']['participants_per_group']} 名）

グループごとに自分のデータベースファイルを使います。例（グループ1）:

    mirrorlab run {task['name']} --stimuli {task['stimulus_set']}{' --instruction ' + task['instruction'] if task.get('instruction') else ''} --participant G1P01 --db group1.db --study {cfg['project']['name']}

参加者ごとに新しい参加者コードを使ってください。刺激セットは変更しないでください。
ハッシュが `{task['stimulus_set_hash'][:12]}…` と異なる刺激で行ったセッションは統合時に拒否されます。

## 3. `groupN.db` を提出する（統合とレポートは教員が行います）

    mirrorlab project merge . group1.db group2.db …
    mirrorlab project report . --lang ja

事前登録した分析: `{analysis['formula']}`。誤答、{analysis['rt_min_ms']:.0f}–{analysis['rt_max_ms']:.0f} ms
の範囲外の反応時間、正答率 {analysis['min_accuracy']:.0%} 未満の参加者を除外します。
判定ルール: {', '.join(cfg['verdict']['rules'])}（docs/projects.md を参照）。
検出力の計画: `mirrorlab project power .`。
"""


def new_project(directory: Path | str, target_name: str, *, language: str = "en",
                name: str | None = None) -> Path:
    """Create the project folder; an existing project is never overwritten."""
    t = target(target_name)
    folder = Path(directory)
    if (folder / project_config.CONFIG_NAME).exists():
        raise ProjectError(f"{folder / project_config.CONFIG_NAME} already exists; "
                           "choose another folder (nothing was changed)")
    if folder.exists() and not folder.is_dir():
        raise ProjectError(f"{folder} exists and is not a folder")
    cfg = build_config(t, name or folder.resolve().name, language)
    text = project_config.dumps(cfg, COMMENTS)
    project_config.tomllib.loads(text)       # what is written must read back (fails here, not later)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / project_config.CONFIG_NAME).write_text(text, encoding="utf-8")
    (folder / "README.md").write_text(readme_en(cfg), encoding="utf-8")
    (folder / "README.ja.md").write_text(readme_ja(cfg), encoding="utf-8")
    return folder
