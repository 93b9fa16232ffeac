"""A trained model as a folder a service can trust: weights, a manifest, and a model card.

``weights.pt`` holds the state dict; ``manifest.json`` names the architecture, the sha256 of the
weights file, the temperature and decision threshold chosen on validation data, and a version;
``model_card.yaml`` is the card. The manifest also holds ``package_sha256``, a digest of everything
that decides an answer (architecture, weights hash, temperature, threshold, version) and of the
card: the identity a service reports. ``load_model_package`` checks every value, refuses a package
whose manifest or card was edited after it was written, or whose weights differ from their hash,
or whose package hash is not the one the caller expects, and reads the weights with
``torch.load(weights_only=True)``, which executes no code from the file.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from ..core.errors import InputError
from .export import file_sha256

MANIFEST, WEIGHTS, CARD = "manifest.json", "weights.pt", "model_card.yaml"


class ModelPackageError(InputError):
    """A model folder that is missing, incomplete, or whose weights do not match their hash."""


def architectures() -> dict[str, type | callable]:
    """Model names a package may name, and how to build each (imported late: torchvision is slow)."""
    from ..core.source_cnn import SourceCNN
    from ..imaging.resnet import resnet18_small

    return {"SourceCNN": SourceCNN, "resnet18_small": resnet18_small}


@dataclass
class ModelPackage:
    """A loaded, verified model with what is needed to turn its logits into a decision."""

    model: nn.Module
    architecture: str
    weights_sha256: str
    temperature: float
    threshold: float
    version: str
    card: dict = field(default_factory=dict)
    package_sha256: str = ""


_DECIDING = ("architecture", "weights_sha256", "temperature", "threshold", "version")


def package_digest(manifest: dict, card_text: str) -> str:
    """sha256 of the manifest's deciding values and the card's text: any edit to either changes it."""
    values = json.dumps({key: manifest[key] for key in _DECIDING}, sort_keys=True)
    return hashlib.sha256(values.encode() + b"\n" + card_text.encode()).hexdigest()


def _checked_values(manifest: dict, where: Path) -> tuple[str, str, float, float, str]:
    """The manifest's values, each checked: an edited or broken value is refused, never served."""
    try:
        architecture, weights_sha256 = manifest["architecture"], manifest["weights_sha256"]
        temperature, threshold, version = manifest["temperature"], manifest["threshold"], manifest["version"]
    except (KeyError, TypeError) as error:
        raise ModelPackageError(f"{where} is not a valid manifest (missing {error})") from None
    numbers_ok = all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                     for v in (temperature, threshold))  # fmt: skip
    if not numbers_ok or not temperature > 0 or not 0 <= threshold <= 1:
        raise ModelPackageError(f"{where} has temperature {temperature!r} and threshold {threshold!r}: a package "
                                "needs a finite temperature above 0 and a threshold between 0 and 1")  # fmt: skip
    if not isinstance(version, str) or not isinstance(architecture, str):
        raise ModelPackageError(f"{where}: version and architecture must be text")
    if not isinstance(weights_sha256, str) or not re.fullmatch(r"[0-9a-f]{64}", weights_sha256):
        raise ModelPackageError(f"{where}: weights_sha256 must be 64 hexadecimal digits")
    return architecture, weights_sha256, float(temperature), float(threshold), version


def save_model_package(folder: str | Path, model: nn.Module, architecture: str, *, temperature: float,
                       threshold: float, version: str, card: dict | None = None) -> Path:  # fmt: skip
    """Write weights, manifest and card into ``folder`` (created; an existing package is replaced
    only as a whole: files are written under temporary names first)."""
    import yaml

    if architecture not in architectures():
        raise InputError(f"unknown architecture {architecture!r}; known: {sorted(architectures())}")
    if not (math.isfinite(temperature) and math.isfinite(threshold) and temperature > 0 and 0 <= threshold <= 1):
        raise InputError(f"need a finite temperature > 0 and a threshold in [0, 1], got {temperature}, {threshold}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    staged = folder / f".{WEIGHTS}.partial"
    torch.save(model.state_dict(), staged)
    manifest = {"architecture": architecture, "weights_sha256": file_sha256(staged), "temperature": float(temperature),
                "threshold": float(threshold), "version": str(version)}  # fmt: skip
    card_text = yaml.safe_dump(card or {}, sort_keys=False)
    manifest["package_sha256"] = package_digest(manifest, card_text)
    (folder / f".{CARD}.partial").write_text(card_text)
    (folder / f".{MANIFEST}.partial").write_text(json.dumps(manifest, indent=2))
    for name in (WEIGHTS, CARD, MANIFEST):  # the manifest last: a package without one is incomplete
        os.replace(folder / f".{name}.partial", folder / name)
    return folder


def load_model_package(folder: str | Path, expected_sha256: str | None = None) -> ModelPackage:
    """Read and verify a package written by ``save_model_package``; with ``expected_sha256``, refuse
    any package but that one (its ``package_sha256``, as a deployment records it)."""
    import yaml

    folder = Path(folder)
    manifest_file = folder / MANIFEST
    if not manifest_file.is_file():
        raise ModelPackageError(f"{folder} is not a model package: {MANIFEST} is missing")
    try:
        manifest = json.loads(manifest_file.read_text())
    except (ValueError, UnicodeDecodeError) as error:
        raise ModelPackageError(f"{manifest_file} is not a valid manifest ({error})") from None
    if not isinstance(manifest, dict):
        raise ModelPackageError(f"{manifest_file} is not a valid manifest (not a JSON object)")
    architecture, expected, temperature, threshold, version = _checked_values(manifest, manifest_file)
    card_file = folder / CARD
    try:
        card_text = card_file.read_text() if card_file.is_file() else ""
        card = yaml.safe_load(card_text) if card_text else {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ModelPackageError(f"{card_file} is not valid YAML ({str(error).splitlines()[0]})") from None
    digest = package_digest(manifest, card_text)
    if manifest.get("package_sha256") != digest:
        raise ModelPackageError(f"{folder}: {MANIFEST} or {CARD} was changed after the package was written (its "
                                "package_sha256 does not match): refusing to serve it; save the package again")  # fmt: skip
    if expected_sha256 is not None and digest != expected_sha256.strip().lower():
        raise ModelPackageError(f"{folder} is package {digest[:12]}..., not the expected {expected_sha256[:12]}...")
    build = architectures().get(architecture)
    if build is None:
        raise ModelPackageError(f"{manifest_file} names an unknown architecture {architecture!r}")
    weights = folder / WEIGHTS
    if not weights.is_file():
        raise ModelPackageError(f"{weights} is missing")
    actual = file_sha256(weights)
    if actual != expected:
        raise ModelPackageError(f"{weights} has sha256 {actual[:12]}..., but the manifest records {expected[:12]}...: "
                                "refusing to serve weights that are not the ones evaluated")  # fmt: skip
    model = build()
    try:
        model.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    except (RuntimeError, ValueError, EOFError) as error:
        raise ModelPackageError(f"{weights} does not fit {architecture}: {str(error).splitlines()[0]}") from None
    except Exception as error:  # noqa: BLE001 - torch's unpickler refuses code with several exception types
        raise ModelPackageError(f"{weights} cannot be read as plain weights ({type(error).__name__}): refusing it") from None
    return ModelPackage(model.eval(), architecture, actual, temperature, threshold, version, card or {}, digest)
