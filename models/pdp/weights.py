"""Connection weights of the Cohen, Dunbar & McClelland (1990) Stroop network.

Layers (n colours; each pathway also has a *neutral* unit for XXXX / neutral words, index n):

* colour input (n+1) → colour hidden (n+1); word input (n+1) → word hidden (n+1);
* task-demand units (colour naming, word reading) → hidden units of their own pathway (+4.0,
  0 to the other pathway); every hidden unit has bias −4.0, so an attended pathway sits at net
  input 0 (the steep part of the logistic) and an unattended one at −4;
* colour hidden and word hidden → response units (n; no bias).

The published network (Fig. 3) has two colours. With more colours each layer gets one unit per
colour and the same pattern: +w to the unit of the same colour, −w to every other unit. The
neutral input unit follows the same pattern (it excites its own hidden unit and inhibits the
colour units) and the neutral hidden unit sends nothing to the responses, so a neutral word
leaves the response units as they are — the 1990 model's control condition.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Fig. 3 of Cohen et al. (1990): (input→hidden, hidden→response) same-colour weights.
FIG3_COLOUR = (2.2, 1.3)
FIG3_WORD = (2.6, 2.5)
TASK_TO_HIDDEN = 4.0
HIDDEN_BIAS = -4.0


@dataclass(frozen=True)
class StroopWeights:
    """All weights of the feed-forward 1990 network (arrays, rows = sending units)."""

    colour_in: np.ndarray    # (n+1, n+1) colour input → colour hidden
    word_in: np.ndarray      # (n+1, n+1) word input → word hidden
    colour_out: np.ndarray   # (n+1, n)   colour hidden → response
    word_out: np.ndarray     # (n+1, n)   word hidden → response
    task_to_hidden: float = TASK_TO_HIDDEN
    hidden_bias: float = HIDDEN_BIAS

    @property
    def n_colours(self) -> int:
        return self.colour_out.shape[1]

    def hidden_inputs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Matrices onto the concatenated hidden layer [colour hidden | word hidden]:
        (colour input, word input, task units, hidden→response). A pathway may have more units
        than there are responses (colour words outside the response set,
        ``models.pdp.response_set``), so its size is read from the input matrix."""
        size = self.colour_in.shape[0]
        colour = np.hstack([self.colour_in, np.zeros((size, size))])
        word = np.hstack([np.zeros((size, size)), self.word_in])
        task = np.zeros((2, 2 * size))
        task[0, :size] = self.task_to_hidden
        task[1, size:] = self.task_to_hidden
        out = np.vstack([self.colour_out, self.word_out])
        return colour, word, task, out

    def pathway_strength(self) -> dict[str, float]:
        """Mean same-colour minus mean other-colour weight, per pathway and projection (colour
        units only) — the quantity that makes word reading the stronger, faster pathway."""
        n = self.n_colours

        def contrast(matrix: np.ndarray) -> float:
            square = matrix[:n, :n]
            same = np.diag(square).mean()
            other = square[~np.eye(n, dtype=bool)].mean()
            return float(same - other)

        return {"colour_in": contrast(self.colour_in), "word_in": contrast(self.word_in),
                "colour_out": contrast(self.colour_out), "word_out": contrast(self.word_out)}


def same_other(size_in: int, size_out: int, weight: float) -> np.ndarray:
    """+weight where sending and receiving unit are the same colour, −weight elsewhere."""
    matrix = -weight * np.ones((size_in, size_out))
    for i in range(min(size_in, size_out)):
        matrix[i, i] = weight
    return matrix


def fig3_weights(n_colours: int = 2) -> StroopWeights:
    """The published weights (Fig. 3), generalised to ``n_colours`` as described above."""
    size = n_colours + 1
    colour_out = same_other(size, n_colours, FIG3_COLOUR[1])
    word_out = same_other(size, n_colours, FIG3_WORD[1])
    colour_out[n_colours] = 0.0
    word_out[n_colours] = 0.0
    return StroopWeights(colour_in=same_other(size, size, FIG3_COLOUR[0]),
                         word_in=same_other(size, size, FIG3_WORD[0]),
                         colour_out=colour_out, word_out=word_out)
