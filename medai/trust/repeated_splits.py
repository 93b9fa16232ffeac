"""Fairness questions asked over many splits: one split's few women with disease cannot say whether a
mitigation works, the spread over splits can.

``repeated_threshold_study`` compares one threshold with per-group thresholds (fitted on validation
patients, and on all development patients with out-of-fold risks) and, given the sites, compares the
groups inside each site; ``repeated_reduction_study`` does the same for the exponentiated-gradient
reduction, on fewer splits because each of its fits takes seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import balanced_accuracy_score

from ..core.errors import InputError
from ..core.metrics import youden_threshold
from .fairness import (development_scores, equal_opportunity_gap, exponentiated_gradient, fairness_split,
                       threshold_optimizer, threshold_optimizer_on_scores, within_site_gap)


def repeated_threshold_study(X: pd.DataFrame, y, groups, make_model, repeats: int, seed: int = 0,
                             sites=None) -> pd.DataFrame:  # fmt: skip
    """One threshold against per-group thresholds over ``repeats`` stratified splits (split seeds
    ``seed`` to ``seed + repeats - 1``): each split's test TPR gap and balanced accuracy for each.

    One split's few women with disease cannot say whether a mitigation works; the spread over
    splits can. Each row also has each group's TPR at the common threshold. As in chapter 10: the
    model trains on the training part, the common threshold is Youden's on validation, and the
    per-group thresholds are fitted twice, on the validation patients alone and on all development
    patients (training and validation), the training patients' scores out of fold
    (``development_scores``). With ``sites``, the splits are stratified by site too and each row
    adds the one threshold's ``within_site_gap``."""
    if repeats < 1:
        raise InputError(f"repeats must be at least 1, got {repeats}")
    y, groups = np.asarray(y), np.asarray(groups)
    rows = []
    for split_seed in range(seed, seed + repeats):
        split = fairness_split(y, groups, seed=split_seed, also=sites)
        model = make_model(split_seed).fit(X.iloc[split.train], y[split.train])
        threshold = youden_threshold(y[split.val], model.predict_proba(X.iloc[split.val])[:, 1])
        y_test, g_test = y[split.test], groups[split.test]
        p_test = model.predict_proba(X.iloc[split.test])[:, 1]
        decisions = {"one threshold": (p_test >= threshold).astype(int)}
        development = np.r_[split.train, split.val]
        fitted = {"validation": threshold_optimizer(model, X.iloc[split.val], y[split.val], groups[split.val]),
                  "development": threshold_optimizer_on_scores(
                      development_scores(make_model, X, y, split.train, split.val, split_seed), y[development],
                      groups[development])}  # fmt: skip
        for label, optimizer in fitted.items():
            given = X.iloc[split.test] if label == "validation" else p_test[:, None]
            decisions[f"per-group thresholds ({label})"] = np.asarray(
                optimizer.predict(given, sensitive_features=g_test, random_state=split_seed)).astype(int)
        row = {"split seed": split_seed}
        for group in np.unique(groups):  # the direction of the gap, which the gap itself does not keep
            row[f"TPR {group}, one threshold"] = decisions["one threshold"][(g_test == group) & (y_test == 1)].mean()
        if sites is not None:
            row["TPR difference within sites, one threshold"] = within_site_gap(
                y_test, decisions["one threshold"], g_test, np.asarray(sites)[split.test])
        for name, decided in decisions.items():
            row[f"TPR gap, {name}"] = equal_opportunity_gap(y_test, decided, g_test)
        for name, decided in decisions.items():
            row[f"balanced accuracy, {name}"] = balanced_accuracy_score(y_test, decided)
        rows.append(row)
    return pd.DataFrame(rows).set_index("split seed")


def repeated_reduction_study(X: pd.DataFrame, y, groups, make_model, bound: float, repeats: int, seed: int = 0,
                             sites=None) -> pd.DataFrame:  # fmt: skip
    """``exponentiated_gradient`` at ``bound`` against one threshold over ``repeats`` splits (split
    seeds ``seed`` onwards, as ``repeated_threshold_study``): each split's test TPR gap and balanced
    accuracy for both. ``make_model(seed)`` is a scikit-learn pipeline; the reduction retrains its
    last step on the rows its earlier steps prepared. Each fit takes seconds, hence few splits."""
    if repeats < 1:
        raise InputError(f"repeats must be at least 1, got {repeats}")
    y, groups = np.asarray(y), np.asarray(groups)
    rows = []
    for split_seed in range(seed, seed + repeats):
        split = fairness_split(y, groups, seed=split_seed, also=sites)
        model = make_model(split_seed).fit(X.iloc[split.train], y[split.train])
        threshold = youden_threshold(y[split.val], model.predict_proba(X.iloc[split.val])[:, 1])
        prepare = model[:-1]
        reduction = exponentiated_gradient(prepare.transform(X.iloc[split.train]), y[split.train], groups[split.train],
                                           bound, split_seed)  # fmt: skip
        y_test, g_test = y[split.test], groups[split.test]
        decisions = {"one threshold": model.predict_proba(X.iloc[split.test])[:, 1] >= threshold,
                     "reduction": reduction.predict(prepare.transform(X.iloc[split.test]), random_state=split_seed)}
        row = {"split seed": split_seed}
        for name, decided in decisions.items():
            decided = np.asarray(decided).astype(int)
            row[f"TPR gap, {name}"] = equal_opportunity_gap(y_test, decided, g_test)
            row[f"balanced accuracy, {name}"] = balanced_accuracy_score(y_test, decided)
        rows.append(row)
    return pd.DataFrame(rows).set_index("split seed")
