import pytest

from medai.datasets import load_medical_abstracts, load_ncbi_disease
from medai.datasets.text import parse_conll
from medai.text.ner import (
    IGNORE,
    DictionaryTagger,
    align_labels,
    entities,
    entity_scores,
)


def test_ncbi_splits_and_abstracts_load_with_their_documented_sizes():
    train, test = load_ncbi_disease("train"), load_ncbi_disease("test")
    assert len(train) == 5432 and len(test) == 940
    assert sum(len(entities(s.tags)) for s in test.data) == 960
    abstracts = load_medical_abstracts()
    assert len(abstracts) == 2888
    assert abstracts.frame["label"].value_counts().sort_index().tolist() == [
        633,
        299,
        385,
        610,
        961,
    ]
    with pytest.raises(ValueError, match="split must be one of"):
        load_ncbi_disease("dev")


def test_conll_parser_names_bad_lines():
    with pytest.raises(ValueError, match=r"line 2: unknown tag 'B-Chemical'"):
        parse_conll("aspirin\tO\nibuprofen\tB-Chemical\n", source="x.tsv")
    with pytest.raises(ValueError, match=r"line 1: expected 'token<TAB>tag'"):
        parse_conll("no tab here\n")
    sentences = parse_conll("a\tO\nb\tB-Disease\n\n\nc\tI-Disease\n")
    assert [s.tokens for s in sentences] == [("a", "b"), ("c",)]


def test_bio_entities_follow_conll_rules():
    tags = [
        "B-Disease",
        "I-Disease",
        "O",
        "I-Disease",
        "B-Disease",
        "B-Disease",
        "I-Disease",
    ]
    assert entities(tags) == {
        (0, 2, "Disease"),
        (3, 4, "Disease"),
        (4, 5, "Disease"),
        (5, 7, "Disease"),
    }
    with pytest.raises(ValueError, match="not O, B-<type> or I-<type>"):
        entities(["X-Disease"])


def test_entity_scores_need_exact_boundaries():
    truth = [["B-Disease", "I-Disease", "O"], ["O", "B-Disease", "O"]]
    pred = [["B-Disease", "O", "O"], ["O", "B-Disease", "O"]]  # first entity cut short
    scores = entity_scores(truth, pred)
    assert (
        scores["precision"] == 0.5 and scores["recall"] == 0.5 and scores["F1"] == 0.5
    )
    with pytest.raises(ValueError, match="3 true tags but 2 predicted"):
        entity_scores([["O", "O", "O"]], [["O", "O"]])


def test_word_piece_alignment_labels_first_pieces_only():
    # [CLS] adenomatous -> aden ##oma ##tous, polyposis -> poly ##posis, [SEP]
    word_ids = [None, 0, 0, 0, 1, 1, None]
    assert align_labels(word_ids, [1, 2]) == [
        IGNORE,
        1,
        IGNORE,
        IGNORE,
        2,
        IGNORE,
        IGNORE,
    ]
    with pytest.raises(ValueError, match="word index 2 outside"):
        align_labels([None, 2], [0, 1])


def test_word_piece_alignment_with_the_real_tokenizer(minilm_path):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(minilm_path)
    words = ["Adenomatous", "polyposis", "coli", "."]
    encoded = tokenizer(words, is_split_into_words=True)
    labels = align_labels(encoded.word_ids(), [1, 2, 2, 0])
    pieces = tokenizer.convert_ids_to_tokens(encoded["input_ids"])
    kept = [(piece, label) for piece, label in zip(pieces, labels) if label != IGNORE]
    assert [label for _, label in kept] == [1, 2, 2, 0]
    assert len(pieces) > len(kept) + 2  # some words were split into several pieces


def test_dictionary_tagger_prefers_the_longest_match():
    train = parse_conll("breast\tB-Disease\ncancer\tI-Disease\n\ncancer\tB-Disease\n")
    tagger = DictionaryTagger(train)
    assert tagger.tag(["Breast", "cancer", "and", "cancer"]) == [
        "B-Disease",
        "I-Disease",
        "O",
        "B-Disease",
    ]
    with pytest.raises(ValueError, match="no Disease entities"):
        DictionaryTagger(parse_conll("a\tO\n"))


def test_the_entity_f1_interval_resamples_sentences_and_brackets_the_score():
    from medai.text.ner import entity_f1_interval

    hit, miss = (["B-Disease", "I-Disease", "O"], ["B-Disease", "I-Disease", "O"]), (["B-Disease", "O", "O"], ["O", "O", "O"])
    truth, pred = zip(*([hit] * 60 + [miss] * 40))
    score = entity_scores(truth, pred)["F1"]  # 60 found of 100, all predictions right: F1 = .75
    low, high = entity_f1_interval(truth, pred, n_boot=2000, seed=1)
    assert score == pytest.approx(0.75) and low < score < high and high - low < 0.2
    assert entity_f1_interval(truth, pred, n_boot=2000, seed=1) == (low, high)
    perfect = entity_f1_interval([hit[0]] * 20, [hit[1]] * 20, n_boot=200)
    assert perfect == (1.0, 1.0)  # nothing to vary
    from medai.core.errors import InputError

    with pytest.raises(InputError, match="n_boot"):
        entity_f1_interval(truth, pred, n_boot=0)


def test_grouped_folds_keep_every_copy_of_a_document_on_one_side():
    import numpy as np

    from medai.core.errors import InputError
    from medai.text.classification import folds

    texts = np.array([f"abstract {i % 40}" for i in range(100)])  # 40 texts, most of them two or three times
    labels = np.array([i % 5 for i in range(100)])  # copies of one text carry different labels, as in the corpus
    for train, test in folds(labels, 5, seed=0, groups=texts):
        assert not set(texts[train]) & set(texts[test])
    plain = folds(labels, 5, seed=0)
    assert any(set(texts[train]) & set(texts[test]) for train, test in plain)  # what grouping prevents
    with pytest.raises(InputError, match="groups for"):
        folds(labels, 5, groups=texts[:10])
