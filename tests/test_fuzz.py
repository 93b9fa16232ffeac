"""Every entry point that reads a user's file or value, fed what a fuzzer would feed it.

Each case must either work or raise a ``medai`` error (``MedaiError``) whose message
names the input: never another exception type from deep inside numpy, pandas, wfdb,
pydicom or torch, never a silent success on damaged data, and never a file left behind.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from pydicom.data import get_testdata_file

from medai import datasets
from medai.core.checkpoint import load_checkpoint
from medai.core.checks import check_images
from medai.core.errors import MedaiError
from medai.datasets import chipseq, gse7390, heart, pneumoniamnist, splice, text
from medai.datasets.chipseq import read_fasta
from medai.datasets.errors import DataError
from medai.datasets.physionet import parse_annotation_text, read_wfdb_record
from medai.datasets.text import parse_conll
from medai.imaging.dicom import read_dicom
from medai.monitoring.quality import check_signal
from medai.text.deid import deidentify

RNG = np.random.default_rng(2026)
KINDS = ("empty", "random-bytes", "truncated", "directory")


def _mirror_bytes(name: str, file: str) -> bytes:
    return (datasets.path(name, [file]) / file).read_bytes()


def _checkpoint_bytes(tmp: Path) -> bytes:
    torch.save({"weight": torch.arange(64.0)}, tmp / "valid.pt")
    return (tmp / "valid.pt").read_bytes()


# entry point -> (file name it is given, valid content, how to call it on a path)
def _loader(module, load, only: str | None = None):
    """Call a registry loader with its file (or only the file ``only``) replaced by ``path``.

    The registry's sha256 check would refuse a damaged file first; this tests the parsing after it.
    """
    real = module.local_file

    def call(path: Path, monkeypatch):
        monkeypatch.setattr(
            module,
            "local_file",
            lambda name, file: path if only in (None, file) else real(name, file),
        )
        return load()

    return call


def _direct(function):
    return lambda path, monkeypatch: function(path)


ENTRY_POINTS = {
    "read_dicom": (
        "scan.dcm",
        lambda tmp: Path(get_testdata_file("CT_small.dcm")).read_bytes(),
        _direct(read_dicom),
    ),
    "load_checkpoint": ("model.pt", _checkpoint_bytes, _direct(load_checkpoint)),
    "load_pneumoniamnist": (
        "pneumoniamnist.npz",
        lambda tmp: _mirror_bytes("pneumoniamnist-subset", "pneumoniamnist.npz"),
        _loader(pneumoniamnist, lambda: datasets.load_pneumoniamnist("val")),
    ),
    "load_splice_junction": (
        "splice.csv",
        lambda tmp: _mirror_bytes("uci-splice-junction", "splice.csv"),
        _loader(splice, datasets.load_splice_junction),
    ),
    "load_uci_heart_disease": (
        "processed.va.data",
        lambda tmp: _mirror_bytes("uci-heart-disease", "processed.va.data"),
        _loader(heart, lambda: datasets.load_uci_heart_disease(["va"])),
    ),
    "load_chipseq_oct4_mafk": (
        "peaks.fa",
        lambda tmp: _mirror_bytes("chipseq-oct4-mafk", "sample_test.fa"),
        _loader(chipseq, lambda: datasets.load_chipseq_oct4_mafk("test")),
    ),
    "load_breast_cancer_gse7390": (
        "gse7390.arff",
        lambda tmp: _mirror_bytes(
            "breast-cancer-gse7390", "breast_cancer_GSE7390-metastasis.arff"
        ),
        _loader(gse7390, datasets.load_breast_cancer_gse7390),
    ),
    "load_ncbi_disease": (
        "devel.tsv",
        lambda tmp: _mirror_bytes("ncbi-disease", "conll/devel.tsv"),
        _loader(text, lambda: datasets.load_ncbi_disease("devel")),
    ),
    "load_medical_abstracts": (
        "abstracts.csv",
        lambda tmp: _mirror_bytes("medical-abstracts", "medical_tc_test.csv"),
        _loader(text, datasets.load_medical_abstracts, only="medical_tc_test.csv"),
    ),
}


def damaged(kind: str, valid: bytes, target: Path) -> Path:
    """Write the ``kind`` of damaged input at ``target`` (a folder for 'directory')."""
    if kind == "directory":
        target.mkdir()
        return target
    content = {
        "empty": b"",
        "random-bytes": RNG.bytes(4096),
        # cut inside a record, not at a line boundary
        "truncated": valid[: len(valid) // 2 + 7],
    }[kind]
    target.write_bytes(content)
    return target


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_damaged_files_raise_a_medai_error_naming_the_file(
    entry, kind, tmp_path, monkeypatch
):
    name, valid, call = ENTRY_POINTS[entry]
    valid_bytes = valid(tmp_path)
    (tmp_path / "input").mkdir()
    target = damaged(kind, valid_bytes, tmp_path / "input" / name)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(MedaiError) as caught:
        call(target, monkeypatch)
    assert name in str(caught.value), str(caught.value)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_the_valid_file_still_loads(entry, tmp_path, monkeypatch):
    name, valid, call = ENTRY_POINTS[entry]
    path = tmp_path / name
    path.write_bytes(valid(tmp_path))
    assert call(path, monkeypatch) is not None


@pytest.mark.parametrize("kind", ["empty", "random-bytes", "truncated"])
@pytest.mark.parametrize("part", ["hea", "dat"])
def test_damaged_wfdb_records_raise_a_medai_error_naming_the_header(
    part, kind, tmp_path
):
    folder = datasets.path("mitbih-arrhythmia", ["100.hea", "100.dat"])
    for suffix in ("hea", "dat"):
        (tmp_path / f"100.{suffix}").write_bytes(
            (folder / f"100.{suffix}").read_bytes()
        )
    (tmp_path / f"100.{part}").unlink()
    valid = (folder / f"100.{part}").read_bytes()
    # cut the header inside its signal lines (the comment lines after them do not matter)
    damaged(kind, valid[:60] if part == "hea" else valid, tmp_path / f"100.{part}")
    with pytest.raises(MedaiError, match="100.hea"):
        read_wfdb_record(tmp_path / "100.hea")


@pytest.mark.parametrize("rate", ["abc", "-360", "0", "nan", "1e-9"])
def test_a_wfdb_header_with_a_bad_sampling_rate_is_refused_not_replaced(rate, tmp_path):
    folder = datasets.path("mitbih-arrhythmia", ["100.hea", "100.dat"])
    (tmp_path / "100.dat").write_bytes((folder / "100.dat").read_bytes())
    lines = (folder / "100.hea").read_text().splitlines()
    fields = lines[0].split()
    assert fields[2] == "360"  # the record line: name, signals, rate, samples
    fields[2] = rate
    (tmp_path / "100.hea").write_text("\n".join([" ".join(fields), *lines[1:]]) + "\n")
    with pytest.raises(MedaiError, match="100.hea.*sampling frequency"):
        read_wfdb_record(tmp_path / "100.hea")
    fields[2] = "360"
    (tmp_path / "100.hea").write_text("\n".join([" ".join(fields), *lines[1:]]) + "\n")
    assert read_wfdb_record(tmp_path / "100.hea").fs == 360


TEXT_PARSERS = {
    "parse_conll": lambda value: parse_conll(value, source="input.tsv"),
    "parse_annotation_text": parse_annotation_text,
    "read_fasta": lambda value: read_fasta(value, source="input.fa"),
}


@pytest.mark.parametrize(
    "value",
    [None, 42, b"\xff\xfe", RNG.bytes(64).decode("latin-1"), "", "\x00" * 10],
    ids=["none", "int", "bytes", "random-text", "empty", "nul"],
)
@pytest.mark.parametrize("parser", TEXT_PARSERS)
def test_text_parsers_work_or_raise_a_medai_error(parser, value):
    try:
        TEXT_PARSERS[parser](value)
    except MedaiError:
        pass


@pytest.mark.parametrize(
    "value",
    [
        None,
        "image.png",
        [[1, 2]],
        np.array(["a", "b"]),
        np.zeros((2, 3)),
        np.full((1, 4, 4), np.nan),
    ],
    ids=["none", "str", "list", "strings", "2d", "nan"],
)
def test_image_checks_raise_a_medai_error(value):
    with pytest.raises(MedaiError):
        check_images(value)


@pytest.mark.parametrize(
    "signal, fs",
    [
        (None, 360),
        ("ecg", 360),
        (np.array(["1.0", "x"] * 400), 360),
        (np.zeros((2, 800)), 360),
        (np.full(800, np.nan), 360),
        (np.zeros(800), "360"),
        (np.random.default_rng(0).normal(size=800), np.float32(360)),
    ],
    ids=["none", "str", "strings", "2d", "nan", "fs-str", "fs-float32"],
)
def test_signal_checks_work_or_raise_a_medai_error(signal, fs):
    try:
        out = check_signal(signal, fs, name="ECG")
    except MedaiError as error:
        assert "ECG" in str(error)
    else:
        assert out.dtype == np.float64 and np.isfinite(out).all()


@pytest.mark.parametrize(
    "note",
    [
        None,
        3.5,
        b"caf\xe9",
        ["a note"],
        "",
        "\x00\x01",
        RNG.bytes(200).decode("latin-1"),
    ],
)
def test_deidentify_works_or_raises_a_medai_error(note):
    try:
        text, spans = deidentify(note, "P1", "secret", rules_only=True)
    except MedaiError:
        return
    assert isinstance(text, str) and all(s.end <= len(note) for s in spans)


@pytest.mark.parametrize("unit", [" ", "\t", ", ", "Dr ", "a, 1, ", "Smith ", "\n"],
                         ids=["spaces", "tabs", "commas", "titles", "mixed", "names", "newlines"])  # fmt: skip
def test_the_rules_read_a_long_note_in_time_proportional_to_its_length(unit):
    """A run of 40,000 spaces once took a minute (a pattern retried at every space): four times the text
    must take about four times as long, not sixteen. The ratio, not a time, so any machine can run it."""
    import time

    from medai.text.deid import rule_phi

    def seconds(size: int) -> float:
        text = unit * (size // len(unit)) + " 1"
        best = float("inf")
        for _ in range(2):  # the faster of two runs: a busy machine slows one, not the ratio
            start = time.perf_counter()
            rule_phi(text)
            best = min(best, time.perf_counter() - start)
        return best

    small, large = seconds(100_000), seconds(400_000)
    assert large < 8 * small + 0.05, f"{unit!r}: 100 kB in {small:.2f} s, 400 kB in {large:.2f} s"


def _note_and_tagger_spans(copies: int, seed: int = 0):
    """A long note dense with dates, ages and names, and a stand-in for the tagger's spans: random
    stretches, some joining a rule span to its neighbour (what ``_combine`` must merge)."""
    from medai.text.deid import rule_phi
    from medai.text.deid_patterns import Span

    text = "Seen 2023-03-11 by Dr Ruth Okafor, age 94, MRN 4471903. " * copies
    rules, rng = rule_phi(text), np.random.default_rng(seed)
    extra = []
    for start in rng.choice(len(text) - 40, size=len(rules), replace=False):
        end = int(start + rng.integers(1, 40))
        extra.append(Span(int(start), end, "NAME", text[int(start):end]))
    return text, rules, extra


def test_combining_rules_and_tagger_gives_what_a_full_scan_gives():
    from medai.text.deid import _combine, _keep_special
    from medai.text.deid_patterns import Span

    text, rules, extra = _note_and_tagger_spans(40)
    removed = np.zeros(len(text), dtype=bool)
    for span in rules + extra:
        removed[span.start : span.end] = True
    combined = _combine(text, rules, extra)
    assert sum(s.end - s.start for s in combined) == removed.sum()  # every removed character, once
    for span in combined:  # the kind: the rule span's own, else the first rule span's inside, else NAME
        inside = [r.kind for r in rules if span.start <= r.start < span.end]
        same = [r for r in rules if (r.start, r.end) == (span.start, span.end)]
        assert span.kind == (same[0].kind if same else inside[0] if inside else "NAME")
    dates = {(r.start, r.end): r for r in rules if r.kind == "DATE"}
    special = [r for r in rules if r.kind == "AGE" or (r.start, r.end) in dates]
    kept = _keep_special(text, combined, rules, dates)
    assert all(any((k.start, k.end) == (r.start, r.end) for k in kept) for r in special)  # each kept whole
    assert all(isinstance(k, Span) and 0 <= k.start < k.end <= len(text) for k in kept)


def test_combining_rules_and_tagger_takes_time_proportional_to_the_spans():
    """Each merged stretch once looked at every rule span: 8 times the spans took 64 times as long."""
    import time

    from medai.text.deid import _combine, _keep_special

    def seconds(copies: int) -> float:
        text, rules, extra = _note_and_tagger_spans(copies)
        dates = {(r.start, r.end): r for r in rules if r.kind == "DATE"}
        best = float("inf")
        for _ in range(2):
            start = time.perf_counter()
            _keep_special(text, _combine(text, rules, extra), rules, dates)
            best = min(best, time.perf_counter() - start)
        return best

    small, large = seconds(500), seconds(4000)
    assert large < 24 * small + 0.05, f"500 copies in {small:.2f} s, 4,000 in {large:.2f} s"


@pytest.mark.parametrize("column, value", [("age", "-500"), ("chol", "99999"), ("sex", "7"), ("thalach", "inf"),
                                           ("trestbps", "-1"), ("thal", "5")])  # fmt: skip
def test_an_impossible_heart_value_is_refused_naming_its_line_and_column(column, value, tmp_path, monkeypatch):
    """Issue 28, item 6: age -500, cholesterol 99,999, sex 7 or inf passed the loader and were scored."""
    lines = _mirror_bytes("uci-heart-disease", "processed.va.data").decode("ascii").splitlines()
    fields = lines[4].split(",")
    fields[heart.HEART_COLUMNS.index(column)] = value
    lines[4] = ",".join(fields)
    edited = tmp_path / "processed.va.data"
    edited.write_text("\n".join(lines) + "\n")
    call = _loader(heart, lambda: datasets.load_uci_heart_disease(["va"]))
    with pytest.raises(DataError, match=f"line 5, {column} is"):
        call(edited, monkeypatch)


@pytest.mark.parametrize("text, message", [(">a\nACGT\n>empty\n>b\nTTGA\n", "'empty' has no sequence"),
                                           (">x\n" + "X" * 200 + "\n", "'x' has 'X', which is not DNA"),
                                           (">p\nMKVLAT\n", "not DNA")])  # fmt: skip
def test_a_fasta_record_that_is_empty_or_not_dna_is_refused(text, message):
    with pytest.raises(DataError, match=message):
        read_fasta(text, source="input.fa")


def _upload(mode: str, size: int = 28, fmt: str = "PNG") -> bytes:
    import io

    from PIL import Image

    rng = np.random.default_rng(7)
    if mode == "I;16":
        image = Image.fromarray(rng.integers(0, 65536, (size, size)).astype(np.uint16))
    elif mode == "F":
        image = Image.fromarray(rng.random((size, size)).astype(np.float32))
    else:
        image = Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8)).convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "make",
    [lambda: b"", lambda: RNG.bytes(300), lambda: _upload("L")[:40], *(lambda m=m: _upload(m) for m in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16")),
     lambda: _upload("F", fmt="TIFF"), lambda: _upload("L", fmt="GIF"), lambda: _upload("RGB", fmt="JPEG"), lambda: _upload("L", 29)],
    ids=["empty", "random", "truncated", "bilevel", "grey", "grey-alpha", "palette", "rgb", "rgba", "16-bit", "float-tiff",
         "gif", "jpeg", "29px"],
)  # fmt: skip
def test_an_uploaded_image_is_28x28_grey_levels_or_a_4xx_answer(make):
    from medai.evaluation.service import BadInput, image_pixels

    try:
        pixels = image_pixels(make())
    except BadInput as error:
        assert 400 <= error.status < 500 and error.detail
    else:
        assert pixels.shape == (28, 28) and pixels.dtype == np.uint8 and np.ptp(pixels) > 0
