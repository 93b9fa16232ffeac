"""Chapter 10: fairness by group, explanations that must depend on the model, out-of-distribution
scores, corruptions and compression."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from torch import nn

from medai.core.errors import InputError
from medai.core.metrics import auroc

# --- fairness ------------------------------------------------------------------------------


def _biased_patients(n: int = 1200, seed: int = 0):
    """Group "b" is rarer and its disease shows weaker in the score, so one threshold misses more of it."""
    rng = np.random.default_rng(seed)
    group = np.where(rng.random(n) < 0.3, "b", "a")
    y = (rng.random(n) < np.where(group == "a", 0.6, 0.25)).astype(int)
    signal = np.where(group == "a", 1.6, 0.8)
    x = np.c_[y * signal + rng.normal(size=n), rng.normal(size=n), (group == "b").astype(float)]
    return x, y, group


def test_group_table_matches_fairlearn_and_bootstraps_the_gap():
    from fairlearn.metrics import MetricFrame, true_positive_rate

    from medai.trust.fairness import group_table

    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 400)
    p = np.clip(0.3 * y + 0.7 * rng.random(400), 0, 1)
    g = np.where(np.arange(400) % 4 == 0, "women", "men")
    table = group_table(y, p, g, threshold=0.5, order=["men", "women"], n_boot=200)
    tpr = MetricFrame(metrics=true_positive_rate, y_true=y, y_pred=p >= 0.5, sensitive_features=g).by_group
    assert table.loc["women", ("TPR", "value")] == pytest.approx(tpr["women"])
    assert table.loc["women - men", ("TPR", "value")] == pytest.approx(tpr["women"] - tpr["men"])
    assert table.loc["men", "patients"].item() == 300
    for row in ("men", "women", "women - men"):
        for metric in ("AUROC", "TPR", "ECE"):
            assert table.loc[row, (metric, "low")] <= table.loc[row, (metric, "value")] <= table.loc[row, (metric, "high")]
    # Two groups drawn the same way: the interval on their gap includes 0.
    assert table.loc["women - men", ("AUROC", "low")] < 0 < table.loc["women - men", ("AUROC", "high")]
    from medai.evaluation.calibration import calibration_line

    women = g == "women"
    intercept, slope = calibration_line(y[women], p[women])
    assert table.loc["women", ("calibration slope", "value")] == pytest.approx(slope)
    assert table.loc["women", ("calibration intercept", "value")] == pytest.approx(intercept)
    assert table.loc["women", ("calibration slope", "low")] < slope < table.loc["women", ("calibration slope", "high")]


def test_group_table_refuses_bad_input():
    from medai.trust.fairness import group_table

    y, p = np.array([0, 1, 0, 1]), np.array([0.1, 0.9, 0.2, 0.8])
    with pytest.raises(InputError, match="two groups"):
        group_table(y, p, ["a"] * 4, threshold=0.5)
    with pytest.raises(InputError, match="one label"):
        group_table(y, p[:3], ["a", "b"] * 2, threshold=0.5)
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        group_table(y, p * 2, ["a", "b"] * 2, threshold=0.5)
    with pytest.raises(InputError, match="order"):
        group_table(y, p, ["a", "b"] * 2, threshold=0.5, order=["a", "c"])


def test_both_mitigations_shrink_the_equal_opportunity_gap():
    from sklearn.linear_model import LogisticRegression

    from medai.trust import fairness

    x, y, g = _biased_patients()
    split = fairness.fairness_split(y, g, seed=0)
    model = LogisticRegression().fit(x[split.train], y[split.train])
    test = split.test
    plain_gap = fairness.equal_opportunity_gap(y[test], model.predict(x[test]), g[test])
    development = np.r_[split.train, split.val]
    optimizer = fairness.threshold_optimizer(model, x[development], y[development], g[development])
    post = optimizer.predict(x[test], sensitive_features=g[test], random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reduction = fairness.exponentiated_gradient(x[split.train], y[split.train], g[split.train], 0.02)
    inproc = reduction.predict(x[test], random_state=0)
    assert plain_gap > 0.2
    assert fairness.equal_opportunity_gap(y[test], post, g[test]) < plain_gap / 2
    assert fairness.equal_opportunity_gap(y[test], inproc, g[test]) < plain_gap / 2
    prob = fairness.reduction_probabilities(reduction, x[test])
    assert prob.shape == (len(test),) and auroc(y[test], prob) > 0.7
    # Every part keeps both groups with and without disease.
    for part in (split.train, split.val, split.test):
        assert {(a, b) for a, b in zip(g[part], y[part])} == {("a", 0), ("a", 1), ("b", 0), ("b", 1)}



def test_the_repeated_study_scores_both_threshold_fits_on_every_split_and_keeps_the_gap_s_direction():
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    from medai.trust import fairness

    x, y, g = _biased_patients()
    frame = pd.DataFrame(x, columns=["score", "noise", "is_b"])
    study = fairness.repeated_threshold_study(frame, y, g, lambda seed: LogisticRegression(random_state=seed), 4, seed=3)
    assert list(study.index) == [3, 4, 5, 6]  # split seeds seed .. seed + repeats - 1
    fits = ("one threshold", "per-group thresholds (validation)", "per-group thresholds (development)")
    assert {f"TPR gap, {name}" for name in fits} | {f"balanced accuracy, {name}" for name in fits} < set(study.columns)
    assert study.notna().all().all() and ((study >= 0) & (study <= 1)).all().all()
    # The gap is the distance between the two groups' TPRs; the TPR columns say which group is lower.
    assert np.allclose(study["TPR gap, one threshold"], (study["TPR a, one threshold"] - study["TPR b, one threshold"]).abs())
    assert (study["TPR b, one threshold"] < study["TPR a, one threshold"]).all()
    assert (study["TPR gap, per-group thresholds (development)"] < study["TPR gap, one threshold"]).mean() >= 0.75
    with pytest.raises(InputError, match="repeats"):
        fairness.repeated_threshold_study(frame, y, g, lambda seed: LogisticRegression(), 0)


# --- explanations --------------------------------------------------------------------------


class PatchModel(nn.Module):
    """Class 1's logit is the mean of the top-left 6 x 6 patch: only those pixels matter."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 3, padding=1)
        self.fc = nn.Linear(16 * 16, 2)
        with torch.no_grad():
            self.conv.weight.zero_()
            self.conv.weight[0, 0, 1, 1] = 1.0
            self.conv.bias.zero_()
            self.fc.weight.zero_()
            patch = torch.zeros(16, 16)
            patch[:6, :6] = 4.0 / 36
            self.fc.weight[1] = patch.ravel()
            self.fc.bias.copy_(torch.tensor([0.0, -2.0]))

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).flatten(1))


def test_explanations_of_a_randomised_model_differ_and_a_model_blind_map_is_caught():
    from medai.trust.attributions import cascading_randomisation, integrated_gradients

    images = torch.rand(8, 1, 16, 16, generator=torch.Generator().manual_seed(0))
    target = torch.ones(8, dtype=torch.long)
    explainers = {
        "Integrated Gradients": integrated_gradients,
        "the image itself": lambda model, x, t: x[:, 0].numpy(),  # an "explanation" that ignores the model
    }
    table = cascading_randomisation(PatchModel(), explainers, images, target)
    assert list(table.index) == ["none", "fc", "conv"]
    assert (table["Integrated Gradients"].iloc[1:] < 0.5).all()
    assert np.allclose(table["the image itself"], 1.0)


def test_a_map_on_the_evidence_deletes_faster_than_random_order():
    from medai.trust.attributions import pixel_order_curve

    # A bright patch on a dark film: blurring (deletion) spreads it out and lowers the logit.
    images = 0.1 * torch.rand(6, 1, 16, 16, generator=torch.Generator().manual_seed(1))
    images[..., :6, :6] += 1.0
    target = torch.ones(6, dtype=torch.long)
    evidence = np.zeros((6, 16, 16))
    evidence[:, :6, :6] = 1.0
    model = PatchModel()
    on_evidence = pixel_order_curve(model, images, target, evidence, mode="deletion").mean()
    random = pixel_order_curve(model, images, target, None, mode="deletion").mean()
    insertion = pixel_order_curve(model, images, target, evidence, mode="insertion").mean()
    random_insertion = pixel_order_curve(model, images, target, None, mode="insertion").mean()
    assert on_evidence < random and insertion > random_insertion
    with pytest.raises(InputError, match="mode"):
        pixel_order_curve(model, images, target, evidence, mode="sideways")


def test_kernel_shap_recovers_the_exact_shapley_values_of_a_linear_logit():
    from medai.trust.attributions import kernel_shap, linear_shap

    rng = np.random.default_rng(2)
    coef, X, baseline = rng.normal(size=5), rng.normal(size=(4, 5)), rng.normal(size=5)
    estimated = kernel_shap(lambda a: a @ coef, X, baseline, samples=300)
    np.testing.assert_allclose(estimated, linear_shap(coef, X, baseline), atol=1e-4)


# --- out-of-distribution scores ------------------------------------------------------------


def test_mahalanobis_and_logit_scores_rank_the_unusual_higher():
    from medai.trust.ood import Mahalanobis, energy_score, features_and_logits, max_softmax_score

    rng = np.random.default_rng(3)
    features = np.r_[rng.normal(0, 1, (200, 4)), rng.normal(4, 1, (200, 4))]
    labels = np.r_[np.zeros(200), np.ones(200)]
    scorer = Mahalanobis().fit(features, labels)
    near, far = scorer.score(rng.normal(0, 1, (50, 4))), scorer.score(rng.normal(12, 1, (50, 4)))
    assert auroc(np.r_[np.zeros(50), np.ones(50)], np.r_[near, far]) > 0.99
    confident, unsure = np.array([[8.0, -8.0]]), np.array([[0.1, 0.0]])
    assert max_softmax_score(unsure)[0] > max_softmax_score(confident)[0]
    assert energy_score(np.array([[-5.0, -5.0]]))[0] > energy_score(confident)[0]
    model = PatchModel()
    images = torch.rand(5, 1, 16, 16)
    feats, logits = features_and_logits(model, images, batch_size=2)
    np.testing.assert_allclose(feats, torch.relu(model.conv(images)).flatten(1).detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(logits, model(images).detach().numpy(), atol=1e-6)


def test_out_of_distribution_sets_are_uint8_images_of_the_right_size():
    from medai.trust.ood import out_of_distribution_sets

    xrays = np.random.default_rng(4).integers(0, 256, (30, 28, 28), dtype=np.uint8)
    sets = out_of_distribution_sets(xrays, n=20)
    assert len(sets) == 6
    for name, images in sets.items():
        assert images.shape == (20, 28, 28) and images.dtype == np.uint8, name
    assert (sets["inverted X-rays"].astype(int) + 0).max() > 0
    with pytest.raises(InputError, match="uint8"):
        out_of_distribution_sets(xrays.astype(float), n=5)


# --- corruptions ---------------------------------------------------------------------------


def test_corruptions_grow_with_severity_and_stay_images():
    from medai.trust.corruptions import SEVERITIES, AcquisitionAugment, corrupt

    # Smooth films (a ramp and a blob), so that turning one further always moves more of it.
    grid = torch.linspace(0, 1, 28)
    ramp = grid.view(1, 28).expand(28, 28)
    blob = torch.exp(-((grid.view(28, 1) - 0.3) ** 2 + (grid.view(1, 28) - 0.6) ** 2) / 0.02)
    images = torch.stack([0.6 * ramp + 0.4 * blob, 0.5 * blob + 0.2, 0.8 * ramp.T, 0.3 + 0.5 * blob.T]).unsqueeze(1)
    for kind in SEVERITIES:
        assert torch.equal(corrupt(images, kind, 0), images)
        change = [float((corrupt(images, kind, s) - images).abs().mean()) for s in range(len(SEVERITIES[kind]))]
        assert all(a < b for a, b in zip(change, change[1:])), (kind, change)
        out = corrupt(images, kind, 5)
        assert out.shape == images.shape and 0 <= out.min() and out.max() <= 1
    assert torch.equal(corrupt(images, "noise", 3, seed=1), corrupt(images, "noise", 3, seed=1))
    spread = corrupt(images, "contrast", 5).std(dim=(1, 2, 3))
    torch.testing.assert_close(spread, SEVERITIES["contrast"][5] * images.std(dim=(1, 2, 3)))
    with pytest.raises(InputError, match="kind"):
        corrupt(images, "fog", 1)
    with pytest.raises(InputError, match="severity"):
        corrupt(images, "blur", 9)
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        corrupt(images * 3, "blur", 1)
    batch = (images - 0.5) / 0.5
    augmented = AcquisitionAugment(seed=0)(batch)
    assert augmented.shape == batch.shape and not torch.equal(augmented, batch)
    assert augmented.min() >= -1 - 1e-5 and augmented.max() <= 1 + 1e-5


# --- compression ---------------------------------------------------------------------------


def test_pruning_zeroes_the_share_asked_and_leaves_the_original_alone():
    from medai.core.source_cnn import SourceCNN
    from medai.trust.compression import prune_by_magnitude, quantize_int8, saved_sizes, weight_sparsity

    torch.manual_seed(0)
    model = SourceCNN().eval()
    x = torch.randn(3, 1, 28, 28)
    pruned = prune_by_magnitude(model, 0.8)
    assert weight_sparsity(pruned) == pytest.approx(0.8, abs=1e-3)
    assert weight_sparsity(model) == 0.0
    assert torch.equal(prune_by_magnitude(model, 0.0)(x), model(x))
    raw, packed = saved_sizes(pruned)
    assert packed < saved_sizes(model)[1] / 2 and raw == pytest.approx(saved_sizes(model)[0], rel=1e-3)
    quantized = quantize_int8(model)
    assert saved_sizes(quantized)[0] < saved_sizes(model)[0] / 3
    with torch.no_grad():
        assert (quantized(x) - model(x)).abs().max() < 0.05
    with pytest.raises(InputError, match="amount"):
        prune_by_magnitude(model, 1.0)
    # A network trained in channels_last (as medai's fit does) prunes too.
    strided = SourceCNN().to(memory_format=torch.channels_last)
    assert weight_sparsity(prune_by_magnitude(strided, 0.5)) == pytest.approx(0.5, abs=1e-3)
