"""PneumoniaMNIST (reduced-train copy): 28 x 28 chest X-rays, normal vs pneumonia."""

from __future__ import annotations

import numpy as np

from ..core.errors import InputError
from .bundle import DataBundle, credits
from .errors import DataError, reading
from .resolve import local_file

NAME = "pneumoniamnist-subset"
SPLITS = ("train", "val", "test")
PNEUMONIA_CLASSES = ("normal", "pneumonia")
IMAGE_SHAPE = (28, 28)


def load_pneumoniamnist(split: str) -> DataBundle:
    """One split: ``data`` uint8 images (N, 28, 28), ``target`` int64 labels (0 normal, 1 pneumonia)."""
    # Imported here: the check needs torch, and ``python -m medai data ...`` should start fast.
    from ..core.checks import check_images

    if split not in SPLITS:
        raise InputError(f"split must be one of {SPLITS}, got {split!r}")
    file = local_file(NAME, "pneumoniamnist.npz")
    keys = (f"{split}_images", f"{split}_labels")
    with reading(file), np.load(file, allow_pickle=False) as arrays:
        missing = [k for k in keys if k not in arrays.files]
        if missing:
            raise DataError(f"{file} has no {missing}; it holds {sorted(arrays.files)}")
        images, labels = arrays[keys[0]], arrays[keys[1]]
    # The chapters expect exactly this: grey 28 x 28 images stored as 0-255 integers.
    if images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
        raise DataError(
            f"{file}: {keys[0]} has shape {images.shape}, expected (N, {IMAGE_SHAPE[0]}, {IMAGE_SHAPE[1]}) grey images"
        )
    if images.dtype != np.uint8:
        raise DataError(
            f"{file}: {keys[0]} has dtype {images.dtype}, expected uint8 pixel values 0-255"
        )
    if labels.size != len(images) or not np.issubdtype(labels.dtype, np.integer):
        raise DataError(
            f"{file}: {keys[1]} holds {labels.size} values of dtype {labels.dtype}, "
            f"expected {len(images)} whole-number labels"
        )
    labels = labels.reshape(-1).astype(np.int64)
    check_images(images, labels, num_classes=len(PNEUMONIA_CLASSES))
    return DataBundle(
        name=NAME,
        data=images,
        target=labels,
        target_names=PNEUMONIA_CLASSES,
        description=f"PneumoniaMNIST {split} split, reduced-train copy: {len(labels)} images of 28 x 28, "
        f"{int(labels.sum())} with pneumonia.",
        **credits(NAME),
    )
