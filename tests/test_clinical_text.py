import json

import numpy as np
import pytest
import torch

from medai.datasets.text import NCBI_TAGS, Sentence, parse_conll
from medai.text.classification import cross_validate_tfidf, folds, summary
from medai.text.negation import AFFIRMED, NEGATED, UNCERTAIN, assertion
from medai.text.ner import IGNORE, DictionaryTagger
from medai.text.pipeline import (
    summarise_note,
    tagger_spans,
    to_json,
    tokenize_with_offsets,
)
from medai.text.transformer import (
    PackedEncoder,
    decode_tags,
    document_logits,
    encode_documents,
    encode_tagged,
    load_tokenizer,
    token_f1,
    token_loss,
    word_chunks,
)


def status(text, finding):
    i = text.index(finding)
    return assertion(text, i, i + len(finding))


@pytest.mark.parametrize(
    "text, finding, expected",
    [
        ("Patient denies chest pain.", "chest pain", NEGATED),
        ("No evidence of pneumonia on the film.", "pneumonia", NEGATED),
        ("No fever but reports chest pain.", "chest pain", AFFIRMED),
        ("No fever but reports chest pain.", "fever", NEGATED),
        ("Possible pneumonia in the right lower lobe.", "pneumonia", UNCERTAIN),
        ("Pulmonary embolism was ruled out.", "Pulmonary embolism", NEGATED),
        ("History of diabetes. No rash.", "diabetes", AFFIRMED),
        ("He has heart failure and denies syncope.", "heart failure", AFFIRMED),
        ("Cannot rule out early appendicitis.", "appendicitis", UNCERTAIN),
        ("No one in the family had the illness; she has asthma.", "asthma", AFFIRMED),
    ],
)
def test_assertion_status_of_findings(text, finding, expected):
    assert status(text, finding) == expected


def test_assertion_rejects_spans_outside_the_text():
    with pytest.raises(ValueError, match="not inside"):
        assertion("short", 2, 40)


@pytest.fixture(scope="module")
def tokenizer(minilm_path):
    return load_tokenizer()


def test_long_sentences_are_chunked_not_truncated(tokenizer):
    words = ["polyposis"] * 40  # several pieces per word
    chunks = word_chunks(tokenizer, words, max_length=16)
    assert chunks[0][0] == 0 and chunks[-1][1] == 40
    assert all(
        a[1] == b[0] for a, b in zip(chunks, chunks[1:])
    )  # consecutive, no word lost
    sentence = Sentence(tuple(words), tuple(["B-Disease"] + ["I-Disease"] * 39))
    labels = {t: i for i, t in enumerate(NCBI_TAGS)}
    data, index = encode_tagged(tokenizer, [sentence], labels, max_length=16)
    assert len(data) == len(chunks) and data.inputs.shape[1:] == (2, 16)
    # Decoding the true labels as one-hot logits gives back every word's tag.
    logits = torch.nn.functional.one_hot(data.targets.clamp(min=0), 3).float().numpy()
    assert decode_tags(logits, index, [sentence], NCBI_TAGS) == [list(sentence.tags)]
    with pytest.raises(ValueError, match="empty sentence"):
        word_chunks(tokenizer, [], 16)


def test_long_documents_are_read_in_full_and_averaged(tokenizer):
    long_text = "The patient has chronic kidney disease. " * 60
    inputs, owner = encode_documents(
        tokenizer, ["Short abstract on asthma.", long_text], max_length=32
    )
    assert (owner == 0).sum() == 1 and (owner == 1).sum() > 5
    first_only, _ = encode_documents(
        tokenizer, [long_text], max_length=32, first_chunk_only=True
    )
    assert len(first_only) == 1
    chunk_logits = np.arange(len(owner) * 2, dtype=float).reshape(-1, 2)
    averaged = document_logits(chunk_logits, owner, 2)
    np.testing.assert_allclose(averaged[1], chunk_logits[owner == 1].mean(axis=0))
    with pytest.raises(ValueError, match="document 1 is empty"):
        encode_documents(tokenizer, ["fine", "   "], max_length=32)


def test_token_loss_and_score_skip_ignored_pieces():
    labels = torch.tensor([[IGNORE, 1, 0, IGNORE]])
    logits = torch.zeros(1, 4, 3)
    logits[0, 1, 1] = logits[0, 2, 0] = 20.0
    logits[0, 0, 2] = logits[0, 3, 2] = 20.0  # wrong, but on ignored pieces
    assert token_loss(logits, labels) < 1e-6
    assert token_f1(labels.numpy(), logits.numpy()) == 1.0
    with pytest.raises(ValueError, match=r"packed input \(N, 2, length\)"):
        PackedEncoder(torch.nn.Identity())(torch.zeros(2, 5))


def test_tfidf_baseline_cross_validates_with_stratified_folds():
    texts = (
        ["cancer tumour neoplasm"] * 10
        + ["heart artery infarction"] * 10
        + ["colon liver bowel"] * 10
    )
    labels = np.repeat([0, 1, 2], 10)
    splits = folds(labels, 5)
    assert all(np.bincount(labels[test]).tolist() == [2, 2, 2] for _, test in splits)
    predicted, scores = cross_validate_tfidf(texts, labels, splits)
    assert (predicted == labels).all() and scores == [1.0] * 5
    table = summary({"tf-idf": scores})
    assert (
        table.loc["tf-idf", "macro-F1 mean"] == 1.0
        and table.loc["tf-idf", "folds"] == 5
    )


def test_note_to_structured_summary_keeps_no_identifier():
    tagger = DictionaryTagger(
        parse_conll(
            "pneumonia\tB-Disease\n\nchest\tB-Disease\npain\tI-Disease\n\nAT\tB-Disease\n"
        )
    )
    note = (
        "Patient: Maria Lopez  MRN: 00482913  Admitted 2024-03-02.\n"
        "She denies chest pain. Possible pneumonia at the left base. Seen at 9am.\n"
        "Signed: Dr. Wei Chen"
    )
    summary = summarise_note(note, "P7", "secret", tagger_spans(tagger.tag))
    text = json.dumps(summary)
    for identifier in ("Maria", "Lopez", "00482913", "2024-03-02", "Wei Chen"):
        assert identifier not in text
    assert summary["absent"] == ["chest pain"] and summary["uncertain"] == ["pneumonia"]
    assert summary["present"] == []  # "at" is not the abbreviation AT
    assert summary["phi_removed"] == {"DATE": 1, "MRN": 1, "NAME": 2}
    assert json.loads(to_json(summary)) == summary
    # A tagger that calls everything a disease still reports no PHI placeholder as a finding.
    greedy = summarise_note(note, "P7", "secret", lambda text: [(0, len(text))])
    assert greedy["findings"] == []
    assert (
        tokenize_with_offsets("") == []
        and summarise_note("", "P7", "s", tagger_spans(tagger.tag))["findings"] == []
    )
