"""Trial-list generators: same seed → same list; the constraints hold in every generated
list (many seeds); counterbalancing across participants does what it says."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from stimuli import StimulusError, load_set
from stimuli.generators.sequencing import (constrained_order, latin_square_row, longest_run,
                                           williams_row)

SEEDS = range(12)
COMMON = ["task", "instruction", "item_id", "condition", "language", "expected_response",
          "block", "trial_index", "is_practice"]


@pytest.fixture(scope="module")
def sets():
    return {name: load_set(name) for name in
            ("stroop-en", "stroop-ja", "picture-word-en", "picture-word-ja",
             "continuous-naming-en", "continuous-naming-ja", "association-en", "association-ja")}


def no_immediate_repeats(frame: pd.DataFrame, key: str = "item_id") -> bool:
    values = list(frame[key])
    return all(a != b for a, b in zip(values, values[1:]))


# ---------------------------------------------------------------- reproducibility
@pytest.mark.parametrize("name", ["stroop-en", "picture-word-ja", "continuous-naming-en",
                                  "association-ja"])
def test_same_seed_same_list_other_seed_other_list(sets, name):
    s = sets[name]
    first = s.trial_list(seed=7, participant_index=3)
    again = load_set(name).trial_list(seed=7, participant_index=3)  # fresh object too
    pd.testing.assert_frame_equal(first, again)
    other = s.trial_list(seed=8, participant_index=3)
    assert list(other["item_id"]) != list(first["item_id"])
    assert list(first.columns[:len(COMMON)]) == COMMON
    assert first["trial_index"].tolist() == list(range(len(first)))
    assert (first["task"] == s.task).all() and (first["language"] == s.language).all()


def test_practice_first_and_optional(sets):
    s = sets["stroop-ja"]
    with_practice = s.trial_list(seed=1)
    practice = with_practice[with_practice["is_practice"]]
    assert len(practice) == s.design["practice_trials"]
    assert (practice["block"] == 0).all()
    assert with_practice["is_practice"].tolist() == sorted(with_practice["is_practice"],
                                                           reverse=True)
    without = s.trial_list(seed=1, include_practice=False)
    assert not without["is_practice"].any() and (without["block"] >= 1).all()


# ---------------------------------------------------------------- Stroop
@pytest.mark.parametrize("instruction", ["colour_naming", "word_reading"])
def test_stroop_constraints_every_seed(sets, instruction):
    for name in ("stroop-en", "stroop-ja"):
        s = sets[name]
        max_run = s.design["max_same_condition_in_row"]
        for seed in SEEDS:
            trials = s.trial_list(seed=seed, instruction=instruction)
            for block, rows in trials.groupby("block"):
                assert longest_run(rows["condition"]) <= max_run
                assert no_immediate_repeats(rows)
                if block > 0:
                    counts = rows["condition"].value_counts()
                    assert set(counts) == {s.design["trials_per_condition"]}
                    assert set(counts.index) == {"congruent", "neutral", "incongruent"}
            answer = trials["ink"] if instruction == "colour_naming" else trials["word_colour"]
            assert (trials["expected_response"] == answer).all()
            assert (trials["expected_response"] != "").all()
            congruent = trials[trials["condition"] == "congruent"]
            assert (congruent["ink"] == congruent["word_colour"]).all()
            incongruent = trials[trials["condition"] == "incongruent"]
            assert (incongruent["ink"] != incongruent["word_colour"]).all()


def test_stroop_word_reading_neutral_is_colour_word_in_neutral_ink(sets):
    trials = sets["stroop-en"].trial_list(seed=2, instruction="word_reading")
    neutral = trials[trials["condition"] == "neutral"]
    assert (neutral["ink"] == "").all()
    assert set(neutral["word"]) == {"RED", "GREEN", "BLUE", "YELLOW"}
    colour = sets["stroop-en"].trial_list(seed=2, instruction="colour_naming")
    assert (colour[colour["condition"] == "neutral"]["word_colour"] == "").all()


def test_stroop_items_balanced_within_condition(sets):
    trials = sets["stroop-en"].trial_list(seed=4, include_practice=False)
    for block, rows in trials.groupby("block"):
        incongruent = Counter(rows.loc[rows["condition"] == "incongruent", "item_id"])
        assert len(incongruent) == 12 and set(incongruent.values()) == {2}  # 24 / 12 items
        congruent = Counter(rows.loc[rows["condition"] == "congruent", "item_id"])
        assert set(congruent.values()) == {6}


def test_unknown_instruction_is_a_user_error(sets):
    with pytest.raises(StimulusError) as info:
        sets["stroop-en"].trial_list(seed=1, instruction="picture_naming")
    assert "colour_naming, word_reading" in str(info.value)


# ---------------------------------------------------------------- picture–word
@pytest.mark.parametrize("instruction", ["picture_naming", "word_reading"])
def test_picture_word_design_every_seed(sets, instruction):
    s = sets["picture-word-en"]
    soas = s.design["soas_ms"]
    pictures = s.items[s.items["role"] == "experimental"]
    for seed in SEEDS:
        trials = s.trial_list(seed=seed, instruction=instruction, participant_index=seed)
        main = trials[~trials["is_practice"]]
        assert len(main) == len(soas) * len(pictures) * 4
        assert sorted(main.groupby("block")["soa_ms"].first()) == sorted(soas)
        for block, rows in main.groupby("block"):
            assert rows["soa_ms"].nunique() == 1
            assert longest_run(rows["condition"]) <= s.design["max_same_condition_in_row"]
            assert no_immediate_repeats(rows)
            cells = Counter(zip(rows["item_id"], rows["condition"]))
            assert len(cells) == len(pictures) * 4 and set(cells.values()) == {1}
        identical = main[main["condition"] == "identical"]
        assert (identical["distractor"] == identical["picture"]).all()
        related = main[main["condition"] == "related"]
        assert (related["distractor_category"] == related["category"]).all()
        assert (related["distractor"] != related["picture"]).all()
        unrelated = main[main["condition"] == "unrelated"]
        assert (unrelated["distractor_category"] != unrelated["category"]).all()
        assert (main.loc[main["condition"] == "nonword", "distractor_category"] == "").all()
        expected = main["picture"] if instruction == "picture_naming" else main["distractor"]
        assert (main["expected_response"] == expected).all()


def test_picture_word_files_are_absolute_pngs(sets):
    trials = sets["picture-word-ja"].trial_list(seed=1)
    from pathlib import Path

    for path in set(trials["picture_file"]):
        assert Path(path).is_absolute() and Path(path).suffix == ".png" and Path(path).is_file()


def test_picture_word_soa_block_order_is_a_williams_square(sets):
    s = sets["picture-word-en"]
    soas = s.design["soas_ms"]
    orders = []
    for participant in range(2 * len(soas)):
        trials = s.trial_list(seed=0, participant_index=participant, include_practice=False)
        orders.append(list(trials.groupby("block")["soa_ms"].first()))
    for position in range(len(soas)):  # each SOA in each serial position equally often
        assert Counter(order[position] for order in orders) == {soa: 2 for soa in soas}
    pairs = Counter((a, b) for order in orders for a, b in zip(order, order[1:]))
    assert len(pairs) == len(soas) * (len(soas) - 1) and set(pairs.values()) == {2}


# ---------------------------------------------------------------- continuous naming
@pytest.mark.parametrize("name", ["continuous-naming-en", "continuous-naming-ja"])
def test_continuous_naming_lags_and_positions_every_seed(sets, name):
    s = sets[name]
    for seed in SEEDS:
        trials = s.trial_list(seed=seed, participant_index=seed)
        main = trials[~trials["is_practice"]].reset_index(drop=True)
        assert len(main) == 165
        assert (main["condition"] == "filler").sum() == 45
        assert main["item_id"].is_unique
        experimental = main[main["condition"] == "experimental"]
        assert Counter(experimental["ordinal_position"]) == {k: 24 for k in range(1, 6)}
        assert Counter(experimental["lag"].dropna()) == {2: 24, 4: 24, 6: 24, 8: 24}
        for category, rows in experimental.groupby("category"):
            positions = rows.index.to_list()
            assert rows["ordinal_position"].tolist() == [1, 2, 3, 4, 5]
            gaps = [b - a - 1 for a, b in zip(positions, positions[1:])]
            assert rows["lag"].iloc[1:].tolist() == gaps
            assert sorted(gaps) == [2, 4, 6, 8]
            assert pd.isna(rows["lag"].iloc[0])
        fillers = main[main["condition"] == "filler"]
        assert fillers["ordinal_position"].isna().all() and fillers["lag"].isna().all()
        assert (fillers["category"] == "").all()
        assert (main["expected_response"] == main["picture"]).all()


def test_continuous_naming_fillers_spread_over_sequence(sets):
    counts = np.zeros(5)
    for seed in range(20):
        trials = sets["continuous-naming-en"].trial_list(seed=seed, include_practice=False)
        positions = np.flatnonzero(trials["condition"] == "filler")
        counts += np.histogram(positions, bins=[0, 33, 66, 99, 132, 165])[0]
    assert (counts / 20 > 5).all() and (counts / 20 < 14).all()  # 9 per fifth if even


def test_continuous_naming_member_order_rotates_across_participants(sets):
    s = sets["continuous-naming-en"]
    positions: dict[str, set[int]] = {}
    for participant in range(5):
        trials = s.trial_list(seed=11, participant_index=participant)
        for item, ordinal in zip(trials["item_id"], trials["ordinal_position"]):
            if not pd.isna(ordinal):
                positions.setdefault(item, set()).add(int(ordinal))
    assert len(positions) == 120
    assert all(found == {1, 2, 3, 4, 5} for found in positions.values())


# ---------------------------------------------------------------- association
@pytest.mark.parametrize("name", ["association-en", "association-ja"])
def test_association_every_seed(sets, name):
    s = sets[name]
    for seed in SEEDS:
        trials = s.trial_list(seed=seed, participant_index=seed)
        main = trials[~trials["is_practice"]]
        assert sorted(main["item_id"]) == sorted(s.items.loc[s.items["role"] == "experimental",
                                                             "item_id"])
        for row in main.itertuples():
            assert len(row.choices) in (2, 4)
            assert row.choices[row.answer_position - 1] == row.expected_response
        assert longest_run(main["answer_position"]) <= s.design["max_same_answer_position_in_row"]
        assert set(main["condition"]) <= {"words", "pictures"}


def test_association_answer_position_counterbalanced(sets):
    s = sets["association-ja"]
    four = s.items[s.items["choice_4"] != ""]["item_id"].tolist()
    seen: dict[str, set[int]] = {item: set() for item in four}
    for participant in range(4):
        trials = s.trial_list(seed=3, participant_index=participant)
        for row in trials.itertuples():
            if row.item_id in seen:
                seen[row.item_id].add(row.answer_position)
    assert all(found == {1, 2, 3, 4} for found in seen.values())
    for name in ("association-ja", "association-en"):
        one = load_set(name).trial_list(seed=3, participant_index=1)
        for n_choices in (2, 4):
            rows = one[one["choices"].map(len) == n_choices]
            if rows.empty:
                continue
            counts = Counter(rows["answer_position"])
            assert set(counts) == set(range(1, n_choices + 1))
            assert max(counts.values()) - min(counts.values()) <= 1


def test_course_items_present_in_association_ja(sets):
    items = sets["association-ja"].items.set_index("target")
    assert items.loc["オートバイ", "answer"] == "ヘルメット"
    assert items.loc["かもめ", "answer"] == "海"
    assert items.loc["柿", "answer"] == "五重塔"


# ---------------------------------------------------------------- sequencing tools
def test_constrained_order_holds_and_reports_impossible():
    rng = np.random.default_rng(0)
    keys = ["a"] * 30 + ["b"] * 30 + ["c"] * 30
    items = [f"i{k % 7}" for k in range(90)]
    for _ in range(50):
        order = constrained_order(90, rng, run_limits=[(keys, 2)], no_repeat=items)
        assert sorted(order) == list(range(90))
        assert longest_run([keys[i] for i in order]) <= 2
        assert all(items[a] != items[b] for a, b in zip(order, order[1:]))
    with pytest.raises(StimulusError) as info:
        constrained_order(10, rng, run_limits=[(["a"] * 9 + ["b"], 3)])
    assert "cannot order" in str(info.value) and "\n" not in str(info.value)


def test_latin_and_williams_squares():
    for n in (4, 5, 9):
        rows = [latin_square_row(n, r) for r in range(n)]
        assert all(sorted(col) == list(range(n)) for col in zip(*rows))
        count = n if n % 2 == 0 else 2 * n
        rows = [williams_row(n, r) for r in range(count)]
        assert all(sorted(row) == list(range(n)) for row in rows)
        pairs = Counter((a, b) for row in rows for a, b in zip(row, row[1:]))
        assert len(pairs) == n * (n - 1) and len(set(pairs.values())) == 1
