"""CNN layer arithmetic: output sizes by formula, and a layer-by-layer table measured on a real model."""

from __future__ import annotations

import math

import pandas as pd
import torch
from torch import nn

from ..core.errors import InputError


def conv_out(
    size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """Output length of a convolution or pooling window along one axis.

    ``floor((size + 2 padding - dilation (kernel - 1) - 1) / stride) + 1``, the formula in the
    ``torch.nn.Conv2d`` documentation (``MaxPool2d`` uses the same one).
    """
    for label, value in {
        "size": size,
        "kernel": kernel,
        "stride": stride,
        "dilation": dilation,
    }.items():
        if value < 1:
            raise InputError(f"{label} must be >= 1, got {value}")
    if padding < 0:
        raise InputError(f"padding must be >= 0, got {padding}")
    out = math.floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1
    if out < 1:
        raise InputError(
            f"a {kernel}-wide window does not fit an input of {size} with padding {padding}"
        )
    return out


def conv_params(
    in_channels: int, out_channels: int, kernel: int, bias: bool = True
) -> int:
    """Weights of a square 2-D convolution: out * in * k * k, plus one bias per output channel."""
    return out_channels * in_channels * kernel * kernel + (out_channels if bias else 0)


def linear_params(in_features: int, out_features: int, bias: bool = True) -> int:
    return out_features * in_features + (out_features if bias else 0)


def layer_table(model: nn.Module, input_shape: tuple[int, ...]) -> pd.DataFrame:
    """Run one zero batch of ``input_shape`` through ``model`` and list each leaf layer's output and parameters."""
    rows: list[dict] = []
    hooks = []
    for name, module in model.named_modules():
        if next(module.children(), None) is not None:
            continue  # containers only pass data along

        def record(mod, _inputs, output, name=name):
            rows.append(
                {
                    "layer": name,
                    "type": type(mod).__name__,
                    "output shape": tuple(output.shape),
                    "parameters": sum(p.numel() for p in mod.parameters(recurse=False)),
                }
            )

        hooks.append(module.register_forward_hook(record))
    try:
        was_training = model.training
        model.eval()
        with torch.no_grad():
            model(torch.zeros(input_shape))
    finally:
        for hook in hooks:
            hook.remove()
        model.train(was_training)
    return pd.DataFrame(rows)
