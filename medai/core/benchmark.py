"""Benchmark harness: time a callable fairly (warm-up, device synchronisation, median of repeats)."""

from __future__ import annotations

import statistics
import time
from typing import Callable

import torch


def synchronize(device: torch.device) -> None:
    """Wait for queued GPU work, so a timer measures the work and not its launch."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


@torch.inference_mode()
def median_ms(
    run: Callable[[torch.Tensor], object],
    x: torch.Tensor,
    repeats: int,
    device: torch.device,
    warmup: int = 3,
) -> float:
    """Median wall-clock milliseconds of ``run(x)`` over ``repeats`` calls, after ``warmup`` calls."""
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    for _ in range(warmup):
        run(x)
    synchronize(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run(x)
        synchronize(device)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)
