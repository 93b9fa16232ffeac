"""The versions that matter, printed at the top of every notebook (like MONAI's ``print_config``).

A reader who gets a different number can compare this block with the book's.
"""

from __future__ import annotations

import platform
import sys
from importlib import metadata

import torch

import medai

BASE_PACKAGES = ("numpy", "pandas", "scikit-learn", "torch")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def versions(*packages: str) -> dict[str, str]:
    """Python, platform, medai, the base packages and ``packages``, torch's compute device."""
    table = {
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "medai": medai.__version__,
    }
    for package in dict.fromkeys(BASE_PACKAGES + packages):
        table[package] = _version(package)
    if torch.cuda.is_available():
        table["device"] = f"CUDA {torch.version.cuda}, {torch.cuda.get_device_name(0)}"
    elif torch.backends.mps.is_available():
        table["device"] = "Apple MPS"
    else:
        table["device"] = f"CPU only, {torch.get_num_threads()} threads"
    return table


def print_versions(*packages: str, file=None) -> None:
    """Print ``versions(*packages)`` one per line, names aligned."""
    table = versions(*packages)
    width = max(map(len, table))
    for name, value in table.items():
        print(f"{name:<{width}}  {value}", file=file or sys.stdout)
