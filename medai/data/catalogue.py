"""A table of the registered data sets and where each one resolves on this machine."""

from __future__ import annotations

import pandas as pd

from .registry import REGISTRY
from .resolve import cache_dir, complete_folder


def _where(name: str) -> str:
    """'cache', 'mirror' or 'missing', without downloading or hashing anything."""
    folder = complete_folder(name)
    if folder is None:
        return "missing"
    return "cache" if folder.parent == cache_dir() else "mirror"


def catalogue() -> pd.DataFrame:
    """One row per data set: name, title, file count, licence, and where it is found."""
    rows = []
    for dataset in REGISTRY.values():
        files = dataset.files
        rows.append(
            {
                "name": dataset.name,
                "title": dataset.title,
                "files": len(files),
                "licence": dataset.licence,
                "available in": _where(dataset.name),
            }
        )
    return pd.DataFrame(rows).set_index("name")
