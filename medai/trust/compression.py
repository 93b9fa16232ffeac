"""Smaller models: magnitude pruning and int8 quantisation, with what each costs and saves.

Pruning (``torch.nn.utils.prune``) zeroes the weights of smallest magnitude across all layers
at once. The zeros still occupy a dense tensor, so the saved file shrinks only once compressed
and the CPU does the same work; what pruning buys on its own is headroom for sparse storage.
Dynamic quantisation (``torch.ao.quantization``) stores the fully connected layers' weights as
8-bit integers and computes with them; the convolutions stay in float.
"""

from __future__ import annotations

import copy
import io
import time
import warnings
import zlib

import numpy as np
import torch
from torch import nn
from torch.nn.utils import prune

from ..core.errors import InputError


def _weighted_layers(model: nn.Module) -> list[tuple[nn.Module, str]]:
    return [(m, "weight") for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def prune_by_magnitude(model: nn.Module, amount: float) -> nn.Module:
    """A copy of ``model`` with the ``amount`` share of its conv and linear weights (smallest |w|,
    ranked across all layers together) set to zero, permanently."""
    if not 0 <= amount < 1:
        raise InputError(f"amount must be in [0, 1), got {amount}")
    # Training in channels_last leaves conv weights strided; pruning flattens them with view().
    pruned = copy.deepcopy(model).cpu().eval().to(memory_format=torch.contiguous_format)
    layers = _weighted_layers(pruned)
    if amount > 0:
        prune.global_unstructured(layers, pruning_method=prune.L1Unstructured, amount=amount)
        for module, name in layers:
            prune.remove(module, name)  # fold the mask into the weight: a plain model again
    return pruned


def weight_sparsity(model: nn.Module) -> float:
    """Share of conv and linear weights that are exactly zero."""
    weights = [module.weight.detach() for module, _ in _weighted_layers(model)]
    return float(sum((w == 0).sum().item() for w in weights) / sum(w.numel() for w in weights))


def quantize_int8(model: nn.Module) -> nn.Module:
    """Dynamic int8 quantisation of the linear layers (CPU)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization points to torchao; still shipped and tested
        from torch.ao.quantization import quantize_dynamic

        return quantize_dynamic(copy.deepcopy(model).cpu().eval().to(memory_format=torch.contiguous_format), {nn.Linear}, dtype=torch.qint8)


def saved_sizes(model: nn.Module) -> tuple[int, int]:
    """Bytes of the saved state dict, raw and zlib-compressed (zeros compress; random weights do not)."""
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    raw = buffer.getvalue()
    return len(raw), len(zlib.compress(raw, level=6))


def latency_ms(model: nn.Module, example: torch.Tensor, repeats: int = 50) -> float:
    """Median milliseconds of one forward pass on ``example`` (CPU, after a warm-up)."""
    if repeats < 1:
        raise InputError(f"repeats must be at least 1, got {repeats}")
    model = model.eval()
    times = []
    with torch.inference_mode():
        for i in range(repeats + 3):
            start = time.perf_counter()
            model(example)
            if i >= 3:
                times.append(time.perf_counter() - start)
    return float(np.median(times) * 1e3)
