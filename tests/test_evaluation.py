"""Chapter 8: comparing AUROCs, calibration, decision curves, cross-site tables, model cards, exports."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import roc_auc_score

from medai.core.errors import InputError
from medai.core.metrics import binary_report


def scored_patients(n=600, seed=0):
    """Outcomes and two scores: ``good`` separates the classes better than ``weak``."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    good = y * 1.5 + rng.normal(size=n)
    weak = y * 0.5 + rng.normal(size=n)
    return y, good, weak


def test_delong_matches_sklearn_and_agrees_with_the_paired_bootstrap():
    from medai.evaluation.compare import delong_test, paired_bootstrap_auroc

    y, good, weak = scored_patients()
    delong = delong_test(y, good, weak)
    assert delong["auroc_a"] == pytest.approx(roc_auc_score(y, good))
    assert delong["auroc_b"] == pytest.approx(roc_auc_score(y, weak))
    boot = paired_bootstrap_auroc(y, good, weak, n_boot=1000)
    assert delong["p_value"] < 1e-6 and boot["p_value"] < 0.01
    assert boot["difference"] == pytest.approx(delong["difference"])
    # the two intervals for the difference have about the same width
    assert (delong["ci_high"] - delong["ci_low"]) == pytest.approx(boot["ci_high"] - boot["ci_low"], rel=0.2)
    same = delong_test(y, good, good + 1.0)  # one ranking, shifted: nothing to test
    assert same["difference"] == 0 and same["p_value"] == 1.0
    noise = np.random.default_rng(5).normal(size=len(y))
    assert delong_test(y, good, good + 0.01 * noise)["p_value"] > 0.05  # a negligible change is not significant


def test_delong_handles_ties_like_sklearn():
    from medai.evaluation.compare import delong_test

    y = np.array([0, 0, 1, 1, 0, 1, 1, 0])
    a = np.array([1, 2, 2, 3, 1, 3, 2, 2])  # many ties
    result = delong_test(y, a, np.arange(8))
    assert result["auroc_a"] == pytest.approx(roc_auc_score(y, a))
    with pytest.raises(InputError, match="both classes"):
        delong_test(np.zeros(8), a, a)
    with pytest.raises(InputError, match="one length"):
        delong_test(y, a[:5], a)


def test_temperature_scaling_recovers_a_known_overconfidence():
    from medai.evaluation.calibration import (
        brier_score,
        fit_temperature,
        scaled_probabilities,
    )

    rng = np.random.default_rng(0)
    true_logits = rng.normal(scale=2.0, size=(5000, 2))
    labels = (rng.random(5000) < scaled_probabilities(true_logits)[:, 1]).astype(int)
    overconfident = 3.0 * true_logits
    assert fit_temperature(overconfident, labels) == pytest.approx(3.0, rel=0.1)
    before = brier_score(labels, scaled_probabilities(overconfident)[:, 1])
    after = brier_score(labels, scaled_probabilities(overconfident, 3.0)[:, 1])
    assert after < before
    assert brier_score([0, 1], [0.0, 1.0]) == 0.0 and brier_score([0, 1], [1.0, 0.0]) == 1.0
    # scaling keeps the ranking, so AUROC does not move
    assert roc_auc_score(labels, overconfident[:, 1] - overconfident[:, 0]) == pytest.approx(
        roc_auc_score(labels, scaled_probabilities(overconfident, 3.0)[:, 1]))
    with pytest.raises(InputError, match="logits"):
        fit_temperature(np.ones(5), np.ones(5))
    with pytest.raises(InputError, match="class indices"):
        fit_temperature(np.ones((3, 2)), [0, 1, 2])


def test_net_benefit_matches_dcurves():
    dcurves = pytest.importorskip("dcurves")
    from medai.evaluation.decision_curve import decision_curve, net_benefit

    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 400)
    prob = np.clip(0.3 * y + rng.random(400) * 0.7, 0.001, 0.999)
    thresholds = np.round(np.arange(0.05, 0.96, 0.05), 2)
    ours = decision_curve(y, {"model": prob}, thresholds)
    theirs = dcurves.dca(data=pd.DataFrame({"y": y, "model": prob}), outcome="y", modelnames=["model"],
                         thresholds=thresholds)  # fmt: skip
    for name, column in (("model", "model"), ("all", "treat all"), ("none", "treat none")):
        reference = theirs[theirs["model"] == name].set_index("threshold")["net_benefit"]
        assert np.allclose(ours[column].to_numpy(), reference.loc[thresholds].to_numpy(), atol=1e-9), name
    # by hand: all 3 patients treated at t = 0.5; 2 true, 1 false positive weighted by 1
    assert net_benefit([1, 1, 0], [0.9, 0.8, 0.7], [0.5]).tolist() == pytest.approx([(2 - 1) / 3])
    with pytest.raises(InputError, match="strictly between"):
        net_benefit([1, 0], [0.5, 0.5], [0.0])


def test_cross_site_table_on_the_four_hospitals():
    from medai.datasets import load_uci_heart_disease
    from medai.evaluation.sites import cross_site_table

    heart = load_uci_heart_disease()
    table = cross_site_table(heart.data, heart.target, heart.frame["site"], seed=0)
    assert len(table) == 16 and set(table["trained on"]) == set(table["tested on"]) == set(heart.frame["site"])
    assert table["AUROC"].between(0, 1).all() and (table["ECE"] >= 0).all()
    own = table[table["trained on"] == table["tested on"]].set_index("tested on")
    assert own.loc["cleveland", "AUROC"] > 0.85  # the site with every attribute measured
    prevalence = heart.frame.assign(y=heart.target).groupby("site")["y"].mean()
    assert np.allclose(own["prevalence"], prevalence.loc[own.index])
    with pytest.raises(InputError, match="one target and one site"):
        cross_site_table(heart.data, heart.target[:5], heart.frame["site"])


def card_inputs():
    y, good, _ = scored_patients()
    prob = 1 / (1 + np.exp(-good))
    report = binary_report(y, prob, threshold=0.5, n_boot=50)
    return dict(name="m", architecture="CNN", parameters=10, weights_sha256="ab" * 32,
                intended_use={"purpose": "p", "users": "u", "not_for": ["n"]},
                data={"name": "d", "licence": "l", "citation": "c", "splits": {"test": 600}},
                threshold=0.5, threshold_rule="Youden on validation", test_report=report, temperature=1.2,
                ece=(0.1, 0.05), brier=(0.2, 0.18), subgroups={"none": "no attributes"}, limitations=["x"])  # fmt: skip


def test_model_card_has_every_required_field_from_the_computed_values():
    import yaml

    from medai.evaluation.model_card import (
        REQUIRED_FIELDS,
        build_model_card,
        missing_fields,
        to_yaml,
    )

    inputs = card_inputs()
    card = build_model_card(**inputs)
    assert missing_fields(card) == []
    assert card["test_metrics"]["AUROC"]["value"] == round(float(inputs["test_report"].loc["AUROC", "value"]), 4)
    assert yaml.safe_load(to_yaml(card)) == card  # plain types only: it round-trips
    assert "model.weights_sha256" in REQUIRED_FIELDS
    del card["limitations"]
    card["calibration"]["temperature"] = float("nan")
    card["intended_use"]["not_for"] = []
    assert missing_fields(card) == ["intended_use.not_for", "calibration.temperature", "limitations"]


def test_exports_reproduce_the_model_and_int8_shrinks_its_dense_layers(tmp_path):
    from medai.evaluation.export import (
        export_onnx,
        export_torchscript,
        file_sha256,
        load_torchscript,
        max_abs_difference,
        onnx_logits,
        onnx_session,
        quantize_int8,
    )  # fmt: skip

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 2)).eval()  # fmt: skip
    x = torch.randn(5, 1, 28, 28)
    with torch.inference_mode():
        reference = model(x).numpy()
    scripted = load_torchscript(export_torchscript(model, x[:1], tmp_path / "m.pt"))
    assert max_abs_difference(reference, scripted(x).detach().numpy()) < 1e-5
    onnx_file = export_onnx(model, x[:1], tmp_path / "m.onnx")
    assert max_abs_difference(reference, onnx_logits(onnx_session(onnx_file), x.numpy())) < 1e-5  # batch 5 from batch 1
    int8 = quantize_int8(onnx_file, tmp_path / "m.int8.onnx")
    assert int8.stat().st_size < onnx_file.stat().st_size / 3
    assert max_abs_difference(reference, onnx_logits(onnx_session(int8), x.numpy())) < 0.1
    import hashlib

    assert file_sha256(onnx_file) == hashlib.sha256(onnx_file.read_bytes()).hexdigest()
    with pytest.raises(InputError, match="shape"):
        max_abs_difference(np.zeros(2), np.zeros(3))


def test_calibration_line_reads_overconfidence_and_overprediction():
    from sklearn.linear_model import LogisticRegression

    from medai.evaluation.calibration import calibration_line

    rng = np.random.default_rng(0)
    logit = rng.normal(0, 1.5, 20_000)
    y = (rng.random(len(logit)) < 1 / (1 + np.exp(-logit))).astype(int)

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    intercept, slope = calibration_line(y, sigmoid(logit))
    assert intercept == pytest.approx(0, abs=0.05) and slope == pytest.approx(1, abs=0.05)
    assert calibration_line(y, sigmoid(2 * logit))[1] == pytest.approx(0.5, abs=0.03)  # too extreme: slope 1/2
    assert calibration_line(y, sigmoid(logit + 1))[0] == pytest.approx(-1, abs=0.05)  # predicts too many events
    # the slope is the unpenalised logistic regression of the outcome on the logit
    p = sigmoid(0.7 * logit - 0.3)
    z = np.log(p / (1 - p))
    reference = LogisticRegression(penalty=None).fit(z[:, None], y).coef_[0, 0]
    assert calibration_line(y, p)[1] == pytest.approx(reference, rel=1e-3)  # lbfgs stops a little early
    assert np.isnan(calibration_line(np.ones(5), np.full(5, 0.3))).all()
    separated = calibration_line(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9]))
    assert np.isnan(separated[1])
    with pytest.raises(InputError, match="equal"):
        calibration_line(y[:3], p[:4])
