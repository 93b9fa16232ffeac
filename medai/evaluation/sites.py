"""Does a model from one hospital work in another? Train on each site, test on every site.

The diagonal of the table is each site's own cross-validated performance; the rest is transport
to a hospital the model never saw. A drop can come from case mix (who is referred for
angiography), from prevalence (how many have disease), or from what each site measured (missing
columns are imputed with the training site's medians).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ..core.errors import InputError
from ..core.metrics import auroc, expected_calibration_error


def site_model(seed: int = 0):
    """Median imputation, standardisation and an L2-penalised logistic regression."""
    return make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler(),
                         LogisticRegression(C=1.0, max_iter=2000, random_state=seed))  # fmt: skip


def cross_site_table(data: pd.DataFrame, target, sites, folds: int = 5, seed: int = 0) -> pd.DataFrame:
    """One row per (trained on, tested on) pair: AUROC, ECE, mean predicted risk and prevalence.

    On its own site a model is scored by ``folds``-fold cross-validation, so no patient is scored
    by a model that saw them."""
    X, y, sites = data.reset_index(drop=True), np.asarray(target), np.asarray(sites)
    if not (len(X) == len(y) == len(sites)):
        raise InputError(f"need one target and one site per row, got {len(X)}, {len(y)}, {len(sites)}")
    names = list(dict.fromkeys(sites))
    rows = []
    for train_site in names:
        train = sites == train_site
        if len(np.unique(y[train])) < 2:
            raise InputError(f"site {train_site!r} has a single class: cannot train on it")
        model = site_model(seed).fit(X[train], y[train])
        for test_site in names:
            test = sites == test_site
            if test_site == train_site:
                splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
                prob = cross_val_predict(site_model(seed), X[train], y[train], cv=splitter, method="predict_proba")[:, 1]
            else:
                prob = model.predict_proba(X[test])[:, 1]
            rows.append({"trained on": train_site, "tested on": test_site, "patients": int(test.sum()),
                         "AUROC": auroc(y[test], prob), "ECE": expected_calibration_error(y[test], prob),
                         "mean predicted risk": float(prob.mean()), "prevalence": float(y[test].mean())})  # fmt: skip
    return pd.DataFrame(rows)
