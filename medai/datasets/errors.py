"""Errors raised while resolving data. Each message says what to do next."""


class DataError(Exception):
    """Base class for every data-resolution problem."""


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
