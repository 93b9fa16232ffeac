import numpy as np
import pytest
import torch

from medai.core.checks import check_images
from medai.core.errors import InputError
from medai.core.tensors import TensorPairs
from medai.datasets import load_pneumoniamnist
from medai.imaging.arrays import image_dataset


def test_pneumoniamnist_splits_have_the_documented_sizes_and_balance():
    counts = {
        s: np.bincount(load_pneumoniamnist(s).target) for s in ("train", "val", "test")
    }
    assert counts["train"].tolist() == [388, 3494]  # reduced-train copy
    assert counts["val"].sum() == 524 and counts["test"].sum() == 624
    split = load_pneumoniamnist("test")
    assert split.data.shape == (624, 28, 28) and split.data.dtype == np.uint8
    with pytest.raises(ValueError, match="split must be one of"):
        load_pneumoniamnist("validation")


def test_image_dataset_scales_to_minus_one_one_and_indexes_whole_batches():
    images = np.array([[[0, 255]] * 2, [[255, 0]] * 2], dtype=np.uint8)
    data = image_dataset(images, [0, 1], num_classes=2)
    x, y = data[[1, 0]]
    assert x.shape == (2, 1, 2, 2) and x.dtype == torch.float32
    assert x.min() == -1 and x.max() == 1
    assert y.tolist() == [1, 0]
    assert data[0][0].shape == (1, 2, 2)


@pytest.mark.parametrize(
    "images, labels, kwargs, message",
    [
        (np.zeros((4, 28)), None, {}, r"must be \(N, H, W\) or \(N, C, H, W\)"),
        (np.zeros((0, 28, 28), np.uint8), None, {}, "empty"),
        (
            np.zeros((2, 28, 28), bool),
            None,
            {},
            "uint8 .* or floating point, got dtype bool",
        ),
        (np.zeros((2, 28, 28), np.int64), None, {}, "got dtype int64"),
        (
            np.zeros((2, 3, 28, 28), np.float32),
            None,
            {"channels": 1},
            r"expected 1 channel\(s\), got 3",
        ),
        (
            np.zeros((2, 28, 28), np.uint8),
            None,
            {"size": 32},
            r"expected images of size \(32, 32\)",
        ),
        (
            np.array([np.zeros((2, 2)), np.full((2, 2), np.nan)]),
            None,
            {},
            "1 image.* NaN .* index 1",
        ),
        (np.zeros((3, 2, 2), np.uint8), [0, 1], {}, "2 labels for 3 images"),
        (
            np.zeros((3, 2, 2), np.uint8),
            [0, 1, 2],
            {"num_classes": 2},
            r"label 2 at index 2 is outside 0..1",
        ),
        (
            np.zeros((2, 2, 2), np.uint8),
            [0, -1],
            {"num_classes": 2},
            "label -1 at index 1",
        ),
        (np.zeros((2, 2, 2), np.uint8), [0.0, 0.5], {}, "whole class numbers"),
    ],
)
def test_bad_images_and_labels_are_named(images, labels, kwargs, message):
    with pytest.raises(ValueError, match=message):
        check_images(images, labels, **kwargs)


def test_tensor_pairs_refuses_mismatched_lengths():
    with pytest.raises(ValueError, match="3 inputs but 2 targets"):
        TensorPairs(torch.zeros(3, 1), torch.zeros(2))


@pytest.mark.parametrize("images", [[[0, 1]], "images.npy", None, 3])
def test_images_that_are_not_arrays_are_refused_in_words(images):
    with pytest.raises(
        ValueError, match="images must be a NumPy array or a torch tensor"
    ):
        check_images(images)


def test_labels_that_are_not_numbers_are_refused_in_words():
    with pytest.raises(ValueError, match="labels must be numbers"):
        check_images(np.zeros((2, 4, 4), np.uint8), np.array(["normal", "pneumonia"]))


def test_exact_copies_are_found_across_and_within_splits_and_nothing_else():
    from medai.imaging.splits import copies_of, repeated_within

    rng = np.random.default_rng(0)
    train = rng.integers(0, 256, size=(50, 8, 8), dtype=np.uint8)
    val = rng.integers(0, 256, size=(20, 8, 8), dtype=np.uint8)
    val[[3, 11]] = train[[7, 40]]  # two planted copies
    val[5] = train[9]
    val[5, 0, 0] ^= 1  # one pixel off: not a copy
    assert np.flatnonzero(copies_of(val, train)).tolist() == [3, 11]
    assert not copies_of(val.astype(np.int16), train).any()  # the same numbers in another dtype are another file
    doubled = np.r_[train[:5], train[2:4]]
    assert repeated_within(doubled).tolist() == [False] * 5 + [True, True]
    with pytest.raises(InputError, match="array of images"):
        copies_of(np.arange(5), train)


def test_temperature_scaling_recovers_an_overconfident_network_s_temperature_and_keeps_its_ranking():
    from medai.core.metrics import auroc
    from medai.imaging.calibration import fit_temperature, scaled_probabilities

    rng = np.random.default_rng(1)
    z = rng.normal(size=(4000, 2)) * 1.5
    labels = (rng.random(4000) < np.exp(z[:, 1]) / np.exp(z).sum(axis=1)).astype(int)  # calibrated at T = 1
    temperature = fit_temperature(3 * z, labels)  # logits three times too sharp
    assert temperature == pytest.approx(3, rel=0.1)
    p = scaled_probabilities(3 * z, temperature)
    assert p.shape == (4000,) and auroc(labels, p) == pytest.approx(auroc(labels, 3 * z[:, 1] - 3 * z[:, 0]))
    with pytest.raises(InputError, match="class numbers"):
        fit_temperature(z, labels + 1)
    with pytest.raises(InputError, match="NaN"):
        fit_temperature(np.full((3, 2), np.nan), [0, 1, 0])
    with pytest.raises(InputError, match="positive"):
        scaled_probabilities(z, 0.0)
