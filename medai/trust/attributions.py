"""Explanations put to the test: do they depend on the model, and do they point at what the model uses?

Adebayo et al. (2018) showed that some saliency maps barely change when a network's weights are
replaced by random ones: such a map describes the image, not the model. ``cascading_randomisation``
re-initialises the layers from the output backwards, one more at a time, and reports the rank
correlation of each explanation with the trained model's (near 1: the map ignores the model).
``pixel_order_curve`` deletes (or inserts) pixels in the order a map ranks them (Petsiuk et al.
2018): if the map points at the evidence, the class probability falls (rises) faster than in a
random order.
Grad-CAM itself lives in ``medai.imaging.explain``; Integrated Gradients and KernelSHAP come from
captum.
"""

from __future__ import annotations

import copy
from typing import Callable

import numpy as np
import pandas as pd
import torch
from captum.attr import IntegratedGradients, KernelShap
from scipy.stats import spearmanr
from torch import nn

from ..core.errors import InputError

Explainer = Callable[[nn.Module, torch.Tensor, torch.Tensor], np.ndarray]


def integrated_gradients(model: nn.Module, images: torch.Tensor, target, steps: int = 32) -> np.ndarray:
    """Integrated Gradients (Sundararajan et al. 2017) from a black image (the data's minimum), (N, H, W)."""
    if images.ndim != 4:
        raise InputError(f"expected a batch (N, C, H, W), got {tuple(images.shape)}")
    model.eval()
    baseline = torch.full_like(images, float(images.min()))
    attributions = IntegratedGradients(model).attribute(images, baselines=baseline, target=target, n_steps=steps)
    return attributions.detach().sum(dim=1).cpu().numpy()


def layers_from_output(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """The layers with weights, the output layer first (the order of cascading randomisation)."""
    layers = [(name, m) for name, m in model.named_modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    if not layers:
        raise InputError("the model has no convolution or linear layers to randomise")
    return layers[::-1]


def rank_similarity(maps: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Spearman correlation of each pair of maps, over the absolute values of their pixels."""
    if maps.shape != others.shape:
        raise InputError(f"maps differ in shape: {maps.shape} vs {others.shape}")
    values = []
    for a, b in zip(np.abs(maps).reshape(len(maps), -1), np.abs(others).reshape(len(others), -1)):
        # A constant map (Grad-CAM with no positive evidence) has no ranking: it shares none.
        values.append(0.0 if a.std() == 0 or b.std() == 0 else spearmanr(a, b).statistic)
    return np.asarray(values)


def cascading_randomisation(model: nn.Module, explainers: dict[str, Explainer], images: torch.Tensor,
                            target: torch.Tensor, seed: int = 0) -> pd.DataFrame:  # fmt: skip
    """Mean rank correlation with the trained model's maps after randomising the top k layers, k = 1..all.

    Rows: "none" (the trained model against itself, 1 by construction) and one per added layer.
    """
    reference = {name: explain(model, images, target) for name, explain in explainers.items()}
    randomised = copy.deepcopy(model)
    torch.manual_seed(seed)
    rows = [{"randomised up to": "none", **{name: 1.0 for name in explainers}}]
    for name, layer in layers_from_output(randomised):
        layer.reset_parameters()  # the layer's own initialisation, as when training started
        row = {"randomised up to": name}
        for method, explain in explainers.items():
            row[method] = float(rank_similarity(reference[method], explain(randomised, images, target)).mean())
        rows.append(row)
    return pd.DataFrame(rows).set_index("randomised up to")


def class_probability(model: nn.Module, images: torch.Tensor, target: torch.Tensor) -> np.ndarray:
    """Softmax probability of each image's ``target`` class."""
    model.eval()
    with torch.no_grad():
        prob = torch.softmax(model(images), dim=1)
    return prob[torch.arange(len(images)), target].cpu().numpy()


def _blurred(images: torch.Tensor, sigma: float = 4.0) -> torch.Tensor:
    import torchvision.transforms.functional as TF

    return TF.gaussian_blur(images, kernel_size=2 * int(3 * sigma) + 1, sigma=sigma)


def pixel_order_curve(model: nn.Module, images: torch.Tensor, target: torch.Tensor, maps: np.ndarray | None,
                      mode: str = "deletion", steps: int = 20, seed: int = 0) -> np.ndarray:  # fmt: skip
    """Each image's target probability (n, steps + 1) as the top 0, 1/steps, ..., all pixels (ranked by ``maps``; in random
    order when ``maps`` is None) are deleted (replaced by a heavily blurred copy of the image) or, for
    ``mode="insertion"``, restored into that blurred copy. Blurring removes detail without adding the
    sharp black holes a network has never seen. A curve's mean is its area: lower is better for
    deletion, higher for insertion."""
    if mode not in ("deletion", "insertion"):
        raise InputError(f"mode must be 'deletion' or 'insertion', got {mode!r}")
    n, _, h, w = images.shape
    if maps is not None and maps.shape != (n, h, w):
        raise InputError(f"need one (H, W) map per image, got {maps.shape} for {tuple(images.shape)}")
    rng = np.random.default_rng(seed)
    scores = np.abs(maps).reshape(n, -1) if maps is not None else rng.random((n, h * w))
    # Ties broken at random, so a flat map is no better than chance.
    order = np.lexsort((rng.random(scores.shape), -scores), axis=1)
    blurred = _blurred(images)
    start, end = (images, blurred) if mode == "deletion" else (blurred, images)
    curve = []
    for k in np.linspace(0, h * w, steps + 1).round().astype(int):
        mask = torch.zeros(n, h * w, dtype=torch.bool)
        mask[np.repeat(np.arange(n), k), order[:, :k].ravel()] = True
        x = torch.where(mask.view(n, 1, h, w).expand_as(images), end, start)
        curve.append(class_probability(model, x, target))
    return np.stack(curve, axis=1)


def kernel_shap(logit: Callable[[np.ndarray], np.ndarray], X: np.ndarray, baseline: np.ndarray,
                samples: int = 400, seed: int = 0) -> np.ndarray:  # fmt: skip
    """KernelSHAP (Lundberg and Lee 2017, via captum) of a tabular model's logit, one row per patient.

    ``logit`` maps an (n, d) array to n logits; ``baseline`` is the reference patient."""
    X, baseline = np.asarray(X, dtype=np.float64), np.asarray(baseline, dtype=np.float64).reshape(1, -1)
    if X.ndim != 2 or X.shape[1] != baseline.shape[1]:
        raise InputError(f"X must be (n, {baseline.shape[1]}), got {X.shape}")
    explainer = KernelShap(lambda x: torch.as_tensor(logit(x.numpy()), dtype=torch.float64))
    torch.manual_seed(seed)
    rows = [explainer.attribute(torch.as_tensor(x[None]), baselines=torch.as_tensor(baseline), n_samples=samples)
            for x in X]  # fmt: skip
    return torch.cat(rows).numpy()


def linear_shap(coef: np.ndarray, X: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """Exact Shapley values of a linear logit: each feature's weight times its distance from the baseline."""
    return (np.asarray(X) - np.asarray(baseline).reshape(1, -1)) * np.asarray(coef).reshape(1, -1)
