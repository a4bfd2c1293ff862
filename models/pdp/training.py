"""Learning the 1990 Stroop network's weights by back-propagation (torch, CPU).

As in Cohen, Dunbar & McClelland (1990) the task-demand → hidden weights (+4) and the hidden
biases (−4) are fixed; input → hidden and hidden → response weights are learned. Each epoch
presents every colour-naming pattern (one colour input, task unit "colour naming", target: that
colour's response) once and every word-reading pattern ``word_reading_frequency`` times (10 by
default: people read words far more often than they name colours), as one batch gradient
step on the summed squared error (the 1990 error measure) with plain gradient descent. The
training stops after a fixed number of epochs, before either pathway is saturated — so the
more practised word pathway ends up with the larger weights, the pattern of Fig. 3 that makes
word reading fast and colour naming open to interference.

Every colour is treated alike (colour symmetry), so each projection has two free values — its
same-colour and its other-colour weight — which is also the form of the published Fig. 3
weights; without the constraint the two hidden units learn a distributed code instead of one
unit per colour, and the weights can no longer be compared with Fig. 3. The neutral unit of each pathway (not
trained: nothing is to be said to XXXX) gets the pathway's mean same-colour weight onto its own
hidden unit and the mean other-colour weight elsewhere, and sends nothing to the responses.
"""

from __future__ import annotations

import numpy as np

from models.pdp.weights import HIDDEN_BIAS, TASK_TO_HIDDEN, StroopWeights


def train_weights(n_colours: int = 2, *, word_reading_frequency: float = 10.0, epochs: int = 150,
                  learning_rate: float = 0.1, initial_sd: float = 0.1, seed: int = 0,
                  return_history: bool = False):
    """Train the network; returns ``StroopWeights`` (and the per-epoch loss if asked)."""
    import torch

    n = n_colours
    generator = torch.Generator().manual_seed(int(seed))

    eye = torch.eye(n, dtype=torch.float64)
    # Colour symmetry: every colour is treated alike, so a projection has two free values,
    # the same-colour weight and the other-colour weight (matrix = same·I + other·(1 − I)).
    # Start topographic (small +same / −other, random sizes): the sign-flipped code (a colour
    # turning its own hidden unit *off*) fits the patterns equally well and is ruled out this way.
    sizes = (initial_sd * torch.randn(4, 2, generator=generator, dtype=torch.float64)).abs()
    free = (sizes * torch.tensor([1.0, -1.0], dtype=torch.float64)).requires_grad_()

    def projection(k: int) -> torch.Tensor:
        return free[k, 0] * eye + free[k, 1] * (1 - eye)
    # colour-naming patterns (rows) and word-reading patterns: one input unit on, its target
    pattern_weight = {"colour": 1.0, "word": float(word_reading_frequency)}
    history = []
    for _ in range(int(epochs)):
        loss = torch.zeros((), dtype=torch.float64)
        colour_in, word_in, colour_out, word_out = (projection(k) for k in range(4))
        for pathway, (w_in, w_out) in (("colour", (colour_in, colour_out)), ("word", (word_in, word_out))):
            attended = torch.sigmoid(eye @ w_in + TASK_TO_HIDDEN + HIDDEN_BIAS)
            # the other pathway's hidden units get no input and no task support: logistic(−4)
            resting = torch.full((n, n), float(1 / (1 + np.exp(-HIDDEN_BIAS))), dtype=torch.float64)
            other_out = word_out if pathway == "colour" else colour_out
            response = torch.sigmoid(attended @ w_out + resting @ other_out)
            loss = loss + pattern_weight[pathway] * ((response - eye) ** 2).sum()
        free.grad = None
        loss.backward()
        with torch.no_grad():
            free -= learning_rate * free.grad
        history.append(float(loss.detach()))

    def with_neutral_input(square: np.ndarray) -> np.ndarray:
        same = np.diag(square).mean()
        other = square[~np.eye(n, dtype=bool)].mean() if n > 1 else -same
        full = np.full((n + 1, n + 1), other)
        full[:n, :n] = square
        full[n, n] = same
        return full

    def with_neutral_output(square: np.ndarray) -> np.ndarray:
        return np.vstack([square, np.zeros((1, n))])

    colour_in, word_in, colour_out, word_out = (projection(k) for k in range(4))
    weights = StroopWeights(
        colour_in=with_neutral_input(colour_in.detach().numpy().copy()),
        word_in=with_neutral_input(word_in.detach().numpy().copy()),
        colour_out=with_neutral_output(colour_out.detach().numpy().copy()),
        word_out=with_neutral_output(word_out.detach().numpy().copy()))
    return (weights, history) if return_history else weights
