"""Data sets by name: ``medai.data.locate("mitbih-arrhythmia")`` gives a verified local folder.

See ``resolve`` for the order (cache, mirrors, download) and ``registry`` for what is declared.
"""

from .catalogue import catalogue
from .errors import (
    ChecksumError,
    DataError,
    DataNotFoundError,
    UnknownDataSetError,
    UnknownFileError,
)
from .registry import REGISTRY, DataSet, get
from .resolve import cache_dir, fetch, locate, mirror_dirs

__all__ = [
    "REGISTRY",
    "ChecksumError",
    "DataError",
    "DataNotFoundError",
    "DataSet",
    "UnknownDataSetError",
    "UnknownFileError",
    "cache_dir",
    "catalogue",
    "fetch",
    "get",
    "locate",
    "mirror_dirs",
]
