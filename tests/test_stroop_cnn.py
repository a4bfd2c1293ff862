"""The Stroop CNN, trained for real in a tiny configuration (~14 s of CPU on one core): it learns to
name ink colours well above chance, shows Stroop interference, is seeded and cached."""

import numpy as np
import pandas as pd
import pytest

from models.base import ModelInputError
from models.registry import make_model
from models.stroop_cnn.render import render_word


def with_uncertainty(out: pd.DataFrame) -> pd.DataFrame:
    """Shared rows keep the network's uncertainty (its RT proxy) in extras; as a column here."""
    return out.assign(rt_uncertainty=out["extras"].map(lambda e: e["uncertainty"]).astype(float))

#: Small enough to train in well under a minute on one shared core.
TINY = dict(reading_images=3000, reading_epochs=6, channels=(8, 16, 32), hidden_units=32,
            naming_images_per_colour=8, naming_steps=60, batch_size=16, training_seed=0)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("stroop-cnn-cache"))


@pytest.fixture(scope="module")
def trained(cache_dir):
    model = make_model("stroop-cnn", cache_dir=cache_dir, **TINY)
    model.networks()
    return model


@pytest.fixture(scope="module")
def colour_naming_run(trained):
    from stimuli import load_set

    trials = load_set("stroop-en").trial_list(seed=2, instruction="colour_naming", include_practice=False)
    return with_uncertainty(trained.simulate(trials, n=6, seed=7))


def test_renders_english_and_japanese_in_the_ink():
    rng = np.random.default_rng(0)
    for text in ("YELLOW", "黄"):
        image = render_word(text, (220, 30, 30), rng)
        assert image.shape == (32, 64, 3)
        pixels = image.reshape(-1, 3).astype(int)
        inked = (pixels[:, 0] > 170) & (pixels[:, 1] < 90)
        assert 15 < inked.sum() < 0.6 * len(pixels)     # the word is drawn, in red, and fits
    again = render_word("赤", (20, 170, 40), np.random.default_rng(5))
    assert np.array_equal(again, render_word("赤", (20, 170, 40), np.random.default_rng(5)))


def test_trains_and_names_colours_well_above_chance(trained, colour_naming_run):
    assert trained.cache_hit is False
    reading_loss = trained.training_summary["reading_loss_per_epoch"]
    assert reading_loss[-1] < 0.85 * reading_loss[0]
    accuracy = colour_naming_run["correct"].mean()
    assert accuracy > 0.5          # chance is 0.25 with four colours
    assert colour_naming_run["response"].isin(["red", "green", "blue", "yellow"]).all()


def test_incongruent_words_hurt_colour_naming(colour_naming_run):
    by = colour_naming_run.groupby("condition")
    accuracy, uncertainty = by["correct"].mean(), by["rt_uncertainty"].mean()
    assert accuracy["incongruent"] < accuracy["congruent"]
    assert uncertainty["incongruent"] > uncertainty["congruent"]
    assert by["rt_ms"].mean()["incongruent"] > by["rt_ms"].mean()["congruent"]
    wrong = colour_naming_run[~colour_naming_run["correct"] & (colour_naming_run["condition"] == "incongruent")]
    # an incongruent error most often says the colour the word names
    assert (wrong["response"] == wrong["word_colour"]).mean() > 1 / 3


def test_japanese_words_interfere_too(trained):
    from stimuli import load_set

    trials = load_set("stroop-ja").trial_list(seed=2, instruction="colour_naming", include_practice=False)
    out = with_uncertainty(trained.simulate(trials, n=3, seed=2))
    accuracy = out.groupby("condition")["correct"].mean()
    assert out["correct"].mean() > 0.5
    assert accuracy["incongruent"] < accuracy["neutral"] < accuracy["congruent"]


def test_word_reading_uses_the_reader(trained):
    from stimuli import load_set

    trials = load_set("stroop-en").trial_list(seed=2, instruction="word_reading", include_practice=False)
    out = with_uncertainty(trained.simulate(trials, n=2, seed=1))
    assert out["correct"].mean() > 0.7
    assert out["source"].eq("model:stroop-cnn").all()


def test_same_seed_same_rows_and_a_cache_hit(trained, cache_dir):
    from stimuli import load_set

    trials = load_set("stroop-ja").trial_list(seed=4, instruction="colour_naming", include_practice=False)
    first = with_uncertainty(trained.simulate(trials, n=2, seed=3))
    second_model = make_model("stroop-cnn", cache_dir=cache_dir, **TINY)
    again = with_uncertainty(second_model.simulate(trials, n=2, seed=3))
    assert second_model.cache_hit is True
    pd.testing.assert_frame_equal(first, again)
    other = with_uncertainty(trained.simulate(trials, n=2, seed=4))
    assert not np.allclose(first["rt_uncertainty"], other["rt_uncertainty"])
    assert trained.cache_path() == second_model.cache_path()
    assert make_model("stroop-cnn", cache_dir=cache_dir, **{**TINY, "training_seed": 1}).cache_path() \
        != trained.cache_path()


def test_fit_maps_uncertainty_to_ms(trained):
    human = pd.DataFrame([{"instruction": "colour_naming", "condition": c, "rt_ms": rt, "correct": True}
                          for c, rt in (("congruent", 703), ("neutral", 720), ("incongruent", 790))])
    before = trained.get_params()
    fit = trained.fit(human)
    assert fit["ms_per_unit"] > 0 and trained.fitted_["ms_per_unit"] == fit["ms_per_unit"]
    assert trained.get_params() == before          # the fit never overwrites parameters
    assert np.isfinite(fit["rmse_ms"]) and fit["n_trials"] == 3
    predicted = {c["condition"]: c["model_rt_ms"] for c in fit["cells"]}
    assert predicted["incongruent"] > predicted["congruent"]


def test_bad_input_is_one_line_user_error(trained):
    trials = pd.DataFrame([{"task": "stroop", "instruction": "colour_naming", "word": "RED",
                            "ink": "purple", "word_colour": "red", "condition": "incongruent",
                            "expected_response": "purple"}])
    with pytest.raises(ModelInputError, match="purple"):
        with_uncertainty(trained.simulate(trials))
    with pytest.raises(ModelInputError, match="'word'"):
        with_uncertainty(trained.simulate(trials.assign(ink="red", expected_response="red").drop(columns=["word"])))
