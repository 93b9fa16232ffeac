"""torchvision's ResNet-18, adapted to small grey images such as MedMNIST's 28 x 28."""

from __future__ import annotations

from torch import nn
from torchvision.models import resnet18

from ..core.errors import InputError


def resnet18_small(num_classes: int = 2, in_channels: int = 1) -> nn.Module:
    """ResNet-18 whose stem keeps the resolution of a 28 x 28 image.

    The ImageNet stem (7 x 7 convolution with stride 2, then max-pooling) would
    shrink 28 x 28 to 7 x 7 before the first residual block. As in the MedMNIST v2
    baselines' "ResNet-18 (28)", the stem here is a 3 x 3 convolution with stride 1
    and no pooling; the four stages then work at 28, 14, 7 and 4 pixels. Weights
    are random: ImageNet weights cannot be downloaded offline and expect colour.
    """
    if in_channels < 1 or num_classes < 2:
        raise InputError(
            f"need in_channels >= 1 and num_classes >= 2, got {in_channels} and {num_classes}"
        )
    model = resnet18(weights=None, num_classes=num_classes)
    model.conv1 = nn.Conv2d(
        in_channels, 64, kernel_size=3, stride=1, padding=1, bias=False
    )
    model.maxpool = nn.Identity()
    return model
