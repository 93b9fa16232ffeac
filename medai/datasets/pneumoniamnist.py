"""PneumoniaMNIST (reduced-train copy): 28 x 28 chest X-rays, normal vs pneumonia."""

from __future__ import annotations

import numpy as np

from .bundle import DataBundle, credits
from .errors import DataError
from .resolve import local_file

NAME = "pneumoniamnist-subset"
SPLITS = ("train", "val", "test")
PNEUMONIA_CLASSES = ("normal", "pneumonia")


def load_pneumoniamnist(split: str) -> DataBundle:
    """One split: ``data`` uint8 images (N, 28, 28), ``target`` int64 labels (0 normal, 1 pneumonia)."""
    # Imported here: the check needs torch, and ``python -m medai data ...`` should start fast.
    from ..core.checks import check_images

    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    file = local_file(NAME, "pneumoniamnist.npz")
    with np.load(file) as arrays:
        keys = (f"{split}_images", f"{split}_labels")
        missing = [k for k in keys if k not in arrays.files]
        if missing:
            raise DataError(f"{file} has no {missing}; it holds {sorted(arrays.files)}")
        images = arrays[keys[0]]
        labels = arrays[keys[1]].reshape(-1).astype(np.int64)
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
