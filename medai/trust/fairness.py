"""Is the model as good for women as for men? Metrics by group with intervals, and two mitigations.

``group_table`` measures each group with fairlearn's ``MetricFrame`` (AUROC, true- and
false-positive rate, selection rate, calibration error, calibration intercept and slope) and adds percentile bootstrap intervals;
patients are resampled within each group, so every resample keeps the groups' sizes. The
difference between two groups is bootstrapped from the same resamples: with 50 women in a test
set, an interval on the gap says more than two intervals side by side.

Mitigations (Hardt et al. 2016; Agarwal et al. 2018): ``threshold_optimizer`` picks a threshold per
group after training, on validation data; ``exponentiated_gradient`` retrains under a bound on the
gap in true-positive rate (equal opportunity).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame, false_positive_rate, selection_rate, true_positive_rate
from fairlearn.postprocessing import ThresholdOptimizer
from fairlearn.reductions import ExponentiatedGradient, TruePositiveRateParity
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from ..core.errors import InputError
from ..core.metrics import auroc, expected_calibration_error
from ..evaluation.calibration import calibration_line

GROUP_METRICS = ("AUROC", "TPR", "FPR", "selection rate", "ECE", "calibration intercept", "calibration slope",
                 "mean predicted", "observed")


@dataclass
class FairnessSplit:
    """Row indices of the training, validation and test parts."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray


def fairness_split(target, groups, val_share: float = 0.2, test_share: float = 0.3, seed: int = 0) -> FairnessSplit:
    """Split stratified by group and outcome together, so each part has women with and without disease."""
    y, g = np.asarray(target), np.asarray(groups)
    if len(y) != len(g):
        raise InputError(f"{len(y)} targets but {len(g)} group labels")
    strata = pd.Series(g).astype(str).str.cat(pd.Series(y).astype(str), sep="|").to_numpy()
    rows = np.arange(len(y))
    rest, test = train_test_split(rows, test_size=test_share, stratify=strata, random_state=seed)
    train, val = train_test_split(rest, test_size=val_share / (1 - test_share), stratify=strata[rest], random_state=seed)
    return FairnessSplit(np.sort(train), np.sort(val), np.sort(test))


def _metrics(threshold: float) -> dict:
    """MetricFrame metrics of (labels, probabilities); the rate metrics apply ``threshold``."""
    return {"AUROC": lambda y, p: auroc(y, p) if len(np.unique(y)) == 2 else np.nan,
            "TPR": lambda y, p: true_positive_rate(y, p >= threshold, pos_label=1),
            "FPR": lambda y, p: false_positive_rate(y, p >= threshold, pos_label=1),
            "selection rate": lambda y, p: selection_rate(y, p >= threshold, pos_label=1),
            "ECE": lambda y, p: expected_calibration_error(y, p),
            "calibration intercept": lambda y, p: calibration_line(y, p)[0],
            "calibration slope": lambda y, p: calibration_line(y, p)[1],
            "mean predicted": lambda y, p: float(np.mean(p)),
            "observed": lambda y, p: float(np.mean(y))}  # fmt: skip


def _check(y_true, prob, groups) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y, p, g = np.asarray(y_true).astype(int), np.asarray(prob, dtype=float), np.asarray(groups)
    if not (len(y) == len(p) == len(g)) or len(y) == 0:
        raise InputError(f"need one label, probability and group per patient; got {len(y)}, {len(p)}, {len(g)}")
    if not np.isfinite(p).all() or p.min() < 0 or p.max() > 1:
        raise InputError("probabilities must be finite and within [0, 1]")
    if len(np.unique(g)) < 2:
        raise InputError("fairness needs at least two groups")
    return y, p, g


def group_table(y_true, prob, groups, *, threshold: float, order=None, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """One row per group (and one per difference from the first group): each metric with a 95% interval.

    Columns are (metric, value / low / high); ``patients`` counts each group. ``order`` lists the
    groups, the reference first (default: sorted).
    """
    y, p, g = _check(y_true, prob, groups)
    frame = MetricFrame(metrics=_metrics(threshold), y_true=y, y_pred=p, sensitive_features=pd.Series(g, name="group"))
    names = list(frame.by_group.index) if order is None else list(order)
    if sorted(map(str, names)) != sorted(map(str, frame.by_group.index)):
        raise InputError(f"order must list each group once: {sorted(frame.by_group.index)}, got {names}")
    members = {name: np.flatnonzero(g == name) for name in names}
    rng = np.random.default_rng(seed)
    metric_fns = _metrics(threshold)
    draws = {name: [] for name in names}
    for _ in range(n_boot):
        for name, rows in members.items():
            pick = rows[rng.integers(0, len(rows), len(rows))]
            draws[name].append([fn(y[pick], p[pick]) for fn in metric_fns.values()])
    draws = {name: np.array(values, dtype=float) for name, values in draws.items()}
    table = {}
    reference = names[0]
    for name in names:
        table[str(name)] = _summarise(frame.by_group.loc[name].to_numpy(dtype=float), draws[name])
    for name in names[1:]:
        point = frame.by_group.loc[name].to_numpy(dtype=float) - frame.by_group.loc[reference].to_numpy(dtype=float)
        table[f"{name} - {reference}"] = _summarise(point, draws[name] - draws[reference])
    out = pd.DataFrame(table).T
    out.columns = pd.MultiIndex.from_tuples(out.columns)
    out.insert(0, "patients", [len(members[n]) for n in names] + [np.nan] * (len(names) - 1))
    return out


def _summarise(point: np.ndarray, draws: np.ndarray) -> dict:
    with np.errstate(all="ignore"):
        low, high = np.nanpercentile(draws, [2.5, 97.5], axis=0)
    row = {}
    for i, metric in enumerate(GROUP_METRICS):
        row[(metric, "value")], row[(metric, "low")], row[(metric, "high")] = point[i], low[i], high[i]
    return row


def equal_opportunity_gap(y_true, decisions, groups) -> float:
    """Largest minus smallest true-positive rate across groups (0 is equal opportunity)."""
    frame = MetricFrame(metrics=true_positive_rate, y_true=np.asarray(y_true), y_pred=np.asarray(decisions),
                        sensitive_features=np.asarray(groups))  # fmt: skip
    return float(frame.difference())


def threshold_optimizer(fitted_model, X_val, y_val, groups_val) -> ThresholdOptimizer:
    """Per-group thresholds on a trained model's probabilities, chosen on validation data for equal
    true-positive rates at the best balanced accuracy. Its decisions are randomised between two
    thresholds where needed; ``predict`` takes ``random_state``."""
    optimizer = ThresholdOptimizer(estimator=fitted_model, constraints="true_positive_rate_parity",
                                   objective="balanced_accuracy_score", prefit=True, predict_method="predict_proba")  # fmt: skip
    return optimizer.fit(X_val, np.asarray(y_val), sensitive_features=np.asarray(groups_val))


def exponentiated_gradient(X_train, y_train, groups_train, difference_bound: float, seed: int = 0) -> ExponentiatedGradient:
    """A logistic regression retrained under |TPR(group) - TPR(all)| <= ``difference_bound``.

    ``X_train`` must already be imputed and scaled (the reduction reweights rows, which a
    scikit-learn pipeline would not pass on)."""
    if not 0 < difference_bound < 1:
        raise InputError(f"difference_bound must be in (0, 1), got {difference_bound}")
    base = LogisticRegression(C=1.0, max_iter=2000, random_state=seed)
    reduction = ExponentiatedGradient(clone(base), TruePositiveRateParity(difference_bound=difference_bound), eps=0.01)
    return reduction.fit(np.asarray(X_train), np.asarray(y_train), sensitive_features=np.asarray(groups_train))


def reduction_probabilities(reduction: ExponentiatedGradient, X) -> np.ndarray:
    """The reduction's probability of class 1 (its mixture of classifiers, averaged)."""
    return reduction._pmf_predict(np.asarray(X))[:, 1]


def repeated_threshold_study(X: pd.DataFrame, y, groups, make_model, repeats: int, seed: int = 0) -> pd.DataFrame:
    """One threshold against per-group thresholds over ``repeats`` stratified splits (split seeds
    ``seed`` to ``seed + repeats - 1``): each split's test TPR gap and balanced accuracy for each.

    One split's few women with disease cannot say whether a mitigation works; the spread over
    splits can. Each row also has each group's TPR at the common threshold. As in chapter 10: the model trains on the training part, the common threshold is
    Youden's on validation, and the per-group thresholds are fitted twice, on the validation
    patients alone and on all development patients (training and validation)."""
    from sklearn.metrics import balanced_accuracy_score

    from ..core.metrics import youden_threshold

    if repeats < 1:
        raise InputError(f"repeats must be at least 1, got {repeats}")
    y, groups = np.asarray(y), np.asarray(groups)
    rows = []
    for split_seed in range(seed, seed + repeats):
        split = fairness_split(y, groups, seed=split_seed)
        model = make_model(split_seed).fit(X.iloc[split.train], y[split.train])
        threshold = youden_threshold(y[split.val], model.predict_proba(X.iloc[split.val])[:, 1])
        y_test, g_test = y[split.test], groups[split.test]
        decisions = {"one threshold": (model.predict_proba(X.iloc[split.test])[:, 1] >= threshold).astype(int)}
        for label, part in (("validation", split.val), ("development", np.r_[split.train, split.val])):
            optimizer = threshold_optimizer(model, X.iloc[part], y[part], groups[part])
            decisions[f"per-group thresholds ({label})"] = np.asarray(
                optimizer.predict(X.iloc[split.test], sensitive_features=g_test, random_state=split_seed)).astype(int)
        row = {"split seed": split_seed}
        for group in np.unique(groups):  # the direction of the gap, which the gap itself does not keep
            row[f"TPR {group}, one threshold"] = decisions["one threshold"][(g_test == group) & (y_test == 1)].mean()
        for name, decided in decisions.items():
            row[f"TPR gap, {name}"] = equal_opportunity_gap(y_test, decided, g_test)
        for name, decided in decisions.items():
            row[f"balanced accuracy, {name}"] = balanced_accuracy_score(y_test, decided)
        rows.append(row)
    return pd.DataFrame(rows).set_index("split seed")
