"""Cohen, Dunbar & McClelland (1990): the simulation of practice and the reverse-Stroop asymmetry,
held to the published patterns (MacLeod & Dunbar 1988; Dunbar & MacLeod 1984) — directions and
rough sizes, with the model's published defaults and checkpoints fixed in advance."""

import numpy as np
import pytest

from models.base import ModelInputError
from models.pdp.cohen1990 import Cohen1990
from models.pdp.cohen_huston1994 import CohenHuston1994
from models.pdp.practice import PRACTICE_EPOCHS, practice_curve, train_colour_pathway
from models.pdp.reverse_stroop import equal_pathways_effects, stroop_asymmetry
from stimuli.published import published_table


def interference_stage(new_task_ms: float, practised_task_ms: float) -> tuple[str, str]:
    """The published table's words for a pair of interference effects: an effect is 'absent'
    when it is under a third of the other one (and under 15 ms), else 'present'."""
    def word(effect: float, other: float) -> str:
        return "absent" if effect < max(15.0, other / 3) else "present"

    return word(new_task_ms, practised_task_ms), word(practised_task_ms, new_task_ms)


@pytest.fixture(scope="module")
def curve():
    return practice_curve(n=300, seed=3)


def test_practice_strengthens_the_colour_pathway_and_speeds_colour_naming(curve):
    assert list(curve["colour_training_epochs"]) == list(PRACTICE_EPOCHS)
    assert np.all(np.diff(curve["colour_in_strength"]) > 0)
    assert np.all(np.diff(curve["colour_out_strength"]) > 0)
    assert curve["word_in_strength"].nunique() == 1          # the word pathway is held fixed
    rt = curve["colour_neutral_ms"].to_numpy()
    assert rt[0] > rt[-1] + 200                               # much faster with practice
    # diminishing returns: the first doubling of practice gains more than the last one
    assert rt[0] - rt[1] > 3 * abs(rt[-2] - rt[-1])
    accuracy = curve["colour_incongruent_accuracy"].to_numpy()
    assert accuracy[0] < 0.8 and accuracy[-1] > 0.99


def test_interference_follows_macleod_and_dunbar_stages(curve):
    """2 h: only the new task suffers; 5 h: both; 20 h: only the practised task (reversal)."""
    published = published_table("macleod-dunbar1988-practice-pattern").frame()
    stages = [interference_stage(new, old) for new, old in
              zip(curve["colour_interference_ms"], curve["word_interference_ms"])]
    wanted = [(row.new_task_interference, row.practised_task_interference)
              for row in published.itertuples()]
    assert stages[0] == wanted[0]
    assert stages[-1] == wanted[-1]
    first_both = [k for k, s in enumerate(stages) if s == wanted[1]]
    assert first_both, stages                                  # a symmetrical stage exists
    last_early = max(k for k, s in enumerate(stages) if s == wanted[0])
    first_late = min(k for k, s in enumerate(stages) if s == wanted[-1])
    assert last_early < first_both[0] < first_late             # ... and the stages come in order


def test_reading_interference_grows_as_colour_naming_is_practised(curve):
    word = curve["word_interference_ms"].to_numpy()
    colour = curve["colour_interference_ms"].to_numpy()
    assert word[-1] > word[0] + 40
    assert colour[0] > 5 * colour[-1]


def test_training_is_reproducible_and_checks_its_checkpoints():
    a = train_colour_pathway(checkpoints=(10, 30))
    b = train_colour_pathway(checkpoints=(30, 10))
    assert [s.epochs for s in a] == [10, 30]
    np.testing.assert_array_equal(a[1].weights.colour_in, b[1].weights.colour_in)
    assert a[1].loss < a[0].loss
    with pytest.raises(ModelInputError):
        train_colour_pathway(checkpoints=(-1,))
    with pytest.raises(ModelInputError):
        train_colour_pathway(checkpoints=(5,), word_pathway="mystery")


@pytest.mark.parametrize("model, n", [(Cohen1990(), 400), (CohenHuston1994(), 1),
                                      (CohenHuston1994(noise_sd=0.05), 200)],
                         ids=["cohen1990", "cohen-huston1994", "cohen-huston1994-noisy"])
def test_reverse_stroop_asymmetry_as_in_people(model, n):
    frame = stroop_asymmetry(model, n=n, seed=2).set_index(["source", "instruction"])
    people = frame.loc["published"]
    simulated = frame.loc[f"model:{model.name}"]
    # people: a large colour-naming interference, a reading interference a fraction of it
    assert people.loc["word_reading", "interference_ratio"] < 0.25
    assert simulated.loc["colour_naming", "interference_ms"] > 40
    assert abs(simulated.loc["word_reading", "interference_ms"]) < \
        0.25 * simulated.loc["colour_naming", "interference_ms"]
    assert simulated.loc["word_reading", "incongruent_accuracy"] > 0.99


def test_equal_pathways_remove_the_asymmetry():
    # with the published (unequal) pathways the ratio is about 0.01 (test above)
    effects = equal_pathways_effects(Cohen1990(), n=1000, seed=4)
    colour, word = effects["colour_interference_ms"], effects["word_interference_ms"]
    assert colour > 8 and word > 8
    assert 0.4 < word / colour < 2.5


@pytest.mark.parametrize("frequency", [10.0, 1.0], ids=["words-10x", "equal-practice"])
def test_joint_training_curve(frequency):
    """The 1990 training regime: with words read ten times as often as colours are named, both
    tasks speed up, colour-naming interference shrinks with training but stays far above the
    reading interference (the asymmetry is relative strength, kept by the 10:1 practice);
    with equal practice the two interferences come out alike."""
    from models.pdp.practice import TRAINING_EPOCHS, training_curve

    curve = training_curve(word_reading_frequency=frequency, n=300, seed=1)
    assert list(curve["training_epochs"]) == list(TRAINING_EPOCHS)
    assert curve["colour_neutral_ms"].iloc[-1] < curve["colour_neutral_ms"].iloc[0] - 100
    assert curve["word_neutral_ms"].iloc[-1] < curve["word_neutral_ms"].iloc[0] - 10
    colour, word = curve["colour_interference_ms"], curve["word_interference_ms"]
    if frequency == 10.0:
        assert (curve["word_neutral_ms"] < curve["colour_neutral_ms"]).all()
        assert colour.iloc[0] > 3 * colour.iloc[-1]
        assert (colour > 3 * word.abs().clip(lower=1.0)).all()
    else:
        late = curve[curve["training_epochs"] >= 200]
        ratio = late["word_interference_ms"] / late["colour_interference_ms"]
        assert ((ratio > 0.4) & (ratio < 3.0)).all()
