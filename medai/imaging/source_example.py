"""The source document's imaging example, corrected and kept in its original shape.

The source builds a ``MedicalImageDataset`` (one PIL image per item, torchvision
transforms), a ``MedicalImageModel`` and two functions, ``train_epoch`` and
``evaluate``. Chapter 3 lists its defects; each fix is marked ``FIX`` below.
``medai.core.train.fit`` is the faster, more careful loop the rest of the book uses;
this module exists so the reader can see the source's code run correctly, and so
the benchmark can compare the two pipelines.
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image
from sklearn.metrics import classification_report  # FIX: the source never imported it
from torch import nn  # FIX: the source wrote `from torch.nn import nn`, which fails
from torch.utils.data import Dataset
from torchvision import (
    transforms,
)  # FIX: the source used torchvision without importing it

from ..core.checks import check_images
from ..core.source_cnn import SourceCNN

# FIX: the source normalised with three-channel ImageNet statistics; these images are grey.
GREY_TRANSFORM = transforms.Compose(
    [transforms.ToTensor(), transforms.Normalize(mean=[0.5], std=[0.5])]
)


class MedicalImageDataset(Dataset):
    """One (image, label) pair per index; each image goes through PIL and ``transform``.

    The source read image files from paths; here the images are already in memory
    (a uint8 array), which the PIL round trip mimics.
    """

    def __init__(
        self, images: np.ndarray, labels: np.ndarray, transform=GREY_TRANSFORM
    ) -> None:
        check_images(images, labels)
        self.images = images
        self.labels = np.asarray(labels).reshape(-1)
        self.transform = transform

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int):
        image = Image.fromarray(self.images[index])  # uint8 (H, W) -> grey "L"
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.labels[index])


# FIX: the source's model sized its first dense layer for 112 x 112 inputs only
# (64 * 28 * 28); SourceCNN computes it from the image size.
MedicalImageModel = SourceCNN


def train_epoch(
    model: nn.Module,
    loader: torch.utils.data.DataLoader,
    criterion: nn.Module,
    optimizer: torch.optim.Optimizer,
    device: torch.device,  # FIX: the source used a global `device` it never defined
) -> float:
    """One pass over ``loader``; returns the mean training loss."""
    model.train()
    total, count = 0.0, 0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
        count += len(labels)
    return total / count


@torch.no_grad()
def evaluate(
    model: nn.Module,
    loader: torch.utils.data.DataLoader,
    device: torch.device,
    target_names: list[str] | None = None,
) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    """Predict every batch; return the classification report, labels, predictions, probabilities.

    FIX: the source reused the name ``labels`` for each batch inside the loop, so
    the list it had collected was replaced by the last batch's tensor and the
    report compared the wrong things. Here the collected lists have their own names.
    """
    model.eval()
    all_labels, all_preds, all_probs = [], [], []
    for images, batch_labels in loader:
        logits = model(images.to(device))
        probs = torch.softmax(logits, dim=1).cpu()
        all_probs.append(probs)
        all_preds.append(probs.argmax(dim=1))
        all_labels.append(batch_labels)
    labels = torch.cat(all_labels).numpy()
    preds = torch.cat(all_preds).numpy()
    probs = torch.cat(all_probs).numpy()
    # zero_division=0: a class never predicted (likely after one epoch) gets precision 0, not a warning.
    report = classification_report(
        labels, preds, target_names=target_names, digits=3, zero_division=0
    )
    return report, labels, preds, probs
