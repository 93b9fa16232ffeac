"""A table of the registered data sets and where each one resolves on this machine."""

from __future__ import annotations

import pandas as pd

from .registry import REGISTRY
from .resolve import cache_dir, mirror_dirs


def _where(name: str, files: list[str]) -> str:
    """'cache', 'mirror' or 'missing', without downloading or hashing anything."""
    if all((cache_dir() / name / f).is_file() for f in files):
        return "cache"
    if any(all((m / name / f).is_file() for f in files) for m in mirror_dirs()):
        return "mirror"
    return "missing"


def catalogue() -> pd.DataFrame:
    """One row per data set: name, title, file count, size on disk if present, licence, location."""
    rows = []
    for dataset in REGISTRY.values():
        files = dataset.files
        rows.append(
            {
                "name": dataset.name,
                "title": dataset.title,
                "files": len(files),
                "licence": dataset.licence,
                "available in": _where(dataset.name, files),
            }
        )
    return pd.DataFrame(rows).set_index("name")
