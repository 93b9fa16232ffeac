"""CNN layer arithmetic against what PyTorch actually produces."""

import itertools

import pytest
import torch
from torch import nn

from medai.core.source_cnn import SourceCNN, SourceCNNAsWritten
from medai.theory.shapes import conv_out, conv_params, layer_table, linear_params


def _valid(size, kernel, stride, padding, dilation):
    return size + 2 * padding >= dilation * (kernel - 1) + 1


GRID = [
    c
    for c in itertools.product([7, 28, 31], [1, 3, 5], [1, 2, 3], [0, 1, 2], [1, 2])
    if _valid(*c)
]


@pytest.mark.parametrize("size, kernel, stride, padding, dilation", GRID)
def test_formula_matches_torch(size, kernel, stride, padding, dilation):
    x = torch.zeros(1, 1, size, size)
    expected = conv_out(size, kernel, stride, padding, dilation)
    assert nn.Conv2d(1, 1, kernel, stride, padding, dilation)(x).shape[-1] == expected
    if 2 * padding <= kernel:  # MaxPool2d allows at most half the kernel as padding
        assert nn.MaxPool2d(kernel, stride, padding, dilation)(x).shape[-1] == expected


def test_formula_rejects_impossible_windows():
    with pytest.raises(ValueError, match="does not fit"):
        conv_out(2, 5)
    with pytest.raises(ValueError, match="stride"):
        conv_out(28, 3, stride=0)


def test_parameter_counts_match_the_source_model():
    model = SourceCNNAsWritten(num_classes=2, in_channels=3)
    table = layer_table(model, (1, 3, 112, 112)).set_index("layer")
    assert table.loc["conv1", "parameters"] == conv_params(3, 32, 3) == 896
    assert table.loc["conv2", "parameters"] == conv_params(32, 64, 3) == 18_496
    assert (
        table.loc["fc1", "parameters"] == linear_params(64 * 28 * 28, 512) == 25_690_624
    )
    assert table["parameters"].sum() == sum(p.numel() for p in model.parameters())
    assert table.loc["fc2", "output shape"] == (1, 2)


def test_source_model_only_accepts_112_pixel_inputs():
    model = SourceCNNAsWritten(in_channels=1)
    model(torch.zeros(2, 1, 112, 112))
    with pytest.raises(RuntimeError):
        model(torch.zeros(2, 1, 28, 28))
    # Worse: view(-1, 64*28*28) folds 16 small images into one row without complaint.
    assert model(torch.zeros(16, 1, 28, 28)).shape == (1, 2)


@pytest.mark.parametrize("size", [28, 64, 112, 224])
def test_fixed_model_sizes_fc1_from_the_input(size):
    model = SourceCNN(num_classes=3, in_channels=1, image_size=size)
    assert model(torch.zeros(2, 1, size, size)).shape == (2, 3)
    assert model.classifier[1].in_features == 64 * (size // 4) ** 2


def test_fixed_model_rejects_the_wrong_input_with_a_clear_message():
    with pytest.raises(ValueError, match=r"expected a batch \(N, 1, 28, 28\)"):
        SourceCNN(image_size=28)(torch.zeros(2, 1, 32, 32))
    with pytest.raises(
        ValueError, match=r"expected a batch \(N, 1, 28, 28\), got \(2, 3, 28, 28\)"
    ):
        SourceCNN(image_size=28)(torch.zeros(2, 3, 28, 28))
