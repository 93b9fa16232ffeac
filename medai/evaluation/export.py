"""From a trained PyTorch model to files a service can load: TorchScript, ONNX, int8 ONNX.

Every export is checked against the PyTorch model on the same inputs (``max_abs_difference``);
an export that changes the outputs is a different model. Dynamic quantisation (ONNX Runtime's
``quantize_dynamic``) stores weights of matrix products as 8-bit integers; convolutions it leaves
in float, so a small CNN shrinks mostly by its fully connected layers.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..core.errors import InputError


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes (to record which weights a result or a service used)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_torchscript(model: nn.Module, example: torch.Tensor, path: str | Path) -> Path:
    """Trace ``model`` on ``example`` and save it; returns the path."""
    model = model.eval().cpu()
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # TorchScript is deprecated, still widely deployed
        warnings.simplefilter("ignore", torch.jit.TracerWarning)  # input checks are traced as constants
        traced = torch.jit.trace(model, example.cpu())
    path = Path(path)
    traced.save(str(path))
    return path


def load_torchscript(path: str | Path):
    """A saved TorchScript module, on the CPU."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return torch.jit.load(str(path), map_location="cpu")


def export_onnx(model: nn.Module, example: torch.Tensor, path: str | Path) -> Path:
    """Export ``model`` to ONNX with a dynamic batch dimension (input ``x``, output ``logits``)."""
    model = model.eval().cpu()
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's advice about its newer dynamo path
        torch.onnx.export(model, (example.cpu(),), buffer, dynamo=False, input_names=["x"], output_names=["logits"],
                          dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}})  # fmt: skip
    path = Path(path)
    path.write_bytes(buffer.getvalue())
    return path


def quantize_int8(onnx_path: str | Path, out_path: str | Path) -> Path:
    """Dynamic int8 quantisation of an ONNX model's weights (ONNX Runtime)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # its advice to pre-process first concerns static quantisation
    try:
        quantize_dynamic(str(onnx_path), str(out_path), weight_type=QuantType.QInt8)
    finally:
        root.setLevel(level)
    return Path(out_path)


def onnx_session(path: str | Path):
    """An ONNX Runtime session on the CPU, quiet about its own warnings."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def onnx_logits(session, x: np.ndarray) -> np.ndarray:
    """Logits from an ONNX session for a float32 batch."""
    return session.run(["logits"], {"x": np.ascontiguousarray(x, dtype=np.float32)})[0]


def max_abs_difference(reference: np.ndarray, other: np.ndarray) -> float:
    """Largest absolute difference between two outputs of the same shape."""
    reference, other = np.asarray(reference), np.asarray(other)
    if reference.shape != other.shape:
        raise InputError(f"outputs differ in shape: {reference.shape} vs {other.shape}")
    return float(np.max(np.abs(reference.astype(np.float64) - other.astype(np.float64))))
