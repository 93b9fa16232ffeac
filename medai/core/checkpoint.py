"""Checkpoints of the training loop: written atomically with their sha256 beside them, read back
only when the hash still matches, and without running pickled code."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import torch
import torch.distributed as dist
from torch import nn

from .errors import InputError


def prepare_checkpoint(config, rank: int) -> Path | None:
    """The checkpoint path of ``config`` (a ``TrainConfig``), refusing to overwrite one unless asked."""
    if config.checkpoint is None:
        return None
    path = Path(config.checkpoint)
    if rank == 0 and path.exists() and not config.overwrite_checkpoint:
        raise FileExistsError(
            f"checkpoint {path} exists; choose another path or set overwrite_checkpoint=True"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def save_best(
    model: nn.Module, checkpoint: Path | None, rank: int, world: int
) -> dict[str, torch.Tensor] | None:
    """Write the best weights atomically (temporary file, then rename) or keep a copy in memory."""
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    if checkpoint is None:
        return state
    if rank == 0:
        partial = checkpoint.with_name(checkpoint.name + ".partial")
        torch.save(state, partial)
        digest = hash_sidecar(checkpoint)
        digest_partial = digest.with_name(digest.name + ".partial")
        digest_partial.write_text(_sha256(partial) + "\n")
        os.replace(partial, checkpoint)
        os.replace(digest_partial, digest)  # a crash between the two leaves a mismatch: refused, never trusted
    if world > 1:
        dist.barrier()
    return None


def restore_best(
    model: nn.Module,
    state: dict[str, torch.Tensor] | None,
    checkpoint: Path | None,
    device: torch.device,
    world: int,
) -> None:
    """Load the best weights back into ``model``: from memory, or from the checkpoint file."""
    if checkpoint is not None:
        if world > 1:
            dist.barrier()
        state = load_checkpoint(checkpoint)
    if state is not None:
        model.load_state_dict(state)
        model.to(device)


class CheckpointError(InputError):
    """A file that is not a readable checkpoint of tensors."""


def hash_sidecar(path: Path) -> Path:
    """Where the sha256 of checkpoint ``path`` is kept: ``best.pt`` -> ``best.pt.sha256``."""
    return path.with_name(path.name + ".sha256")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_checkpoint(path: str | Path) -> dict[str, torch.Tensor]:
    """A state dict saved by ``fit``. Where the sha256 ``fit`` wrote beside it exists, the file must
    still match it (one flipped byte can turn a weight of 0.04 into -39); ``weights_only=True``
    refuses pickled code."""
    if not isinstance(path, (str, Path)):
        raise CheckpointError(
            f"checkpoint path must be a str or Path, got {type(path).__name__}"
        )
    path = Path(path)
    if not path.is_file():
        what = "a folder" if path.is_dir() else "missing"
        raise CheckpointError(f"checkpoint {path} is {what}, not a file")
    sidecar = hash_sidecar(path)
    if sidecar.is_file():
        recorded = sidecar.read_text(errors="replace").strip()
        actual = _sha256(path)
        if actual != recorded:
            raise CheckpointError(
                f"checkpoint {path} has sha256 {actual[:12]}..., but {sidecar.name} records {recorded[:12]}...: "
                "the file changed after it was written (damaged or replaced); it was not loaded"
            )
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        # weights_only=True refuses anything but tensors and plain containers.
        raise CheckpointError(
            f"checkpoint {path} holds more than tensors (pickled objects or code), or is "
            f"not a PyTorch file; it was not loaded: {str(error).splitlines()[0]}"
        ) from None
    except Exception as error:  # torch reports a damaged file in many ways
        raise CheckpointError(
            f"checkpoint {path} is damaged or not a PyTorch checkpoint "
            f"({type(error).__name__}: {error})"
        ) from None
    if not isinstance(state, dict) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()
    ):
        raise CheckpointError(
            f"checkpoint {path} holds a {type(state).__name__}, not a state dict of named tensors"
        )
    return state


def tensorboard_writer(log_dir: str | Path | None):
    if log_dir is None:
        return None
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as error:  # tensorboard is an optional dependency
        raise ImportError(
            "log_dir needs TensorBoard: pip install tensorboard (or leave log_dir=None)"
        ) from error
    return SummaryWriter(log_dir=str(log_dir))
