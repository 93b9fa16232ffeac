"""Imaging benchmark: the source's pipeline vs ``medai.core.train``, and eager vs exported inference.

Run ``python -m medai bench imaging``. Everything is measured side by side in one
run, on one machine, with the same model, data, batch size and optimiser, and
printed as ratios; absolute numbers depend on the machine and are printed too.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
import warnings
from typing import Callable

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader

from ..core.benchmark import median_ms, synchronize
from ..core.errors import InputError
from ..core.runtime import pick_device, seed_everything
from ..core.source_cnn import SourceCNN
from ..core.train import TrainConfig, fit
from ..datasets.pneumoniamnist import load_pneumoniamnist
from .arrays import image_dataset
from .resnet import resnet18_small
from .source_example import MedicalImageDataset, train_epoch

MODELS: dict[str, Callable[[], nn.Module]] = {
    "source-cnn": SourceCNN,
    "resnet18": resnet18_small,
}


def training_throughput(
    model_name: str, images: np.ndarray, labels: np.ndarray, *, device: str, epochs: int,
    batch_size: int, seed: int, val=None,
) -> pd.DataFrame:  # fmt: skip
    """Images per second of training, median over ``epochs`` after one warm-up epoch."""
    rows = []
    target = pick_device(device)

    # The source's pipeline: PIL image + transforms per item, default collate, NCHW, float32.
    seed_everything(seed)
    model = MODELS[model_name]().to(target)
    loader = DataLoader(
        MedicalImageDataset(images, labels), batch_size=batch_size, shuffle=True
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    rates = []
    for epoch in range(epochs + 1):
        start = time.perf_counter()
        train_epoch(model, loader, nn.CrossEntropyLoss(), optimizer, target)
        synchronize(target)
        if epoch:  # epoch 0 warms up
            rates.append(len(labels) / (time.perf_counter() - start))
    rows.append(
        _row("source pipeline (PIL per item)", model_name, target, "float32", rates)
    )

    # medai.core.train.fit: tensors indexed per batch, channels_last, AMP on CUDA.
    data = image_dataset(images, labels, num_classes=2)
    # fit times training apart from validation; a small validation set keeps the run short.
    val_data = data if val is None else image_dataset(*val, num_classes=2)
    # On CUDA, mixed precision and the channels-last layout each on and off, side by side.
    choices = [(a, c) for a in (True, False) for c in (True, False)] if target.type == "cuda" else [(False, True)]
    for amp, channels_last in choices:
        seed_everything(seed)
        model = MODELS[model_name]()
        config = TrainConfig(
            epochs=epochs + 1, batch_size=batch_size, patience=None, device=str(target),
            amp=amp, channels_last=channels_last, seed=seed, progress=False,
        )  # fmt: skip
        result = fit(model, data, val_data, config)
        rates = list(result.history["images_per_s"].iloc[1:])
        name = "medai.core.train.fit" + ("" if channels_last else " (NCHW)")
        rows.append(_row(name, model_name, target, result.precision, rates))
    table = pd.DataFrame(rows)
    # How much of the machine the loop uses: model FLOPs per image times images/s, against the
    # fastest dense matrix product measured in this same run.
    flops = training_flops_per_image(model_name)
    peak = matmul_peak_flops(target)
    table["GFLOP/s"] = table["images/s"] * flops / 1e9
    table["% of peak"] = 100 * table["images/s"] * flops / peak
    table["speed-up"] = table["images/s"] / table["images/s"].iloc[0]
    table.attrs["peak"] = peak
    table.attrs["flops_per_image"] = flops
    return table


def training_flops_per_image(model_name: str, batch: int = 32) -> float:
    """Forward and backward FLOPs of one training image (``torch.utils.flop_counter``, CPU)."""
    from torch.utils.flop_counter import FlopCounterMode

    model = MODELS[model_name]()
    x, y = torch.randn(batch, 1, 28, 28), torch.randint(0, 2, (batch,))
    with FlopCounterMode(display=False) as counter:
        nn.functional.cross_entropy(model(x), y).backward()
    return counter.get_total_flops() / batch


def matmul_peak_flops(device: torch.device, repeats: int = 5) -> float:
    """FLOP/s of the best of ``repeats`` large matrix products: fp32 on a CPU, bf16 on CUDA."""
    n, dtype = (8192, torch.bfloat16) if device.type == "cuda" else (2048, torch.float32)
    a, b = (torch.randn(n, n, device=device, dtype=dtype) for _ in range(2))
    a @ b  # warm-up
    synchronize(device)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        synchronize(device)
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best


def _row(
    pipeline: str, model: str, device: torch.device, precision: str, rates: list[float]
) -> dict:
    return {
        "pipeline": pipeline,
        "model": model,
        "device": device.type,
        "precision": precision,
        "images/s": statistics.median(rates),
    }


def inference_latency(
    model_name: str,
    *,
    device: str,
    batch_sizes: tuple[int, ...],
    repeats: int,
    seed: int,
) -> pd.DataFrame:
    """Median milliseconds per batch: eager PyTorch, TorchScript (traced), ONNX Runtime (CPU only)."""
    seed_everything(seed)
    target = pick_device(device)
    model = MODELS[model_name]().eval().to(target)
    example = torch.randn(1, 1, 28, 28, device=target)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about the shape check
        scripted = torch.jit.trace(model, example)
    runners: dict[str, Callable[[torch.Tensor], object]] = {
        "eager": model,
        "TorchScript": scripted,
    }
    session = _onnx_session(model, example) if target.type == "cpu" else None
    if session is not None:
        runners["ONNX Runtime"] = lambda x: session.run(None, {"x": x.numpy()})
    rows = []
    for batch in batch_sizes:
        x = torch.randn(batch, 1, 28, 28, device=target)
        eager_ms = None
        for name, run in runners.items():
            ms = median_ms(run, x, repeats, target)
            eager_ms = eager_ms or ms
            rows.append(
                {
                    "runtime": name,
                    "batch": batch,
                    "ms/batch": ms,
                    "speed-up": eager_ms / ms,
                }
            )
    return pd.DataFrame(rows)


def _onnx_session(model: nn.Module, example: torch.Tensor):
    try:
        import onnxruntime
    except ImportError:
        print("onnxruntime is not installed: skipping the ONNX Runtime rows")
        return None
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, (example.cpu(),), buffer, dynamo=False, input_names=["x"],
            output_names=["logits"], dynamic_axes={"x": {0: "batch"}},
        )  # fmt: skip
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(
        buffer.getvalue(), options, providers=["CPUExecutionProvider"]
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``python -m medai bench imaging``."""
    parser.add_argument("--model", choices=sorted(MODELS), default="source-cnn")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    parser.add_argument(
        "--images", type=int, default=2048, help="training images to use"
    )
    parser.add_argument(
        "--epochs", type=int, default=3, help="timed epochs (after one warm-up)"
    )
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument(
        "--repeats", type=int, default=50, help="timed inference calls per setting"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--record",
        metavar="FILE",
        help="also write the output to FILE under a header with the commit, date, machine "
        "and versions (benchmarks/results/ keeps the book's records)",
    )


def command_line(args: argparse.Namespace) -> str:
    """The command that reproduces ``args`` (every option spelled out)."""
    options = ["model", "device", "images", "epochs", "batch_size", "repeats", "seed"]
    return "python -m medai bench imaging " + " ".join(
        f"--{name.replace('_', '-')} {getattr(args, name)}" for name in options
    )


def check_arguments(args: argparse.Namespace) -> None:
    """Refuse option values the benchmark cannot run with, before any work."""
    if args.images < args.batch_size or args.epochs < 1 or args.repeats < 1:
        raise InputError(
            "need --images >= --batch-size, --epochs >= 1 and --repeats >= 1"
        )
    pick_device(args.device)  # an unknown or absent device fails here




def measure(args: argparse.Namespace) -> None:
    """Both tables: training throughput, then inference latency."""
    train, val = load_pneumoniamnist("train"), load_pneumoniamnist("val")
    pick = np.random.default_rng(args.seed).permutation(len(train))[: args.images]
    images, labels = train.data[pick], train.target[pick]
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads, device {pick_device(args.device)}"
    )
    print(f"\nTraining throughput: {args.model}, {len(labels)} PneumoniaMNIST images, "
          f"batch {args.batch_size}, median of {args.epochs} epochs after a warm-up")  # fmt: skip
    train_table = training_throughput(
        args.model, images, labels, device=args.device, epochs=args.epochs,
        batch_size=args.batch_size, seed=args.seed, val=(val.data[:256], val.target[:256]),
    )  # fmt: skip
    print(train_table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    peak_kind = "bf16 8192x8192" if pick_device(args.device).type == "cuda" else "fp32 2048x2048"
    print(f"{train_table.attrs['flops_per_image'] / 1e6:.1f} MFLOP per training image (forward and backward); "
          f"matmul peak in this run ({peak_kind}): {train_table.attrs['peak'] / 1e9:.1f} GFLOP/s")  # fmt: skip
    print(f"\nInference latency: {args.model}, median of {args.repeats} calls")
    latency = inference_latency(
        args.model,
        device=args.device,
        batch_sizes=(1, 64),
        repeats=args.repeats,
        seed=args.seed,
    )
    print(latency.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
