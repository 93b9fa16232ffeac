"""Text corpora: the NCBI disease corpus (CoNLL BIO tags) and the medical abstracts (5 classes)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..core.errors import InputError, InputTypeError
from .bundle import DataBundle, credits
from .errors import DataError, reading
from .resolve import local_file

NCBI_TAGS = ("O", "B-Disease", "I-Disease")
NCBI_SPLITS = {
    "train": "conll/train.tsv",
    "devel": "conll/devel.tsv",
    "test": "conll/test.tsv",
}


@dataclass(frozen=True)
class Sentence:
    tokens: tuple[str, ...]
    tags: tuple[str, ...]


def parse_conll(
    text: str, allowed_tags=NCBI_TAGS, source: str = "input"
) -> list[Sentence]:
    """Sentences from CoNLL text: ``token<TAB>tag`` per line, blank lines between sentences.

    A tag outside ``allowed_tags`` or a line without a tab raises ``ValueError``
    naming the line, so a corrupt or foreign file fails at once rather than
    training on wrong labels.
    """
    if not isinstance(text, str):
        raise InputTypeError(
            f"{source}: expected text (str), got {type(text).__name__}"
        )
    sentences, tokens, tags = [], [], []
    allowed = set(allowed_tags)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            if tokens:
                sentences.append(Sentence(tuple(tokens), tuple(tags)))
                tokens, tags = [], []
            continue
        token, sep, tag = line.rpartition("\t")
        if not sep or not token:
            raise InputError(
                f"{source}, line {number}: expected 'token<TAB>tag', got {line!r}"
            )
        if tag not in allowed:
            raise InputError(
                f"{source}, line {number}: unknown tag {tag!r}; allowed: {sorted(allowed)}"
            )
        tokens.append(token)
        tags.append(tag)
    if tokens:
        sentences.append(Sentence(tuple(tokens), tuple(tags)))
    return sentences


def load_ncbi_disease(split: str) -> DataBundle:
    """The official train, devel or test split: ``data`` the sentences (tokens with tags),
    ``target`` each sentence's BIO tags."""
    if split not in NCBI_SPLITS:
        raise InputError(f"split must be one of {sorted(NCBI_SPLITS)}, got {split!r}")
    file = local_file("ncbi-disease", NCBI_SPLITS[split])
    with reading(file):
        sentences = parse_conll(file.read_text("utf-8"), source=str(file))
    if not sentences:
        raise DataError(f"{file} holds no sentences")
    return DataBundle(
        name="ncbi-disease",
        data=sentences,
        target=[s.tags for s in sentences],
        target_names=NCBI_TAGS,
        description=f"NCBI disease corpus, {split} split: {len(sentences)} sentences, "
        f"{sum(t == 'B-Disease' for s in sentences for t in s.tags)} disease mentions.",
        **credits("ncbi-disease"),
    )


def load_medical_abstracts() -> DataBundle:
    """2,888 abstracts (the only split published openly): ``data`` the texts, ``target`` the
    class 0-4, ``target_names`` the conditions; ``frame`` has text, label and condition."""
    texts_file = local_file("medical-abstracts", "medical_tc_test.csv")
    names_file = local_file("medical-abstracts", "medical_tc_labels.csv")
    with reading(names_file):
        names = pd.read_csv(names_file)
        mapping = dict(zip(names["condition_label"], names["condition_name"]))
    with reading(texts_file):
        texts = pd.read_csv(texts_file)
        frame = pd.DataFrame(
            {
                "text": texts["medical_abstract"].astype(str),
                "label": texts["condition_label"].astype(int) - 1,
                "condition": texts["condition_label"].map(mapping),
            }
        )
    if frame["condition"].isna().any():
        raise DataError(
            f"{texts_file}: an abstract has a condition label that {names_file.name} does not name"
        )
    return DataBundle(
        name="medical-abstracts",
        data=frame["text"].tolist(),
        target=frame["label"].to_numpy(),
        target_names=tuple(mapping[k] for k in sorted(mapping)),
        frame=frame,
        description=f"Medical abstracts, {len(frame)} texts in {len(mapping)} disease classes "
        "(the test split of the corpus; chapters build their own folds).",
        **credits("medical-abstracts"),
    )
