"""Time to event: the Cox partial likelihood as a PyTorch loss, a neural Cox model, and
cross-validated concordance.

The Cox model says a patient's hazard is a baseline hazard times exp(risk score). Its partial
likelihood compares, at each event time, the patient who had the event with everyone still at
risk; tied event times share one risk set (Breslow's approximation).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import torch
from torch import nn

from ..core.errors import InputError


def cox_log_likelihood(risk: torch.Tensor, time: torch.Tensor, event: torch.Tensor) -> torch.Tensor:
    """Breslow partial log-likelihood of risk scores ``risk`` (N,) given ``time`` and ``event`` (N,)."""
    risk, time, event = risk.reshape(-1), time.reshape(-1), event.reshape(-1).bool()
    if not len(risk) == len(time) == len(event):
        raise InputError(f"risk, time and event lengths differ: {len(risk)}, {len(time)}, {len(event)}")
    if not event.any():
        raise InputError("the partial likelihood needs at least one event")
    order = torch.argsort(time, descending=True, stable=True)
    risk, time, event = risk[order], time[order], event[order]
    log_risk_set = torch.logcumsumexp(risk, dim=0)  # everyone with a time >= this one, ties partly
    # With ties, the risk set of each tied patient is the one at the group's last row.
    _, counts = torch.unique_consecutive(time, return_counts=True)
    last = torch.repeat_interleave(torch.cumsum(counts, 0) - 1, counts)
    return (risk - log_risk_set[last])[event].sum()


def cox_loss(risk: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Negative partial log-likelihood per event; ``target`` (N, 2) holds time and event."""
    events = target[:, 1].sum().clamp(min=1)
    return -cox_log_likelihood(risk.reshape(-1), target[:, 0], target[:, 1]) / events


def fit_linear_cox(x: np.ndarray, time: np.ndarray, event: np.ndarray, penalizer: float = 0.0) -> np.ndarray:
    """Coefficients maximising log-likelihood / N - penalizer / 2 * ||beta||^2 (L-BFGS).

    This is the objective of ``lifelines.CoxPHFitter(penalizer=...)`` on standardised columns.
    """
    x_t = torch.as_tensor(np.asarray(x, dtype=np.float64))
    t, e = torch.as_tensor(np.asarray(time, np.float64)), torch.as_tensor(np.asarray(event, bool))
    beta = torch.zeros(x_t.shape[1], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([beta], max_iter=500, tolerance_grad=1e-12, tolerance_change=1e-14,
                                  line_search_fn="strong_wolfe")  # fmt: skip

    def objective() -> torch.Tensor:
        optimizer.zero_grad()
        loss = -cox_log_likelihood(x_t @ beta, t, e) / len(t) + penalizer / 2 * beta.square().sum()
        loss.backward()
        return loss

    optimizer.step(objective)
    return beta.detach().numpy()


def penalized_log_likelihood(
    x: np.ndarray, time: np.ndarray, event: np.ndarray, beta: np.ndarray, penalizer: float = 0.0
) -> float:
    """Log-likelihood of ``beta`` minus N * penalizer / 2 * ||beta||^2 (lifelines' ``log_likelihood_``)."""
    x = np.asarray(x, np.float64)
    ll = cox_log_likelihood(
        torch.as_tensor(x @ beta), torch.as_tensor(np.asarray(time, np.float64)), torch.as_tensor(np.asarray(event, bool))
    )
    return float(ll) - len(x) * penalizer / 2 * float(np.sum(np.square(beta)))


class NeuralCox(nn.Module):
    """A DeepSurv-style risk score: a small MLP with one output and no bias at the end
    (a constant would cancel in the partial likelihood)."""

    def __init__(self, n_features: int, hidden: int = 32, dropout: float = 0.3) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_features, hidden), nn.SELU(), nn.Dropout(dropout), nn.Linear(hidden, 1, bias=False)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(-1)


def train_neural_cox(
    x: np.ndarray, time: np.ndarray, event: np.ndarray, epochs: int = 300,
    lr: float = 1e-3, weight_decay: float = 1e-2, hidden: int = 32, seed: int = 0,
) -> NeuralCox:  # fmt: skip
    """Full-batch Adam on the Cox loss (a cohort of a few hundred fits in one batch; the
    partial likelihood needs every risk set whole)."""
    torch.manual_seed(seed)
    model = NeuralCox(x.shape[1], hidden)
    x_t = torch.as_tensor(np.asarray(x, np.float32))
    target = torch.as_tensor(np.column_stack([time, event]).astype(np.float32))
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    model.train()
    for _ in range(epochs):
        optimizer.zero_grad()
        cox_loss(model(x_t), target).backward()
        optimizer.step()
    return model.eval()


def predict_risk(model: NeuralCox, x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return model(torch.as_tensor(np.asarray(x, np.float32))).numpy()


RiskModel = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def cross_validated_cindex(
    x: pd.DataFrame, time: np.ndarray, event: np.ndarray, models: dict[str, RiskModel],
    feature_sets: dict[str, list[str]], folds: int = 5, repeats: int = 5, seed: int = 0,
) -> tuple[pd.DataFrame, dict]:  # fmt: skip
    """Harrell's C-index of every model x feature set over repeated folds stratified on the event.

    Each model is ``fit_predict(x_train, time_train, event_train, x_test) -> risk``; columns are
    standardised on the training fold only. Returns one row per (model, features, repeat, fold)
    and the out-of-fold risks of the first repeat with each fold's training median, keyed by
    (model, features), for risk groups.
    """
    from lifelines.utils import concordance_index
    from sklearn.model_selection import RepeatedStratifiedKFold

    time, event = np.asarray(time, float), np.asarray(event, bool)
    splitter = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)
    rows, first_repeat = [], {}
    for number, (train, test) in enumerate(splitter.split(x, event)):
        repeat, fold = divmod(number, folds)
        for features_name, columns in feature_sets.items():
            part = x[columns].to_numpy(float)
            mean, sd = part[train].mean(0), part[train].std(0, ddof=1)
            sd[sd == 0] = 1.0
            z = (part - mean) / sd
            for model_name, fit_predict in models.items():
                risk_all = fit_predict(z[train], time[train], event[train], z)
                c = concordance_index(time[test], -risk_all[test], event[test])
                rows.append({"model": model_name, "features": features_name, "repeat": repeat,
                             "fold": fold, "C-index": c})  # fmt: skip
                if repeat == 0:
                    key = (model_name, features_name)
                    store = first_repeat.setdefault(key, {"risk": np.zeros(len(time)), "high": np.zeros(len(time), bool)})
                    store["risk"][test] = risk_all[test]
                    store["high"][test] = risk_all[test] > np.median(risk_all[train])
    return pd.DataFrame(rows), first_repeat


def late_fusion(fit_predict: RiskModel, blocks: list[slice]) -> RiskModel:
    """Late fusion: ``fit_predict`` fitted on each block of columns (one per modality) on its own,
    and the blocks' risk scores added, each scaled to unit standard deviation on the training
    patients, so neither dominates by its scale. No weight is learned: with few events a learned
    combination would need data of its own."""
    if not blocks:
        raise InputError("late fusion needs at least one block of columns")

    def fused(x_train: np.ndarray, time: np.ndarray, event: np.ndarray, x_all: np.ndarray) -> np.ndarray:
        total = np.zeros(len(x_all))
        for block in blocks:
            # Score the training rows too, to scale this block's risk on them alone.
            risk = fit_predict(x_train[:, block], time, event, np.vstack([x_train[:, block], x_all[:, block]]))
            train_risk, all_risk = risk[: len(x_train)], risk[len(x_train) :]
            total += (all_risk - train_risk.mean()) / (train_risk.std() or 1.0)
        return total

    return fused


def cindex_summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation of the fold C-indices per model and feature set."""
    return rows.groupby(["features", "model"])["C-index"].agg(["mean", "std", "count"]).round(4)


def corrected_paired_interval(differences, test_share: float, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean of paired per-fold differences from repeated k-fold cross-validation, with the interval of
    Nadeau and Bengio's corrected resampled t-test: the folds share training rows, so the variance of
    the mean is (1/n + test_share / (1 - test_share)) times the folds' variance, not 1/n of it.
    Returns (mean, low, high)."""
    from scipy import stats

    d = np.asarray(differences, dtype=float)
    if d.ndim != 1 or len(d) < 2 or not np.isfinite(d).all():
        raise InputError(f"need at least two finite per-fold differences, got {d.shape} values")
    if not 0 < test_share < 1 or not 0 < confidence < 1:
        raise InputError(f"test_share and confidence must lie in (0, 1), got {test_share}, {confidence}")
    n = len(d)
    scale = np.sqrt((1 / n + test_share / (1 - test_share)) * d.var(ddof=1))
    half = stats.t.ppf(0.5 + confidence / 2, df=n - 1) * scale
    return float(d.mean()), float(d.mean() - half), float(d.mean() + half)
