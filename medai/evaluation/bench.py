"""Service benchmark: ``python -m medai bench serve``.

Starts the real server (uvicorn, one worker) on a free port of 127.0.0.1 twice, scoring each
request alone and with micro-batching, and sends the same PNG test images at several
concurrencies from an asynchronous client in this process: throughput, latency percentiles and
errors. The client runs on the same machine, so on two cores it competes with the server; the
numbers are what this machine does end to end. A last table times the model alone in PyTorch and
ONNX Runtime at batch sizes 1 and 64.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.errors import InputError

THROUGHPUT_GOAL, P99_GOAL_MS = 500.0, 100.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--requests", type=int, default=2000, help="requests per concurrency level")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--batch-wait-ms", type=float, default=2.0, help="the micro-batching window compared with none")
    parser.add_argument("--model", metavar="DIR", help="a model package (default: the one python -m medai serve uses)")
    parser.add_argument("--record", metavar="FILE", help="also write the output to FILE with commit, date, machine and versions")  # fmt: skip


def check_arguments(args: argparse.Namespace) -> None:
    if args.requests < 1 or min(args.concurrency) < 1 or args.batch_wait_ms <= 0:
        raise InputError("need --requests >= 1, every --concurrency >= 1 and --batch-wait-ms > 0")


def command_line(args: argparse.Namespace) -> str:
    levels = " ".join(map(str, args.concurrency))
    return (f"python -m medai bench serve --requests {args.requests} --concurrency {levels} "
            f"--batch-wait-ms {args.batch_wait_ms:g}")  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(folder: Path, wait_ms: float) -> tuple[subprocess.Popen, str]:
    import httpx

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "medai", "serve", "--model", str(folder), "--port", str(port),
         "--batch-wait-ms", f"{wait_ms:g}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ},
    )  # fmt: skip
    url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 120
    while True:
        try:
            httpx.get(f"{url}/health", timeout=2)
            return server, url
        except httpx.TransportError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError(f"the server for {folder} did not start") from None
            time.sleep(0.3)


async def _load(url: str, bodies: list[bytes], concurrency: int) -> tuple[np.ndarray, float, int]:
    """Send ``bodies`` from ``concurrency`` keep-alive connections; latencies (ms), wall time, errors.
    aiohttp rather than httpx: its client costs far less CPU per request, CPU the server needs."""
    import aiohttp

    latencies, errors = [], 0
    queue = iter(bodies)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(url, connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as client:

        async def worker():
            nonlocal errors
            for body in queue:
                start = time.perf_counter()
                try:
                    async with client.post("/predict", data=body, headers={"content-type": "image/png"}) as response:
                        await response.read()
                        errors += response.status != 200
                except aiohttp.ClientError:
                    errors += 1
                latencies.append((time.perf_counter() - start) * 1000)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - start
    return np.array(latencies), wall, errors


def _png_bodies(n: int) -> list[bytes]:
    from PIL import Image

    from ..datasets import load_pneumoniamnist

    images = load_pneumoniamnist("test").data
    bodies = []
    for image in images[:n]:
        buffer = io.BytesIO()
        Image.fromarray(np.asarray(image).reshape(28, 28)).save(buffer, "PNG")
        bodies.append(buffer.getvalue())
    return [bodies[i % len(bodies)] for i in range(n)]


def _model_alone(folder: Path) -> pd.DataFrame:
    import tempfile

    import torch

    from ..core.benchmark import median_ms
    from .export import export_onnx, onnx_logits, onnx_session
    from .package import load_model_package

    package = load_model_package(folder)
    with tempfile.TemporaryDirectory() as temp:
        session = onnx_session(export_onnx(package.model, torch.zeros(1, 1, 28, 28), Path(temp) / "m.onnx"))
    rows = []
    for batch in (1, 64):
        x = torch.randn(batch, 1, 28, 28)
        eager = median_ms(package.model, x, 100, torch.device("cpu"))
        ort = median_ms(lambda t: onnx_logits(session, t.numpy()), x, 100, torch.device("cpu"))
        rows.append({"batch": batch, "PyTorch eager ms": round(eager, 3), "ONNX Runtime ms": round(ort, 3),
                     "ONNX speed-up": round(eager / ort, 2)})  # fmt: skip
    return pd.DataFrame(rows).set_index("batch")


def measure(args: argparse.Namespace) -> None:
    from .serve import default_package_folder, ensure_default_package

    folder = Path(args.model) if args.model else default_package_folder()
    if args.model is None:
        ensure_default_package(folder)
    bodies = _png_bodies(args.requests)
    rows = []
    for mode, wait in (("one at a time", 0.0), (f"micro-batched ({args.batch_wait_ms:g} ms)", args.batch_wait_ms)):
        server, url = _start_server(folder, wait)
        try:
            asyncio.run(_load(url, bodies[:50], 4))  # warm-up
            for concurrency in args.concurrency:
                latencies, wall, errors = asyncio.run(_load(url, bodies, concurrency))
                p50, p95, p99 = np.percentile(latencies, [50, 95, 99])
                rows.append({"scoring": mode, "concurrency": concurrency, "requests": len(bodies),
                             "requests/s": round(len(bodies) / wall), "p50 ms": round(p50, 1),
                             "p95 ms": round(p95, 1), "p99 ms": round(p99, 1), "errors": errors})  # fmt: skip
        finally:
            server.terminate()
            server.wait(timeout=30)
    table = pd.DataFrame(rows)
    print(f"Load test: POST /predict with 28x28 PNG test images, {args.requests} requests per level, "
          f"server and client on this machine ({os.cpu_count()} CPU cores)")
    print(table.to_string(index=False))
    top = table[table["concurrency"] == max(args.concurrency)].set_index("scoring")
    alone, batched = top.iloc[0], top.iloc[1]
    print(f"\nAt concurrency {max(args.concurrency)}: micro-batching gives {batched['requests/s'] / alone['requests/s']:.2f}x "
          f"the throughput and {batched['p99 ms'] / alone['p99 ms']:.2f}x the p99 latency of scoring each request alone. "
          f"Goal: >= {THROUGHPUT_GOAL:g} requests/s with p99 <= {P99_GOAL_MS:g} ms and no errors.")  # fmt: skip
    print("\nThe model alone (median of 100 calls):")
    print(_model_alone(folder).to_string())
