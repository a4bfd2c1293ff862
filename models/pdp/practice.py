"""Cohen, Dunbar & McClelland (1990): automaticity as pathway strength — the simulation of practice.

The 1990 account says that how much one pathway interferes with the other depends on the
*relative strength* of the two pathways, and that strength grows continuously with training.
MacLeod & Dunbar (1988) tested this by teaching people a new mapping (four shapes named with
colour names) for 2, 5 and 20 hours: early on the well-practised dimension interfered with the
new one and not the reverse; after 5 hours the interference was symmetrical; after 20 hours it
had reversed (``stimuli/published/macleod_dunbar1988.py``). Cohen et al. (1990) simulated this by
training a pathway for increasing amounts and measuring the Stroop effects at each point.

Here the **colour pathway is the one being practised**: it starts from small topographic weights
(as in ``models.pdp.training``) and is trained by back-propagation on colour-naming patterns
only, while the word pathway stays at its practised state (the published Fig. 3 word weights by
default; the word pathway of ``train_weights`` with ``word_pathway="trained"``). After each
checkpoint's number of epochs, the network — the 1990 cascade with its noise and evidence
accumulators, the model's own parameters — names colours and reads words on the balanced
design, and the curve records interference (incongruent − neutral) and facilitation
(neutral − congruent) in both tasks.

Nothing here is fitted: the learning rate and initial weights are those of
``models.pdp.training`` and the checkpoints are fixed in advance. One training run gives
every checkpoint (snapshots), and each checkpoint's simulation is one vectorised batch (the
cascade loops over cycles only), so the curve costs one training plus one batch per checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from models.pdp.weights import HIDDEN_BIAS, TASK_TO_HIDDEN, StroopWeights, fig3_weights

#: Colour-naming epochs at which the curve is measured: doublings from 100 (before 100 epochs
#: the colour pathway cannot yet name an incongruent stimulus: accuracy ≈ 0.04 at 50).
PRACTICE_EPOCHS = (100, 200, 400, 800, 1600, 3200, 6400)


@dataclass(frozen=True)
class PracticeSnapshot:
    """The network after ``epochs`` epochs of colour-naming training."""

    epochs: int
    weights: StroopWeights
    loss: float


def _with_neutral_units(square_in: np.ndarray, square_out: np.ndarray, n: int
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Add the pathway's neutral unit as ``models.pdp.training`` does: it excites its own hidden
    unit with the mean same-colour weight, inhibits the others with the mean other-colour weight,
    and sends nothing to the responses."""
    same = np.diag(square_in).mean()
    other = square_in[~np.eye(n, dtype=bool)].mean()
    full_in = np.full((n + 1, n + 1), other)
    full_in[:n, :n] = square_in
    full_in[n, n] = same
    full_out = np.vstack([square_out, np.zeros((1, n))])
    return full_in, full_out


def practised_word_pathway(n_colours: int, word_pathway: str = "fig3") -> StroopWeights:
    """The network whose word pathway is held fixed while colour naming is practised."""
    if word_pathway == "fig3":
        return fig3_weights(n_colours)
    if word_pathway == "trained":
        from models.pdp.training import train_weights

        return train_weights(n_colours)
    from models.base import ModelInputError

    raise ModelInputError(f"practice: word_pathway must be 'fig3' or 'trained', not {word_pathway!r}")


def train_colour_pathway(n_colours: int = 2, *, checkpoints: Sequence[int] = PRACTICE_EPOCHS,
                         word_pathway: str = "fig3", learning_rate: float = 0.1,
                         initial_sd: float = 0.1, seed: int = 0) -> list[PracticeSnapshot]:
    """Train the colour pathway (input → hidden and hidden → response, colour-symmetric as in
    ``models.pdp.training``) on colour-naming patterns, with the word pathway fixed; return the
    weights after each checkpoint's number of epochs (one run, snapshots)."""
    import torch

    from models.base import ModelInputError

    checkpoints = sorted({int(e) for e in checkpoints})
    if not checkpoints or checkpoints[0] < 0:
        raise ModelInputError(f"practice: checkpoints must be epochs ≥ 0, got {checkpoints!r}")
    n = int(n_colours)
    fixed = practised_word_pathway(n, word_pathway)
    word_out = torch.tensor(fixed.word_out[:n, :n], dtype=torch.float64)
    eye = torch.eye(n, dtype=torch.float64)
    generator = torch.Generator().manual_seed(int(seed))
    sizes = (initial_sd * torch.randn(2, 2, generator=generator, dtype=torch.float64)).abs()
    free = (sizes * torch.tensor([1.0, -1.0], dtype=torch.float64)).requires_grad_()
    # the word pathway rests: no input, no task support, logistic(−4) on each colour unit
    resting_word = torch.full((n, n), float(1 / (1 + np.exp(-HIDDEN_BIAS))), dtype=torch.float64)

    def projection(k: int) -> torch.Tensor:
        return free[k, 0] * eye + free[k, 1] * (1 - eye)

    def colour_naming_loss() -> torch.Tensor:
        hidden = torch.sigmoid(eye @ projection(0) + TASK_TO_HIDDEN + HIDDEN_BIAS)
        response = torch.sigmoid(hidden @ projection(1) + resting_word @ word_out)
        return ((response - eye) ** 2).sum()

    def snapshot(epochs: int, loss: float) -> PracticeSnapshot:
        colour_in, colour_out = _with_neutral_units(projection(0).detach().numpy().copy(),
                                                    projection(1).detach().numpy().copy(), n)
        weights = StroopWeights(colour_in=colour_in, word_in=fixed.word_in.copy(),
                                colour_out=colour_out, word_out=fixed.word_out.copy())
        return PracticeSnapshot(epochs=epochs, weights=weights, loss=loss)

    snapshots = []
    loss = float(colour_naming_loss().detach())
    for epoch in range(checkpoints[-1] + 1):
        if epoch in checkpoints:
            snapshots.append(snapshot(epoch, loss))
        if epoch == checkpoints[-1]:
            break
        value = colour_naming_loss()
        free.grad = None
        value.backward()
        with torch.no_grad():
            free -= learning_rate * free.grad
        loss = float(value.detach())
    return snapshots


def stroop_effects_ms(model, weights: StroopWeights, *, n: int, seed: int,
                      colours: Sequence[str] = ("red", "green")) -> dict[str, float]:
    """Interference and facilitation (ms on the model's RT line, correct trials) in colour
    naming and word reading, and accuracy, for one set of weights run through the model's own
    cascade (its noise, accumulators, threshold and time scale)."""
    from models.pdp.cohen1990 import run_cascade
    from models.pdp.stimuli import canonical_trials, encode_trials

    trials = canonical_trials(tuple(colours))
    encoded = encode_trials(trials, tuple(colours), model.name)
    result = run_cascade(
        weights, encoded, rate=float(model.rate), noise_sd=float(model.noise_sd),
        accumulator_rate=float(model.accumulator_rate),
        accumulator_noise_sd=float(model.accumulator_noise_sd), threshold=float(model.threshold),
        settle_cycles=int(model.settle_cycles), max_cycles=int(model.max_cycles),
        ms_per_cycle=float(model.soa_ms_per_cycle), rng=np.random.default_rng(seed), repeats=n)
    correct = result.response_unit == np.tile(encoded.correct_unit, n)
    frame = pd.DataFrame({"instruction": np.tile(trials["instruction"].to_numpy(), n),
                          "condition": np.tile(trials["condition"].to_numpy(), n),
                          "correct": correct,
                          "rt_ms": model.rt_mapping().to_ms(result.rt_cycles)})
    means = frame[frame["correct"]].groupby(["instruction", "condition"])["rt_ms"].mean()
    accuracy = frame.groupby(["instruction", "condition"])["correct"].mean()
    out: dict[str, float] = {}
    for instruction, short in (("colour_naming", "colour"), ("word_reading", "word")):
        cell = {c: float(means.get((instruction, c), np.nan))
                for c in ("congruent", "neutral", "incongruent")}
        out[f"{short}_neutral_ms"] = cell["neutral"]
        out[f"{short}_interference_ms"] = cell["incongruent"] - cell["neutral"]
        out[f"{short}_facilitation_ms"] = cell["neutral"] - cell["congruent"]
        out[f"{short}_incongruent_accuracy"] = float(accuracy.get((instruction, "incongruent"), np.nan))
    return out


def practice_curve(model=None, *, checkpoints: Sequence[int] = PRACTICE_EPOCHS, n: int = 200,
                   seed: int = 0, word_pathway: str = "fig3", training_seed: int = 0,
                   colours: Sequence[str] = ("red", "green")) -> pd.DataFrame:
    """One row per checkpoint: ``colour_training_epochs``, the colour and word pathway strengths
    (same − other weight, input → hidden), both tasks' neutral RT, interference, facilitation and
    incongruent accuracy (ms on the model's RT line). ``model`` is a ``Cohen1990`` (default
    parameters if None); its ``weights`` setting is not used — the curve brings its own."""
    if model is None:
        from models.pdp.cohen1990 import Cohen1990

        model = Cohen1990()
    snapshots = train_colour_pathway(len(colours), checkpoints=checkpoints, word_pathway=word_pathway,
                                     learning_rate=float(model.training_learning_rate),
                                     seed=training_seed)
    rows = []
    for k, snap in enumerate(snapshots):
        strength = snap.weights.pathway_strength()
        rows.append({"colour_training_epochs": snap.epochs,
                     "colour_in_strength": strength["colour_in"],
                     "colour_out_strength": strength["colour_out"],
                     "word_in_strength": strength["word_in"],
                     "word_out_strength": strength["word_out"],
                     "training_loss": snap.loss,
                     **stroop_effects_ms(model, snap.weights, n=n, seed=seed + k, colours=colours)})
    return pd.DataFrame(rows)


#: Epochs of joint training (both tasks, words ``word_reading_frequency`` times as often) at
#: which ``training_curve`` measures: from the default trained network (150 epochs) on
#: (before about 150 epochs the colour pathway cannot yet name an incongruent stimulus).
TRAINING_EPOCHS = (150, 200, 400, 800)


def training_curve(model=None, *, checkpoints: Sequence[int] = TRAINING_EPOCHS,
                   word_reading_frequency: float = 10.0, n: int = 300, seed: int = 0,
                   training_seed: int = 0, colours: Sequence[str] = ("red", "green")
                   ) -> pd.DataFrame:
    """The 1990 training regime itself: both pathways learned together by
    ``models.pdp.training.train_weights`` (words ``word_reading_frequency`` times as often),
    measured after each checkpoint's number of epochs. One row per checkpoint, columns as
    ``practice_curve`` (``training_epochs`` instead of ``colour_training_epochs``). Each
    checkpoint is its own deterministic training run from the same seed, so it is the network
    that ``Cohen1990(weights="trained", training_epochs=e)`` uses."""
    from models.pdp.training import train_weights

    if model is None:
        from models.pdp.cohen1990 import Cohen1990

        model = Cohen1990()
    rows = []
    for k, epochs in enumerate(sorted({int(e) for e in checkpoints})):
        weights = train_weights(len(colours), word_reading_frequency=word_reading_frequency,
                                epochs=epochs, learning_rate=float(model.training_learning_rate),
                                seed=training_seed)
        strength = weights.pathway_strength()
        rows.append({"training_epochs": epochs, "word_reading_frequency": word_reading_frequency,
                     **{f"{name}_strength": value for name, value in strength.items()},
                     **stroop_effects_ms(model, weights, n=n, seed=seed + k, colours=colours)})
    return pd.DataFrame(rows)
