import subprocess
import sys

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from medai.core.source_cnn import SourceCNNAsWritten
from medai.imaging.source_example import (
    MedicalImageDataset,
    MedicalImageModel,
    evaluate,
    train_epoch,
)


def small_set(n=40, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    images = rng.integers(0, 100, (n, 28, 28)).astype(np.uint8)
    images[labels == 1, 8:20, 8:20] = 250  # a bright square marks class 1
    return images, labels


def test_dataset_gives_grey_normalised_tensors():
    images, labels = small_set(4)
    x, y = MedicalImageDataset(images, labels)[0]
    assert x.shape == (1, 28, 28) and x.dtype == torch.float32
    assert -1 <= x.min() and x.max() <= 1
    assert y == labels[0]


def test_fixed_train_and_evaluate_learn_and_report_every_label():
    torch.manual_seed(0)
    images, labels = small_set()
    loader = DataLoader(MedicalImageDataset(images, labels), batch_size=16)
    model = MedicalImageModel()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    losses = [
        train_epoch(
            model, loader, torch.nn.CrossEntropyLoss(), optimizer, torch.device("cpu")
        )
        for _ in range(5)
    ]
    assert losses[-1] < losses[0]
    report, y, pred, prob = evaluate(
        model, loader, torch.device("cpu"), ["normal", "pneumonia"]
    )
    # The source's bug kept only the last batch's labels (8 of 40); all 40 are here.
    assert len(y) == len(pred) == len(prob) == 40
    np.testing.assert_array_equal(y, labels)
    assert "pneumonia" in report and "accuracy" in report


def test_the_model_as_written_fails_on_28_pixel_images():
    with pytest.raises(RuntimeError):
        SourceCNNAsWritten(in_channels=1)(torch.zeros(2, 1, 28, 28))
    assert SourceCNNAsWritten(in_channels=1)(torch.zeros(2, 1, 112, 112)).shape == (
        2,
        2,
    )


def test_benchmark_prints_side_by_side_ratios(tmp_path):
    record = tmp_path / "bench.txt"
    command = [sys.executable, "-m", "medai", "bench", "imaging", "--images", "256",
               "--epochs", "1", "--repeats", "3", "--record", str(record)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for expected in ("source pipeline (PIL per item)", "medai.core.train.fit", "speed-up",
                     "eager", "TorchScript", "ONNX Runtime"):  # fmt: skip
        assert expected in out, out
    lines = record.read_text().splitlines()
    header = "\n".join(line for line in lines if line.startswith("# "))
    body = "\n".join(line for line in lines if not line.startswith("# "))
    for field in ("# command: python -m medai bench imaging --model source-cnn", "# commit: ",
                  "# recorded: ", "# machine: ", "# versions: python "):  # fmt: skip
        assert field in header, header
    assert "--images 256 --epochs 1 --batch-size 128 --repeats 3" in header
    assert body and body in out  # the tables, copied unchanged
    usage = subprocess.run(
        [sys.executable, "-m", "medai", "bench"], capture_output=True, text=True
    )
    assert usage.returncode == 2 and "usage" in usage.stderr
