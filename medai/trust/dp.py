"""Differential privacy with DP-SGD (Abadi et al. 2016, via opacus), and an attack it defends against.

DP-SGD clips each patient's gradient to a norm and adds Gaussian noise to the sum, so any one
patient's influence on the weights is bounded; opacus's accountant turns the noise, the sampling
rate and the number of steps into (epsilon, delta). The loss-threshold membership-inference attack
(Yeom et al. 2018) asks whether a patient was in the training set from the model's loss on them
alone: a model that memorised its training rows has lower loss on them. Its AUROC is 0.5 when the
attacker cannot tell.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from ..core.errors import InputError
from ..core.metrics import auroc


def train_private(model: nn.Module, X: torch.Tensor, y: np.ndarray, *, epsilon: float | None, delta: float,
                  epochs: int, batch_size: int = 64, lr: float = 0.1, max_grad_norm: float = 1.0,
                  seed: int = 0) -> tuple[nn.Module, float | None]:  # fmt: skip
    """Train with DP-SGD to (``epsilon``, ``delta``), or without privacy when ``epsilon`` is None (same
    loop, sampling and optimiser). Returns the model and the epsilon the accountant reports."""
    if epsilon is not None and not epsilon > 0:
        raise InputError(f"epsilon must be positive (or None for no privacy), got {epsilon}")
    if not 0 < delta < 1:
        raise InputError(f"delta must be in (0, 1), got {delta}")
    torch.manual_seed(seed)
    data = TensorDataset(X, torch.as_tensor(y, dtype=torch.float32))
    loader = DataLoader(data, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    engine = None
    with warnings.catch_warnings():
        # opacus's notes: secure RNG is off (fine for research; chapter 9 says a release turns it on) and a backward
        # hook fires on the first layer, whose inputs need no gradient
        warnings.filterwarnings("ignore", message=".*Secure RNG turned off.*")
        warnings.filterwarnings("ignore", message=".*Full backward hook is firing.*")
        if epsilon is not None:
            from opacus import PrivacyEngine

            engine = PrivacyEngine(accountant="rdp")
            model, optimizer, loader = engine.make_private_with_epsilon(
                module=model, optimizer=optimizer, data_loader=loader, target_epsilon=epsilon,
                target_delta=delta, epochs=epochs, max_grad_norm=max_grad_norm,
            )  # fmt: skip
        for _ in range(epochs):
            for features, target in loader:
                if len(target) == 0:  # Poisson sampling can draw an empty batch
                    continue
                loss = nn.functional.binary_cross_entropy_with_logits(model(features).squeeze(1), target)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
    spent = float(engine.get_epsilon(delta)) if engine is not None else None
    plain = model._module if hasattr(model, "_module") else model  # opacus wraps the module
    return plain, spent


@torch.no_grad()
def example_losses(model: nn.Module, X: torch.Tensor, y: np.ndarray) -> np.ndarray:
    """Binary cross-entropy of each example."""
    logits = model(X).squeeze(1)
    return nn.functional.binary_cross_entropy_with_logits(logits, torch.as_tensor(y, dtype=torch.float32),
                                                          reduction="none").numpy()  # fmt: skip


def membership_attack_auroc(model: nn.Module, members: tuple, non_members: tuple) -> float:
    """AUROC of telling training rows (``members``: X, y) from unseen rows by low loss (0.5: no better
    than a coin)."""
    return membership_attack(model, members, non_members)["auroc"]


def membership_attack(model: nn.Module, members: tuple, non_members: tuple,
                      fprs: tuple[float, ...] = (0.01, 0.001)) -> dict[str, float]:  # fmt: skip
    """The loss attack's AUROC and, for each false-positive rate in ``fprs``, the share of training rows it
    finds while wrongly accusing at most that share of unseen rows (Carlini et al. 2022: an attack that
    finds a few patients with certainty matters more than an average ranking). With n unseen rows an
    FPR below 1/n allows no false accusation at all."""
    if not all(0 < f < 1 for f in fprs):
        raise InputError(f"false-positive rates must lie in (0, 1), got {fprs}")
    member_score, other_score = -example_losses(model, *members), -example_losses(model, *non_members)
    is_member = np.r_[np.ones(len(member_score)), np.zeros(len(other_score))]
    result = {"auroc": auroc(is_member, np.r_[member_score, other_score])}
    ordered = np.sort(other_score)[::-1]  # the unseen rows' scores, most member-like first
    for fpr in fprs:
        allowed = int(np.floor(fpr * len(ordered)))  # false accusations permitted
        # flag a row when its score is above the (allowed+1)-th highest unseen score: at most `allowed` unseen rows pass
        cut = ordered[allowed] if allowed < len(ordered) else -np.inf
        result[f"tpr@{fpr:g}"] = float((member_score > cut).mean())
    return result
