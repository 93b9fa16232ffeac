"""Three retrievers over one corpus: BM25 (words), MiniLM embeddings (meaning), and their fusion.

Each ``search(queries, k)`` returns (ids, scores), both (n_queries, k), best first. The
hybrid fuses rankings by reciprocal rank fusion (Cormack et al. 2009): a document's score is
the sum over retrievers of weight / (rank_constant + rank), so neither retriever's score scale
matters.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..core.errors import InputError


def _check_queries(queries: Sequence[str], k: int, size: int) -> list[str]:
    if isinstance(queries, str):
        raise InputError("expected a list of queries, got one string; wrap it in a list")
    queries = list(queries)
    if not queries:
        raise InputError("no queries given")
    if not 1 <= k <= size:
        raise InputError(f"k must be between 1 and the corpus size {size}, got {k}")
    return queries


class BM25Retriever:
    """Okapi BM25 from ``bm25s`` over lower-cased words, English stop words removed."""

    def __init__(self, documents: Sequence[str]) -> None:
        import bm25s

        if len(documents) == 0:
            raise InputError("cannot index an empty corpus")
        self._bm25s = bm25s
        self.size = len(documents)
        self.index = bm25s.BM25()
        self.index.index(bm25s.tokenize(list(documents), stopwords="en", show_progress=False), show_progress=False)

    def search(self, queries: Sequence[str], k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        queries = _check_queries(queries, k, self.size)
        tokens = self._bm25s.tokenize(queries, stopwords="en", show_progress=False)
        ids, scores = self.index.retrieve(tokens, k=k, show_progress=False, n_threads=1)
        return np.asarray(ids), np.asarray(scores, dtype=np.float32)


class DenseRetriever:
    """Cosine similarity between unit-length MiniLM embeddings (an exact search: a matrix product)."""

    def __init__(self, document_vectors: np.ndarray, embed) -> None:
        vectors = np.asarray(document_vectors, dtype=np.float32)
        if vectors.ndim != 2 or len(vectors) == 0:
            raise InputError(f"expected (documents, dimensions) vectors, got shape {vectors.shape}")
        self.vectors, self.embed, self.size = vectors, embed, len(vectors)
        self._seen: dict[str, np.ndarray] = {}  # query vectors, so tuning loops embed each query once

    def query_vectors(self, queries: Sequence[str]) -> np.ndarray:
        new = list(dict.fromkeys(q for q in queries if q not in self._seen))
        if new:
            self._seen.update(zip(new, np.asarray(self.embed(new), dtype=np.float32)))
        return np.stack([self._seen[q] for q in queries])

    def remember(self, queries: Sequence[str], vectors: np.ndarray) -> None:
        """Use these vectors for these queries (computed earlier, e.g. read from a cache)."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.shape != (len(queries), self.vectors.shape[1]):
            raise InputError(f"expected ({len(queries)}, {self.vectors.shape[1]}) vectors, got {vectors.shape}")
        self._seen.update(zip(queries, vectors))

    def search(self, queries: Sequence[str], k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        import torch

        queries = _check_queries(queries, k, self.size)
        # In torch, not numpy: the question was just embedded by torch, and on a small CPU numpy's
        # BLAS threads and torch's threads wait on each other (a 1 ms product took 100 ms).
        similarity = torch.from_numpy(self.query_vectors(queries)) @ torch.from_numpy(self.vectors).T
        scores, ids = torch.topk(similarity, k, dim=1)
        return ids.numpy(), scores.numpy()


class HybridRetriever:
    """Reciprocal rank fusion of several retrievers, each read to ``depth`` results."""

    def __init__(self, retrievers: Sequence, weights: Sequence[float] | None = None,
                 depth: int = 100, rank_constant: int = 60) -> None:  # fmt: skip
        if not retrievers:
            raise InputError("a hybrid needs at least one retriever")
        weights = [1.0] * len(retrievers) if weights is None else list(weights)
        if len(weights) != len(retrievers) or min(weights) < 0 or sum(weights) == 0:
            raise InputError(f"need one non-negative weight per retriever, not all zero; got {weights}")
        self.retrievers, self.weights = list(retrievers), weights
        self.size = min(r.size for r in retrievers)
        self.depth, self.rank_constant = min(depth, self.size), rank_constant

    def search(self, queries: Sequence[str], k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        queries = _check_queries(queries, k, self.size)
        return self.fuse([r.search(queries, self.depth)[0] for r in self.retrievers], k)

    def fuse(self, rankings: Sequence[np.ndarray], k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """The fused top ``k`` from each retriever's ids, (n_queries, depth) each, best first."""
        if not 1 <= k <= self.depth:
            raise InputError(f"k must be between 1 and the fusion depth {self.depth}, got {k}")
        n_queries = len(rankings[0])
        ids = np.zeros((n_queries, k), dtype=np.int64)
        scores = np.zeros((n_queries, k), dtype=np.float32)
        ranks = 1.0 / (self.rank_constant + np.arange(1, self.depth + 1))
        for row in range(n_queries):
            fused: dict[int, float] = {}
            for weight, ranking in zip(self.weights, rankings):
                for doc, value in zip(ranking[row].tolist(), ranks):
                    fused[doc] = fused.get(doc, 0.0) + weight * value
            best = sorted(fused.items(), key=lambda item: -item[1])[:k]
            ids[row, : len(best)] = [d for d, _ in best]
            scores[row, : len(best)] = [s for _, s in best]
        return ids, scores


def tune_dense_weight(
    bm25: BM25Retriever, dense: DenseRetriever, questions, gold_answers, doc_answers,
    weights: Sequence[float] = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0),
) -> tuple[float, dict[float, float]]:  # fmt: skip
    """The weight of the dense ranking (BM25's is 1) with the best nDCG@10 on tuning questions,
    and the nDCG@10 of every weight tried. Use dev questions: never the ones you report on."""
    from .ranking_metrics import first_hit_rank, per_query_scores

    questions = list(questions)
    depth = HybridRetriever([bm25, dense]).depth
    rankings = [bm25.search(questions, depth)[0], dense.search(questions, depth)[0]]  # once for all weights
    scores = {}
    for weight in weights:
        ids, _ = HybridRetriever([bm25, dense], weights=[1.0, weight]).fuse(rankings, k=min(10, depth))
        ranks = first_hit_rank(np.asarray(doc_answers)[ids], np.asarray(gold_answers))
        scores[weight] = float(per_query_scores(ranks)["nDCG@10"].mean())
    return max(scores, key=scores.get), scores
