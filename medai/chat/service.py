"""The assistant ready to use on MedQuAD: built once, then started from the cache.

``load_assistant`` makes the choices chapter 7 makes and measures: topics split by focus; the
dense weight of the hybrid, the refusal threshold and the scope floor chosen on the ``dev``
topics; the question-type classifier trained on ``tune`` topics; the triage detector and the emotion
classifier from ``safety_models`` (the fitted detector kept by ``triage_store``). Embedding 16,000 answers takes minutes on
two cores, so those vectors are cached on disk (``embedding_cache``), as are the question
vectors used for tuning; later starts take seconds. ``python -m medai chat`` starts here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .assistant import Assistant, answer_groups
from .corpus import answer_corpus, focus_split, topic_slice
from .embedding_cache import cached_embeddings
from .intent import train_intent_classifier
from .retrieval import BM25Retriever, DenseRetriever, HybridRetriever, tune_dense_weight
from .safety_models import train_feelings
from .triage_sample import QUICK_EMOTION_TRAIN, QUICK_MESSAGES
from .triage_store import cached_triage

MODEL = "all-MiniLM-L6-v2"
DOC_LENGTH, QUERY_LENGTH = 48, 64  # word pieces read per answer and per question
INTENT_QUESTIONS = 3000  # tune-topic questions the question-type classifier learns from
SCOPE_MISS_RATE = 0.02  # in-scope questions the scope check may refuse


def embed_questions(texts: list[str]) -> np.ndarray:
    """MiniLM vectors of questions (no progress bar: a chat embeds one at a time)."""
    from ..text.transformer import sentence_embeddings

    return sentence_embeddings(texts, max_length=QUERY_LENGTH, progress=False)


def embed_answers(texts: list[str], progress: bool = False) -> np.ndarray:
    """MiniLM vectors of answers, each read to its first ``DOC_LENGTH`` word pieces."""
    from ..text.transformer import sentence_embeddings

    return sentence_embeddings(texts, max_length=DOC_LENGTH, progress=progress)


def load_assistant(
    *, topics: int | None = None, seed: int = 0, target: float = 0.1, confidence: float = 0.9,
    progress: bool = False, say: Callable[[str], None] | None = None, quick: bool = False,
) -> Assistant:  # fmt: skip
    """An ``Assistant`` over all of MedQuAD, or over ``topics`` focus topics drawn at random (a
    quick start for trying it out; with few dev questions it may decline everything).
    ``quick``: the triage detector and feeling check learn from samples (``triage_sample``), a minute
    or two on a first start instead of about half an hour; their triage is weaker than the book's.

    ``progress`` shows a bar while answers are embedded; ``say`` receives one line per step.
    """
    from ..datasets import load_medquad

    say = say or (lambda line: None)
    corpus = answer_corpus(load_medquad().frame)
    corpus["split"] = focus_split(corpus, seed=seed).to_numpy()
    if topics is not None:
        corpus = topic_slice(corpus, topics, seed=seed)
    vectors, cached = cached_embeddings(corpus["answer"], lambda t: embed_answers(t, progress),
                                        f"{MODEL}/{DOC_LENGTH}")  # fmt: skip
    say(f"{len(corpus):,} NIH answers {'read from the embedding cache' if cached else 'embedded and cached'}")
    dense = DenseRetriever(vectors, embed_questions)
    bm25 = BM25Retriever(corpus["answer"])
    tune = corpus[corpus["split"] == "tune"]
    tune = tune.sample(min(INTENT_QUESTIONS, len(tune)), random_state=seed)
    dev = corpus[corpus["split"] == "dev"]
    for part in (tune, dev):  # question vectors for tuning, from the cache after the first start
        questions = part["question"].tolist()
        dense.remember(questions, cached_embeddings(questions, embed_questions, f"{MODEL}/{QUERY_LENGTH}")[0])
    answers = corpus["answer_id"].to_numpy()
    weight, _ = tune_dense_weight(bm25, dense, dev["question"], dev["answer_id"], answers)
    classifier = train_intent_classifier(dense.query_vectors(tune["question"].tolist()), tune["qtype"], seed=seed)
    detector, validation = cached_triage(seed=seed, progress=progress, messages=QUICK_MESSAGES if quick else None)
    say(f"triage detector ready; danger threshold {detector.threshold:.3f} from {validation:,} validation messages"
        + (f" (quick: learned from {QUICK_MESSAGES:,} messages, weaker than the book's detector)" if quick else ""))
    emotions = train_feelings(QUICK_EMOTION_TRAIN if quick else 6000, seed=seed).check
    assistant = Assistant(corpus, HybridRetriever([bm25, dense], weights=[1.0, weight]), dense, intent=classifier,
                          detector=detector, emotions=emotions)  # fmt: skip
    threshold = assistant.calibrate(dev["question"], answer_groups(dev), target=target, confidence=confidence)
    floor = assistant.calibrate_scope(dev["question"], miss_rate=SCOPE_MISS_RATE)
    if np.isfinite(threshold):
        say(f"dense weight {weight:g} and refusal threshold {threshold:.3f} chosen on {len(dev):,} dev questions")
    else:
        say(f"dense weight {weight:g}; no refusal threshold keeps the wrong-answer rate within {target:.0%} "
            f"on {len(dev):,} dev questions, so every question will be declined")  # fmt: skip
    say(f"scope floor {floor:.3f}: at most {SCOPE_MISS_RATE:.0%} of questions like the dev ones are refused as off-topic")
    return assistant
