"""Grad-CAM heat maps (Selvaraju et al., 2017) through Captum, and an overlay plot."""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from captum.attr import LayerAttribution, LayerGradCam
from torch import nn

from ..core.errors import InputError


def grad_cam(
    model: nn.Module,
    layer: nn.Module,
    images: torch.Tensor,
    target: int | Sequence[int] | torch.Tensor,
) -> np.ndarray:
    """Grad-CAM of ``target`` class at ``layer``, upsampled to the input size, each map scaled to [0, 1].

    Returns (N, H, W). The map weighs ``layer``'s activations by the spatially
    averaged gradient of the class logit, keeps the positive part (evidence *for*
    the class) and is interpolated bilinearly to the image. Later layers give
    coarser but more class-specific maps.
    """
    if images.ndim != 4:
        raise InputError(f"expected a batch (N, C, H, W), got {tuple(images.shape)}")
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        cam = LayerGradCam(model, layer).attribute(
            images.to(device),
            target=_targets(target, len(images), device),
            relu_attributions=True,
        )
    finally:
        model.train(was_training)
    cam = LayerAttribution.interpolate(cam, tuple(images.shape[-2:]), "bilinear")
    cam = cam.detach().float().cpu()[:, 0].numpy()
    peak = cam.reshape(len(cam), -1).max(axis=1)
    # A map that is zero everywhere (no positive evidence) stays zero.
    return cam / np.where(peak > 0, peak, 1.0)[:, None, None]


def _targets(target, n: int, device: torch.device):
    if isinstance(target, int):
        return target
    t = torch.as_tensor(target, device=device).reshape(-1)
    if len(t) != n:
        raise InputError(f"{len(t)} targets for {n} images")
    return t


def show_overlays(
    images: np.ndarray,
    cams: np.ndarray,
    titles: Sequence[str],
    *,
    columns: int = 6,
    alpha: float = 0.45,
) -> plt.Figure:
    """A grid of grey images with their heat maps on top (jet colour map, ``alpha`` opacity)."""
    n = len(images)
    if not (len(cams) == len(titles) == n) or n == 0:
        raise InputError(
            f"need the same positive number of images, maps and titles; got {n}, {len(cams)}, {len(titles)}"
        )
    rows = -(-n // columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=(1.9 * columns, 2.1 * rows), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, cam, title in zip(axes.flat, images, cams, titles):
        ax.imshow(np.squeeze(image), cmap="gray")
        ax.imshow(cam, cmap="jet", alpha=alpha, vmin=0, vmax=1)
        ax.set_title(title, fontsize=8)
    fig.tight_layout()
    return fig
