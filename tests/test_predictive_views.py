"""Posterior-predictive views: RT quantiles, delta plots and conditional accuracy functions of
people and models (``analysis.predictive_views``, ``models.fitting.predictive``), and their
section of the report.

The numbers are checked against a direct numpy computation on a small hand-made frame; the
human delta plot of the bundled Pratte et al. (2010) data is checked for the property that
paper is about (the Stroop effect grows over the RT distribution); models are simulated at
each participant's parameters on that participant's own trials."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import AnalysisInputError
from analysis.predictive_views import QUANTILES, predictive_views, view_design

LEVELS = np.array(QUANTILES)


def hand_made_trials(seed: int = 11) -> pd.DataFrame:
    """Three people, two Stroop conditions, unequal trial counts, errors, one RT out of bounds."""
    rng = np.random.default_rng(seed)
    rows = []
    for p, (speed, n) in enumerate(((0.0, 13), (80.0, 17), (-40.0, 11))):
        for condition, effect in (("congruent", 0.0), ("incongruent", 70.0)):
            for k in range(n):
                rt = 550 + speed + effect + rng.exponential(120 + effect)
                rows.append({"source": "human", "agent": f"P{p}", "task": "stroop",
                             "instruction": "colour_naming", "item_id": f"i{k % 4}", "condition": condition,
                             "rt_ms": rt, "correct": bool(rng.random() > 0.15), "response": "red"})
    rows.append({**rows[0], "rt_ms": 150.0})          # too fast: out of every view
    return pd.DataFrame(rows)


def _kept(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[(frame["rt_ms"] >= 200) & (frame["rt_ms"] <= 2000)]


def test_quantiles_deltas_and_cafs_match_a_direct_computation():
    trials = hand_made_trials()
    views = predictive_views(trials, "stroop")
    kept = _kept(trials)
    direct_q = {}
    for (agent, condition), rows in kept[kept["correct"]].groupby(["agent", "condition"]):
        direct_q[agent, condition] = np.quantile(rows["rt_ms"].to_numpy(), LEVELS)
    agents = sorted({a for a, _ in direct_q})
    for condition in ("congruent", "incongruent"):
        expected = np.mean([direct_q[a, condition] for a in agents], axis=0)
        got = views.quantiles[(views.quantiles["source"] == "human") & (views.quantiles["condition"] == condition)]
        np.testing.assert_allclose(got.sort_values("quantile")["rt_ms"], expected, rtol=1e-12)
        assert (got["n_agents"] == 3).all()
        assert ((got["ci_low"] < got["rt_ms"]) & (got["rt_ms"] < got["ci_high"])).all()

    effects = np.array([direct_q[a, "incongruent"] - direct_q[a, "congruent"] for a in agents])
    means = np.array([(direct_q[a, "incongruent"] + direct_q[a, "congruent"]) / 2 for a in agents])
    delta = views.delta[views.delta["contrast"] == "incongruent − congruent"].sort_values("quantile")
    np.testing.assert_allclose(delta["effect_ms"], effects.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(delta["mean_rt_ms"], means.mean(axis=0), rtol=1e-12)
    from scipy import stats

    half = stats.t.ppf(0.975, 2) * effects.std(axis=0, ddof=1) / np.sqrt(3)
    np.testing.assert_allclose(delta["ci_high"] - delta["effect_ms"], half, rtol=1e-10)

    for condition in ("congruent", "incongruent"):
        accuracy, rt = [], []
        for agent in agents:
            rows = kept[(kept["agent"] == agent) & (kept["condition"] == condition)].sort_values("rt_ms")
            bins = np.array_split(np.arange(len(rows)), 5)
            accuracy.append([rows["correct"].to_numpy(float)[b].mean() for b in bins])
            rt.append([rows["rt_ms"].to_numpy()[b].mean() for b in bins])
        got = views.caf[(views.caf["source"] == "human") & (views.caf["condition"] == condition)].sort_values("bin")
        np.testing.assert_allclose(got["accuracy"], np.mean(accuracy, axis=0), rtol=1e-12)
        np.testing.assert_allclose(got["rt_ms"], np.mean(rt, axis=0), rtol=1e-12)
    assert list(views.sources["source"]) == ["human"] and views.sources["basis"].iloc[0] == "human"


def test_the_package_entry_points_return_the_same_tables():
    import analysis

    trials = hand_made_trials()
    views = predictive_views(trials, "stroop")
    pd.testing.assert_frame_equal(analysis.delta_plot(trials, "stroop"), views.delta)
    pd.testing.assert_frame_equal(analysis.caf(trials, "stroop"), views.caf)
    pd.testing.assert_frame_equal(analysis.rt_quantiles(trials, "stroop"), views.quantiles)
    assert set(analysis.predictive(trials, "stroop").tables()) == set(views.tables())


def test_a_model_of_some_people_is_compared_with_those_people():
    trials = hand_made_trials()
    copy = trials[trials["agent"] == "P1"].assign(source="model:copy", agent="copy/P1")
    copy["extras"] = [{"participant": "P1", "predictive_basis": "fitted"}] * len(copy)
    views = predictive_views(pd.concat([trials, copy], ignore_index=True), "stroop")
    row = views.agreement.set_index("model").loc["copy"]
    assert row["n_people"] == 1 and row["basis"] == "fitted"
    assert row["quantile_rmse_ms"] == 0 and row["delta_rmse_ms"] == 0 and row["caf_rmse"] == 0
    assert any("1 of the 3 participants" in m for m in views.messages)
    from types import SimpleNamespace

    from analysis.i18n import translator
    from analysis.report_predictive import summary_text

    line = summary_text(SimpleNamespace(predictive=views), translator("en"))
    p1 = views.agent_deltas.query("agent == 'P1' and contrast == 'incongruent − congruent'")["effect_ms"]
    assert f"whose own effect is {p1.iloc[0]:.0f} → {p1.iloc[-1]:.0f} ms" in line, line
    assert "simulated for 1 of the people" in line


def test_contrasts_come_from_the_task_card():
    stroop = view_design("stroop")
    assert stroop.contrasts[0] == ("incongruent", "congruent")     # the card's conflict condition first
    assert ("neutral", "congruent") in stroop.contrasts
    picture_word = view_design("picture-word")
    assert picture_word.contrasts[0] == ("related", "unrelated") and picture_word.panel_columns == ("soa_ms",)
    assert view_design("continuous-naming").contrasts == ()


@pytest.mark.parametrize("change, message", [
    (lambda f: f.assign(source="simulated"), "simulated participants"),
    (lambda f: f.drop(columns="rt_ms"), "lacks column(s) rt_ms"),
    (lambda f: f.iloc[0:0], "there are no stroop trials"),
])
def test_bad_tables_are_one_clear_error(change, message):
    with pytest.raises(AnalysisInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        predictive_views(change(hand_made_trials()), "stroop")


def test_bad_quantiles_and_bins_are_refused():
    with pytest.raises(AnalysisInputError, match="quantiles"):
        predictive_views(hand_made_trials(), "stroop", quantiles=(0.5, 0.1))
    with pytest.raises(AnalysisInputError, match="bins"):
        predictive_views(hand_made_trials(), "stroop", n_bins=1)


# ---------------------------------------------------------------------------- real people
@pytest.fixture(scope="module")
def pratte_people() -> pd.DataFrame:
    """Twelve participants of the bundled Pratte et al. (2010) Stroop data, read from
    ``db/datasets`` (the mapping the importer uses)."""
    from models.fitting.datasets import bundled_trials

    trials = bundled_trials("pratte2010")
    codes = list(pd.unique(trials["agent"]))[:12]
    return trials[trials["agent"].isin(codes)].reset_index(drop=True)


def test_pratte_stroop_effect_grows_over_the_rt_distribution(pratte_people):
    views = predictive_views(pratte_people, "stroop")
    delta = views.delta[(views.delta["source"] == "human")
                        & (views.delta["contrast"] == "incongruent − congruent")].sort_values("quantile")
    effect = delta["effect_ms"].to_numpy()
    assert (np.diff(effect) > 0).all(), effect                 # larger at every later quantile
    assert effect[-1] - effect[0] > 50, effect
    per_person = views.agent_deltas[views.agent_deltas["contrast"] == "incongruent − congruent"]
    wide = per_person.pivot_table(index="agent", columns="quantile", values="effect_ms")
    assert (wide[0.9] > wide[0.1]).mean() >= 0.75               # most people, not only the average


def test_models_are_simulated_on_each_persons_trials_at_their_parameters(pratte_people):
    from models.fitting.predictive import predictive_trials

    people = pratte_people[pratte_people["agent"].isin(list(pd.unique(pratte_people["agent"]))[:4])]
    defaults = predictive_trials("cohen1990", people, seed=3)
    again = predictive_trials("cohen1990", people, seed=3)
    pd.testing.assert_frame_equal(defaults, again)               # seeded
    assert set(defaults["source"]) == {"model:cohen1990"}
    assert {e["predictive_basis"] for e in defaults["extras"]} == {"published_defaults"}
    for code in pd.unique(people["agent"]):                     # each person's own trial list
        own = people[(people["agent"] == code) & ~people["is_practice"]]
        sim = defaults[defaults["agent"] == f"cohen1990/{code}"]
        assert list(sim["item_id"]) == list(own["item_id"]) and list(sim["condition"]) == list(own["condition"])
    # a fit moves the simulation: 150 ms more intercept, 150 ms slower at every quantile
    code = str(people["agent"].iloc[0])
    from models.registry import make_model

    intercept_ms = float(make_model("cohen1990").get_params()["intercept_ms"])
    fits = {code: {"run_id": 7, "params": {"intercept_ms": intercept_ms + 150.0}, "fixed": {}}}
    shifted = predictive_trials("cohen1990", people[people["agent"] == code], fits=fits, seed=3)
    base = defaults[defaults["agent"] == f"cohen1990/{code}"]
    assert {e["predictive_basis"] for e in shifted["extras"]} == {"fitted"}
    assert {e["fit_run_id"] for e in shifted["extras"]} == {7}
    gap = np.quantile(shifted["rt_ms"], LEVELS) - np.quantile(base["rt_ms"], LEVELS)
    assert np.all(np.abs(gap - 150.0) < 60.0), gap

    yardstick = predictive_trials("exgauss-conditions", people, seed=3)
    assert {e["predictive_basis"] for e in yardstick["extras"]} == {"fitted_here"}
    views = predictive_views(pd.concat([people, defaults, yardstick], ignore_index=True), "stroop")
    assert set(views.sources["source"]) == {"human", "model:cohen1990", "model:exgauss-conditions"}
    bases = dict(zip(views.sources["source"], views.sources["basis"]))
    assert bases["model:cohen1990"] == "published_defaults" and bases["model:exgauss-conditions"] == "fitted_here"
    agreement = views.agreement.set_index("model")
    # the per-condition ex-Gaussian fitted to each person describes that person's quantiles
    # better than the network at its published defaults does (in-sample; a ceiling)
    assert agreement.loc["exgauss-conditions", "quantile_rmse_ms"] < agreement.loc["cohen1990", "quantile_rmse_ms"]
    for model in ("cohen1990", "exgauss-conditions"):
        rows = views.delta[views.delta["source"] == f"model:{model}"]
        assert len(rows) == 2 * len(QUANTILES) and rows["effect_ms"].notna().all()


# ---------------------------------------------------------------------------- the report
PEOPLE = 6


@pytest.fixture(scope="module")
def pratte_store(tmp_path_factory):
    """Pratte et al. (2010) imported into a real SQLite file; the per-condition ex-Gaussian
    fitted by maximum likelihood to six participants and stored as the command line stores
    it; posterior-predictive runs stored for it and for Cohen 1990 (no fit: published defaults)."""
    from db.importer import import_dataset
    from db.store import Store
    from models.fitting.ml import fit_per_participant, store_fit
    from models.fitting.predictive import store_predictive_run

    folder = tmp_path_factory.mktemp("predictive")
    url = f"sqlite:///{folder / 'pratte.db'}"
    store = Store(url)
    import_dataset(store, "pratte2010")
    human = store.trials_frame(task="stroop", source="human")
    codes = sorted(human["agent"].unique())[:PEOPLE]
    human = human[human["agent"].isin(codes)]
    fit_runs = [store_fit(store, fit, task="stroop", trials=human[human["agent"] == fit.participant])
                for fit in fit_per_participant("exgauss-conditions", human, seed=1)]
    runs = {spec: store_predictive_run(store, spec, "stroop", human, seed=5)
            for spec in ("exgauss-conditions", "cohen1990")}
    sessions = store.sessions_frame()
    session_ids = sessions.loc[sessions["participant"].isin(codes), "session_id"].tolist()
    return {"store": store, "url": url, "folder": folder, "codes": codes, "fit_runs": fit_runs,
            "runs": runs, "sessions": session_ids}


@pytest.fixture(scope="module")
def pratte_reports(pratte_store):
    from analysis import compare, write_report

    result = compare(pratte_store["store"], "stroop", engine="mixedlm", human_sessions=pratte_store["sessions"])
    folder = pratte_store["folder"]
    paths = {lang: write_report(result, folder / f"report-{lang}.html", tables_dir=folder / f"tables-{lang}",
                                lang=lang) for lang in ("en", "ja")}
    return result, paths


def test_stored_fits_are_what_the_model_views_are_simulated_at(pratte_store, pratte_reports):
    result, _ = pratte_reports
    views = result.predictive
    sources = views.sources.set_index("source")
    assert sources.loc["model:exgauss-conditions", "basis"] == "fitted"
    assert sources.loc["model:exgauss-conditions", "fit_run_ids"] == ", ".join(map(str, sorted(pratte_store["fit_runs"])))
    assert sources.loc["model:cohen1990", "basis"] == "published_defaults"
    assert (sources["n_agents"] == PEOPLE).all()
    # the predictive runs are a view of the fits, not models judged by condition means
    assert "cohen1990" not in result.models and "exgauss-conditions" not in result.models
    runs = pratte_store["store"].model_runs_frame(task="stroop").set_index("model_run_id")
    for spec, run_id in pratte_store["runs"].items():
        fit = runs.loc[run_id, "fit"]
        assert fit["kind"] == "posterior_predictive" and fit["seed"] == 5
        assert set(fit["participants"]) == set(pratte_store["codes"])
        assert runs.loc[run_id, "stimulus_set_hash"] and runs.loc[run_id, "software_versions"]["numpy"]
    # the stored people's delta plot is the one computed from the same people directly
    direct = predictive_views(pratte_store["store"].trials_frame(task="stroop", source="human")
                              .query("agent in @pratte_store['codes']"), "stroop").delta
    mine = views.delta[views.delta["source"] == "human"].reset_index(drop=True)
    np.testing.assert_allclose(mine["effect_ms"], direct[direct["source"] == "human"]["effect_ms"], rtol=1e-12)


def test_the_report_draws_the_views_offline_in_headless_chromium_in_english_and_japanese(pratte_reports, tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from report_browser import Browser

    result, paths = pratte_reports
    with Browser(tmp_path / "profile") as browser:
        for lang, heading, label in (("en", "RT distributions: quantiles, delta plots and conditional accuracy",
                                      "model at published defaults, not fitted"),
                                     ("ja", "反応時間の分布：分位点、デルタプロット、条件付き正答率",
                                      "既刊の既定値のモデル、当てはめなし")):
            browser.open(paths[lang].as_uri(), 1280)
            assert browser.requests == [paths[lang].as_uri()], browser.requests     # nothing from the network
            section = browser.evaluate("document.getElementById('stroop-predictive').textContent")
            assert section == heading
            text = browser.evaluate("document.body.innerText")
            assert label in text
            drawn = browser.evaluate("""(() => {
                const start = document.getElementById('stroop-predictive');
                const end = document.getElementById('stroop-comparison');
                return Array.from(document.querySelectorAll('figure')).filter(f =>
                    (start.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING)
                    && (end.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_PRECEDING)).map(f => ({
                    caption: f.querySelector('figcaption').textContent,
                    rendered: f.querySelector('div.plot').getAttribute('data-rendered'),
                    traces: f.querySelectorAll('.scatterlayer .trace').length}))})()""")
            # quantiles and CAFs: people vs each of the 2 models (3 conditions each: 6 lines);
            # delta plots: the card's 2 contrasts, people and both models (3 lines)
            assert len(drawn) == 6, drawn
            assert all(f["rendered"] == "true" for f in drawn), drawn
            assert sorted(f["traces"] for f in drawn) == [3, 3, 6, 6, 6, 6], drawn
            assert sum("incongruent − congruent" in f["caption"] for f in drawn) == 1
            axis_titles = browser.evaluate("Array.from(document.querySelectorAll('.xtitle')).map(e => e.textContent)")
            assert ("分位点" if lang == "ja" else "quantile") in axis_titles
    html = paths["en"].read_text(encoding="utf-8")
    assert html.index('id="stroop-predictive"') < html.index('id="stroop-comparison"')


def test_every_number_of_the_views_is_a_csv_table(pratte_reports):
    result, paths = pratte_reports
    folder = paths["en"].parent / "tables-en"
    for name, frame in result.predictive.tables().items():
        csv = pd.read_csv(folder / f"stroop_{name}.csv")
        assert len(csv) == len(frame), name
        for column in ("rt_ms", "effect_ms", "accuracy"):
            if column in frame:
                np.testing.assert_allclose(csv[column], frame[column].astype(float), rtol=1e-9)


def test_fit_per_participant_on_the_command_line_stores_the_predictive_run(pratte_store, tmp_path):
    import shutil
    import subprocess
    import sys

    db = tmp_path / "copy.db"
    shutil.copy(pratte_store["folder"] / "pratte.db", db)
    codes = ",".join(pratte_store["codes"][:2])
    done = subprocess.run([sys.executable, "-m", "mirrorlab", "fit", "exgauss-conditions", "--task", "stroop",
                           "--per-participant", "--predictive", "--participants", codes, "--seed", "9", "--db", f"sqlite:///{db}"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "RT-distribution views of `mirrorlab compare`" in done.stdout
    from db.store import Store

    runs = Store(f"sqlite:///{db}").model_runs_frame(task="stroop")
    newest = runs.iloc[-1]
    assert newest["fit"]["kind"] == "posterior_predictive" and newest["seed"] == 9
    assert {p["basis"] for p in newest["fit"]["participants"].values()} == {"fitted"}
    assert newest["n_trials"] == 2 * 504


def test_cohen1990_at_a_stored_fit_is_drawn_at_that_fit_and_is_closer_to_the_person(pratte_store):
    """A real BADS fit of Cohen et al. (1990) to one participant, stored as the command line
    stores it: the model's view is drawn at it (labelled fitted, in-sample) and its quantiles
    lie closer to that person's than the network's at its published defaults do."""
    from models.fitting.ml import fit_participant, store_fit
    from models.fitting.predictive import predictive_trials, predictive_trials_from_store

    store = pratte_store["store"]
    code = pratte_store["codes"][0]
    person = store.trials_frame(task="stroop", source="human").query("agent == @code")
    run_id = store_fit(store, fit_participant("cohen1990", person, seed=0, participant=code),
                       task="stroop", trials=person)
    fitted = predictive_trials_from_store(store, "cohen1990", "stroop", person, seed=1)
    assert {(e["predictive_basis"], e["fit_run_id"]) for e in fitted["extras"]} == {("fitted", run_id)}
    defaults = predictive_trials("cohen1990", person, seed=1)
    rmse = {}
    for label, rows in (("fitted", fitted), ("defaults", defaults)):
        views = predictive_views(pd.concat([person, rows], ignore_index=True), "stroop")
        rmse[label] = float(views.agreement["quantile_rmse_ms"].iloc[0])
        assert views.sources.set_index("source").loc["model:cohen1990", "basis"] == \
            ("fitted" if label == "fitted" else "published_defaults")
    assert rmse["fitted"] < rmse["defaults"] / 2, rmse


def test_compare_with_only_a_predictive_run_of_the_asked_model(pratte_store):
    """``--models cohen1990`` when Cohen 1990's only trials are its predictive run: the views show
    it, the condition-means comparison has no model (and says so), nothing else sneaks in."""
    from analysis import compare

    result = compare(pratte_store["store"], "stroop", engine="statsmodels", fit_accuracy=False,
                     human_sessions=pratte_store["sessions"], models=["cohen1990"])
    assert result.models == {}
    assert set(result.predictive.sources["source"]) == {"human", "model:cohen1990"}
    assert any("no model trials" in m for m in result.messages)


def test_people_passed_as_predictive_trials_are_refused(pratte_store):
    from analysis import compare

    people = pratte_store["store"].trials_frame(task="stroop", source="human").head(50)
    with pytest.raises(AnalysisInputError, match="model rows"):
        compare(pratte_store["store"], "stroop", human_sessions=pratte_store["sessions"],
                predictive_trials=people)
