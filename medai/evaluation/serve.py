"""``python -m medai serve``: the chest X-ray model behind HTTP on 127.0.0.1 (uvicorn).

Without ``--model`` it serves the default package in the cache, and trains it there first if it
is missing: the small CNN on PneumoniaMNIST (about 20 seconds on two cores), its temperature and
threshold chosen on the validation split, a model card with its test metrics.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.errors import InputError

DEFAULT_NAME = "pneumonia-cnn"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``python -m medai serve``."""
    parser.add_argument("--model", metavar="DIR", help="a model package folder (default: trained once into the cache)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--batch-wait-ms", type=float, default=0.0,
                        help="score requests arriving within this many ms as one batch (default 0: one at a "
                        "time; the wait is added to every request and pays off only under concurrent load, "
                        "see python -m medai bench serve)")  # fmt: skip
    parser.add_argument("--max-batch", type=int, default=64)
    parser.add_argument("--retrain", action="store_true", help="train the default package again")
    parser.add_argument("--expect-sha256", metavar="HEX", default=None,
                        help="serve only the package with this package_sha256 (from its manifest.json or /health)")


def ensure_default_package(folder: Path, *, retrain: bool = False, say=print) -> None:
    """Train the cache's default package when asked, when it is missing, or when it is refused
    (written by an older medai, or damaged): the cache's own model is remade, never served broken."""
    from .package import ModelPackageError, load_model_package

    if not retrain and (folder / "manifest.json").is_file():
        try:
            load_model_package(folder)
            return
        except ModelPackageError as error:
            say(f"the cached default package is refused ({error}); training it again")
    train_default_package(folder, say=say)


def default_package_folder() -> Path:
    from ..datasets import cache_dir

    return cache_dir() / "models" / DEFAULT_NAME


def train_default_package(folder: Path, epochs: int = 10, seed: int = 0, say=print) -> Path:
    """Train the small CNN, calibrate it and choose its threshold on validation, save a package."""
    from ..core.metrics import (
        binary_report,
        expected_calibration_error,
        youden_threshold,
    )
    from ..core.source_cnn import SourceCNN
    from ..core.train import predict
    from ..datasets import load_pneumoniamnist
    from ..imaging.arrays import image_dataset
    from ..imaging.training import train_image_classifier
    from .calibration import brier_score, fit_temperature, scaled_probabilities
    from .model_card import build_model_card
    from .package import save_model_package

    say(f"training the small CNN on PneumoniaMNIST for {epochs} epochs (about 20 seconds on 2 cores) ...")
    splits = {s: load_pneumoniamnist(s) for s in ("train", "val", "test")}
    data = {s: image_dataset(b.data, b.target, num_classes=2) for s, b in splits.items()}
    model = SourceCNN()
    train_image_classifier(model, data["train"], data["val"], epochs=epochs, device="cpu", seed=seed, progress=False)
    y = {s: b.target.ravel() for s, b in splits.items()}
    logits = {s: predict(model, data[s]) for s in ("val", "test")}
    temperature = fit_temperature(logits["val"], y["val"])
    prob = {s: scaled_probabilities(z, temperature)[:, 1] for s, z in logits.items()}
    raw_test = scaled_probabilities(logits["test"])[:, 1]
    threshold = youden_threshold(y["val"], prob["val"])
    card = build_model_card(
        name="PneumoniaMNIST small CNN (python -m medai serve)", architecture="SourceCNN",
        parameters=sum(p.numel() for p in model.parameters()), weights_sha256="(see manifest.json)",
        intended_use={"purpose": "teaching: pneumonia vs normal on 28x28 paediatric chest X-rays",
                      "users": "readers of the medai book", "not_for": ["diagnosing patients"]},
        data={"name": "PneumoniaMNIST (MedMNIST v2)", "licence": splits["train"].licence,
              "citation": splits["train"].citation, "splits": {s: int(len(v)) for s, v in y.items()}},
        threshold=threshold, threshold_rule="Youden's J on the validation split",
        test_report=binary_report(y["test"], prob["test"], threshold=threshold, n_boot=200, seed=seed),
        temperature=temperature,
        ece=(expected_calibration_error(y["test"], raw_test), expected_calibration_error(y["test"], prob["test"])),
        brier=(brier_score(y["test"], raw_test), brier_score(y["test"], prob["test"])),
        subgroups={"available": "none: PneumoniaMNIST carries no patient attributes"},
        limitations=["one hospital's paediatric images at 28x28 pixels", "for teaching, not for care"],
    )  # fmt: skip
    return save_model_package(folder, model, "SourceCNN", temperature=temperature, threshold=threshold,
                              version=f"small-cnn-{epochs}ep-seed{seed}", card=card)  # fmt: skip


def run_serve(args: argparse.Namespace) -> None:
    """Load (or first train) the package, then serve it until interrupted."""
    import logging

    import uvicorn

    from .package import load_model_package
    from .service import SHUTDOWN_TIMEOUT_S, create_app

    say = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    folder = Path(args.model) if args.model else default_package_folder()
    if args.model is None:
        ensure_default_package(folder, retrain=args.retrain, say=say)
    package = load_model_package(folder, expected_sha256=args.expect_sha256)
    listener = _listen(args.host, args.port)  # before saying "serving": a port in use is an error, not a log line
    say(f"serving {package.version} (package sha256 {package.package_sha256[:12]}...) from {folder} "
        f"on http://{args.host}:{args.port}; routes: POST /predict, GET /health, GET /model-card")  # fmt: skip
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = create_app(package, batch_wait_ms=args.batch_wait_ms, max_batch=args.max_batch)
    # A client that stalls mid-upload must not hold the server up when it is told to stop.
    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=SHUTDOWN_TIMEOUT_S)
    uvicorn.Server(config).run(sockets=[listener])


def _listen(host: str, port: int):
    """A socket bound to ``host:port`` for the server to accept on; a clear error if it cannot be had."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart need not wait for TIME_WAIT
    # Connections accepted from it inherit this: without it, Nagle's algorithm and delayed ACKs held every
    # small response about 40 ms (measured: 22 requests/s one at a time instead of over 1,000).
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        raise InputError(f"cannot listen on {host}:{port} ({error.strerror or error}): is another server "
                         "running there? Choose another --port") from None  # fmt: skip
    return listener
