import json

import numpy as np
import pytest
import torch

from medai.datasets.text import NCBI_TAGS, Sentence, parse_conll
from medai.text.classification import (
    curve_summary,
    folds,
    learning_curve,
    tfidf_logreg,
)
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
    sentence_embeddings,
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


def test_tfidf_baseline_learns_under_stratified_folds():
    texts = (
        ["cancer tumour neoplasm"] * 10
        + ["heart artery infarction"] * 10
        + ["colon liver bowel"] * 10
    )
    labels = np.repeat([0, 1, 2], 10)
    splits = folds(labels, 5)
    assert all(np.bincount(labels[test]).tolist() == [2, 2, 2] for _, test in splits)
    scores, predicted = learning_curve(
        {"tf-idf": (tfidf_logreg, texts)}, labels, splits, sizes=[None]
    )
    assert (predicted["tf-idf"] == labels).all() and scores["macro-F1"].tolist() == [1.0] * 5
    table = curve_summary(scores)
    assert table.loc[("tf-idf", 24), "macro-F1 mean"] == 1.0
    assert table.loc[("tf-idf", 24), "folds"] == 5


class _Recorder:
    """A stand-in estimator that remembers which documents it was trained on."""

    seen: list = []

    def __init__(self, name):
        self.name = name

    def fit(self, x, y):
        _Recorder.seen.append((self.name, tuple(int(str(v).split()[-1]) for v in x)))
        return self

    def predict(self, x):
        return np.zeros(len(x), dtype=int)


def test_every_method_trains_on_the_same_documents(monkeypatch):
    import medai.text.classification as clf

    labels = np.repeat([0, 1, 2, 3], [40, 30, 20, 10])
    texts = [f"doc {i}" for i in range(len(labels))]
    splits = folds(labels, 3)
    _Recorder.seen = []
    scores, _ = learning_curve(
        {"a": (lambda: _Recorder("a"), texts), "b": (lambda: _Recorder("b"), np.array(texts))},
        labels, splits, sizes=[20, 40, None],
    )  # fmt: skip
    by_method = {m: [docs for name, docs in _Recorder.seen if name == m] for m in "ab"}
    assert by_method["a"] == by_method["b"] and len(by_method["a"]) == 9
    assert [len(d) for d in by_method["a"][:3]] == [20, 40, len(splits[0][0])]
    twenty = by_method["a"][0]
    assert np.bincount(labels[list(twenty)]).tolist() == [8, 6, 4, 2]  # stratified
    assert set(twenty) <= set(splits[0][0].tolist())
    # The fine-tuned MiniLM trains on exactly those documents too, and picks its best
    # epoch on others.
    trained = []

    def spy_fit(model, train, val, config, **kwargs):
        trained.append((tuple(train.inputs[:, 0].tolist()), set(val.inputs[:, 0].tolist())))

    def fake_encode(tokenizer, docs, max_length, first_chunk_only=False):
        ids = torch.tensor([int(d.split()[-1]) for d in docs])[:, None]
        return ids, np.arange(len(docs))

    monkeypatch.setattr(clf, "fit", spy_fit)
    monkeypatch.setattr(clf, "encode_documents", fake_encode)
    monkeypatch.setattr(clf, "load_tokenizer", lambda: None)
    monkeypatch.setattr(clf, "sequence_classifier", lambda n: None)
    monkeypatch.setattr(clf, "predict", lambda model, x, batch_size: np.zeros((len(x), 4)))
    clf.cross_validate_minilm(texts, labels, splits, config=None, train_size=20)
    assert [sorted(docs) for docs, _ in trained] == [sorted(d) for d in by_method["a"][0::3]]
    assert all(not val & set(docs) for docs, val in trained)


def test_sentence_embeddings_are_unit_vectors_that_group_similar_texts():
    vectors = sentence_embeddings(
        ["Acute myocardial infarction.", "A heart attack.", "Fracture of the femur."],
        max_length=16,
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > similarity[0, 2]
    with pytest.raises(ValueError, match="text 1 is empty"):
        sentence_embeddings(["fine", "  "])


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
    # Both names go; the tagger may remove a name as one span or as first name and surname apart.
    removed = summary["phi_removed"]
    assert set(removed) == {"DATE", "MRN", "NAME"} and removed["DATE"] == removed["MRN"] == 1 and 2 <= removed["NAME"] <= 4
    assert json.loads(to_json(summary)) == summary
    # A tagger that calls everything a disease still reports no PHI placeholder as a finding.
    greedy = summarise_note(note, "P7", "secret", lambda text: [(0, len(text))])
    assert greedy["findings"] == []
    assert (
        tokenize_with_offsets("") == []
        and summarise_note("", "P7", "s", tagger_spans(tagger.tag))["findings"] == []
    )


def test_padding_is_cut_per_batch_without_changing_any_output(tokenizer):
    from medai.text.transformer import token_classifier

    torch.manual_seed(0)
    model = token_classifier(3).eval()
    words = [["Familial", "adenomatous", "polyposis"], ["A", "rare", "form", "of", "ataxia", "."]]
    ids = [tokenizer(w, is_split_into_words=True)["input_ids"] for w in words]
    short = torch.zeros(2, 2, 16, dtype=torch.long)
    for row, sequence in enumerate(ids):
        short[row, 0, : len(sequence)] = torch.tensor(sequence)
        short[row, 1, : len(sequence)] = 1
    long = torch.nn.functional.pad(short, (0, 30))
    with torch.no_grad():
        a, b = model(short), model(long)
    assert a.shape == (2, 16, 3) and b.shape == (2, 46, 3)
    used = max(len(i) for i in ids)
    torch.testing.assert_close(b[:, :16], a, rtol=1e-5, atol=1e-5)
    assert (b[:, used:] == 0).all()
