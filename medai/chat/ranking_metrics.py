"""Ranking metrics for one relevant answer per query: Recall@k, MRR and nDCG@k, with bootstrap CIs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.errors import InputError


def first_hit_rank(ranked_answers: np.ndarray, relevant: np.ndarray) -> np.ndarray:
    """1-based rank of the first relevant answer per query (0 when it is not in the list).

    ``ranked_answers`` (n_queries, k) holds answer ids best first; ``relevant`` (n_queries,)
    the id of each query's answer."""
    ranked_answers, relevant = np.asarray(ranked_answers), np.asarray(relevant)
    if ranked_answers.ndim != 2 or len(ranked_answers) != len(relevant):
        raise InputError(f"need (n, k) rankings and n answers; got {ranked_answers.shape} and {relevant.shape}")
    hits = ranked_answers == relevant[:, None]
    return np.where(hits.any(axis=1), hits.argmax(axis=1) + 1, 0)


def per_query_scores(ranks: np.ndarray, cutoffs: tuple[int, ...] = (1, 5, 10)) -> pd.DataFrame:
    """One row per query: hit within each cutoff, reciprocal rank, nDCG@10 (one relevant answer,
    so nDCG is 1 / log2(rank + 1) when found in the top 10)."""
    ranks = np.asarray(ranks)
    found = ranks > 0
    table = {f"Recall@{k}": (found & (ranks <= k)).astype(float) for k in cutoffs}
    table["MRR"] = np.where(found, 1.0 / np.maximum(ranks, 1), 0.0)
    table["nDCG@10"] = np.where(found & (ranks <= 10), 1.0 / np.log2(np.maximum(ranks, 1) + 1), 0.0)
    return pd.DataFrame(table)


def summarise(scores: pd.DataFrame, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Mean of each per-query score with a 95% percentile bootstrap interval (queries resampled)."""
    if len(scores) == 0:
        raise InputError("no queries to summarise")
    values = scores.to_numpy()
    rng = np.random.default_rng(seed)
    boot = values[rng.integers(0, len(values), (n_boot, len(values)))].mean(axis=1)
    low, high = np.percentile(boot, [2.5, 97.5], axis=0)
    return pd.DataFrame({"value": values.mean(axis=0), "ci_low": low, "ci_high": high}, index=scores.columns)


def evaluate_retriever(
    retriever, queries, gold_answers, doc_answers, k: int = 10, n_boot: int = 1000, seed: int = 0
) -> tuple[pd.DataFrame, np.ndarray]:
    """Search ``queries``, compare the answer ids of the top ``k`` documents with ``gold_answers``;
    returns the summary with bootstrap intervals and the rank of the first right answer per query."""
    ids, _ = retriever.search(list(queries), k=k)
    ranks = first_hit_rank(np.asarray(doc_answers)[ids], np.asarray(gold_answers))
    return summarise(per_query_scores(ranks), n_boot=n_boot, seed=seed), ranks
