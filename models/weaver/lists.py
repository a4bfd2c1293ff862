"""Trial lists for the WEAVER++ family: the stimulus sets people see, and small synthetic
lists for unit tests and benchmarks.

The fit reports (``models.weaver.report``, the continuous-naming reports) run on
:func:`people_trial_list`: the trial lists the bundled stimulus sets' own generators
(``stimuli/generators``) give people. The synthetic lists below remain for unit tests and
benchmarks that need a design without files or with a chosen size:

* :func:`picture_word_grid` — Glaser & Düngelhoff (1984): every item × SOA (−400…+400 ms) ×
  relation (identical, related, unrelated, nonword), for picture naming or word reading;
* :func:`stroop_list` — colour naming or word reading, congruent / neutral / incongruent;
* :func:`continuous_naming_sequence` — Howard et al. (2006): categories × 5 members intermixed with
  fillers, successive members of a category 2, 4, 6 or 8 trials apart (each lag once per
  category), 165 trials for the published 24 × 5 + 45 design.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The bundled set whose generator gives each task's fit-report trials (what people see).
FIT_REPORT_SETS = {"picture-word": "picture-word-en", "stroop": "stroop-en",
                   "continuous-naming": "continuous-naming-en"}


def people_trial_list(task: str, instruction: str, seed: int = 0,
                      participant_index: int = 0) -> pd.DataFrame:
    """The trial list a participant sees (no practice) in the task's bundled set, from the
    set's own generator: the stimuli of the fit reports are the stimuli of the sessions."""
    from stimuli import load_set

    stimulus_set = load_set(FIT_REPORT_SETS[task])
    return stimulus_set.trial_list(seed=seed, instruction=instruction,
                                   participant_index=participant_index, include_practice=False)

#: Category → five members (English picture names). Used only to build demonstration lists.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "animal": ("dog", "cat", "horse", "cow", "pig"),
    "furniture": ("chair", "table", "bed", "desk", "sofa"),
    "vehicle": ("car", "bus", "train", "truck", "bicycle"),
    "fruit": ("apple", "pear", "banana", "grape", "cherry"),
    "clothing": ("shirt", "coat", "dress", "sock", "hat"),
    "tool": ("hammer", "saw", "drill", "wrench", "axe"),
    "body part": ("hand", "foot", "nose", "ear", "knee"),
    "instrument": ("piano", "drum", "guitar", "violin", "flute"),
    "bird": ("eagle", "owl", "duck", "swan", "crow"),
    "vegetable": ("carrot", "onion", "potato", "pea", "leek"),
    "weapon": ("gun", "sword", "bow", "spear", "knife"),
    "kitchen": ("pan", "kettle", "spoon", "fork", "bowl"),
    "insect": ("ant", "bee", "fly", "moth", "wasp"),
    "building": ("house", "church", "tower", "barn", "castle"),
    "fish": ("shark", "trout", "salmon", "cod", "eel"),
    "toy": ("kite", "doll", "ball", "yoyo", "puppet"),
    "flower": ("rose", "tulip", "daisy", "lily", "poppy"),
    "tree": ("oak", "pine", "palm", "willow", "birch"),
    "drink": ("tea", "coffee", "milk", "juice", "wine"),
    "sport": ("tennis", "golf", "rugby", "hockey", "boxing"),
    "weather": ("rain", "snow", "storm", "fog", "wind"),
    "shape": ("circle", "square", "star", "cross", "heart"),
    "jewellery": ("ring", "necklace", "bracelet", "brooch", "earring"),
    "container": ("box", "bag", "basket", "bottle", "jar"),
}
FILLERS = tuple(f"filler{i:02d}" for i in range(1, 200))
COLOURS = ("red", "green", "blue", "yellow")
GD_SOAS_MS = tuple(range(-400, 401, 100))
RELATIONS = ("identical", "related", "unrelated", "nonword")


def picture_word_grid(n_items: int = 8, soas_ms=GD_SOAS_MS, instruction: str = "picture_naming",
                      relations=RELATIONS) -> pd.DataFrame:
    """Every item × SOA × relation once. Related distractors are a co-member of the picture's
    category; unrelated ones a member of another category; nonwords are letter strings."""
    names = list(CATEGORIES)
    rows = []
    for i in range(n_items):
        category = names[i % len(names)]
        members = CATEGORIES[category]
        picture = members[(i // len(names)) % len(members)]
        related = members[((i // len(names)) + 1) % len(members)]
        other = names[(i + len(names) // 2) % len(names)]
        unrelated = CATEGORIES[other][(i // len(names)) % 5]
        for soa in soas_ms:
            for relation in relations:
                distractor, distractor_category = {
                    "identical": (picture, category),
                    "related": (related, category),
                    "unrelated": (unrelated, other),
                    "nonword": ("xqrtv", ""),
                }[relation]
                word_task = instruction in ("word_reading", "word_categorising")
                rows.append({
                    "task": "picture-word", "instruction": instruction, "item_id": f"pw{i:03d}",
                    "condition": relation, "picture": picture, "category": category,
                    "distractor": distractor, "distractor_category": distractor_category,
                    "soa_ms": float(soa), "language": "en",
                    "expected_response": distractor if word_task else picture,
                })
    frame = pd.DataFrame(rows)
    frame["trial_index"] = np.arange(len(frame))
    return frame


def stroop_list(instruction: str = "colour_naming", repetitions: int = 1) -> pd.DataFrame:
    """All ink × word combinations: congruent (word = ink), incongruent, neutral (XXXX)."""
    rows = []
    for _ in range(repetitions):
        for ink in COLOURS:
            for word in COLOURS + ("XXXX",):
                condition = "neutral" if word == "XXXX" else (
                    "congruent" if word == ink else "incongruent")
                rows.append({
                    "task": "stroop", "instruction": instruction, "item_id": f"{word}-{ink}",
                    "condition": condition, "word": word.upper(), "ink": ink,
                    "word_colour": "" if word == "XXXX" else word, "language": "en",
                    "expected_response": ink if instruction == "colour_naming" else (
                        word if word != "XXXX" else "XXXX"),
                })
    frame = pd.DataFrame(rows)
    frame["trial_index"] = np.arange(len(frame))
    return frame


def continuous_naming_sequence(seed: int = 0, n_categories: int = 24, members: int = 5,
                               n_fillers: int = 45, lags=(2, 4, 6, 8)) -> pd.DataFrame:
    """A Howard et al. (2006)-style sequence: each category's members appear in order with the
    lags (intervening trials) a random permutation of ``lags``; fillers fill the gaps.

    Placement is random with restarts; the same seed gives the same sequence.
    """
    rng = np.random.default_rng(seed)
    names = list(CATEGORIES)[:n_categories]
    if len(lags) != members - 1:
        raise ValueError("need one lag per transition between members")
    n_trials = n_categories * members + n_fillers
    for _ in range(500):
        slots: list[tuple[str, int, int | None] | None] = [None] * n_trials
        ok = True
        for category in rng.permutation(names):
            placed = False
            for _ in range(400):
                gaps = rng.permutation(lags)
                positions = np.concatenate([[0], np.cumsum(np.asarray(gaps) + 1)])
                start = int(rng.integers(0, n_trials - positions[-1]))
                positions = positions + start
                if all(slots[p] is None for p in positions):
                    for k, p in enumerate(positions):
                        slots[p] = (str(category), k + 1, None if k == 0 else int(gaps[k - 1]))
                    placed = True
                    break
            if not placed:
                ok = False
                break
        if ok:
            break
    else:  # pragma: no cover - the design is easy to satisfy
        raise RuntimeError("could not place the continuous-naming sequence")
    rows = []
    filler_iter = iter(FILLERS)
    for index, slot in enumerate(slots):
        if slot is None:
            name = next(filler_iter)
            rows.append({"picture": name, "category": f"filler:{name}", "condition": "filler",
                         "ordinal_position": np.nan, "lag": np.nan})
        else:
            category, position, lag = slot
            rows.append({"picture": CATEGORIES[category][position - 1], "category": category,
                         "condition": "experimental", "ordinal_position": float(position),
                         "lag": np.nan if lag is None else float(lag)})
    frame = pd.DataFrame(rows)
    frame.insert(0, "task", "continuous-naming")
    frame.insert(1, "instruction", "picture_naming")
    frame["item_id"] = frame["picture"]
    frame["language"] = "en"
    frame["expected_response"] = frame["picture"]
    frame["trial_index"] = np.arange(len(frame))
    return frame
