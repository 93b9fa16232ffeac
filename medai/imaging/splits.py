"""Splits that share no image: exact copies found by their bytes.

A validation image that is byte for byte a training image scores the memory of the model, not
its judgement. PneumoniaMNIST has such copies (chapter 3 counts them), so the chapter removes
them before anything is chosen on validation data.
"""

from __future__ import annotations

import hashlib

import numpy as np

from ..core.errors import InputError


def image_digests(images: np.ndarray) -> list[str]:
    """One SHA-256 per image of ``images`` (N, ...), of its dtype, shape and bytes."""
    array = np.asarray(images)
    if array.ndim < 2:
        raise InputError(f"images must be an array of images (N, H, W, ...), got shape {array.shape}")
    return [hashlib.sha256(f"{x.dtype}{x.shape}".encode() + np.ascontiguousarray(x).tobytes()).hexdigest()
            for x in array]  # fmt: skip


def copies_of(images: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """True for each image of ``images`` identical to some image of ``reference``."""
    seen = set(image_digests(reference))
    return np.array([digest in seen for digest in image_digests(images)], dtype=bool)


def repeated_within(images: np.ndarray) -> np.ndarray:
    """True for each image identical to an earlier one of the same array (the first copy stays)."""
    seen: set[str] = set()
    repeated = []
    for digest in image_digests(images):
        repeated.append(digest in seen)
        seen.add(digest)
    return np.array(repeated, dtype=bool)
