"""Binary cross-entropy on logits: the naive form, the stable form, and three ways to get its gradient.

For one prediction with logit ``z`` and label ``y`` in {0, 1}, with ``p = sigmoid(z)``::

    L(z, y) = -[y log p + (1 - y) log(1 - p)]          (naive: computes p first)
            = max(z, 0) - z y + log(1 + exp(-|z|))     (stable: never forms p)
    dL/dz   = sigmoid(z) - y                           (closed form, derived in chapter 2)

For per-pixel prediction every pixel is such a prediction, and the image loss is
the mean over pixels.
"""

from __future__ import annotations

from typing import Callable

import pandas as pd
import torch

from ..core.errors import InputError, InputTypeError

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _check(z: torch.Tensor, y: torch.Tensor) -> None:
    if not torch.is_tensor(z) or not torch.is_tensor(y):
        raise InputTypeError("logits and targets must be torch tensors")
    if z.shape != y.shape:
        raise InputError(
            f"logits {tuple(z.shape)} and targets {tuple(y.shape)} must have the same shape"
        )
    if not torch.is_floating_point(z):
        raise InputTypeError(f"logits must be floating point, got {z.dtype}")
    if y.numel() and not bool(((y >= 0) & (y <= 1)).all()):
        raise InputError("targets must lie in [0, 1]")


def bce_naive(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Elementwise BCE computed the textbook way: sigmoid first, then logs. Overflows for large |z|."""
    _check(z, y)
    p = torch.sigmoid(z)
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p))


def bce_stable(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Elementwise BCE from logits without forming ``sigmoid(z)``; finite for every finite z."""
    _check(z, y)
    return torch.clamp(z, min=0) - z * y + torch.log1p(torch.exp(-z.abs()))


def grad_closed_form(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """dL/dz = sigmoid(z) - y, elementwise."""
    _check(z, y)
    return torch.sigmoid(z) - y.to(z.dtype)


def grad_autograd(loss: LossFn, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """dL/dz by backpropagation through ``loss`` (summed, so each element gets its own derivative)."""
    z = z.detach().clone().requires_grad_(True)
    loss(z, y).sum().backward()
    return z.grad.detach()


def grad_finite_difference(
    loss: LossFn, z: torch.Tensor, y: torch.Tensor, eps: float = 1e-6
) -> torch.Tensor:
    """dL/dz by central differences, elementwise (the loss is elementwise, so one pass suffices)."""
    if z.dtype != torch.float64:
        raise InputTypeError(
            "finite differences need float64 logits; float32 loses the difference in rounding"
        )
    with torch.no_grad():
        return (loss(z + eps, y) - loss(z - eps, y)) / (2 * eps)


def per_pixel_bce(logits: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean BCE over all pixels of a predicted mask ``f(X)`` in [0, 1]^N against a {0, 1} mask."""
    if logits.ndim < 2:
        raise InputError(
            f"expected an image of logits (..., H, W), got shape {tuple(logits.shape)}"
        )
    if mask.numel() and not bool(((mask == 0) | (mask == 1)).all()):
        raise InputError("a segmentation mask must contain only 0 and 1")
    return bce_stable(logits, mask.to(logits.dtype)).mean()


def extreme_logit_sweep(
    z: torch.Tensor, y: float, dtype: torch.dtype = torch.float32
) -> pd.DataFrame:
    """Loss and dL/dz at each logit in ``z`` for three implementations, in ``dtype``.

    * naive: ``-log(sigmoid(z))``-style formula, differentiated by autograd;
    * BCELoss: ``torch.nn.BCELoss`` on ``sigmoid(z)`` (clamps log at -100);
    * BCEWithLogits: ``torch.nn.BCEWithLogitsLoss`` (the stable form).
    """
    z = z.to(dtype)
    target = torch.full_like(z, float(y))
    bce_loss = torch.nn.BCELoss(reduction="none")
    with_logits = torch.nn.BCEWithLogitsLoss(reduction="none")
    methods: dict[str, LossFn] = {
        "naive": bce_naive,
        "BCELoss(sigmoid)": lambda zz, yy: bce_loss(torch.sigmoid(zz), yy),
        "BCEWithLogits": with_logits,
    }
    frame = pd.DataFrame({"z": z.double().numpy()})
    for label, fn in methods.items():
        with torch.no_grad():
            frame[f"loss {label}"] = fn(z, target).double().numpy()
        frame[f"grad {label}"] = grad_autograd(fn, z, target).double().numpy()
    frame["grad exact"] = grad_closed_form(z.double(), target.double()).numpy()
    return frame
