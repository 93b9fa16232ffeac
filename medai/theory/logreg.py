"""Logistic regression three ways: gradient descent by hand, ``torch.optim.SGD``, and scikit-learn.

All three minimise the same objective, so on the same data they should reach the same weights::

    J(w, b) = mean_i BCE(x_i . w + b, y_i) + (l2 / 2) ||w||^2

scikit-learn's ``LogisticRegression(C=C)`` minimises ``C * sum_i BCE + ||w||^2 / 2``,
which is the objective above with ``l2 = 1 / (C * n)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
from scipy.special import expit  # the sigmoid, without overflow for large |z|
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.preprocessing import StandardScaler
from tqdm import tqdm

from ..core.errors import InputError


@dataclass
class LinearModel:
    """Weights, bias, and the objective after each step (empty for scikit-learn)."""

    weights: np.ndarray
    bias: float
    history: list[float] = field(default_factory=list)

    def decision(self, X: np.ndarray) -> np.ndarray:
        return X @ self.weights + self.bias

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return expit(self.decision(X))


def _check_xy(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).ravel()
    if X.ndim != 2:
        raise InputError(f"X must be 2-D (samples, features), got shape {X.shape}")
    if len(X) != len(y):
        raise InputError(f"X has {len(X)} rows but y has {len(y)} labels")
    if len(y) == 0:
        raise InputError("cannot fit on an empty data set")
    if not np.isfinite(X).all():
        raise InputError("X contains NaN or infinite values")
    if not np.isin(y, (0.0, 1.0)).all():
        raise InputError("y must contain only 0 and 1")
    return X, y


def objective(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, l2: float
) -> float:
    z = X @ w + b
    # the stable form from chapter 2
    bce = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return float(bce.mean() + 0.5 * l2 * w @ w)


def fit_gradient_descent(
    X: np.ndarray, y: np.ndarray, lr: float, steps: int, l2: float = 0.0
) -> LinearModel:
    """Full-batch gradient descent written out: the gradient is X^T (sigmoid(z) - y) / n + l2 w."""
    X, y = _check_xy(X, y)
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    history = []
    for _ in range(steps):
        # dL/dz = sigmoid(z) - y, for every sample at once
        residual = expit(X @ w + b) - y
        w = w - lr * (X.T @ residual / n + l2 * w)
        b = b - lr * residual.mean()
        history.append(objective(X, y, w, b, l2))
    return LinearModel(w, b, history)


def fit_torch_sgd(
    X: np.ndarray, y: np.ndarray, lr: float, steps: int, l2: float = 0.0
) -> LinearModel:
    """The same descent with ``nn.Linear``, ``BCEWithLogitsLoss`` and ``optim.SGD`` (weight decay on w only)."""
    X, y = _check_xy(X, y)
    features = torch.from_numpy(X)
    targets = torch.from_numpy(y)
    layer = torch.nn.Linear(X.shape[1], 1, dtype=torch.float64)
    torch.nn.init.zeros_(layer.weight)
    torch.nn.init.zeros_(layer.bias)
    optimiser = torch.optim.SGD(
        [
            {"params": [layer.weight], "weight_decay": l2},
            {"params": [layer.bias], "weight_decay": 0.0},
        ],
        lr=lr,
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()
    history = []
    for _ in range(steps):
        optimiser.zero_grad()
        loss_fn(layer(features).squeeze(1), targets).backward()
        optimiser.step()
        with torch.no_grad():
            history.append(
                objective(X, y, layer.weight[0].numpy(), float(layer.bias), l2)
            )
    return LinearModel(
        layer.weight.detach()[0].numpy().copy(), float(layer.bias.detach()), history
    )


def fit_sklearn(X: np.ndarray, y: np.ndarray, l2: float) -> LinearModel:
    """scikit-learn's L-BFGS solution of the same objective (``C = 1 / (l2 n)``)."""
    X, y = _check_xy(X, y)
    if l2 <= 0:
        raise InputError("scikit-learn needs a positive l2 here (C = 1 / (l2 n))")
    model = LogisticRegression(C=1.0 / (l2 * len(y)), tol=1e-10, max_iter=10_000).fit(
        X, y
    )
    return LinearModel(model.coef_[0].copy(), float(model.intercept_[0]))


def compare_methods_cv(
    X: np.ndarray,
    y: np.ndarray,
    *,
    lr: float,
    steps: int,
    l2: float,
    n_splits: int = 5,
    n_repeats: int = 3,
    seed: int = 0,
) -> pd.DataFrame:
    """Test accuracy and AUROC of the three fits on every fold of repeated stratified k-fold CV.

    Features are standardised with statistics of the training fold only.
    """
    X, y = _check_xy(X, y)
    folds = RepeatedStratifiedKFold(
        n_splits=n_splits, n_repeats=n_repeats, random_state=seed
    )
    fitters = {
        "gradient descent (NumPy)": lambda a, b: fit_gradient_descent(
            a, b, lr, steps, l2
        ),
        "torch.optim.SGD": lambda a, b: fit_torch_sgd(a, b, lr, steps, l2),
        "scikit-learn L-BFGS": lambda a, b: fit_sklearn(a, b, l2),
    }
    rows = []
    splits = list(folds.split(X, y))
    for fold, (train, test) in enumerate(tqdm(splits, desc="CV folds")):
        scaler = StandardScaler().fit(X[train])
        x_train, x_test = scaler.transform(X[train]), scaler.transform(X[test])
        for method, fit in fitters.items():
            model = fit(x_train, y[train])
            proba = model.predict_proba(x_test)
            rows.append(
                {
                    "fold": fold,
                    "method": method,
                    "accuracy": accuracy_score(y[test], proba >= 0.5),
                    "AUROC": roc_auc_score(y[test], proba),
                }
            )
    return pd.DataFrame(rows)


def summarise_cv(results: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation over folds, one row per method."""
    table = results.groupby("method", sort=False)[["accuracy", "AUROC"]].agg(
        ["mean", "std"]
    )
    return table.round(4)
