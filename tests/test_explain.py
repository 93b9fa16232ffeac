import numpy as np
import pytest
import torch
from torch import nn

from medai.imaging.explain import grad_cam, show_overlays


def brightness_model():
    """logit(class 1) = mean of the feature map; logit(class 0) = minus it.

    Grad-CAM for class 1 is then proportional to the feature map itself, and for
    class 0 every weight is negative, so its map is empty after the ReLU.
    """
    feature = nn.Conv2d(1, 1, 1, bias=False)
    nn.init.ones_(feature.weight)
    head = nn.Linear(1, 2, bias=False)
    head.weight.data = torch.tensor([[-1.0], [1.0]])
    return nn.Sequential(
        feature, nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), head
    ), feature


def test_grad_cam_points_at_the_evidence_for_the_class():
    model, layer = brightness_model()
    images = torch.zeros(2, 1, 8, 8)
    images[0, 0, 1, 2] = 1.0
    images[1, 0, 6, 5] = 3.0
    cams = grad_cam(model, layer, images, target=1)
    assert cams.shape == (2, 8, 8)
    assert np.unravel_index(cams[0].argmax(), (8, 8)) == (1, 2)
    assert np.unravel_index(cams[1].argmax(), (8, 8)) == (6, 5)
    assert cams.max() == pytest.approx(1.0)
    assert np.all(grad_cam(model, layer, images, target=[0, 0]) == 0)


def test_grad_cam_restores_training_mode_and_checks_its_inputs():
    model, layer = brightness_model()
    model.train()
    grad_cam(model, layer, torch.rand(1, 1, 4, 4), target=1)
    assert model.training
    with pytest.raises(ValueError, match=r"batch \(N, C, H, W\)"):
        grad_cam(model, layer, torch.rand(1, 4, 4), target=1)
    with pytest.raises(ValueError, match="3 targets for 2 images"):
        grad_cam(model, layer, torch.rand(2, 1, 4, 4), target=[1, 0, 1])


def test_overlay_figure_has_one_titled_panel_per_image():
    fig = show_overlays(
        np.zeros((3, 1, 8, 8)), np.zeros((3, 8, 8)), ["a", "b", "c"], columns=2
    )
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["a", "b", "c"]
    with pytest.raises(ValueError, match="same positive number"):
        show_overlays(np.zeros((2, 8, 8)), np.zeros((3, 8, 8)), ["a", "b"])


def test_the_small_cnn_names_its_grad_cam_layer():
    """Chapters 3 and 10 explain the same network at named layers, not at bare indices."""
    from medai.core.source_cnn import SourceCNN

    model = SourceCNN()
    seen = []
    hook = model.cam_layer.register_forward_hook(lambda _m, _i, out: seen.append(out))
    model(torch.rand(2, 1, 28, 28))
    hook.remove()
    # the last convolution's 64 maps after their ReLU, at 14 x 14 before the second pooling
    assert isinstance(model.cam_layer, nn.ReLU) and seen[0].shape == (2, 64, 14, 14) and seen[0].min() >= 0
    # chapter 10 reads the same convolution before its ReLU
    assert isinstance(model.last_conv, nn.Conv2d) and model.last_conv.out_channels == 64
    assert model.features[list(model.features).index(model.last_conv) + 1] is model.cam_layer
    assert grad_cam(model, model.cam_layer, torch.rand(3, 1, 28, 28), target=1).shape == (3, 28, 28)
