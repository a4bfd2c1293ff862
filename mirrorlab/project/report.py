"""``mirrorlab project report DIR [--lang ja]``: the class report, one self-contained HTML file.

Per group and pooled: the preregistered effect (participants' least-squares effects, t
interval; and the mixed model fitted with statsmodels where a group has ≥ 3 participants),
a forest plot beside the original effect, the verdicts of the project's rules, the exclusions,
where each session came from (group, machine, mirrorlab version, stimulus-set hash), and the
model runs stored in the project database. Simulated participants are left out unless
``--include-simulated`` (or ``include_simulated = true``); when included, every table says so.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import numpy as np
import pandas as pd

from mirrorlab.project import config as project_config
from mirrorlab.project import store_adapter
from mirrorlab.project.errors import ProjectError

LABELS = {
    "en": {"title": "Class replication report", "original": "Original effect", "source": "source",
           "groups": "Estimates per group and pooled", "group": "group", "pooled": "pooled",
           "n": "participants", "estimate": "estimate (ms)", "ci": "95% CI (ms)", "p": "p",
           "forest": "Forest plot", "verdict": "Verdict", "rule": "rule", "reason": "reason",
           "exclusions": "Exclusions", "provenance": "Sessions merged", "mixed": "Mixed model (statsmodels)",
           "models": "Models on the class's data", "simulated_warning":
           "This report includes SIMULATED participants: it is not a comparison with people.",
           "no_models": "No model runs in the project database yet: run a model with --db DIR/project.db.",
           "people_only": "Only people are analysed (simulated sessions left out: {n})."},
    "ja": {"title": "授業の追試レポート", "original": "元の研究の効果", "source": "出典",
           "groups": "グループごとおよび全体の推定値", "group": "グループ", "pooled": "全体",
           "n": "参加者数", "estimate": "推定値 (ms)", "ci": "95%信頼区間 (ms)", "p": "p",
           "forest": "フォレストプロット", "verdict": "判定", "rule": "ルール", "reason": "理由",
           "exclusions": "除外", "provenance": "統合したセッション", "mixed": "混合モデル (statsmodels)",
           "models": "授業データに対するモデル", "simulated_warning":
           "このレポートにはシミュレーション参加者が含まれています。人との比較ではありません。",
           "no_models": "プロジェクトのデータベースにはまだモデルの実行がありません。",
           "people_only": "人のデータのみを分析しています（除外したシミュレーション・セッション: {n}）。"},
}


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, float_format=lambda v: f"{v:.0f}" if float(v).is_integer() and abs(v) >= 10
                         else f"{v:.2f}", border=0, classes="t",
                         na_rep="–")


def forest_plot_png(estimates: pd.DataFrame, original_ms: float, label_pooled: str, x_label: str,
                    original_ci_ms: tuple[float, float] | None = None) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = estimates.iloc[::-1].reset_index(drop=True)
    figure, axes = plt.subplots(figsize=(6.4, 0.5 * len(rows) + 1.4))
    for i, row in rows.iterrows():
        pooled = row["group"] == label_pooled
        if np.isfinite(row["ci_low_ms"]):
            axes.plot([row["ci_low_ms"], row["ci_high_ms"]], [i, i], color="black")
        axes.plot(row["estimate_ms"], i, marker="D" if pooled else "s", color="C3" if pooled else "C0",
                  markersize=9 if pooled else 6)
    if original_ci_ms is not None:           # the original study's own interval, on top
        rows = pd.concat([rows, pd.DataFrame([{"group": "original"}])], ignore_index=True)
        axes.plot(list(original_ci_ms), [len(rows) - 1] * 2, color="C2")
        axes.plot(original_ms, len(rows) - 1, marker="o", color="C2", markersize=8)
    axes.axvline(original_ms, color="C2", linestyle="--", label=f"original {original_ms:.1f} ms")
    axes.axvline(0, color="grey", linewidth=0.6)
    axes.set_yticks(range(len(rows)), rows["group"])
    axes.set_xlabel(x_label)
    axes.legend(fontsize=8, loc="best")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def model_section(url: str, cfg: dict, design, estimates: pd.DataFrame, labels: dict,
                  analysis_cfg: dict) -> str:
    """Each model run in the project database: its effect on the project's stimuli (agents as
    participants, the same exclusions) beside the class's pooled estimate. Runs with published
    defaults say so; a fitted run says it was fitted (on which data is in its record)."""
    from analysis.project.effects import POOLED, apply_exclusions, group_estimates

    trials = store_adapter.model_trials(url, cfg["task"]["name"])
    if cfg["task"].get("instruction") and len(trials):
        trials = trials[(trials["instruction"] == cfg["task"]["instruction"]) | trials["instruction"].isna()]
    if trials.empty:
        return f"<p>{labels['no_models']}</p>"
    kept, _ = apply_exclusions(trials, design, rt_min_ms=float(analysis_cfg["rt_min_ms"]),
                               rt_max_ms=float(analysis_cfg["rt_max_ms"]), min_accuracy=0.0)
    runs = sorted(trials["group"].unique())
    model_rows = group_estimates(kept, design, runs)
    model_rows = model_rows[model_rows["group"] != POOLED]
    pooled = estimates.iloc[-1]
    fitted = trials.groupby("group")["fitted"].first()
    rows = []
    for _, row in model_rows.iterrows():
        inside = bool(pooled["ci_low_ms"] <= row["estimate_ms"] <= pooled["ci_high_ms"])
        rows.append({"model": row["group"], "agents": row["n_participants"],
                     "predicted effect (ms)": row["estimate_ms"],
                     "class pooled (ms)": pooled["estimate_ms"],
                     "difference (ms)": row["estimate_ms"] - pooled["estimate_ms"],
                     "inside the class's 95% CI": inside,
                     "parameters": "fitted (see its run record)" if fitted.get(row["group"]) else "published defaults"})
    return f"<div id='models'>{_table(pd.DataFrame(rows))}</div>"


def build_report(directory: Path | str, *, language: str = "en", include_simulated: bool | None = None,
                 output: Path | str | None = None, heldout_models: list[str] | None = None,
                 heldout_folds: int | None = None, scheduler: str | None = None,
                 workers: int | None = None) -> tuple[Path, dict]:
    """The class report. ``heldout_models``: also fit these models to the class's people and
    compare them by held-out log-likelihood (``mirrorlab.project.model_comparison``)."""
    from analysis.project.design import EffectDesign
    from analysis.project.effects import POOLED, apply_exclusions, fit_mixed_model, group_estimates
    from analysis.project.verdict import verdicts

    if language not in LABELS:
        raise ProjectError(f"--lang {language}: expected one of {', '.join(LABELS)}")
    labels = LABELS[language]
    cfg = project_config.load(directory)
    url = project_config.project_db_url(directory)
    if not (Path(directory) / "project.db").exists():
        raise ProjectError(f"{Path(directory) / 'project.db'}: no merged data yet "
                           "(run `mirrorlab project merge DIR FILES…` first)")
    analysis_cfg = cfg["analysis"]
    design = EffectDesign.from_mapping(analysis_cfg)
    with_simulated = analysis_cfg.get("include_simulated", False) if include_simulated is None else include_simulated
    trials = store_adapter.class_trials(url, cfg["task"]["name"])
    sessions = store_adapter.merged_sessions_frame(url)
    n_simulated_sessions = int(trials.loc[trials["simulated"], "session_id"].nunique()) if len(trials) else 0
    if not with_simulated:
        trials = trials[~trials["simulated"]]
    if trials.empty:
        raise ProjectError(f"{url}: no {'' if with_simulated else 'human '}trials of task "
                           f"{cfg['task']['name']} to analyse"
                           + ("" if with_simulated else " (simulated sessions are left out; "
                              "--include-simulated analyses them, labelled)"))
    if cfg["task"].get("instruction") and "instruction" in trials:
        trials = trials[(trials["instruction"] == cfg["task"]["instruction"]) | trials["instruction"].isna()]
    groups = sorted(trials["group"].unique())
    kept, exclusions = apply_exclusions(trials, design, rt_min_ms=float(analysis_cfg["rt_min_ms"]),
                                        rt_max_ms=float(analysis_cfg["rt_max_ms"]),
                                        min_accuracy=float(analysis_cfg["min_accuracy"]))
    estimates = group_estimates(kept, design, groups)
    estimates["group"] = estimates["group"].replace({POOLED: labels["pooled"]})
    original = cfg["original"]
    verdict_rows = []
    for _, row in estimates.iterrows():
        for v in verdicts(list(cfg["verdict"]["rules"]), row.to_dict(),
                          original_effect_ms=float(original["effect_ms"]),
                          n_original=original.get("n_participants"),
                          sesoi_ms=float(cfg["verdict"]["sesoi_ms"]), alpha=float(cfg["verdict"]["alpha"])):
            verdict_rows.append({labels["group"]: row["group"], labels["rule"]: v["rule"],
                                 labels["verdict"]: v["verdict"], labels["reason"]: v["reason"]})
    mixed_rows = []
    for group in groups + [labels["pooled"]]:
        subset = kept if group == labels["pooled"] else kept[kept["group"] == group]
        mixed_rows.append({labels["group"]: group, **fit_mixed_model(subset, design)})
    suffix = " (simulated)" if with_simulated and n_simulated_sessions else ""
    shown = estimates.assign(**{labels["ci"]: [f"[{lo:.1f}, {hi:.1f}]" if np.isfinite(lo) else "–"
                                               for lo, hi in zip(estimates["ci_low_ms"], estimates["ci_high_ms"])]})
    shown = shown[["group", "n_participants", "estimate_ms", labels["ci"], "p_value", "dz"]].rename(
        columns={"group": labels["group"], "n_participants": labels["n"], "estimate_ms": labels["estimate"],
                 "p_value": labels["p"]})
    # the figure's labels stay in English (the bundled matplotlib font has no Japanese glyphs)
    png = forest_plot_png(estimates.replace({"group": {labels["pooled"]: "pooled"}}),
                          float(original["effect_ms"]), "pooled", analysis_cfg["effect"],
                          (original["ci_low_ms"], original["ci_high_ms"]) if "ci_low_ms" in original else None)
    provenance = (sessions[["group", "participant", "session_number", "status", "n_trials", "machine",
                            "mirrorlab", "stimulus_set_hash", "simulated"]]
                  .assign(stimulus_set_hash=lambda f: f["stimulus_set_hash"].str[:12])
                  if not sessions.empty else sessions)
    models_html = model_section(url, cfg, design, estimates, labels, analysis_cfg)
    selection = None
    if heldout_models:
        from mirrorlab.project.model_comparison import (DEFAULT_FOLDS, class_model_comparison,
                                                        comparison_html)

        selection = class_model_comparison(url, cfg["task"]["name"], heldout_models,
                                           n_folds=heldout_folds or DEFAULT_FOLDS,
                                           include_simulated=bool(with_simulated),
                                           scheduler=scheduler, workers=workers)
        models_html = comparison_html(selection, _table) + models_html
    banner = (f"<p class='warn'>{labels['simulated_warning']}</p>" if with_simulated and n_simulated_sessions
              else f"<p>{labels['people_only'].format(n=n_simulated_sessions)}</p>")
    import datetime as dt
    import hashlib

    from db.provenance import software_versions

    versions = software_versions()
    config_sha = hashlib.sha256((Path(directory) / project_config.CONFIG_NAME).read_bytes()).hexdigest()
    record = (f"generated {dt.datetime.now(dt.timezone.utc).isoformat(timespec='seconds')} by mirrorlab "
              f"{versions.get('mirrorlab')} (python {versions.get('python')}, statsmodels "
              f"{versions.get('statsmodels')}); project.toml sha256 {config_sha[:16]}…; stimulus set "
              f"{cfg['task']['stimulus_set']} {cfg['task']['stimulus_set_hash'][:12]}…")
    ci_text = (f"; 95% CI [{original['ci_low_ms']:.1f}, {original['ci_high_ms']:.1f}] ms"
               if "ci_low_ms" in original else "")
    body = f"""<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">
<title>{html.escape(labels['title'])}: {html.escape(cfg['project']['name'])}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}} table.t{{border-collapse:collapse}}
table.t td,table.t th{{padding:2px 8px;border-bottom:1px solid #ccc}} .warn{{background:#fdd;padding:6px}}</style></head>
<body><h1>{html.escape(labels['title'])}: {html.escape(cfg['project']['title'])}</h1>
{banner}
<h2>{labels['original']}</h2><p id="original">{html.escape(analysis_cfg['effect'])}: <b>{original['effect_ms']} ms</b>
({labels['source']}: {html.escape(str(original['source']))}; {html.escape(str(original['citation']))};
n = {original.get('n_participants', '–')}{ci_text}). Preregistered analysis: <code>{html.escape(analysis_cfg['formula'])}</code></p>
<h2>{labels['groups']}{suffix}</h2><div id="estimates">{_table(shown)}</div>
<h2>{labels['forest']}</h2><img alt="forest plot" src="data:image/png;base64,{png}">
<h2>{labels['verdict']}</h2><div id="verdicts">{_table(pd.DataFrame(verdict_rows))}</div>
<h2>{labels['mixed']}</h2>{_table(pd.DataFrame(mixed_rows))}
<h2>{labels['exclusions']}</h2>{_table(exclusions)}
<h2>{labels['provenance']}</h2><div id="provenance">{_table(provenance)}</div>
<h2>{labels['models']}</h2>{models_html}
<p id="record"><small>{html.escape(record)}</small></p>
</body></html>"""
    path = Path(output) if output else Path(directory) / f"report{'-ja' if language == 'ja' else ''}.html"
    path.write_text(body, encoding="utf-8")
    return path, {"estimates": estimates, "verdicts": verdict_rows, "exclusions": exclusions,
                  "sessions": sessions, "simulated_sessions": n_simulated_sessions,
                  "model_selection": selection}
