"""Binary cross-entropy: closed-form gradient against autograd, finite differences and gradcheck."""

import math

import pytest
import torch

from medai.theory import bce


@pytest.fixture
def logits_and_labels():
    generator = torch.Generator().manual_seed(0)
    z = torch.randn(4, 8, 8, generator=generator, dtype=torch.float64) * 4
    y = (torch.rand(4, 8, 8, generator=generator) > 0.5).double()
    return z, y


def test_stable_and_naive_forms_agree_where_both_are_finite(logits_and_labels):
    z, y = logits_and_labels
    torch.testing.assert_close(bce.bce_stable(z, y), bce.bce_naive(z, y))
    torch.testing.assert_close(
        bce.bce_stable(z, y),
        torch.nn.functional.binary_cross_entropy_with_logits(z, y, reduction="none"),
    )


def test_closed_form_gradient_matches_autograd_and_finite_differences(
    logits_and_labels,
):
    z, y = logits_and_labels
    exact = bce.grad_closed_form(z, y)
    torch.testing.assert_close(bce.grad_autograd(bce.bce_stable, z, y), exact)
    torch.testing.assert_close(bce.grad_autograd(bce.bce_naive, z, y), exact)
    torch.testing.assert_close(
        bce.grad_finite_difference(bce.bce_stable, z, y),
        exact,
        atol=1e-8,
        rtol=1e-6,
    )


def test_gradcheck_accepts_the_stable_loss(logits_and_labels):
    z, y = logits_and_labels
    z = z.clone().requires_grad_(True)
    assert torch.autograd.gradcheck(lambda t: bce.bce_stable(t, y), (z,))


def test_a_wrong_gradient_is_caught():
    """The checks have teeth: sigmoid(z) + y is not the derivative and must disagree."""
    z = torch.linspace(-3, 3, 13, dtype=torch.float64)
    y = torch.ones_like(z)
    wrong = torch.sigmoid(z) + y
    assert not torch.allclose(bce.grad_finite_difference(bce.bce_stable, z, y), wrong)


def test_naive_form_overflows_but_stable_form_does_not():
    z = torch.tensor([-200.0, 200.0])
    y = torch.tensor([1.0, 0.0])
    assert torch.isinf(bce.bce_naive(z, y)).all()
    torch.testing.assert_close(bce.bce_stable(z, y), torch.tensor([200.0, 200.0]))


def test_extreme_logit_sweep_shows_where_each_form_breaks():
    z = torch.tensor([-120.0, -30.0, 0.0, 30.0])
    table = bce.extreme_logit_sweep(z, y=1.0).set_index("z")
    # -log(sigmoid(-120)) = 120 exactly in real numbers: only the stable form gets it.
    assert table.loc[-120.0, "loss BCEWithLogits"] == pytest.approx(120.0)
    assert math.isinf(table.loc[-120.0, "loss naive"])
    # PyTorch clamps log at -100
    assert table.loc[-120.0, "loss BCELoss(sigmoid)"] == pytest.approx(100.0)
    # The true gradient there is sigmoid(z) - 1 = -1; BCELoss's clamp leaves none at all.
    assert table.loc[-120.0, "grad BCEWithLogits"] == pytest.approx(-1.0)
    assert table.loc[-120.0, "grad exact"] == pytest.approx(-1.0)
    assert table.loc[-120.0, "grad BCELoss(sigmoid)"] == 0.0
    assert table.loc[0.0, "loss naive"] == pytest.approx(math.log(2), rel=1e-6)


def test_per_pixel_bce_is_the_mean_over_pixels():
    logits = torch.tensor([[[2.0, -1.0], [0.0, 3.0]]])
    mask = torch.tensor([[[1, 0], [1, 1]]])
    by_hand = (
        sum(
            -math.log(1 / (1 + math.exp(-z)))
            if m
            else -math.log(1 - 1 / (1 + math.exp(-z)))
            for z, m in [(2.0, 1), (-1.0, 0), (0.0, 1), (3.0, 1)]
        )
        / 4
    )
    assert bce.per_pixel_bce(logits, mask).item() == pytest.approx(by_hand)


@pytest.mark.parametrize(
    "z, y, error, message",
    [
        (torch.zeros(3), torch.zeros(4), ValueError, "same shape"),
        (
            torch.zeros(3, dtype=torch.long),
            torch.zeros(3, dtype=torch.long),
            TypeError,
            "floating point",
        ),
        (torch.zeros(3), torch.tensor([0.0, 2.0, 1.0]), ValueError, r"\[0, 1\]"),
        ([0.0], torch.zeros(1), TypeError, "torch tensors"),
    ],
)
def test_bad_inputs_get_clear_errors(z, y, error, message):
    with pytest.raises(error, match=message):
        bce.bce_stable(z, y)


def test_per_pixel_bce_rejects_soft_masks_and_flat_input():
    with pytest.raises(ValueError, match="only 0 and 1"):
        bce.per_pixel_bce(torch.zeros(2, 2), torch.full((2, 2), 0.5))
    with pytest.raises(ValueError, match="image of logits"):
        bce.per_pixel_bce(torch.zeros(4), torch.zeros(4))


def test_finite_differences_refuse_float32():
    with pytest.raises(TypeError, match="float64"):
        bce.grad_finite_difference(bce.bce_stable, torch.zeros(2), torch.zeros(2))


def test_softmax_cross_entropy_gradient_and_two_layer_backprop_match_autograd():
    from medai.core.errors import InputError
    from medai.theory.backprop import softmax_ce_grad, two_layer_backward, two_layer_forward

    generator = torch.Generator().manual_seed(0)
    z = torch.randn(6, 3, dtype=torch.float64, generator=generator, requires_grad=True)
    y = torch.tensor([0, 2, 1, 1, 0, 2])
    torch.nn.functional.cross_entropy(z, y).backward()
    assert torch.allclose(z.grad, softmax_ce_grad(z.detach(), y), atol=1e-12)
    # two logits: softmax cross-entropy is the sigmoid loss of their difference
    two = torch.randn(5, 2, dtype=torch.float64, generator=generator)
    labels = torch.tensor([0, 1, 1, 0, 1])
    sigmoid_loss = torch.nn.functional.binary_cross_entropy_with_logits(two[:, 1] - two[:, 0], labels.double())
    assert torch.allclose(torch.nn.functional.cross_entropy(two, labels), sigmoid_loss)
    x = torch.randn(8, 4, dtype=torch.float64, generator=generator)
    labels = torch.tensor([0, 1, 2, 2, 1, 0, 1, 2])
    params = [torch.randn(*s, dtype=torch.float64, generator=generator, requires_grad=True)
              for s in ((5, 4), (5,), (3, 5), (3,))]  # fmt: skip
    loss, cache = two_layer_forward(x, labels, *params)
    loss.backward()
    by_hand = two_layer_backward(cache)
    for name, p in zip(("w1", "b1", "w2", "b2"), params):
        assert torch.allclose(p.grad, by_hand[name].detach(), atol=1e-12), name
    assert torch.autograd.gradcheck(lambda *p: two_layer_forward(x, labels, *p)[0], params)
    with pytest.raises(InputError, match="labels must be integers"):
        softmax_ce_grad(z.detach(), torch.tensor([0, 3, 1, 1, 0, 2]))
