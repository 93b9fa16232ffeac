"""Is the model as good for women as for men? Metrics by group with intervals, and two mitigations.

``group_table`` measures each group with fairlearn's ``MetricFrame`` (AUROC, true- and
false-positive rate, selection rate, calibration error, calibration intercept and slope) and adds percentile bootstrap intervals;
patients are resampled within each group, so every resample keeps the groups' sizes. The
difference between two groups is bootstrapped from the same resamples: with 50 women in a test
set, an interval on the gap says more than two intervals side by side.

Mitigations (Hardt et al. 2016; Agarwal et al. 2018): ``threshold_optimizer`` picks a threshold per
group after training, on validation data; ``threshold_optimizer_on_scores`` does the same on scores
no model saw its own patients for (``development_scores``: out-of-fold for the training patients);
``exponentiated_gradient`` retrains under a bound on the gap in true-positive rate (equal opportunity).

Confounding: ``fairness_split`` can stratify by a third attribute (the hospital), and
``within_site_gap`` compares the groups inside each hospital, so a gap that only reflects where each
group was recruited shows as such.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame, false_positive_rate, selection_rate, true_positive_rate
from fairlearn.postprocessing import ThresholdOptimizer
from fairlearn.reductions import ExponentiatedGradient, TruePositiveRateParity
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, train_test_split

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


MIN_STRATUM = 4  # a rarer combination of group, outcome and site joins its group and outcome's commonest site


def _strata(y: np.ndarray, g: np.ndarray, also) -> np.ndarray:
    """Group|outcome labels, or group|outcome|site where that combination has ``MIN_STRATUM`` patients."""
    coarse = pd.Series(g).astype(str).str.cat(pd.Series(y).astype(str), sep="|")
    if also is None:
        return coarse.to_numpy()
    site = pd.Series(np.asarray(also)).astype(str)
    counts = pd.crosstab(coarse, site)
    common = counts.idxmax(axis=1)
    rare = [counts.loc[c, s] < MIN_STRATUM for c, s in zip(coarse, site)]
    return coarse.str.cat(site.where(~np.array(rare), coarse.map(common)), sep="|").to_numpy()


def fairness_split(target, groups, val_share: float = 0.2, test_share: float = 0.3, seed: int = 0,
                   also=None) -> FairnessSplit:  # fmt: skip
    """Split stratified by group and outcome together, so each part has women with and without disease;
    ``also`` (one label per patient, e.g. the hospital) is stratified by too, so each part keeps the
    same mix of hospitals within each group. Patients of a combination with fewer than ``MIN_STRATUM``
    are stratified with their group and outcome's commonest site."""
    y, g = np.asarray(target), np.asarray(groups)
    if len(y) != len(g):
        raise InputError(f"{len(y)} targets but {len(g)} group labels")
    if also is not None and len(np.asarray(also)) != len(y):
        raise InputError(f"{len(y)} targets but {len(np.asarray(also))} labels to stratify by")
    extra = None if also is None else np.asarray(also)
    rows = np.arange(len(y))
    rest, test = train_test_split(rows, test_size=test_share, stratify=_strata(y, g, extra), random_state=seed)
    again = _strata(y[rest], g[rest], None if extra is None else extra[rest])  # what is left, counted again
    train, val = train_test_split(rest, test_size=val_share / (1 - test_share), stratify=again, random_state=seed)
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


class _GivenScores(ClassifierMixin, BaseEstimator):
    """A stand-in for a trained model whose one input column is already its probability of class 1,
    so that fairlearn's ``ThresholdOptimizer`` can be fitted on scores computed elsewhere."""

    def fit(self, X=None, y=None):
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X) -> np.ndarray:
        scores = np.asarray(X, dtype=float).reshape(-1)
        return np.column_stack([1 - scores, scores])


def threshold_optimizer_on_scores(scores, y, groups) -> ThresholdOptimizer:
    """``threshold_optimizer`` fitted on given probabilities (e.g. ``development_scores``); predict
    with the scores of the patients to decide for, as a column: ``optimizer.predict(p[:, None], ...)``."""
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 1 or len(scores) != len(np.asarray(y)) or not np.isfinite(scores).all():
        raise InputError(f"need one finite score per patient; got shape {scores.shape} for {len(np.asarray(y))} patients")
    return threshold_optimizer(_GivenScores().fit(), scores[:, None], y, groups)


def development_scores(make_model, X: pd.DataFrame, y, train, val, seed: int = 0, folds: int = 5) -> np.ndarray:
    """A probability for every development patient (``train`` then ``val`` rows) from a model that
    did not train on them: out-of-fold for the training patients (``folds`` models of the same recipe),
    the model trained on all training patients for the validation patients.

    Per-group thresholds fitted on a model's scores of its own training patients see risks that are
    too confident; these scores are what the model gives patients it has not seen."""
    y, train, val = np.asarray(y), np.asarray(train), np.asarray(val)
    out_of_fold = np.empty(len(train))
    folding = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for inner, held in folding.split(train, y[train]):
        fitted = make_model(seed).fit(X.iloc[train[inner]], y[train[inner]])
        out_of_fold[held] = fitted.predict_proba(X.iloc[train[held]])[:, 1]
    model = make_model(seed).fit(X.iloc[train], y[train])
    return np.r_[out_of_fold, model.predict_proba(X.iloc[val])[:, 1]]


def within_site_gap(y_true, decisions, groups, sites) -> float:
    """TPR of the first group (sorted) minus the second's, compared inside each site and averaged
    with weights n1 * n2 / (n1 + n2) (the groups' patients with the condition there); sites lacking
    either group's positives drop out. NaN when none is left."""
    y, d, g, s = (np.asarray(a) for a in (y_true, decisions, groups, sites))
    names = sorted(np.unique(g))
    if len(names) != 2:
        raise InputError(f"the within-site gap compares two groups, got {names}")
    total = weight = 0.0
    for site in np.unique(s):
        positives = [(s == site) & (g == name) & (y == 1) for name in names]
        n1, n2 = (int(rows.sum()) for rows in positives)
        if n1 and n2:
            w = n1 * n2 / (n1 + n2)
            total += w * (d[positives[0]].mean() - d[positives[1]].mean())
            weight += w
    return total / weight if weight else float("nan")


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
