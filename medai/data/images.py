"""Image arrays: load PneumoniaMNIST, check image batches, and keep them as tensors.

Checks run once, when data enters ``medai``, so that a wrong shape or a NaN is
reported in words here rather than as a traceback from inside a convolution.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
from torch.utils.data import Dataset

from .resolve import fetch

SPLITS = ("train", "val", "test")
PNEUMONIA_CLASSES = ("normal", "pneumonia")


@dataclass(frozen=True)
class ImageSplit:
    """One split: ``images`` uint8 (N, 28, 28) and ``labels`` int64 (N,)."""

    images: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)


def load_pneumoniamnist(split: str) -> ImageSplit:
    """A split of the PneumoniaMNIST reduced-train copy (0 = normal, 1 = pneumonia)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    with np.load(fetch("pneumoniamnist-subset", "pneumoniamnist.npz")) as arrays:
        images = arrays[f"{split}_images"]
        labels = arrays[f"{split}_labels"].reshape(-1).astype(np.int64)
    check_images(images, labels, num_classes=len(PNEUMONIA_CLASSES))
    return ImageSplit(images, labels)


def check_images(
    images: np.ndarray | torch.Tensor,
    labels: np.ndarray | torch.Tensor | None = None,
    *,
    num_classes: int | None = None,
    channels: int | None = None,
    size: int | Sequence[int] | None = None,
) -> None:
    """Raise ``ValueError`` naming the problem if ``images`` (and ``labels``) cannot be trained on.

    ``images`` is (N, H, W) or (N, C, H, W), uint8 or floating point, finite.
    ``labels`` holds N whole numbers in ``[0, num_classes)``.
    """
    shape = tuple(images.shape)
    if len(shape) not in (3, 4):
        raise ValueError(f"images must be (N, H, W) or (N, C, H, W); got shape {shape}")
    if shape[0] == 0:
        raise ValueError("the data set is empty: 0 images")
    dtype = _dtype_name(images)
    if not (dtype == "uint8" or dtype.startswith(("float", "bfloat"))):
        raise ValueError(
            f"images must be uint8 (0-255) or floating point, got dtype {dtype}"
        )
    if channels is not None:
        got = shape[1] if len(shape) == 4 else 1
        if got != channels:
            raise ValueError(
                f"expected {channels} channel(s), got {got} (images of shape {shape})"
            )
    if size is not None:
        want = (size, size) if isinstance(size, int) else tuple(size)
        if shape[-2:] != want:
            raise ValueError(f"expected images of size {want}, got {shape[-2:]}")
    if dtype != "uint8":
        finite = torch.isfinite(torch.as_tensor(images))
        if not bool(finite.all()):
            bad = (~finite).reshape(shape[0], -1).any(dim=1).nonzero().flatten()
            raise ValueError(
                f"{len(bad)} image(s) contain NaN or infinite values, the first at index {int(bad[0])}"
            )
    if labels is not None:
        check_labels(labels, len(images), num_classes)


def check_labels(
    labels: np.ndarray | torch.Tensor, n: int, num_classes: int | None = None
) -> None:
    """Labels must be N whole numbers, each in ``[0, num_classes)`` when that is given."""
    values = torch.as_tensor(np.asarray(labels)).reshape(-1)
    if values.numel() != n:
        raise ValueError(f"{values.numel()} labels for {n} images")
    if values.is_floating_point():
        if not bool(torch.isfinite(values).all()) or bool(
            (values != values.round()).any()
        ):
            raise ValueError(
                "labels must be whole class numbers, got fractional or NaN values"
            )
    elif values.dtype == torch.bool:
        values = values.long()
    if num_classes is not None:
        outside = (values < 0) | (values >= num_classes)
        if bool(outside.any()):
            index = int(outside.nonzero()[0])
            raise ValueError(
                f"label {values[index].item():g} at index {index} is outside 0..{num_classes - 1}"
                f" ({int(outside.sum())} label(s) out of range)"
            )


def _dtype_name(array: np.ndarray | torch.Tensor) -> str:
    return str(array.dtype).removeprefix("torch.")


def to_float_tensor(
    images: np.ndarray | torch.Tensor, mean: float = 0.5, std: float = 0.5
) -> torch.Tensor:
    """(N, 1, H, W) float32, standardised: uint8 is scaled to [0, 1] first."""
    x = torch.as_tensor(images)
    if x.ndim == 3:
        x = x.unsqueeze(1)
    x = x.float().div(255.0) if x.dtype == torch.uint8 else x.float()
    return (x - mean) / std


class TensorPairs(Dataset):
    """Inputs and targets held as tensors, indexed a whole batch at a time.

    ``dataset[[3, 7, 9]]`` returns two stacked tensors in one indexing operation,
    so a ``DataLoader`` with a batch sampler never builds per-sample tensors or PIL
    images. One-sample indexing works too.
    """

    def __init__(self, inputs: torch.Tensor, targets: torch.Tensor) -> None:
        if len(inputs) != len(targets):
            raise ValueError(f"{len(inputs)} inputs but {len(targets)} targets")
        self.inputs = inputs
        self.targets = targets

    def __len__(self) -> int:
        return len(self.inputs)

    def __getitem__(self, index):
        if isinstance(index, (list, tuple)):
            index = torch.as_tensor(index, dtype=torch.long)
        return self.inputs[index], self.targets[index]


def image_dataset(
    images: np.ndarray | torch.Tensor,
    labels: np.ndarray | torch.Tensor,
    *,
    num_classes: int,
    channels: int = 1,
    mean: float = 0.5,
    std: float = 0.5,
) -> TensorPairs:
    """Check ``images``/``labels`` and return them as a ``TensorPairs`` ready for ``medai.train.fit``."""
    check_images(images, labels, num_classes=num_classes, channels=channels)
    targets = torch.as_tensor(np.asarray(labels)).reshape(-1).long()
    return TensorPairs(to_float_tensor(images, mean, std), targets)
