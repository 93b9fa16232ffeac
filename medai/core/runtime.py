"""Seeds, devices and processes: what every notebook and the training loop set up the same way."""

from __future__ import annotations

import os
import random
from contextlib import nullcontext

import numpy as np
import torch
import torch.distributed as dist

from .errors import DeviceError, InputError


def seed_everything(seed: int, deterministic: bool = True) -> None:
    """Seed Python, NumPy and PyTorch; ask PyTorch for deterministic kernels where they exist.

    ``warn_only=True`` keeps ops without a deterministic kernel usable (they warn
    instead of failing), so the same notebook runs on CPU and GPU.
    """
    if not isinstance(seed, int) or seed < 0:
        raise InputError(f"seed must be a non-negative int, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    if deterministic:
        # cuBLAS needs this workspace setting for deterministic matrix products on CUDA.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.backends.cudnn.benchmark = False


def pick_device(preference: str = "auto") -> torch.device:
    """``"auto"`` picks CUDA, then Apple MPS, then CPU; any other value must be available."""
    preference = preference.strip().lower()
    if preference == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(preference)
    except RuntimeError:
        raise InputError(
            f"unknown device {preference!r}; use 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'"
        ) from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise DeviceError(
            "device='cuda' was asked for but no CUDA GPU is visible; use device='auto' or 'cpu'"
        )
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise DeviceError(
            "device='mps' was asked for but Apple MPS is not available; use 'auto' or 'cpu'"
        )
    return device


def distributed_context() -> tuple[int, int, int]:
    """``(rank, local_rank, world_size)``; joins the process group when started by ``torchrun``."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return 0, 0, 1
    if not dist.is_initialized():
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend=backend)
    return (
        dist.get_rank(),
        int(os.environ.get("LOCAL_RANK", "0")),
        dist.get_world_size(),
    )


def process_device(preference: str, local_rank: int, world: int) -> torch.device:
    """``pick_device``, then this process's own GPU when several processes share a machine."""
    device = pick_device(preference)
    if device.type == "cuda" and world > 1:
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    return device


def mixed_precision(device: torch.device, amp: bool) -> torch.dtype | None:
    """The autocast type on CUDA (bfloat16 where the GPU has it, else float16), else None."""
    if not amp or device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def autocast(dtype: torch.dtype | None):
    """Mixed precision on CUDA when ``dtype`` is set (see ``mixed_precision``), else a no-op context."""
    if dtype is None:
        return nullcontext()
    return torch.autocast(device_type="cuda", dtype=dtype)


def mean_across_processes(total: torch.Tensor, seen: int, world: int) -> float:
    """``total / seen`` summed over every process (one all-reduce when there are several)."""
    if world > 1:
        packed = torch.stack(
            [total.float(), torch.tensor(float(seen), device=total.device)]
        )
        dist.all_reduce(packed)
        total, seen = packed[0], float(packed[1])
    return float(total) / max(seen, 1)
