"""Errors raised while resolving and reading data. Each message says what to do next."""

import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..core.errors import MedaiError


class DataError(MedaiError):
    """Base class for every data-resolution or data-reading problem."""


class UnknownDataSetError(DataError, KeyError):
    """The name is not in the registry."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0])


class UnknownFileError(DataError, KeyError):
    """The data set has no file by that path."""

    def __str__(self) -> str:
        return str(self.args[0])


class ChecksumError(DataError):
    """A file exists but its sha256 is not the declared one."""


class DataNotFoundError(DataError, FileNotFoundError):
    """No cache, mirror or download could provide the file."""


class CacheNotWritableError(DataError):
    """The data cache folder cannot be created or written to."""


@contextmanager
def reading(file: Path) -> Iterator[None]:
    """Turn whatever a parser raises on a damaged ``file`` into a ``DataError`` that names it."""
    try:
        yield
    except DataError:
        raise
    # Damaged files surface as all of these, depending on the format and the parser.
    except (
        OSError,
        ValueError,
        EOFError,
        KeyError,
        IndexError,
        zipfile.BadZipFile,
    ) as error:
        detail = str(error).splitlines()[0] if str(error) else "no detail"
        raise DataError(
            f"{file} cannot be read: it is damaged or not the expected format "
            f"({type(error).__name__}: {detail})"
        ) from None
