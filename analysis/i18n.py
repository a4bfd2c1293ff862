"""The report's own words in English and Japanese (``--lang en|ja``).

Only the report's text is translated — headings, notes, figure and axis labels, table captions.
Data values (participant codes, item names, model names, messages that quote data) are shown as
they are. A key missing from a language falls back to English, so a new English string never
breaks the Japanese report; ``test_report_i18n`` checks that every key has a Japanese text.
"""

from __future__ import annotations

from collections.abc import Callable

from analysis.errors import AnalysisInputError

LANGUAGES = ("en", "ja")

#: CSS font stacks: the Japanese one names the Noto Sans CJK fonts that ``scripts/setup.sh``
#: installs first, so kana and kanji never fall back to tofu boxes.
FONT_STACKS = {
    "en": "system-ui,-apple-system,'Segoe UI','Noto Sans',sans-serif",
    "ja": "'Noto Sans CJK JP','Noto Sans JP','Hiragino Sans','Yu Gothic',Meiryo,sans-serif",
}

EN = {
    "report_title": "mirrorlab comparison report",
    "contents": "Contents",
    "summary": "Summary",
    "summary_intro": "What was found, per task, in one screen. Details follow in one section per task.",
    "task": "Task",
    "human_effect": "Human effect (95% CI)",
    "best_model": "Which model explains people best",
    "data_basis": "Data it rests on",
    "no_effect": "no mixed model was fitted",
    "effect_ci": "{term}: {estimate} ms [{low}, {high}]",
    "effect_ci_prob": "{term}: {estimate} (log-odds) [{low}, {high}]",
    "ci_method": "fixed effect of the chosen mixed model, estimate ± 1.96 SE ({engine})",
    "selection_rows": "held-out log-likelihood and model selection:",
    "selection_missing": ("Only descriptive fits are available: no held-out log-likelihood or model "
                          "selection has been computed, so this report cannot say which model explains "
                          "people best. Closest condition means:"),
    "descriptive_best": "{model} (RMSE {rmse} ms, r {r})",
    "no_models": "no model was compared",
    "n_people": "{n} people",
    "n_trials": "{n} human trials ({kept} kept for RT)",
    "sources": "sources",
    "excluded": "excluded",
    "excluded_none": "nothing excluded",
    "source_human": "people",
    "source_simulated": "simulated participants",
    "source_published": "published study",
    "source_model": "model {name}",
    "reason_timeouts": "timeouts",
    "reason_errors": "errors",
    "reason_correct_unknown": "correctness unknown",
    "reason_too_fast": "too fast",
    "reason_too_slow": "too slow",
    "reason_sd_trimmed": "SD-trimmed",
    "section_task": "Task: {task}",
    "meta": ("Database {where} · created {created} · engine {engine} (random-effects structure "
             "requested: {structure}) · models: {models} · {n} participant(s)"),
    "none": "none",
    "notes": "Notes",
    "provenance": "Design and data provenance",
    "participants": "Participants ({n})",
    "sessions": "Sessions ({n})",
    "model_runs": "Model runs used",
    "model_runs_note": ("Scalar parameters and fit values; the full values (condition means, weights) "
                        "are in the model-runs CSV table."),
    "software": "Software versions",
    "analysis_ran_with": "Analysis ran with:",
    "cleaning": "Cleaning",
    "cleaning_note": "Counts per source: trials, what was removed and why, and what each analysis kept.",
    "mixed_models": "Mixed-effects models of the human data",
    "mixed_note": ("Participants and items are crossed random effects. Each row is one attempt; the "
                   "chosen fit per analysis is marked. Zero-correlation models are labelled "
                   "zero-correlation (||): by-participant slopes without slope–intercept correlations."),
    "simplification_rule": "Simplification rule",
    "no_mixed": "No mixed model was fitted (see the notes above).",
    "fixed_effects": "Fixed effects (chosen fits)",
    "random_effects": "Random effects (chosen fits)",
    "vb_note": ("Accuracy on the statsmodels engine is fitted with BinomialBayesMixedGLM (variational "
                "Bayes). Its posterior SDs are smaller than glmer's standard errors (19–70% of them in "
                "our measurements; see docs/analysis.md): do not read them as standard errors. Use "
                "--engine mixedlm for glmer-equivalent Laplace fits and standard errors."),
    "people_models": "People and models",
    "no_model_trials": "No model trials to compare with.",
    "fit_table": "Fit table (descriptive: r over condition means cannot tell models apart)",
    "fit_table_note": ("r and RMSE over condition means (model RTs after each model's own fitted "
                       "cycles→ms mapping); item-level r on matching items; prediction slope: human RT "
                       "per ms of the model's item-level prediction in a crossed mixed model; lrt_chi2, lrt_p: "
                       "likelihood-ratio test (ML fits) of that prediction against the same model without it."),
    "side_by_side": "Condition means, side by side",
    "figures": "Figures",
    "condition_means": "Condition means with within-subject 95% CIs",
    "condition_means_note": ("Error bars: within-subject 95% confidence intervals (Cousineau 2005 with "
                             "Morey's 2008 correction), from each agent's cell means."),
    "within_ci_table": "Within-subject confidence intervals",
    "mean_rt": "mean RT (ms)",
    "effect_ms": "effect (ms)",
    "condition": "condition",
    "item_choices": "Item-by-item choices: people vs {model}",
    "item_accuracy_model": "model {model}: proportion correct per item",
    "item_accuracy_people": "people: proportion correct per item",
    "same_choice": "same modal choice",
    "different_choice": "different modal choice",
    "item_level": "Item level",
    "item_rt_model": "model {model}: item mean RT (ms)",
    "item_rt_people": "people: item mean RT (ms)",
    "items_vs": "Item mean RTs: people vs {model}",
    "embedding": "Targets and choices in the embedding space",
    "embedding_note": ("Each item's target and choices projected onto the first two principal "
                       "components of the model's word vectors ({model}); lines join the target to "
                       "the answer and to the choice people chose most often."),
    "pc1": "principal component 1",
    "pc2": "principal component 2",
    "role_target": "target",
    "role_answer": "answer",
    "role_foil": "other choice",
    "role_chosen": "people's most frequent choice",
    "published_study": "Published study: {citation}.",
    "elapsed": "Comparison computed in {seconds} s.",
    "csv": "CSV",
    "csv_table": "all rows as CSV: {path}",
    "more_rows": "{n} more rows in the CSV table.",
    "no_rows": "(no rows)",
    "show_rows": "{n} rows",
    "yes": "yes",
    "no": "no",
    "print_note": "Printable: use the browser's print, or mirrorlab compare --pdf FILE.",
}

JA = {
    "report_title": "mirrorlab 比較レポート",
    "contents": "目次",
    "summary": "要約",
    "summary_intro": "課題ごとの結果を一画面で示します。詳細は課題ごとの節に続きます。",
    "task": "課題",
    "human_effect": "人の効果（95%信頼区間）",
    "best_model": "人を最もよく説明するモデル",
    "data_basis": "根拠となるデータ",
    "no_effect": "混合モデルは当てはめられていません",
    "effect_ci": "{term}: {estimate} ms [{low}, {high}]",
    "effect_ci_prob": "{term}: {estimate}（対数オッズ）[{low}, {high}]",
    "ci_method": "選ばれた混合モデルの固定効果、推定値 ± 1.96 SE（{engine}）",
    "selection_rows": "ホールドアウト対数尤度とモデル選択：",
    "selection_missing": ("記述的な当てはめしかありません。ホールドアウト対数尤度もモデル選択も計算されて"
                          "いないため、このレポートはどのモデルが人を最もよく説明するかを言えません。"
                          "条件平均が最も近いモデル："),
    "descriptive_best": "{model}（RMSE {rmse} ms、r {r}）",
    "no_models": "比較したモデルはありません",
    "n_people": "参加者 {n} 名",
    "n_trials": "人の試行 {n}（RT 分析に {kept}）",
    "sources": "データ源",
    "excluded": "除外",
    "excluded_none": "除外なし",
    "source_human": "人",
    "source_simulated": "シミュレーション参加者",
    "source_published": "既刊の研究",
    "source_model": "モデル {name}",
    "reason_timeouts": "時間切れ",
    "reason_errors": "誤答",
    "reason_correct_unknown": "正誤不明",
    "reason_too_fast": "速すぎる反応",
    "reason_too_slow": "遅すぎる反応",
    "reason_sd_trimmed": "SD による除外",
    "section_task": "課題：{task}",
    "meta": ("データベース {where} ・作成 {created} ・エンジン {engine}（要求した変量効果構造：{structure}）"
             "・モデル：{models} ・参加者 {n} 名"),
    "none": "なし",
    "notes": "注記",
    "provenance": "計画とデータの来歴",
    "participants": "参加者（{n}）",
    "sessions": "セッション（{n}）",
    "model_runs": "使用したモデルの実行",
    "model_runs_note": "スカラーのパラメータと当てはめ値。全値（条件平均、重み）はモデル実行の CSV 表にあります。",
    "software": "ソフトウェアのバージョン",
    "analysis_ran_with": "分析の実行環境：",
    "cleaning": "データの整理",
    "cleaning_note": "データ源ごとの件数：試行数、除外したものとその理由、各分析に残したもの。",
    "mixed_models": "人のデータの混合効果モデル",
    "mixed_note": ("参加者と項目は交差した変量効果です。各行が一回の試みで、分析ごとに選ばれた当てはめに印が"
                   "あります。相関なしモデルは zero-correlation (||) と表示します（切片との相関なしの参加者別傾き）。"),
    "simplification_rule": "単純化の規則",
    "no_mixed": "混合モデルは当てはめられていません（上の注記を参照）。",
    "fixed_effects": "固定効果（選ばれた当てはめ）",
    "random_effects": "変量効果（選ばれた当てはめ）",
    "vb_note": ("statsmodels エンジンの正答率は BinomialBayesMixedGLM（変分ベイズ）で当てはめています。その事後 SD "
                "は glmer の標準誤差より小さく（測定では 19〜70%）、標準誤差として読まないでください。glmer と同等の"
                "ラプラス近似と標準誤差には --engine mixedlm を使ってください。"),
    "people_models": "人とモデル",
    "no_model_trials": "比較するモデルの試行がありません。",
    "fit_table": "適合度の表（記述的：条件平均の r ではモデルを区別できない）",
    "fit_table_note": ("条件平均での r と RMSE（モデルの RT は各モデル自身のサイクル→ms 換算後）、一致する項目での"
                       "項目水準の r、予測の傾き：交差混合モデルにおける、モデルの項目水準予測 1 ms あたりの人の RT。"),
    "side_by_side": "条件平均の並列比較",
    "figures": "図",
    "condition_means": "条件平均と参加者内 95% 信頼区間",
    "condition_means_note": ("誤差棒：参加者内 95% 信頼区間（Cousineau 2005、Morey 2008 の補正）。各エージェントの"
                             "セル平均から計算。"),
    "within_ci_table": "参加者内信頼区間",
    "mean_rt": "平均反応時間（ms）",
    "effect_ms": "効果（ms）",
    "condition": "条件",
    "item_choices": "項目ごとの選択：人と {model}",
    "item_accuracy_model": "モデル {model}：項目ごとの正答率",
    "item_accuracy_people": "人：項目ごとの正答率",
    "same_choice": "最頻選択が一致",
    "different_choice": "最頻選択が不一致",
    "item_level": "項目水準",
    "item_rt_model": "モデル {model}：項目平均 RT（ms）",
    "item_rt_people": "人：項目平均 RT（ms）",
    "items_vs": "項目平均 RT：人と {model}",
    "embedding": "埋め込み空間での標的語と選択肢",
    "embedding_note": ("各項目の標的語と選択肢を、モデル（{model}）の単語ベクトルの第 1・第 2 主成分に射影したもの。"
                       "線は標的語と正答、および人が最も多く選んだ選択肢を結びます。"),
    "pc1": "第 1 主成分",
    "pc2": "第 2 主成分",
    "role_target": "標的語",
    "role_answer": "正答",
    "role_foil": "その他の選択肢",
    "role_chosen": "人の最頻選択",
    "published_study": "既刊の研究：{citation}。",
    "elapsed": "比較の計算時間 {seconds} 秒。",
    "csv": "CSV",
    "csv_table": "全行の CSV：{path}",
    "more_rows": "残り {n} 行は CSV 表にあります。",
    "no_rows": "（行なし）",
    "show_rows": "{n} 行",
    "yes": "はい",
    "no": "いいえ",
    "print_note": "印刷：ブラウザの印刷機能、または mirrorlab compare --pdf FILE。",
}

#: Curve titles and axis labels come from the task cards in English; their Japanese texts.
CARD_TEXT_JA = {
    "SOA curves": "SOA 曲線",
    "SOA (ms; word onset − picture onset, negative = word first)": "SOA（ms；語の開始 − 絵の開始、負は語が先）",
    "RT by ordinal position within category": "カテゴリー内の系列位置ごとの RT",
    "ordinal position within category": "カテゴリー内の系列位置",
    "RT by lag": "ラグごとの RT",
    "lag": "ラグ",
}

from analysis.predictive_text import EN as _PREDICTIVE_EN, JA as _PREDICTIVE_JA  # noqa: E402

EN.update(_PREDICTIVE_EN)   # the posterior-predictive views' words (analysis/predictive_text.py)
JA.update(_PREDICTIVE_JA)
STRINGS = {"en": EN, "ja": JA}


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise AnalysisInputError(f"report language {lang!r} is not one of {', '.join(LANGUAGES)}")
    return lang


def translator(lang: str = "en") -> Callable[..., str]:
    """``t(key, **values)``: the report text ``key`` in ``lang``, formatted with ``values``.
    ``t.card(text)`` translates a task card's English curve title or axis label (unchanged when
    no translation is known)."""
    table = STRINGS[check_language(lang)]

    def t(key: str, **values) -> str:
        text = table.get(key, EN[key])
        return text.format(**values) if values else text

    def html(key: str, **safe_values) -> str:
        """The text ``key`` HTML-escaped, then filled with ``safe_values`` — markup the caller
        has already escaped (e.g. a ``<bdi>``-wrapped data value)."""
        from html import escape

        return escape(table.get(key, EN[key])).format(**safe_values)

    def card(text: str) -> str:
        return CARD_TEXT_JA.get(text, text) if lang == "ja" else text

    t.card = card  # type: ignore[attr-defined]
    t.html = html  # type: ignore[attr-defined]
    t.lang = lang  # type: ignore[attr-defined]
    return t
