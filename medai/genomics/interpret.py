"""What a DNA model learned: in-silico saturation mutagenesis, filters as PWMs, motif matching."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..core.errors import InputError
from .encoding import BASES, one_hot, reverse_complement


@torch.no_grad()
def saturation_mutagenesis(model: nn.Module, x: np.ndarray, target: int) -> np.ndarray:
    """(4, L) change in the ``target`` logit when each position is set to each base.

    ``x`` is one one-hot sequence (4, L). The entry of the base already present is 0. All
    4 x L variants go through the model as one batch.
    """
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 2 or x.shape[0] != 4:
        raise InputError(f"expected one one-hot sequence of shape (4, L), got {x.shape}")
    length = x.shape[1]
    variants = np.repeat(x[None], 4 * length, axis=0)
    rows = np.arange(4 * length)
    base, position = rows % 4, rows // 4
    variants[rows, :, position] = 0.0
    variants[rows, base, position] = 1.0
    model.eval()
    batch = torch.from_numpy(np.concatenate([x[None], variants]))
    device = next(model.parameters()).device
    logits = model(batch.to(device))[:, target].float().cpu().numpy()
    return (logits[1:] - logits[0]).reshape(length, 4).T


def importance(effects: np.ndarray, x: np.ndarray) -> np.ndarray:
    """(4, L) per-base importance for a logo: at each position, the mean loss of score when the
    present base is mutated, placed on that base (negative where mutating it helps)."""
    loss = -effects.sum(axis=0) / 3  # the present base's own entry is 0
    return np.asarray(x) * loss[None, :]


@torch.no_grad()
def filters_to_pwms(
    conv: nn.Conv1d, x: np.ndarray, share_of_max: float = 0.5, batch_size: int = 512
) -> tuple[np.ndarray, np.ndarray]:
    """Position weight matrices (F, 4, width) of a first-layer convolution, and how many
    subsequences built each.

    A filter's PWM is the average one-hot of every input window whose activation exceeds
    ``share_of_max`` of that filter's largest activation over ``x`` (N, 4, L) (the approach of
    Kelley et al. 2016, Basset). A filter never activated gets a flat PWM and count 0.
    """
    width = conv.kernel_size[0]
    pad = conv.padding[0] if isinstance(conv.padding, tuple) else 0
    x = torch.as_tensor(np.asarray(x, dtype=np.float32))
    padded = nn.functional.pad(x, (pad, pad))
    windows = padded.unfold(2, width, 1)  # (N, 4, positions, width)
    acts = torch.cat(
        [conv(x[i : i + batch_size].to(conv.weight.device)).cpu() for i in range(0, len(x), batch_size)]
    )  # (N, F, positions)
    top = acts.amax(dim=(0, 2))
    pwms = np.full((acts.shape[1], 4, width), 0.25, dtype=np.float32)
    counts = np.zeros(acts.shape[1], dtype=int)
    for f in range(acts.shape[1]):
        if top[f] <= 0:
            continue
        n, position = torch.nonzero(acts[:, f] > share_of_max * top[f], as_tuple=True)
        chosen = windows[n, :, position]  # (hits, 4, width)
        counts[f] = len(chosen)
        pwms[f] = chosen.mean(0).numpy()
    return pwms, counts


def motif_match(pwm: np.ndarray, consensus: str) -> tuple[float, int, str]:
    """Best Pearson correlation between ``pwm`` (4, width) and the one-hot of ``consensus`` over
    every overlap of at least 6 bases, on either strand. Returns (correlation, offset, strand)."""
    best = (-1.0, 0, "+")
    for strand, motif in (("+", consensus), ("-", reverse_complement(consensus))):
        code = one_hot(motif)[0]
        for offset in range(-(code.shape[1] - 6), pwm.shape[1] - 5):
            a_start, b_start = max(offset, 0), max(-offset, 0)
            span = min(pwm.shape[1] - a_start, code.shape[1] - b_start)
            if span < 6:
                continue
            a = pwm[:, a_start : a_start + span].ravel()
            b = code[:, b_start : b_start + span].ravel()
            r = float(np.corrcoef(a, b)[0, 1])
            if r > best[0]:
                best = (r, offset, strand)
    return best


def consensus_of(pwm: np.ndarray, min_share: float = 0.5) -> str:
    """The PWM read as letters: the top base where it holds at least ``min_share``, else 'n'."""
    top = pwm.argmax(axis=0)
    return "".join(
        BASES[b] if pwm[b, i] >= min_share else "n" for i, b in enumerate(top)
    )
