"""The report's words for the posterior-predictive views, in English and Japanese; merged into
``analysis.i18n``'s tables (kept here so that the views' text lives beside the views)."""

from __future__ import annotations

EN = {
    "pp_title": "RT distributions: quantiles, delta plots and conditional accuracy",
    "pp_intro": ("Condition means cannot tell apart models that differ in the shape of their RT "
                 "distributions; these views can. Each participant's RT quantiles (.1 .3 .5 .7 .9, "
                 "correct trials kept by the cleaning) are averaged over participants (Vincentised); a "
                 "delta plot shows the effect at each quantile against the mean RT of the two "
                 "conditions; a conditional accuracy function shows the proportion correct in five "
                 "RT bins of equal count. Each model is simulated on every participant's own trials. "
                 "Descriptive and in-sample: fitted parameters were fitted to these same trials."),
    "pp_sources": "What each series is",
    "pp_agreement": "People against each model (RMSE; descriptive, in-sample where fitted)",
    "pp_quantiles": "RT quantiles per condition (Vincentised)",
    "pp_quantiles_note": ("Error bars: within-subject 95% confidence intervals (Cousineau–Morey over the "
                          "condition × quantile cells) of people; models: dashed lines with open markers."),
    "pp_delta": "Delta plots",
    "pp_delta_note": ("Effect (ms) at each quantile against the mean RT of the two conditions at that "
                      "quantile; error bars: 95% t-intervals of the participants' effects. An effect that "
                      "grows from left to right is the classic Stroop pattern (Pratte et al. 2010)."),
    "pp_caf": "Conditional accuracy functions",
    "pp_caf_note": ("Proportion correct in five RT bins of equal count per participant and condition, "
                    "against the bin's mean RT; error bars: 95% t-intervals over participants."),
    "pp_quantile_axis": "quantile",
    "pp_rt_axis": "RT (ms)",
    "pp_mean_rt_axis": "mean RT of the two conditions (ms)",
    "pp_bin_rt_axis": "mean RT of the bin (ms)",
    "pp_accuracy_axis": "proportion correct",
    "pp_effect_axis": "effect (ms)",
    "pp_people_vs": "people vs {model}",
    "pp_people_only": "people",
    "pp_none": "No trials for these views.",
    "pp_summary": ("delta plot {contrast} ({subset}): people's effect is {first} ms at the first "
                   "quantile and {last} ms at the last"),
    "pp_summary_model": "{model} ({basis}): {first} → {last} ms",
    "pp_summary_subset": " (simulated for {n} of the people, whose own effect is {first} → {last} ms)",
    "pp_summary_none": "no delta plot (the task card names no contrast, or no participant has both conditions)",
    "pp_join": "; ",
    "pp_end": ".",
    "pp_basis_human": "people",
    "pp_basis_fitted": "at each participant's maximum-likelihood fit (in-sample)",
    "pp_basis_fitted_here": "fitted to each participant by this analysis (in-sample)",
    "pp_basis_published_defaults": "model at published defaults, not fitted",
    "pp_basis_model_run": "the model's stored run as simulated, not at per-participant fits",
}

JA = {
    "pp_title": "反応時間の分布：分位点、デルタプロット、条件付き正答率",
    "pp_intro": ("条件平均では、反応時間分布の形が異なるモデルを区別できませんが、これらの図では区別できます。"
                 "各参加者の反応時間の分位点（.1 .3 .5 .7 .9、整理で残した正答試行）を参加者間で平均し"
                 "（ヴィンセント平均）、デルタプロットは各分位点での効果を二条件の平均反応時間に対して示し、"
                 "条件付き正答率関数は試行数の等しい五つの反応時間区間ごとの正答率を示します。各モデルは"
                 "各参加者自身の試行でシミュレートしています。記述的で標本内の比較です：当てはめたパラメータは"
                 "同じ試行に当てはめたものです。"),
    "pp_sources": "各系列の内容",
    "pp_agreement": "人と各モデルの比較（RMSE；記述的、当てはめた場合は標本内）",
    "pp_quantiles": "条件ごとの反応時間の分位点（ヴィンセント平均）",
    "pp_quantiles_note": ("誤差棒：人の参加者内 95% 信頼区間（条件 × 分位点のセルに対する Cousineau–Morey 法）。"
                          "モデルは白抜きの印の破線。"),
    "pp_delta": "デルタプロット",
    "pp_delta_note": ("各分位点での効果（ms）を、その分位点での二条件の平均反応時間に対して示します。誤差棒："
                      "参加者の効果の 95% t 区間。左から右へ大きくなる効果はストループ課題の典型的なパターンです"
                      "（Pratte et al. 2010）。"),
    "pp_caf": "条件付き正答率関数",
    "pp_caf_note": ("参加者 × 条件ごとに試行数の等しい五つの反応時間区間の正答率を、区間の平均反応時間に対して"
                    "示します。誤差棒：参加者間の 95% t 区間。"),
    "pp_quantile_axis": "分位点",
    "pp_rt_axis": "反応時間（ms）",
    "pp_mean_rt_axis": "二条件の平均反応時間（ms）",
    "pp_bin_rt_axis": "区間の平均反応時間（ms）",
    "pp_accuracy_axis": "正答率",
    "pp_effect_axis": "効果（ms）",
    "pp_people_vs": "人と {model}",
    "pp_people_only": "人",
    "pp_none": "これらの図に使える試行がありません。",
    "pp_summary": "デルタプロット {contrast}（{subset}）：人の効果は最初の分位点で {first} ms、最後の分位点で {last} ms",
    "pp_summary_model": "{model}（{basis}）：{first} → {last} ms",
    "pp_summary_subset": "（{n} 名分のみシミュレート、その人たちの効果は {first} → {last} ms）",
    "pp_summary_none": "デルタプロットなし（課題カードに対比がないか、両条件のある参加者がいません）",
    "pp_join": "；",
    "pp_end": "。",
    "pp_basis_human": "人",
    "pp_basis_fitted": "各参加者の最尤推定値で（標本内）",
    "pp_basis_fitted_here": "この分析で各参加者に当てはめたもの（標本内）",
    "pp_basis_published_defaults": "既刊の既定値のモデル、当てはめなし",
    "pp_basis_model_run": "保存済みのモデル実行そのまま（参加者ごとの当てはめではない）",
}
