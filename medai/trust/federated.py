"""Learning from four hospitals without pooling their rows: local, pooled, FedAvg and FedProx.

Federated averaging (McMahan et al. 2017): each round every hospital starts from the global model,
trains on its own rows for a few epochs, and sends back only its weights; the server averages them,
weighted by each hospital's number of patients. FedProx (Li et al. 2020) adds mu/2 ||w - w_global||^2
to each hospital's loss, which keeps a hospital whose data differ from the rest from pulling the
model too far. Features are standardised with means and standard deviations computed from each
hospital's sums and counts (totals only, as a secure-aggregation step would reveal); a missing
value becomes the mean.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from sklearn.model_selection import train_test_split
from torch import nn

from ..core.errors import InputError


@dataclass
class Client:
    """One hospital's rows, split into a training part (it keeps) and a held-out test part."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def site_clients(data: pd.DataFrame, target, sites, test_share: float = 0.3, seed: int = 0) -> list[Client]:
    """One ``Client`` per site, each split stratified by outcome."""
    X, y, sites = data.to_numpy(dtype=float), np.asarray(target).astype(int), np.asarray(sites)
    if not (len(X) == len(y) == len(sites)):
        raise InputError(f"need one target and one site per row, got {len(X)}, {len(y)}, {len(sites)}")
    clients = []
    for name in dict.fromkeys(sites):
        rows = sites == name
        parts = train_test_split(X[rows], y[rows], test_size=test_share, stratify=y[rows], random_state=seed)
        clients.append(Client(str(name), parts[0], parts[2], parts[1], parts[3]))
    return clients


def federated_scaling(clients: list[Client]) -> tuple[np.ndarray, np.ndarray]:
    """Feature means and standard deviations from each client's sums, sums of squares and counts."""
    totals = sum(np.nansum(c.X_train, axis=0) for c in clients)
    squares = sum(np.nansum(c.X_train**2, axis=0) for c in clients)
    counts = sum((~np.isnan(c.X_train)).sum(axis=0) for c in clients)
    counts = np.maximum(counts, 1)
    mean = totals / counts
    std = np.sqrt(np.maximum(squares / counts - mean**2, 0.0))
    return mean, np.where(std > 0, std, 1.0)


def as_tensor(X: np.ndarray, mean: np.ndarray, std: np.ndarray) -> torch.Tensor:
    """Standardised features; a missing value becomes 0 (the mean)."""
    return torch.as_tensor(np.nan_to_num((X - mean) / std, nan=0.0), dtype=torch.float32)


def make_model(kind: str, n_features: int, seed: int = 0) -> nn.Module:
    """``logistic`` (one linear layer), ``mlp`` (16 hidden units) or ``wide`` (two hidden layers of
    256: big enough to memorise a few hundred patients), one logit out."""
    torch.manual_seed(seed)
    if kind == "logistic":
        return nn.Linear(n_features, 1)
    if kind == "mlp":
        return nn.Sequential(nn.Linear(n_features, 16), nn.ReLU(), nn.Linear(16, 1))
    if kind == "wide":
        return nn.Sequential(nn.Linear(n_features, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 1))
    raise InputError(f"unknown model kind {kind!r}; use 'logistic', 'mlp' or 'wide'")


def local_train(model: nn.Module, X: torch.Tensor, y: np.ndarray, *, epochs: int, lr: float = 0.05,
                batch_size: int = 32, mu: float = 0.0, seed: int = 0) -> nn.Module:  # fmt: skip
    """Mini-batch SGD on binary cross-entropy; with ``mu > 0`` the FedProx term pulls the weights
    towards the ones the model started from (the global model of this round)."""
    anchor = [p.detach().clone() for p in model.parameters()]
    target = torch.as_tensor(y, dtype=torch.float32)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for batch in torch.randperm(len(X), generator=generator).split(batch_size):
            loss = nn.functional.binary_cross_entropy_with_logits(model(X[batch]).squeeze(1), target[batch])
            if mu > 0:
                loss = loss + mu / 2 * sum(((p - a) ** 2).sum() for p, a in zip(model.parameters(), anchor))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model


def federated_training(global_model: nn.Module, clients: list[Client], scaling, *, rounds: int, local_epochs: int,
                       lr: float = 0.05, mu: float = 0.0, seed: int = 0, evaluate=None) -> tuple[nn.Module, list]:  # fmt: skip
    """FedAvg (``mu = 0``) or FedProx (``mu > 0``). ``evaluate(model)``, if given, is called after
    every round; its results come back in a list."""
    if rounds < 1 or local_epochs < 1 or mu < 0:
        raise InputError(f"need rounds >= 1, local_epochs >= 1, mu >= 0; got {rounds}, {local_epochs}, {mu}")
    history = []
    sizes = np.array([len(c.y_train) for c in clients], dtype=float)
    for round_ in range(rounds):
        states = []
        for number, client in enumerate(clients):
            local = copy.deepcopy(global_model)
            local_train(local, as_tensor(client.X_train, *scaling), client.y_train, epochs=local_epochs, lr=lr,
                        mu=mu, seed=seed * 1000 + round_ * 10 + number)  # fmt: skip
            states.append(local.state_dict())
        weights = sizes / sizes.sum()
        global_model.load_state_dict({k: sum(w * s[k] for w, s in zip(weights, states)) for k in states[0]})
        if evaluate is not None:
            history.append(evaluate(global_model))
    return global_model, history


@torch.no_grad()
def predict_proba(model: nn.Module, X: np.ndarray, scaling) -> np.ndarray:
    """Predicted probability of disease for raw feature rows."""
    return torch.sigmoid(model(as_tensor(X, *scaling)).squeeze(1)).numpy()
