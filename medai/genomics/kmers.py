"""A position-free baseline for DNA: logistic regression on k-mer counts."""

from __future__ import annotations

from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def kmer_logreg(k: tuple[int, int] = (1, 4), c: float = 0.05, seed: int = 0):
    """Counts of every k-mer (k in the range ``k``, case-insensitive) wherever it occurs, scaled,
    then an L2-penalised logistic regression. Fit it on a list of sequences."""
    return make_pipeline(
        CountVectorizer(analyzer="char", ngram_range=k, lowercase=True),
        StandardScaler(with_mean=False),
        LogisticRegression(max_iter=3000, C=c, random_state=seed),
    )
