import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    jaccard_score,
    precision_score,
    recall_score,
    roc_auc_score,
)

from medai.core.metrics import (
    auroc,
    binary_report,
    dice,
    expected_calibration_error,
    iou,
    reliability_table,
    youden_threshold,
)


@pytest.fixture
def cases():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 400)
    # Scores rounded to 2 decimals, so there are many ties.
    p = np.clip(np.round(0.3 * y + rng.uniform(0, 0.7, 400), 2), 0, 1)
    return y, p


def test_auroc_matches_sklearn_with_ties(cases):
    y, p = cases
    assert auroc(y, p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)


def test_threshold_metrics_match_sklearn(cases):
    y, p = cases
    report = binary_report(y, p, threshold=0.4, n_boot=10)
    yhat = (p >= 0.4).astype(int)
    assert report.loc["accuracy", "value"] == pytest.approx(accuracy_score(y, yhat))
    assert report.loc["sensitivity", "value"] == pytest.approx(recall_score(y, yhat))
    assert report.loc["specificity", "value"] == pytest.approx(
        recall_score(1 - y, 1 - yhat)
    )
    assert report.loc["PPV", "value"] == pytest.approx(precision_score(y, yhat))
    assert report.loc["NPV", "value"] == pytest.approx(precision_score(1 - y, 1 - yhat))
    assert report.loc["F1", "value"] == pytest.approx(f1_score(y, yhat))
    assert report.loc["AUROC", "value"] == pytest.approx(roc_auc_score(y, p))


def test_ece_matches_a_computation_from_sklearn_calibration_curve(cases):
    y, p = cases
    observed, predicted = calibration_curve(y, p, n_bins=10, strategy="uniform")
    counts = np.bincount(np.searchsorted(np.linspace(0, 1, 11)[1:-1], p), minlength=10)
    weights = counts[counts > 0] / len(p)
    expected = float(np.sum(weights * np.abs(observed - predicted)))
    assert expected_calibration_error(y, p) == pytest.approx(expected, abs=1e-12)
    table = reliability_table(y, p)
    assert table["cases"].sum() == len(p)
    np.testing.assert_allclose(table["observed"], observed)


def test_ece_is_small_for_calibrated_and_large_for_overconfident_scores():
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 1, 20000)
    y = (rng.uniform(0, 1, p.size) < p).astype(int)  # calibrated by construction
    assert expected_calibration_error(y, p) < 0.02
    assert expected_calibration_error(y, np.round(p)) > 0.2


def test_bootstrap_intervals_bracket_the_estimate_and_shrink_with_more_cases(cases):
    y, p = cases
    small = binary_report(y[:100], p[:100], n_boot=500, seed=3)
    large = binary_report(y, p, n_boot=500, seed=3)
    for table in (small, large):
        assert (table["ci_low"] <= table["value"] + 1e-12).all()
        assert (table["value"] <= table["ci_high"] + 1e-12).all()
    width = lambda t: t["ci_high"] - t["ci_low"]  # noqa: E731
    assert (width(large) < width(small)).all()


def test_bootstrap_is_reproducible_with_a_seed(cases):
    y, p = cases
    a = binary_report(y, p, n_boot=200, seed=7)
    b = binary_report(y, p, n_boot=200, seed=7)
    c = binary_report(y, p, n_boot=200, seed=8)
    assert a.equals(b)
    assert not a.equals(c)


def test_youden_threshold_separates_a_perfectly_separable_set():
    y = np.array([0, 0, 0, 1, 1])
    p = np.array([0.1, 0.2, 0.35, 0.6, 0.9])
    t = youden_threshold(y, p)
    assert 0.35 < t <= 0.6
    assert ((p >= t) == y).all()


@pytest.mark.parametrize(
    "y, p, message",
    [
        ([0, 1, 2], [0.1, 0.5, 0.9], "labels must be 0 or 1"),
        ([0, 1], [0.1], "2 labels but 1 scores"),
        ([], [], "no cases"),
        ([0, 1], [0.1, np.nan], "NaN"),
        ([0, 1], [0.1, 1.5], r"probabilities must lie in \[0, 1\]"),
        ([1, 1], [0.1, 0.5], "needs both classes"),
    ],
)
def test_bad_inputs_give_clear_errors(y, p, message):
    with pytest.raises(ValueError, match=message):
        binary_report(y, p, n_boot=5)


def test_dice_and_iou_match_sklearn_on_flattened_masks():
    rng = np.random.default_rng(2)
    a = (rng.uniform(size=(4, 16, 16)) > 0.6).astype(np.uint8)
    b = (rng.uniform(size=(4, 16, 16)) > 0.5).astype(np.uint8)
    assert dice(a, b) == pytest.approx(f1_score(b.ravel(), a.ravel()))
    assert iou(a, b) == pytest.approx(jaccard_score(b.ravel(), a.ravel()))
    empty = np.zeros((8, 8), np.uint8)
    assert dice(empty, empty) == 1.0 and iou(empty, empty) == 1.0
    with pytest.raises(ValueError, match="only 0 and 1"):
        dice(np.full((2, 2), 0.7), empty[:2, :2])
    with pytest.raises(ValueError, match="shapes differ"):
        iou(empty, empty[:4])


def test_bootstrap_ci_brackets_the_point_and_skips_one_class_resamples():
    from medai.core.metrics import auroc, bootstrap_ci

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    score = y + rng.normal(0, 1, 200)
    value, low, high = bootstrap_ci(auroc, y, score, n_boot=300, seed=1)
    assert low < value < high and value == pytest.approx(auroc(y, score))
    # two cases of each class: many resamples have one class and are skipped, not failed
    value, low, high = bootstrap_ci(auroc, np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9]), n_boot=50)
    assert value == 1.0 and low <= high
    with pytest.raises(ValueError, match="lengths"):
        bootstrap_ci(auroc, y, score[:10])


def test_an_interval_keeps_its_numbers_and_is_written_one_way():
    from medai.core.intervals import Interval, interval_column
    from medai.core.metrics import auroc, binary_report, bootstrap_ci

    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 200)
    score = y + rng.normal(0, 1, 200)
    ci = bootstrap_ci(auroc, y, score, n_boot=200, seed=0)
    assert isinstance(ci, Interval) and ci.width == pytest.approx(ci.high - ci.low) and ci.covers(ci.value)
    assert not ci.covers(ci.high + 0.01)
    # Differences can start below zero: the ends are joined by "to", never by a hyphen that reads as a minus.
    assert str(Interval(-0.0123, -0.03, 0.005)) == "-0.012 (-0.030 to 0.005)"
    assert f"{Interval(0.5, 0.25, 0.75):.2f}" == "0.50 (0.25 to 0.75)"
    report = binary_report(y, 1 / (1 + np.exp(-score)), n_boot=100, seed=0)
    column = interval_column(report)
    assert list(column.index) == list(report.index)
    assert column["AUROC"] == str(Interval(*report.loc["AUROC", ["value", "ci_low", "ci_high"]]))
    with pytest.raises(ValueError, match="ci_low"):
        interval_column(report.drop(columns="ci_low"))
