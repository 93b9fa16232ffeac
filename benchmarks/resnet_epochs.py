"""How many epochs ResNet-18 needs on PneumoniaMNIST, judged on validation images only.

Chapter 3's default profile trains ResNet-18 for as many epochs as this trial's validation AUROC
supports on a 2-core CPU. No test image is read. The output goes to
``benchmarks/results/resnet-epochs.out``.

    python benchmarks/resnet_epochs.py --epochs 6 --seed 0   # about 4 minutes on two quiet CPU cores
"""

from __future__ import annotations

import argparse
import time

from medai.core.runtime import seed_everything
from medai.core.train import TrainConfig, fit
from medai.datasets import load_pneumoniamnist
from medai.imaging.arrays import image_dataset
from medai.imaging.augment import RandomAffine
from medai.imaging.resnet import resnet18_small
from medai.imaging.splits import copies_of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    train, val = (load_pneumoniamnist(split) for split in ("train", "val"))
    val = val.subset((~copies_of(val.data, train.data)).nonzero()[0])  # as chapter 3 does
    seed_everything(args.seed)
    model = resnet18_small()
    start = time.perf_counter()
    config = TrainConfig(epochs=args.epochs, batch_size=128, lr=1e-3, patience=None, device="cpu", seed=args.seed,
                         progress=False)  # fmt: skip
    result = fit(model, image_dataset(train.data, train.target, num_classes=2),
                 image_dataset(val.data, val.target, num_classes=2), config, augment=RandomAffine())  # fmt: skip
    print(f"ResNet-18, seed {args.seed}, {len(train)} training and {len(val)} validation images, no early stopping")
    print(result.history[["train_loss", "val_loss", "val_score"]].rename(columns={"val_score": "val_AUROC"}).round(4))
    print(f"best epoch {result.best_epoch}; {(time.perf_counter() - start) / 60:.1f} minutes")


if __name__ == "__main__":
    main()
