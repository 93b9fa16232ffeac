"""Softmax cross-entropy and backpropagation written out by hand, to check against autograd.

Chapter 2 derives dl/dz = softmax(z) - onehot(y) for softmax cross-entropy (the loss ``fit`` trains
every classifier of the book with), shows that with two logits it is the sigmoid loss of their
difference, and backpropagates it through a two-layer network one matrix product at a time.
"""

from __future__ import annotations

import torch

from ..core.errors import InputError


def _check(z: torch.Tensor, y: torch.Tensor) -> None:
    if z.ndim != 2 or y.ndim != 1 or len(z) != len(y):
        raise InputError(f"need logits (n, classes) and labels (n,), got {tuple(z.shape)} and {tuple(y.shape)}")
    if y.dtype not in (torch.int64, torch.int32) or (y < 0).any() or (y >= z.shape[1]).any():
        raise InputError(f"labels must be integers from 0 to {z.shape[1] - 1}")


def softmax_ce_grad(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The gradient of the mean softmax cross-entropy over the rows of ``z``: (softmax(z) - onehot(y)) / n."""
    _check(z, y)
    onehot = torch.nn.functional.one_hot(y.long(), z.shape[1]).to(z.dtype)
    return (torch.softmax(z, dim=1) - onehot) / len(z)


def two_layer_forward(x, y, w1, b1, w2, b2) -> tuple[torch.Tensor, dict]:
    """Mean cross-entropy of ``tanh(x w1^T + b1) w2^T + b2``, and what the backward pass needs."""
    a = x @ w1.T + b1  # hidden pre-activations (n, hidden)
    h = torch.tanh(a)
    z = h @ w2.T + b2  # logits (n, classes)
    _check(z, y)
    loss = torch.nn.functional.cross_entropy(z, y)
    return loss, {"x": x, "h": h, "z": z, "y": y, "w2": w2}


def two_layer_backward(cache: dict) -> dict[str, torch.Tensor]:
    """The gradients of ``two_layer_forward``'s loss by the chain rule, layer by layer."""
    dz = softmax_ce_grad(cache["z"], cache["y"])  # (n, classes): where every classifier's gradient starts
    dh = dz @ cache["w2"]  # back through the second linear layer
    da = dh * (1 - cache["h"] ** 2)  # tanh'(a) = 1 - tanh(a)^2
    return {"w1": da.T @ cache["x"], "b1": da.sum(0), "w2": dz.T @ cache["h"], "b2": dz.sum(0)}
