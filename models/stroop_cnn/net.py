"""The Stroop CNN's network and its two training stages (torch, CPU).

Stage 1, *learning to read* (plentiful data): a small CNN learns to say which colour a word
names — English and Japanese colour words in every ink, font, size and position, plus
non-colour words and XXXX (an extra "not a colour word" output). Inks are drawn independently
of the words, so reading has to ignore the ink.

Stage 2, *learning to name colours* (little data, transfer): the reader is fine-tuned, all
layers, to name the ink of a few neutral stimuli (XXXX and non-colour words) per colour,
using the *same* colour-name output units — the response vocabulary is shared, as in the PDP
models. The reading the network learned first is still there: an incongruent colour word
pulls the response towards the colour it names, a congruent one helps. That asymmetry of
practice — much reading, little colour naming — is the Cohen et al. (1990) account of the
Stroop effect, here in an image network that has to find both attributes in the pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from models.stroop_cnn.render import NEUTRAL_INK_RGB, ink_rgb, render_batch

#: Colour words the reader learns (the bundled sets' words, upper case as shown, and title case).
COLOUR_WORDS = {
    "red": ("RED", "Red", "赤"),
    "green": ("GREEN", "Green", "緑"),
    "blue": ("BLUE", "Blue", "青"),
    "yellow": ("YELLOW", "Yellow", "黄"),
}
#: Non-colour words (stage 1: "not a colour word"; stage 2: the neutral stimuli).
NEUTRAL_WORDS = ("XXXX", "XXX", "LOT", "CHAIR", "DEAL", "FINGER", "HOUSE", "TABLE", "BOOK",
                 "Chair", "机", "町", "岸", "皿", "本", "山", "犬", "ＸＸＸＸ")
#: Inks besides the colours, so that reading meets words in non-colours too.
EXTRA_INKS = (NEUTRAL_INK_RGB, (20, 20, 20), (160, 90, 40), (150, 60, 170))


@dataclass(frozen=True)
class TrainingSettings:
    """Everything that decides the trained weights (and so the cache key)."""

    colours: tuple[str, ...] = ("red", "green", "blue", "yellow")
    height: int = 32
    width: int = 64
    channels: tuple[int, ...] = (16, 32, 64)
    hidden_units: int = 64
    reading_images: int = 12000
    reading_epochs: int = 4
    reading_learning_rate: float = 2e-3
    naming_images_per_colour: int = 32
    naming_steps: int = 100
    naming_learning_rate: float = 1e-3
    batch_size: int = 32
    seed: int = 0


def build_network(settings: TrainingSettings):
    """conv(3×3)–group-norm–ReLU–max-pool blocks (group norm: no running statistics, so the
    network behaves the same in training and use, and a few fine-tuning images cannot upset it), global average pooling to 2×4, two dense layers; the
    last layer has one unit per colour plus "not a colour word"."""
    import torch.nn as nn

    layers: list[nn.Module] = []
    in_channels = 3
    for out_channels in settings.channels:
        layers += [nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.GroupNorm(min(4, out_channels), out_channels),
                   nn.ReLU(), nn.MaxPool2d(2)]
        in_channels = out_channels
    layers += [nn.AdaptiveAvgPool2d((2, 4)), nn.Flatten(),
               nn.Linear(in_channels * 8, settings.hidden_units), nn.ReLU(),
               nn.Linear(settings.hidden_units, len(settings.colours) + 1)]
    return nn.Sequential(*layers)


def _colour_word(colour: str) -> Sequence[str]:
    if colour not in COLOUR_WORDS:
        return (colour.upper(), colour.capitalize(), colour)
    return COLOUR_WORDS[colour]


def _pick_half_japanese(words: Sequence[str], rng: np.random.Generator) -> str:
    """A word from the list, Japanese half the time (when the list has Japanese words), so
    that the one kanji per colour is read as often as the three English spellings together."""
    from models.stroop_cnn.render import is_cjk

    japanese = [w for w in words if is_cjk(w)]
    other = [w for w in words if not is_cjk(w)]
    pool = japanese if japanese and (not other or rng.random() < 0.5) else other
    return pool[int(rng.integers(len(pool)))]


def reading_data(settings: TrainingSettings, count: int, rng: np.random.Generator):
    """Images of colour words (label: the colour named) and non-colour words (label n), in
    inks drawn independently of the words."""
    n = len(settings.colours)
    labels = rng.integers(0, n + 1, size=count)
    inks = [*(ink_rgb(c) for c in settings.colours), *EXTRA_INKS]
    texts, rgbs = [], []
    for label in labels:
        words = NEUTRAL_WORDS if label == n else _colour_word(settings.colours[label])
        texts.append(_pick_half_japanese(words, rng))
        rgbs.append(inks[int(rng.integers(len(inks)))])
    return render_batch(texts, rgbs, rng, height=settings.height, width=settings.width), labels


def naming_data(settings: TrainingSettings, rng: np.random.Generator):
    """A few neutral stimuli per colour (label: the ink)."""
    labels = np.repeat(np.arange(len(settings.colours)), settings.naming_images_per_colour)
    texts = [_pick_half_japanese(NEUTRAL_WORDS, rng) for _ in labels]
    rgbs = [ink_rgb(settings.colours[label]) for label in labels]
    return render_batch(texts, rgbs, rng, height=settings.height, width=settings.width), labels


def train(settings: TrainingSettings, progress=None) -> dict:
    """Run both stages; returns the two state dicts and a training summary."""
    import copy

    import torch
    import torch.nn.functional as F

    torch.manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    network = build_network(settings)
    images, labels = reading_data(settings, settings.reading_images, rng)
    x, y = torch.from_numpy(images), torch.from_numpy(labels)
    optimiser = torch.optim.Adam(network.parameters(), lr=settings.reading_learning_rate)
    order_rng = torch.Generator().manual_seed(settings.seed)
    reading_losses = []
    for epoch in range(settings.reading_epochs):
        order = torch.randperm(len(x), generator=order_rng)
        total = 0.0
        for start in range(0, len(x), settings.batch_size):
            batch = order[start:start + settings.batch_size]
            loss = F.cross_entropy(network(x[batch]), y[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss.detach()) * len(batch)
        reading_losses.append(total / len(x))
        if progress:
            progress(f"reading epoch {epoch + 1}/{settings.reading_epochs}: loss {reading_losses[-1]:.3f}")
    reader_state = copy.deepcopy(network.state_dict())

    n = len(settings.colours)
    images, labels = naming_data(settings, rng)
    x, y = torch.from_numpy(images), torch.from_numpy(labels)
    optimiser = torch.optim.Adam(network.parameters(), lr=settings.naming_learning_rate)
    naming_losses = []
    for _ in range(settings.naming_steps):      # full-batch steps on the little data set
        loss = F.cross_entropy(network(x)[:, :n], y)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        naming_losses.append(float(loss.detach()))
    return {"reader": reader_state, "namer": copy.deepcopy(network.state_dict()),
            "summary": {"reading_loss_per_epoch": [round(v, 4) for v in reading_losses],
                        "naming_loss_first_last": [round(naming_losses[0], 4), round(naming_losses[-1], 4)]
                        if naming_losses else []}}
