"""A trained model as a folder a service can trust: weights, a manifest, and a model card.

``weights.pt`` holds the state dict; ``manifest.json`` names the architecture, the sha256 of the
weights file, the temperature and decision threshold chosen on validation data, and a version;
``model_card.yaml`` is the card. ``load_model_package`` refuses weights whose hash differs from
the manifest's and reads them with ``torch.load(weights_only=True)``, which executes no code
from the file.
"""

from __future__ import annotations

import json
import os
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


def save_model_package(folder: str | Path, model: nn.Module, architecture: str, *, temperature: float,
                       threshold: float, version: str, card: dict | None = None) -> Path:  # fmt: skip
    """Write weights, manifest and card into ``folder`` (created; an existing package is replaced
    only as a whole: files are written under temporary names first)."""
    import yaml

    if architecture not in architectures():
        raise InputError(f"unknown architecture {architecture!r}; known: {sorted(architectures())}")
    if not (temperature > 0 and 0 <= threshold <= 1):
        raise InputError(f"need temperature > 0 and a threshold in [0, 1], got {temperature}, {threshold}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    staged = folder / f".{WEIGHTS}.partial"
    torch.save(model.state_dict(), staged)
    manifest = {"architecture": architecture, "weights_sha256": file_sha256(staged), "temperature": float(temperature),
                "threshold": float(threshold), "version": version}  # fmt: skip
    (folder / f".{CARD}.partial").write_text(yaml.safe_dump(card or {}, sort_keys=False))
    (folder / f".{MANIFEST}.partial").write_text(json.dumps(manifest, indent=2))
    for name in (WEIGHTS, CARD, MANIFEST):  # the manifest last: a package without one is incomplete
        os.replace(folder / f".{name}.partial", folder / name)
    return folder


def load_model_package(folder: str | Path) -> ModelPackage:
    """Read and verify a package written by ``save_model_package``."""
    import yaml

    folder = Path(folder)
    manifest_file = folder / MANIFEST
    if not manifest_file.is_file():
        raise ModelPackageError(f"{folder} is not a model package: {MANIFEST} is missing")
    try:
        manifest = json.loads(manifest_file.read_text())
        architecture, expected = manifest["architecture"], manifest["weights_sha256"]
        temperature, threshold, version = float(manifest["temperature"]), float(manifest["threshold"]), str(manifest["version"])
    except (ValueError, KeyError, TypeError) as error:
        raise ModelPackageError(f"{manifest_file} is not a valid manifest ({error})") from None
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
    except (RuntimeError, ValueError) as error:
        raise ModelPackageError(f"{weights} does not fit {architecture}: {str(error).splitlines()[0]}") from None
    card_file = folder / CARD
    card = yaml.safe_load(card_file.read_text()) if card_file.is_file() else {}
    return ModelPackage(model.eval(), architecture, actual, temperature, threshold, version, card or {})
