"""The errors medai raises on purpose. Each message names the input and says what was expected.

``MedaiError`` is the base of every one of them, so a caller (or the command line)
can tell "medai refused this input" from a bug. ``InputError`` is also a
``ValueError``: code that already catches ``ValueError`` keeps working.
"""


class MedaiError(Exception):
    """Base class of every error medai raises deliberately."""


class InputError(MedaiError, ValueError):
    """An argument, file or value is not what the function expects."""


class InputTypeError(InputError, TypeError):
    """An argument is of the wrong type (also a ``TypeError``)."""


class InputKeyError(InputError, KeyError):
    """A name (channel, window, profile ...) that is not among the known ones (also a ``KeyError``)."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0]) if self.args else ""


class DeviceError(MedaiError, RuntimeError):
    """The compute device asked for is not available here."""
