"""Models used across chapters."""

from .source_cnn import SourceCNN, SourceCNNAsWritten

__all__ = ["SourceCNN", "SourceCNNAsWritten"]
