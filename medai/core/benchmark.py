"""Benchmark harness: time a callable fairly (warm-up, device synchronisation, median of repeats),
and record results with the commit, date, machine and versions that produced them."""

from __future__ import annotations

import contextlib
import io
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import torch

from .errors import InputError
from .versions import versions


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
        raise InputError(f"repeats must be at least 1, got {repeats}")
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


# --- recorded results --------------------------------------------------------------------

# What each recorded benchmark measures: a later change to any of these makes its records stale.
# medai/core less the modules only notebooks load (glued prose and claims, profiles): no
# benchmark imports them, so editing them leaves every record current (git pathspecs).
_CORE = ("medai/core", ":(exclude)medai/core/claims.py", ":(exclude)medai/core/profiles.py")
MEASURED_CODE = {
    "imaging": (
        *_CORE,
        "medai/imaging/bench.py",
        "medai/imaging/source_example.py",
        "medai/imaging/resnet.py",
        "medai/imaging/arrays.py",
    ),
    "chat": (*_CORE, "medai/chat", "medai/text/transformer.py"),
    "serve": (*_CORE, "medai/evaluation", "medai/imaging/arrays.py"),
}
_ROOT = Path(__file__).resolve().parents[2]


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=_ROOT, capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def measured_code(command: str | None) -> tuple[str, ...]:
    """The code a ``python -m medai bench NAME ...`` command measures (all of it if unknown)."""
    words = (command or "").split()
    name = words[words.index("bench") + 1] if "bench" in words[:-1] else None
    if name in MEASURED_CODE:
        return MEASURED_CODE[name]
    return tuple(dict.fromkeys(path for paths in MEASURED_CODE.values() for path in paths))


def record_header(command: str) -> str:
    """Comment lines that say what produced a record: command, commit, date, machine, versions."""
    commit = _git("rev-parse", "HEAD") or "unknown (not a git checkout)"
    dirty = _git("status", "--porcelain", "--", *measured_code(command))
    if dirty:
        commit += " + uncommitted changes to the measured code"
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    lines = [
        "medai benchmark record: the command's output below is copied unchanged",
        f"command: {command}",
        f"commit: {commit}",
        f"recorded: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPU cores, {gpu}",
        "versions: "
        + ", ".join(
            f"{k} {v}"
            for k, v in versions("onnxruntime").items()
            if k not in ("platform", "device")
        ),
    ]
    return "".join(f"# {line}\n" for line in lines)


def write_record(path: str | Path, command: str, output: str) -> Path:
    """Write ``output`` under ``record_header(command)`` to ``path``, atomically (temp file, rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(record_header(command) + output)
    os.replace(partial, path)
    return path


def _header_field(path: str | Path, field: str) -> str | None:
    for line in Path(path).read_text().splitlines():
        if line.startswith(f"# {field}: "):
            return line.removeprefix(f"# {field}: ").strip()
    return None


def recorded_commit(path: str | Path) -> str | None:
    """The commit a record was made at, read from its header (None if there is none)."""
    return _header_field(path, "commit")


def record_is_current(path: str | Path) -> tuple[bool, str]:
    """Whether the record was made at or after the last commit that changed the measured code."""
    commit = recorded_commit(path)
    last_change = _git("log", "-1", "--format=%H", "--", *measured_code(_header_field(path, "command")))
    if commit is None:
        return False, f"{path} has no '# commit:' line"
    if last_change is None:
        return True, "no git history here to compare with"
    if " + " in commit or len(commit) != 40:
        return False, f"{path} was recorded at {commit!r}, not at a clean commit"
    if _git("merge-base", "--is-ancestor", last_change, commit) is None:
        return False, (
            f"{path} was recorded at {commit[:10]}, before the measured code last changed "
            f"({last_change[:10]}); re-run the command in its header with --record"
        )
    return (
        True,
        f"recorded at {commit[:10]}, measured code last changed at {last_change[:10]}",
    )


class _Tee(io.TextIOBase):
    """Write to the screen and to a buffer at once."""

    def __init__(self, *streams) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)


def print_and_record(measure: Callable[[], None], record: str | Path | None, command: str) -> None:
    """Run ``measure()``, which prints its results; with ``record`` also keep what it printed
    in that file under ``record_header(command)``."""
    if not record:
        measure()
        return
    captured = io.StringIO()
    with contextlib.redirect_stdout(_Tee(sys.stdout, captured)):
        measure()
    path = write_record(record, command, captured.getvalue())
    print(f"\nrecorded in {path}")
