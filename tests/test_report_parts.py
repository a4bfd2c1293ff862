"""The report's parts, checked against independent computations: Cousineau–Morey intervals, the
PCA projection of association items, the summary's data basis, the translations, and the prose
that must never show raw reStructuredText backticks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.errors import AnalysisInputError
from analysis.i18n import EN, JA, translator
from analysis.projection import project_items
from analysis.report import bdi, prose
from analysis.within_ci import cousineau_morey


def test_cousineau_morey_matches_the_formula_computed_by_hand():
    rng = np.random.default_rng(3)
    rows = []
    for agent in range(5):
        speed = rng.normal(0, 100)          # large between-agent differences, removed by the method
        for condition, effect in (("a", 0.0), ("b", 40.0), ("c", 90.0)):
            for _ in range(4):
                rows.append({"source": "human", "subset": "s", "agent": f"p{agent}", "condition": condition,
                             "rt_ms": 600 + speed + effect + rng.normal(0, 30)})
    # an agent missing a cell does not enter the interval
    rows.append({"source": "human", "subset": "s", "agent": "partial", "condition": "a", "rt_ms": 900.0})
    frame = pd.DataFrame(rows)
    got = cousineau_morey(frame, ["condition"]).set_index("condition")

    complete = frame[frame["agent"] != "partial"]
    cell_means = complete.pivot_table(index="agent", columns="condition", values="rt_ms", aggfunc="mean")
    normalised = cell_means.sub(cell_means.mean(axis=1), axis=0) + cell_means.to_numpy().mean()
    n, j = cell_means.shape
    expected = (stats.t.ppf(0.975, n - 1) * normalised.std(ddof=1) * np.sqrt(j / (j - 1)) / np.sqrt(n))
    np.testing.assert_allclose(got.loc[["a", "b", "c"], "ci_half_width"], expected[["a", "b", "c"]], rtol=1e-12)
    np.testing.assert_allclose(got.loc[["a", "b", "c"], "mean"], cell_means.mean()[["a", "b", "c"]], rtol=1e-12)
    assert (got["n_agents"] == 5).all()
    # a between-subject interval would be far wider: the method removes the speed differences
    assert (expected < stats.t.ppf(0.975, n - 1) * cell_means.std(ddof=1) / np.sqrt(n)).all()


def test_one_simulated_agent_has_no_interval():
    frame = pd.DataFrame({"source": "model:x", "subset": "s", "agent": "sim", "condition": ["a", "b"],
                          "rt_ms": [500.0, 550.0]})
    assert cousineau_morey(frame, ["condition"])["ci_half_width"].isna().all()


def test_projection_keeps_distances_of_words_on_a_plane():
    rng = np.random.default_rng(8)
    basis = np.linalg.qr(rng.normal(size=(10, 2)))[0].T          # a 2-D plane inside 10-D
    words = ["sun", "moon", "star", "sea", "sand", "tree"]
    plane = {w: rng.normal(size=2) * (3, 1) for w in words}
    vectors = {w: plane[w] @ basis + 5.0 for w in words}
    items = pd.DataFrame([{"item": "i1", "target": "sun", "choices": ["moon", "sea"], "answer": "moon"},
                          {"item": "i2", "target": "tree", "choices": ["sand", "star", "oov"], "answer": "star"}])
    projection = project_items(items, vectors, {"i1": "sea"}, model="toy")
    assert "oov" not in set(projection["word"])
    assert list(projection.loc[projection["item"] == "i1", "role"]) == ["target", "answer", "foil"]
    assert projection.loc[(projection["item"] == "i1") & (projection["word"] == "sea"), "chosen"].item()
    assert projection["explained_variance_1"].iloc[0] + projection["explained_variance_2"].iloc[0] == pytest.approx(1)
    points = projection.drop_duplicates("word").set_index("word")[["pc1", "pc2"]]
    for a in points.index:
        for b in points.index:
            assert np.linalg.norm(points.loc[a] - points.loc[b]) == pytest.approx(
                np.linalg.norm(plane[a] - plane[b]), abs=1e-9)


def test_projection_needs_items_with_targets_and_choices():
    with pytest.raises(AnalysisInputError, match="lacks column"):
        project_items(pd.DataFrame({"item": ["a"]}), {})


def test_every_report_text_has_a_japanese_version_and_unknown_languages_fail():
    assert set(EN) == set(JA)
    assert all(JA[key] != EN[key] for key in ("summary", "condition_means", "mean_rt", "fixed_effects"))
    t = translator("ja")
    assert t("n_people", n=3) == "参加者 3 名"
    with pytest.raises(AnalysisInputError, match="not one of en, ja"):
        translator("xx")


def test_prose_shows_literals_as_code_and_escapes_data():
    from analysis.mixed.fitting import __doc__ as rule

    rendered = prose(rule or "")
    assert "`" not in rendered
    assert prose("run `mirrorlab run` with ``--db <url>``") == \
        "run <code>mirrorlab run</code> with <code>--db &lt;url&gt;</code>"
    assert bdi("\u202e<b>") == "<bdi>\u202e&lt;b&gt;</bdi>"
