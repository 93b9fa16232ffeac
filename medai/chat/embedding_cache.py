"""Document embeddings cached on disk, keyed by what produced them.

The key is the sha256 of the model's name and every document's text, so a changed corpus or
model gives a new file and a stale one is never read. Files are written to a temporary name
and moved into place, so an interrupted run leaves no half-written cache.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..core.errors import InputError
from ..datasets import CacheNotWritableError, cache_dir


def embedding_key(texts: Sequence[str], model: str) -> str:
    """sha256 over the model name and the texts (each length-prefixed, so no two lists collide)."""
    digest = hashlib.sha256(model.encode())
    for text in texts:
        data = text.encode("utf-8")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def cached_embeddings(
    texts: Sequence[str], embed: Callable[[list[str]], np.ndarray], model: str,
    folder: str | Path | None = None,
) -> tuple[np.ndarray, bool]:  # fmt: skip
    """``embed(texts)``, read from ``folder`` (default ``<cache>/embeddings``) when the same texts
    were embedded by the same model before. Returns the vectors and whether they came from disk."""
    texts = list(texts)
    if not texts:
        raise InputError("no texts to embed")
    folder = Path(folder) if folder is not None else cache_dir() / "embeddings"
    file = folder / f"{embedding_key(texts, model)}.npy"
    if file.is_file():
        try:
            vectors = np.load(file, allow_pickle=False)
            if vectors.ndim == 2 and len(vectors) == len(texts):
                return vectors, True
        except (OSError, ValueError):
            pass  # unreadable: embed again and replace it below
    vectors = np.asarray(embed(texts), dtype=np.float32)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".npy.part")
        try:
            with os.fdopen(handle, "wb") as out:
                np.save(out, vectors, allow_pickle=False)
            os.replace(temporary, file)
        finally:
            Path(temporary).unlink(missing_ok=True)  # gone already after a successful move
    except OSError as error:
        raise CacheNotWritableError(
            f"cannot write the embedding cache in {folder}: {error.strerror or error}; "
            "set MEDAI_DATA_DIR to a writable folder"
        ) from None
    return vectors, False
