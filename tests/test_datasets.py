"""Every loader and generator in medai.datasets returns a DataBundle with the documented contents."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from medai import datasets
from medai.datasets import DataBundle, DataError, chipseq, heart, pneumoniamnist, splice

# Counts come from each data set's SOURCE.md and its hash-pinned files.
LOADERS = {
    "pneumoniamnist": (lambda: datasets.load_pneumoniamnist("val"), 524),
    "mitbih": (lambda: datasets.load_mitbih("100"), 650000),
    "physionet": (lambda: datasets.load_physionet_sample("a103l"), 82500),
    "ncbi": (lambda: datasets.load_ncbi_disease("test"), 940),
    "abstracts": (datasets.load_medical_abstracts, 2888),
    "splice": (datasets.load_splice_junction, 3190),
    "medquad": (datasets.load_medquad, 16412),
    "heart": (datasets.load_uci_heart_disease, 920),
    "chipseq": (lambda: datasets.load_chipseq_oct4_mafk("train"), 7797),
    "gse7390": (datasets.load_breast_cancer_gse7390, 198),
}


@pytest.mark.parametrize("name", LOADERS)
def test_every_loader_returns_one_kind_of_object_with_credits(name):
    load, rows = LOADERS[name]
    bundle = load()
    assert isinstance(bundle, DataBundle)
    assert len(bundle) == rows
    assert bundle.name in datasets.REGISTRY
    assert bundle.licence == datasets.get(bundle.name).licence
    assert bundle.citation and bundle.description
    if bundle.target is not None and name not in ("ncbi",):
        assert len(bundle.target) == rows
    assert repr(bundle).startswith(type(bundle).__name__ + "(")


def test_heart_disease_matches_its_source_counts_and_reads_zero_as_missing():
    bundle = datasets.load_uci_heart_disease()
    frame = bundle.frame
    per_site = frame.groupby("site")["target"].agg(["size", "sum"])
    assert per_site.loc["cleveland"].tolist() == [303, 139]
    assert per_site.loc["hungarian"].tolist() == [294, 106]
    assert per_site.loc["switzerland"].tolist() == [123, 115]
    assert per_site.loc["va"].tolist() == [200, 149]
    assert bundle.feature_names == heart.HEART_COLUMNS[:-1]
    # chol 0 is a disguised missing value: all Swiss rows and 49 VA rows.
    assert frame.loc[frame["site"] == "switzerland", "chol"].isna().all()
    raw = datasets.load_uci_heart_disease(["va"], zero_as_missing=False).frame
    assert int((raw["chol"] == 0).sum()) == 49
    assert len(datasets.load_uci_heart_disease("cleveland")) == 303
    with pytest.raises(ValueError, match="subset of"):
        datasets.load_uci_heart_disease(["mayo"])


def test_chipseq_and_splice_sequences_are_whole_and_labelled():
    train = datasets.load_chipseq_oct4_mafk("train")
    test = datasets.load_chipseq_oct4_mafk("test")
    assert np.bincount(train.target).tolist() == [3900, 3897]
    assert np.bincount(test.target).tolist() == [100, 100]
    assert set(map(len, train.data)) == {200}
    assert (train.frame["end"] - train.frame["start"] == 200).all()
    assert set(train.frame["chrom"]) >= {"chr1", "chrX"}
    sequences = datasets.load_splice_junction()
    assert np.bincount(sequences.target).tolist() == [767, 768, 1655]
    assert sequences.target_names == ("EI", "IE", "N")
    assert set(map(len, sequences.data)) == {60}
    with pytest.raises(ValueError, match="split must be one of"):
        datasets.load_chipseq_oct4_mafk("validation")


def test_medquad_and_gse7390_have_their_documented_contents():
    qa = datasets.load_medquad()
    assert int((qa.frame["answer"] != "").sum()) == 16407
    assert {"information", "symptoms", "treatment"} <= set(qa.target_names)
    cancer = datasets.load_breast_cancer_gse7390()
    assert cancer.data.shape == (198, 80)
    assert int(cancer.target["event"].sum()) == 51
    assert set(cancer.data["er"]) == {"negative", "positive"}


def test_fasta_reader_names_what_is_wrong():
    headers, sequences = chipseq.read_fasta(">a\nAC\nGT\n>b\nTT\n")
    assert headers == ["a", "b"] and sequences == ["ACGT", "TT"]
    with pytest.raises(DataError, match="x.fa, line 1: sequence before"):
        chipseq.read_fasta("ACGT\n>a\nAC\n", source="x.fa")
    with pytest.raises(DataError, match="no FASTA record"):
        chipseq.read_fasta("\n\n")


def test_loaders_refuse_files_that_are_not_what_they_expect(tmp_path, monkeypatch):
    archive = tmp_path / "pneumoniamnist.npz"
    np.savez(archive, train_images=np.zeros((2, 28, 28), np.uint8))
    monkeypatch.setattr(pneumoniamnist, "local_file", lambda name, file: archive)
    with pytest.raises(DataError, match=r"has no \['train_labels'\]"):
        datasets.load_pneumoniamnist("train")

    for images, labels, message in [
        (
            np.zeros((2, 32, 32), np.uint8),
            [0, 1],
            r"shape \(2, 32, 32\), expected \(N, 28, 28\)",
        ),
        (np.zeros((2, 28, 28, 3), np.uint8), [0, 1], r"shape \(2, 28, 28, 3\)"),
        (np.full((2, 28, 28), 200.0), [0, 1], "dtype float64, expected uint8"),
        (np.zeros((2, 28, 28), np.uint8), [0.5, 1.0], "expected 2 whole-number labels"),
        (np.zeros((2, 28, 28), np.uint8), [0, 1, 1], "holds 3 values"),
        (np.zeros((2, 28, 28), np.uint8), [0, 2], "outside 0..1"),
    ]:
        np.savez(archive, train_images=images, train_labels=np.array(labels))
        with pytest.raises((DataError, ValueError), match=message):
            datasets.load_pneumoniamnist("train")

    table = tmp_path / "splice.csv"
    table.write_text("label,instance_name,sequence\nEI, X1, ACGT\n")
    monkeypatch.setattr(splice, "local_file", lambda name, file: table)
    with pytest.raises(DataError, match="X1 has 4 letters, expected 60"):
        datasets.load_splice_junction()

    rows = tmp_path / "processed.va.data"
    rows.write_text("1,2,3\n")
    monkeypatch.setattr(heart, "local_file", lambda name, file: rows)
    with pytest.raises(DataError, match="3 columns, expected 14"):
        datasets.load_uci_heart_disease(["va"])


def test_subset_keeps_data_target_and_frame_aligned():
    abstracts = datasets.load_medical_abstracts()
    part = abstracts.subset([5, 0, 2])
    assert part.data == [abstracts.data[5], abstracts.data[0], abstracts.data[2]]
    assert part.target.tolist() == abstracts.target[[5, 0, 2]].tolist()
    pd.testing.assert_frame_equal(
        part.frame, abstracts.frame.iloc[[5, 0, 2]].reset_index(drop=True)
    )
    assert (
        part.licence == abstracts.licence and "Subset of 3 of 2888" in part.description
    )
    with pytest.raises(IndexError):
        abstracts.subset([2888])
    with pytest.raises(ValueError, match="whole numbers"):
        abstracts.subset([0.5])


def test_simulated_data_say_so_and_repeat_with_their_seed():
    phantom = datasets.make_chest_phantom(4, seed=3)
    assert phantom.data.shape == phantom.target.shape == (4, 1, 64, 64)
    assert "SYNTHETIC" in phantom.description and "medai" in phantom.citation
    np.testing.assert_array_equal(
        phantom.data, datasets.make_chest_phantom(4, seed=3).data
    )
    notes = datasets.make_synthetic_notes(5, seed=1)
    assert "SYNTHETIC" in notes.description
    assert notes.target == [note.phi for note in notes.data]
    for note in notes.data:
        for start, end, _ in note.phi:
            assert 0 <= start < end <= len(note.text)


def test_glucose_cohort_is_simulated_and_labelled_as_such():
    cohort = datasets.make_glucose_cohort(["adult#001"], days=0.1, seed=0, workers=1)
    assert "SIMULATED" in cohort.description
    assert set(cohort.data.columns) == {"patient", "CGM", "BG", "CHO", "insulin"}
    assert (cohort.data["patient"] == "adult#001").all()
    with pytest.raises(ValueError, match="unknown virtual patient"):
        datasets.make_glucose_cohort(["adult#099"], days=0.1, workers=1)


def test_notebook_01_states_the_download_size_of_the_written_chapters():
    import nbformat

    from medai.background.concepts import WRITTEN_CHAPTERS

    written = {int(chapter) for chapter in WRITTEN_CHAPTERS}
    used = [n for n, d in datasets.REGISTRY.items() if written & set(d.chapters)]
    megabytes = datasets.catalogue().loc[used, "size (MB)"].sum()
    notebook = Path(__file__).resolve().parents[1] / "notebooks" / "01_data.ipynb"
    header = nbformat.read(notebook, as_version=4).cells[0].source
    assert f"about {round(megabytes)} MB" in header


def test_triage_messages_are_split_within_each_kind_and_checked():
    from medai.datasets.triage_messages import parse_triage_messages

    everything = datasets.load_triage_messages()
    assert len(everything) >= 150 and set(everything.target) == set(datasets.TRIAGE_LABELS)
    tune, test = datasets.load_triage_messages("tune"), datasets.load_triage_messages("test")
    assert len(tune) + len(test) == len(everything)
    assert not set(tune.data) & set(test.data)
    for label in datasets.TRIAGE_LABELS:  # every kind on both sides
        assert (tune.target == label).sum() >= 10 and (test.target == label).sum() >= 10
    with pytest.raises(datasets.DataError, match="line 2: unknown label 'urgent'"):
        parse_triage_messages("emergency\tchest pain\nurgent\tsomething")
    with pytest.raises(datasets.DataError, match="line 1: expected 2 tab-separated"):
        parse_triage_messages("emergency chest pain")
    with pytest.raises(datasets.DataError, match="split"):
        datasets.load_triage_messages("dev")


def test_lay_questions_point_at_held_out_medquad_questions():
    from medai.chat.corpus import answer_corpus, focus_split

    lay = datasets.load_lay_questions()
    assert len(lay) >= 100 and len(set(lay.data)) == len(lay)
    corpus = answer_corpus(datasets.load_medquad().frame)
    corpus["split"] = focus_split(corpus, seed=0)
    keyed = corpus.set_index(["document", "question"]).sort_index()
    for document, question in zip(lay.frame["document"], lay.frame["question"]):
        assert (document, question) in keyed.index, (document, question)
        assert set(keyed.loc[[(document, question)], "split"]) == {"test"}


def test_off_topic_questions_have_known_kinds():
    requests = datasets.load_off_topic_questions()
    assert len(requests) >= 50 and set(requests.target) == set(datasets.assistant_questions.OFF_TOPIC_KINDS)


def test_files_written_for_the_book_are_read_with_line_numbers_in_errors():
    from medai.datasets.written import tab_rows, written_credits

    text = "# a comment\n\nkind-a\tfirst\nkind-b\tsecond\n"
    assert tab_rows(text, 2, "f.txt", first_in=("kind-a", "kind-b")) == [["kind-a", "first"], ["kind-b", "second"]]
    with pytest.raises(datasets.DataError, match=r"f.txt, line 3: unknown label 'kind-a'"):
        tab_rows(text, 2, "f.txt", first_in=("kind-b",))
    with pytest.raises(datasets.DataError, match="line 2: expected 2 tab-separated, non-empty fields"):
        tab_rows("a\tb\na\t \n", 2, "f.txt")
    with pytest.raises(datasets.DataError, match="no rows"):
        tab_rows("# only a comment\n", 2, "f.txt")
    assert written_credits("x.txt")["citation"].endswith("medai/datasets/data/x.txt.")
    # every loader of a file written for the book credits it the same way
    for bundle in (datasets.load_triage_messages(), datasets.load_lay_questions(),
                   datasets.load_off_topic_questions(), datasets.load_handwritten_notes()):
        assert bundle.licence == "MIT (written for this book)" and "medai/datasets/data/" in bundle.citation
