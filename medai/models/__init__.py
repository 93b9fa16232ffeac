"""Models used across chapters."""

from .resnet import resnet18_small
from .source_cnn import SourceCNN, SourceCNNAsWritten
from .unet import UNet

__all__ = ["SourceCNN", "SourceCNNAsWritten", "UNet", "resnet18_small"]
