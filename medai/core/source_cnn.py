"""The source document's ``MedicalImageModel``, as written and with its size bug fixed.

Architecture: conv 3x3 (32) -> ReLU -> max-pool 2 -> conv 3x3 (64) -> ReLU -> max-pool 2
-> fully connected 512 -> ReLU -> fully connected ``num_classes``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .errors import InputError


class SourceCNNAsWritten(nn.Module):
    """Faithful to the source: ``fc1`` expects 64 x 28 x 28 features, so only 112 x 112 inputs fit."""

    def __init__(self, num_classes: int = 2, in_channels: int = 3) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 32, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3, padding=1)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(64 * 28 * 28, 512)
        self.fc2 = nn.Linear(512, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 64 * 28 * 28)
        return self.fc2(F.relu(self.fc1(x)))


class SourceCNN(nn.Module):
    """The same network with ``fc1`` sized from ``image_size`` (two 2x poolings divide it by 4)."""

    def __init__(
        self, num_classes: int = 2, in_channels: int = 1, image_size: int = 28
    ) -> None:
        super().__init__()
        if image_size < 4:
            raise InputError(
                f"image_size must be at least 4 (two 2x poolings), got {image_size}"
            )
        self.image_size = image_size
        self.in_channels = in_channels
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 32, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2, 2),
            nn.Conv2d(32, 64, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2, 2),
        )
        side = image_size // 4
        self.classifier = nn.Sequential(
            nn.Flatten(),  # keeps the batch axis, unlike view(-1, ...) which hides shape errors
            nn.Linear(64 * side * side, 512),
            nn.ReLU(),
            nn.Linear(512, num_classes),
        )

    @property
    def last_conv(self) -> nn.Module:
        """The last convolution: its maps before the ReLU (64 x side/2 x side/2)."""
        return self.features[3]

    @property
    def cam_layer(self) -> nn.Module:
        """Grad-CAM's layer in chapter 3: the last convolution's maps after their ReLU, before pooling."""
        return self.features[4]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        expected = (self.in_channels, self.image_size, self.image_size)
        if x.ndim != 4 or tuple(x.shape[1:]) != expected:
            raise InputError(
                f"expected a batch (N, {', '.join(map(str, expected))}), got {tuple(x.shape)}"
            )
        return self.classifier(self.features(x))
