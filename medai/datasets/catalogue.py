"""A table of the registered data sets and where each one resolves on this machine."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .registry import REGISTRY, DataSet
from .resolve import cache_dir, complete_folder


def _where(folder: Path | None) -> str:
    """'cache', 'mirror' or 'missing', without downloading or hashing anything."""
    if folder is None:
        return "missing"
    return "cache" if folder.parent == cache_dir() else "mirror"


def _megabytes(dataset: DataSet, folder: Path | None) -> float | None:
    if folder is None:
        return None
    return round(sum((folder / f).stat().st_size for f in dataset.files) / 1e6, 1)


def catalogue() -> pd.DataFrame:
    """One row per data set: title, file count, size on disk (MB, where present), the chapters
    that use it, licence, and where it is found."""
    rows = []
    for dataset in REGISTRY.values():
        folder = complete_folder(dataset)
        rows.append(
            {
                "name": dataset.name,
                "title": dataset.title,
                "files": len(dataset.files),
                "size (MB)": _megabytes(dataset, folder),
                "chapters": ", ".join(map(str, dataset.chapters)),
                "licence": dataset.licence,
                "available in": _where(folder),
            }
        )
    return pd.DataFrame(rows).set_index("name")
