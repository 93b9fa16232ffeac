"""DICOM/CT preprocessing: read a slice, convert to Hounsfield units, window, resample.

pydicom reads the file; the steps after it are a few lines of NumPy each, kept
here so that they are tested once and every chapter does them the same way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
from pydicom.errors import InvalidDicomError
from pydicom.pixels import apply_modality_lut
from scipy.ndimage import zoom

from ..core.errors import InputError, InputKeyError

# (centre, width) in HU; common radiology presets.
WINDOWS: dict[str, tuple[float, float]] = {
    "lung": (-600.0, 1500.0),
    "soft tissue": (40.0, 400.0),
    "bone": (400.0, 1800.0),
    "brain": (40.0, 80.0),
}


class DicomError(InputError):
    """The file cannot be used as an image: not DICOM, damaged, no pixel data, or undecodable."""


def read_dicom(path: str | Path) -> pydicom.Dataset:
    """Read a DICOM file that carries a decodable image; a ``DicomError`` naming the file otherwise.

    The pixels are decoded here, once, so that a truncated file, a header that
    promises more pixels than the file holds, or a compression no installed
    decoder reads fails now, with the file's name, and not later inside pydicom.
    """
    if not isinstance(path, (str, Path)):
        raise DicomError(f"path must be a str or Path, got {type(path).__name__}")
    path = Path(path)
    if path.is_dir():
        raise DicomError(f"{path} is a folder, not a DICOM file")
    if not path.is_file():
        raise FileNotFoundError(f"no DICOM file at {path}")
    try:
        ds = pydicom.dcmread(path)
    except InvalidDicomError as error:
        raise DicomError(
            f"{path} is not a DICOM file (no 'DICM' marker after the 128-byte preamble): {error}"
        ) from None
    except Exception as error:  # pydicom reports damaged files in many ways
        raise DicomError(
            f"{path} is damaged: pydicom cannot parse it ({type(error).__name__}: {error})"
        ) from None
    if "PixelData" not in ds:
        if "SOPClassUID" not in ds:
            raise DicomError(
                f"{path} has a DICOM header but no readable data set after it: "
                "the file is truncated or damaged"
            )
        raise DicomError(
            f"{path} is DICOM but has no pixel data (SOP class: {ds.SOPClassUID}); "
            "it may be a report or a structured document"
        )
    try:
        ds.pixel_array  # decoded once here; pydicom keeps the array
    except Exception as error:
        syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
        raise DicomError(
            f"{path}: the pixel data cannot be decoded ({str(error).splitlines()[0]}); "
            f"transfer syntax {getattr(syntax, 'name', syntax)}, "
            f"{ds.get('Rows', '?')} x {ds.get('Columns', '?')} pixels declared"
        ) from None
    return ds


def to_hounsfield(ds: pydicom.Dataset) -> np.ndarray:
    """CT pixel values as Hounsfield units: stored value x RescaleSlope + RescaleIntercept.

    Only CT has a Hounsfield scale; MR intensities have no physical unit, so an MR
    slice raises instead of silently returning raw numbers labelled as HU.
    """
    modality = ds.get("Modality", "unknown")
    if modality != "CT":
        raise DicomError(
            f"Hounsfield units exist only for CT; this file's modality is {modality}"
        )
    return np.asarray(apply_modality_lut(ds.pixel_array, ds), dtype=np.float32)


def window(hu: np.ndarray, centre: float, width: float) -> np.ndarray:
    """Map [centre - width/2, centre + width/2] HU linearly onto [0, 1] and clip outside it."""
    if width <= 0:
        raise InputError(f"window width must be positive, got {width}")
    low = centre - width / 2
    return np.clip((np.asarray(hu, dtype=np.float32) - low) / width, 0.0, 1.0)


def named_window(hu: np.ndarray, name: str) -> np.ndarray:
    """``window`` with a preset from ``WINDOWS`` ("lung", "soft tissue", "bone", "brain")."""
    if name not in WINDOWS:
        raise InputKeyError(f"unknown window {name!r}; choose one of {sorted(WINDOWS)}")
    return window(hu, *WINDOWS[name])


def pixel_spacing(ds: pydicom.Dataset) -> tuple[float, float]:
    """(row, column) spacing in mm from PixelSpacing."""
    if "PixelSpacing" not in ds:
        raise DicomError(
            "the file has no PixelSpacing, so its physical scale is unknown"
        )
    row, col = (float(v) for v in ds.PixelSpacing)
    return row, col


def resample(
    image: np.ndarray,
    spacing: tuple[float, float],
    new_spacing: tuple[float, float] = (1.0, 1.0),
) -> np.ndarray:
    """Resample a 2-D image from ``spacing`` to ``new_spacing`` mm per pixel (linear interpolation).

    Models see the same physical size per pixel whatever scanner made the image.
    """
    if np.ndim(image) != 2:
        raise InputError(f"expected a 2-D slice, got shape {np.shape(image)}")
    if min(spacing) <= 0 or min(new_spacing) <= 0:
        raise InputError(f"spacings must be positive, got {spacing} -> {new_spacing}")
    factors = (spacing[0] / new_spacing[0], spacing[1] / new_spacing[1])
    return zoom(np.asarray(image, dtype=np.float32), factors, order=1)
