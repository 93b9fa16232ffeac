"""Data written for this book and shipped inside the package (``medai/datasets/data/``)."""

from __future__ import annotations

from importlib import resources

import pandas as pd

from .bundle import DataBundle
from .errors import DataError


def packaged_text(file: str) -> str:
    """The text of ``medai/datasets/data/<file>``."""
    return resources.files(__package__).joinpath("data", file).read_text("utf-8")


def packaged_sha256(file: str) -> str:
    """The sha256 of ``medai/datasets/data/<file>``: a frozen evaluation set is checked against it."""
    import hashlib

    return hashlib.sha256(resources.files(__package__).joinpath("data", file).read_bytes()).hexdigest()


def tab_rows(text: str, fields: int, source: str, first_in: tuple[str, ...] | None = None) -> list[list[str]]:
    """Lines of ``fields`` tab-separated, non-empty fields (``#`` comments and blank lines skipped);
    with ``first_in``, the first field must be one of those words (a label or kind)."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [part.strip() for part in line.split("\t")]
        if len(parts) != fields or not all(parts):
            raise DataError(
                f"{source}, line {number}: expected {fields} tab-separated, non-empty fields, got {line!r}"
            )
        if first_in is not None and parts[0] not in first_in:
            raise DataError(f"{source}, line {number}: unknown label {parts[0]!r}; expected one of {first_in}")
        rows.append(parts)
    if not rows:
        raise DataError(f"{source}: no rows")
    return rows


def written_credits(file: str) -> dict[str, str]:
    """``licence`` and ``citation`` for a ``DataBundle`` of a file written for this book."""
    return {
        "licence": "MIT (written for this book)",
        "citation": f"Written for medai; see medai/datasets/data/{file}.",
    }


def labelled_messages(name: str, frame: pd.DataFrame, label: str, labels: tuple[str, ...], about: str,
                      file: str) -> DataBundle:  # fmt: skip
    """A ``DataBundle`` of written messages: ``data`` the ``message`` column, ``target`` the ``label``
    column, and a description that counts each of ``labels``."""
    counts = ", ".join(f"{(frame[label] == k).sum()} {k}" for k in labels)
    return DataBundle(
        name=name,
        data=frame["message"].tolist(),
        target=frame[label].to_numpy(),
        target_names=labels,
        frame=frame,
        description=f"{len(frame):,} {about}: {counts}",
        **written_credits(file),
    )
