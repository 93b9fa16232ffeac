"""Gradient descent by hand, torch.optim.SGD and scikit-learn reach the same logistic regression."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

from medai.theory import logreg


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_hand_written_descent_equals_torch_sgd_step_for_step(cancer):
    X, y = cancer
    by_hand = logreg.fit_gradient_descent(X, y, lr=0.5, steps=50, l2=1e-3)
    by_torch = logreg.fit_torch_sgd(X, y, lr=0.5, steps=50, l2=1e-3)
    np.testing.assert_allclose(
        by_hand.weights, by_torch.weights, rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(by_hand.history, by_torch.history, rtol=1e-10)


def test_descent_converges_to_the_scikit_learn_solution(cancer):
    X, y = cancer
    l2 = 1e-2
    descent = logreg.fit_gradient_descent(X, y, lr=1.0, steps=4000, l2=l2)
    reference = logreg.fit_sklearn(X, y, l2=l2)
    np.testing.assert_allclose(descent.weights, reference.weights, atol=2e-3)
    assert descent.bias == pytest.approx(reference.bias, abs=2e-3)
    assert descent.history[-1] == pytest.approx(
        logreg.objective(X, y, reference.weights, reference.bias, l2)
    )


def test_objective_decreases_monotonically_with_a_safe_step(cancer):
    X, y = cancer
    history = logreg.fit_gradient_descent(X, y, lr=0.5, steps=200, l2=1e-3).history
    assert all(b <= a + 1e-12 for a, b in zip(history, history[1:]))


def test_cross_validation_table_has_every_fold_and_method(cancer):
    X, y = load_breast_cancer(return_X_y=True)
    results = logreg.compare_methods_cv(
        X, y, lr=0.5, steps=300, l2=1e-2, n_splits=3, n_repeats=2, seed=1
    )
    assert len(results) == 3 * 2 * 3
    summary = logreg.summarise_cv(results)
    assert summary[("accuracy", "mean")].between(0.93, 1.0).all()
    # Same objective, same folds: the three methods should agree closely.
    assert (
        summary[("accuracy", "mean")].max() - summary[("accuracy", "mean")].min() < 0.02
    )


@pytest.mark.parametrize(
    "X, y, message",
    [
        (np.zeros(5), np.zeros(5), "2-D"),
        (np.zeros((5, 2)), np.zeros(4), "5 rows but y has 4"),
        (np.zeros((0, 2)), np.zeros(0), "empty"),
        (np.array([[np.nan, 1.0]]), np.array([1]), "NaN"),
        (np.zeros((2, 2)), np.array([0, 2]), "only 0 and 1"),
    ],
)
def test_bad_inputs_get_clear_errors(X, y, message):
    with pytest.raises(ValueError, match=message):
        logreg.fit_gradient_descent(X, y, lr=0.1, steps=1)
