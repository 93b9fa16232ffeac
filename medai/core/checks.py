"""Checks on arrays entering ``medai``: image batches and class labels.

Checks run once, when data enters, so that a wrong shape or a NaN is reported
in words here rather than as a traceback from inside a convolution.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from .errors import InputError, InputTypeError


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
    if not isinstance(images, (np.ndarray, torch.Tensor)):
        raise InputTypeError(
            f"images must be a NumPy array or a torch tensor, got {type(images).__name__}"
        )
    shape = tuple(images.shape)
    if len(shape) not in (3, 4):
        raise InputError(f"images must be (N, H, W) or (N, C, H, W); got shape {shape}")
    if shape[0] == 0:
        raise InputError("the data set is empty: 0 images")
    dtype = _dtype_name(images)
    if not (dtype == "uint8" or dtype.startswith(("float", "bfloat"))):
        raise InputError(
            f"images must be uint8 (0-255) or floating point, got dtype {dtype}"
        )
    if channels is not None:
        got = shape[1] if len(shape) == 4 else 1
        if got != channels:
            raise InputError(
                f"expected {channels} channel(s), got {got} (images of shape {shape})"
            )
    if size is not None:
        want = (size, size) if isinstance(size, int) else tuple(size)
        if shape[-2:] != want:
            raise InputError(f"expected images of size {want}, got {shape[-2:]}")
    if dtype != "uint8":
        finite = torch.isfinite(torch.as_tensor(images))
        if not bool(finite.all()):
            bad = (~finite).reshape(shape[0], -1).any(dim=1).nonzero().flatten()
            raise InputError(
                f"{len(bad)} image(s) contain NaN or infinite values, the first at index {int(bad[0])}"
            )
    if labels is not None:
        check_labels(labels, len(images), num_classes)


def check_labels(
    labels: np.ndarray | torch.Tensor, n: int, num_classes: int | None = None
) -> None:
    """Labels must be N whole numbers, each in ``[0, num_classes)`` when that is given."""
    array = np.asarray(labels)
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise InputError(f"labels must be numbers, got values of dtype {array.dtype}")
    values = torch.as_tensor(array).reshape(-1)
    if values.numel() != n:
        raise InputError(f"{values.numel()} labels for {n} images")
    if values.is_floating_point():
        if not bool(torch.isfinite(values).all()) or bool(
            (values != values.round()).any()
        ):
            raise InputError(
                "labels must be whole class numbers, got fractional or NaN values"
            )
    elif values.dtype == torch.bool:
        values = values.long()
    if num_classes is not None:
        outside = (values < 0) | (values >= num_classes)
        if bool(outside.any()):
            index = int(outside.nonzero()[0])
            raise InputError(
                f"label {values[index].item():g} at index {index} is outside 0..{num_classes - 1}"
                f" ({int(outside.sum())} label(s) out of range)"
            )


def _dtype_name(array: np.ndarray | torch.Tensor) -> str:
    return str(array.dtype).removeprefix("torch.")
