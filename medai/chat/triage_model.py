"""A learned triage detector: crisis / emergency / urgent / none from what a message says.

Two models vote by averaging their probabilities. One multinomial logistic regression reads three
views of the text: character n-grams (robust to typos, and they read Chinese and Spanish), word
unigrams and bigrams (the only reader of words that MiniLM's English vocabulary splits into pieces or
unknowns: on the validation messages they cut false alarms from .249 to .229 at the same
sensitivity) and frozen MiniLM sentence embeddings (paraphrases). The other is MiniLM fine-tuned on the same
messages (``finetuned``), which reads word order and negation better; on the validation messages
the average raised fewer false alarms at the same sensitivity than either alone.
A message longer than MiniLM reads (64 word pieces) is read in passages of whole sentences as well as
whole, and each route keeps its highest probability, so an emergency buried in a story still counts. One threshold on the probability of
danger (crisis + emergency) is chosen on validation messages for a target sensitivity; the rest
of the decision is the most probable route.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion

from ..core.errors import InputError
from .triage_rules import ROUTES, normalise, sentences

DANGER = ("crisis", "emergency")
QUERY_LENGTH = 64  # word pieces MiniLM reads of each window


def embed_windows(texts: list[str]) -> np.ndarray:
    """MiniLM vectors (no progress bar: the assistant embeds a few windows per message)."""
    from ..text.transformer import sentence_embeddings

    return sentence_embeddings(texts, max_length=QUERY_LENGTH, progress=False)


def windows(message: str, most: int = 64) -> list[str]:
    """The texts a message is scored on. A message MiniLM reads whole (``QUERY_LENGTH`` word
    pieces) is scored whole: its sentences alone, out of context, raised false alarms ("I already
    don't add it at the table"), and on the validation messages scoring them too flagged .596 of the
    ordinary messages with several sentences at .98 sensitivity, against .333 for whole ones. A longer
    message, which MiniLM would cut, is read whole and in passages: from each sentence on, as many
    whole sentences as fit in ``QUERY_LENGTH`` pieces, so a danger buried at its end still counts and
    each sentence is read with its neighbours. Chosen on the validation messages (seed 0, set G among
    the training messages): at the same sensitivity, passages flagged 25 of the 35 long ordinary messages
    where single sentences and pairs flagged 31, and both found all 58 long dangerous ones. At most
    ``most`` windows."""
    whole = normalise(message)
    parts = sentences(message)
    if len(parts) < 2 or _pieces(whole) <= QUERY_LENGTH:
        return [whole]
    passages: list[str] = []
    for first in range(len(parts)):
        passage = parts[first]
        for part in parts[first + 1 :]:
            if _pieces(f"{passage} {part}") > QUERY_LENGTH:
                break
            passage = f"{passage} {part}"
        if not passages or passage not in passages[-1]:  # a passage inside the one before adds nothing
            passages.append(passage)
    return [whole, *passages][:most]


def passages_of_ordinary(messages, routes, most: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """Up to ``most`` passages (``windows`` after the whole message) of each long ordinary message,
    drawn with ``seed``, labelled ``none``: a training augmentation. The detector reads a long message
    in passages too, and a passage of an ordinary story alone ("she was rushed in by ambulance in
    2019") reads like an emergency unless the detector has seen such passages labelled for what
    they are. Passages of dangerous messages are left out: which of them holds the danger is unknown."""
    rng = random.Random(seed)
    texts = []
    for message, route in zip(messages, routes):
        if route == "none":
            parts = windows(message)[1:]
            texts += rng.sample(parts, min(most, len(parts)))
    return texts, ["none"] * len(texts)


def _pieces(text: str) -> int:
    """How many word pieces MiniLM's tokenizer makes of ``text`` (with its two special tokens)."""
    return len(_tokenizer()(text)["input_ids"])


@dataclass
class TriageDetector:
    """Character and word n-grams + MiniLM -> logistic regression over ``ROUTES``, and a danger threshold."""

    vectorizer: FeatureUnion
    model: LogisticRegression
    threshold: float = 0.5
    embed: object = field(default=embed_windows, repr=False)
    finetuned: object = field(default=None, repr=False)  # a MiniLM sequence classifier over ROUTES

    def _features(self, texts: list[str], vectors: np.ndarray | None = None):
        grams = self.vectorizer.transform(texts)
        vectors = self.embed(texts) if vectors is None else vectors
        return sparse.hstack([grams, sparse.csr_matrix(vectors)]).tocsr()

    def probabilities(self, texts: list[str], vectors: np.ndarray | None = None) -> np.ndarray:
        """(n, 4) probabilities of the routes, each text read whole (the mean of both models)."""
        texts = [normalise(t) for t in texts]
        columns = [list(self.model.classes_).index(r) for r in ROUTES]
        linear = self.model.predict_proba(self._features(texts, vectors))[:, columns]
        if self.finetuned is None:
            return linear
        return (linear + finetuned_probabilities(self.finetuned, texts)) / 2

    def scores(self, message: str) -> dict[str, float]:
        """Each route's highest probability over the message's windows, and ``danger``."""
        return _best(self.probabilities(windows(message)))

    def scores_many(self, messages, embed=None) -> list[dict[str, float]]:
        """``scores`` of many messages, their windows read in one batch (``embed``: a function
        giving MiniLM vectors of texts, such as a cached one; the detector's own by default)."""
        parts = [windows(m) for m in messages]
        texts = [normalise(t) for w in parts for t in w]
        if not texts:
            return []
        p = self.probabilities(texts, None if embed is None else embed(texts))
        ends = np.cumsum([len(w) for w in parts])
        return [_best(block) for block in np.split(p, ends[:-1])]

    def route(self, scores: dict[str, float]) -> str:
        """Crisis or emergency (the likelier) when danger reaches the threshold, else the
        likelier of urgent and none."""
        if scores["danger"] >= self.threshold:
            return "crisis" if scores["crisis"] >= scores["emergency"] else "emergency"
        return "urgent" if scores["urgent"] > scores["none"] else "none"


def _best(p: np.ndarray) -> dict[str, float]:
    """Each route's highest probability over a message's windows, and the highest danger."""
    best = dict(zip(ROUTES, p.max(axis=0).round(4).tolist()))
    best["danger"] = round(float((p[:, 0] + p[:, 1]).max()), 4)
    return best


def train_triage_detector(texts, routes, vectors: np.ndarray | None = None, c: float = 4.0,
                          seed: int = 0, embed=embed_windows) -> TriageDetector:  # fmt: skip
    """Fit the detector on labelled messages (``vectors``: their MiniLM embeddings, if at hand).
    Routes weigh the same whatever their counts (balancing them within each language as well
    raised more false alarms on the validation messages)."""
    texts, routes = [normalise(t) for t in texts], np.asarray(routes)
    if len(texts) != len(routes) or not len(texts):
        raise InputError(f"need one route per message, got {len(texts)} and {len(routes)}")
    unknown = sorted(set(routes) - set(ROUTES))
    if unknown or set(routes) != set(ROUTES):
        raise InputError(f"routes must cover exactly {ROUTES}; unknown {unknown}")
    vectorizer = FeatureUnion([
        ("characters", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=2, sublinear_tf=True)),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=2, sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")),
    ])  # fmt: skip
    vectorizer.fit(texts)
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=seed)
    detector = TriageDetector(vectorizer, model, embed=embed)
    detector.model.fit(detector._features(texts, vectors), routes)
    return detector


def finetuned_probabilities(model, texts: list[str]) -> np.ndarray:
    """(n, 4) route probabilities from a fine-tuned MiniLM sequence classifier."""
    import torch

    from ..core.train import predict

    logits = predict(model, encode_messages(texts), batch_size=64, amp=False)
    return torch.softmax(torch.as_tensor(logits), dim=1).numpy()


def encode_messages(texts: list[str]):
    """Packed MiniLM inputs (N, 2, L) of normalised messages, each cut to ``QUERY_LENGTH`` pieces."""
    from ..text.transformer import encode_documents

    inputs, _ = encode_documents(_tokenizer(), [normalise(t) for t in texts], QUERY_LENGTH, first_chunk_only=True)
    return inputs


@lru_cache(maxsize=1)
def _tokenizer():
    """MiniLM's tokenizer, read from disk once per process (the assistant encodes every message)."""
    from ..text.transformer import load_tokenizer

    return load_tokenizer()


def finetune_minilm(texts, routes, val_texts, val_routes, epochs: int = 3, lr: float = 5e-5, seed: int = 0,
                    progress: bool = False, frozen_layers: int = 0):  # fmt: skip
    """MiniLM with a four-route head, fine-tuned on labelled messages for ``epochs``; the weights
    of the epoch that scores best on the validation messages are kept. ``frozen_layers``: how many
    of the lowest transformer layers (with the word embeddings) stay as pretrained, which saves
    their backward pass."""
    import torch

    from ..core.runtime import seed_everything
    from ..core.tensors import TensorPairs
    from ..core.train import TrainConfig, fit
    from ..text.transformer import sequence_classifier

    def pairs(texts, routes):
        return TensorPairs(encode_messages(list(texts)), torch.as_tensor([ROUTES.index(r) for r in routes]))

    seed_everything(seed)  # the new head starts the same each run
    model = sequence_classifier(len(ROUTES))
    freeze_lowest(model, frozen_layers)
    config = TrainConfig(epochs=epochs, batch_size=32, lr=lr, patience=None, group_by_length=True,
                         progress=progress, seed=seed)  # fmt: skip
    fit(model, pairs(texts, routes), pairs(val_texts, val_routes), config)
    return model.eval()


def freeze_lowest(model, layers: int) -> None:
    """Keep the word embeddings and the lowest ``layers`` transformer layers of a packed MiniLM
    classifier as pretrained (no gradients, so no backward pass through them)."""
    encoder = model.model.base_model  # the BertModel inside the packed wrapper
    if not 0 <= layers <= len(encoder.encoder.layer):
        raise InputError(f"layers must be between 0 and {len(encoder.encoder.layer)}, got {layers}")
    if layers:
        for part in [encoder.embeddings, *encoder.encoder.layer[:layers]]:
            part.requires_grad_(False)


def danger_threshold(danger: np.ndarray, is_danger: np.ndarray, sensitivity: float = 0.98) -> float:
    """The highest threshold on the danger score that flags at least ``sensitivity`` of the
    dangerous validation messages."""
    danger, is_danger = np.asarray(danger, dtype=float), np.asarray(is_danger, dtype=bool)
    if not is_danger.any():
        raise InputError("no dangerous messages to choose a threshold on")
    positives = np.sort(danger[is_danger])
    missed = int(np.floor((1 - sensitivity) * len(positives) + 1e-9))  # how many may fall below
    return float(positives[missed])


_NEIGHBOURS = {c: n for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm") for c, n in zip(row, row[1:] + row[-2])}


def typo_variant(text: str, rng: random.Random) -> str:
    """The text as typed in a hurry: lower case or not, no final punctuation, and one or two
    letters dropped, doubled, swapped or hit beside on the keyboard (a training augmentation)."""
    chars = list(text.lower() if rng.random() < 0.6 else text)
    letters = [i for i, c in enumerate(chars) if c.isascii() and c.isalpha()]
    for i in rng.sample(letters, min(len(letters), rng.choice([1, 2]))):
        kind = rng.choice(["drop", "double", "swap", "near"])
        if kind == "drop":
            chars[i] = ""
        elif kind == "double":
            chars[i] *= 2
        elif kind == "swap" and i + 1 < len(chars):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif kind == "near":
            chars[i] = _NEIGHBOURS.get(chars[i].lower(), chars[i])
    variant = "".join(chars).rstrip(".!?")
    return variant if variant.strip() else text  # "ok?" may lose every letter
