"""Clinical notes written by hand for this book, with every identifier marked, and clinical text that must stay:
the de-identification test sets.

The notes (``data/deid_handwritten.txt``) were written independently of the
synthetic-note generator and frozen before any rule was tuned on them. Half are
for tuning ("tune"), half are only scored ("test"). Everything in them is invented.
"""

from __future__ import annotations

import re
import pandas as pd

from .bundle import DataBundle
from .errors import DataError
from .synthetic_notes import Note
from .written import packaged_text, tab_rows, written_credits

SPLITS = ("tune", "test")
PHI_CATEGORIES = (
    "NAME", "DATE", "AGE", "PHONE", "FAX", "EMAIL", "SSN", "MRN", "ACCOUNT", "ADDRESS", "ZIP", "URL", "IP",
    "HOSPITAL",
)  # fmt: skip
_MARK = re.compile(r"\[\[(?P<kind>[A-Z]+):(?P<text>[^\]]+)\]\]")
_HEADER = re.compile(r"^=== (?P<id>\w+) \| (?P<style>[^|]+?) \| (?P<split>\w+)$")


def parse_marked_notes(text: str, source: str = "input", splits: tuple[str, ...] = SPLITS,
                       aliases: dict[str, str] | None = None) -> list[tuple[dict, Note]]:  # fmt: skip
    """Notes in the ``=== id | style | split`` format with ``[[TYPE:text]]`` marks: (header, note) pairs;
    every split must be one of ``splits``; ``aliases`` renames a writer's mark types to the book's."""
    notes: list[tuple[dict, Note]] = []
    header, body = None, []

    def close() -> None:
        if header is not None:
            notes.append(
                (header, _unmark("\n".join(body).strip("\n"), header["id"], source, aliases or {}))
            )

    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#") and header is None:
            continue  # the file's own comments, before the first note
        if line.startswith("==="):
            close()
            match = _HEADER.match(line)
            if not match:
                raise DataError(
                    f"{source}, line {number}: expected '=== id | style | split', got {line!r}"
                )
            header = match.groupdict()
            if header["split"] not in splits:
                raise DataError(
                    f"{source}, line {number}: split must be one of {splits}"
                )
            body = []
        elif header is not None:
            body.append(line)
    close()
    if not notes:
        raise DataError(f"{source}: no notes found")
    return notes


def _unmark(marked: str, note_id: str, source: str, aliases: dict[str, str]) -> Note:
    """Remove the marks, remembering where each identifier ends up in the plain text."""
    pieces, spans, cursor, length = [], [], 0, 0
    for match in _MARK.finditer(marked):
        kind = aliases.get(match.group("kind"), match.group("kind"))
        if kind not in PHI_CATEGORIES:
            raise DataError(
                f"{source}, note {note_id}: unknown identifier type {kind!r}"
            )
        before = marked[cursor : match.start()]
        pieces.append(before)
        length += len(before)
        pieces.append(match.group("text"))
        spans.append((length, length + len(match.group("text")), kind))
        length += len(match.group("text"))
        cursor = match.end()
    pieces.append(marked[cursor:])
    plain = "".join(pieces)
    if "[[" in plain or "]]" in plain:
        raise DataError(f"{source}, note {note_id}: a mark is not closed")
    return Note(plain, spans, patient_id=note_id)


def load_handwritten_notes(split: str | None = None) -> DataBundle:
    """The hand-written notes (``split`` "tune", "test" or None for all): ``data`` the notes,
    ``target`` their identifier spans, ``frame`` one row per note (id, style, split)."""
    if split is not None and split not in SPLITS:
        raise DataError(f"split must be one of {SPLITS} or None, got {split!r}")
    file = "deid_handwritten.txt"
    pairs = parse_marked_notes(packaged_text(file), source=file)
    pairs = [(h, n) for h, n in pairs if split in (None, h["split"])]
    notes = [note for _, note in pairs]
    frame = pd.DataFrame([h for h, _ in pairs])
    return DataBundle(
        name="handwritten-notes",
        data=notes,
        target=[note.phi for note in notes],
        target_names=PHI_CATEGORIES,
        frame=frame,
        description=f"{len(notes)} clinical notes written by hand for this book ({split or 'all'} split), "
        f"{sum(len(n.phi) for n in notes)} marked identifiers; every name and number is invented.",
        **written_credits(file),
    )


DEID_SETS = {"A": "deid_eval.txt", "C": "deid_eval_c.txt", "D": "deid_eval_d.txt", "E": "deid_eval_e.txt", "F": "deid_eval_f.txt",
             "G": "deid_eval_g.txt", "H": "deid_eval_h.txt", "I": "deid_eval_i.txt"}  # fmt: skip
# Set H's writer was asked to mark national, insurance, licence and device numbers as ID; the book files
# them under SSN, which scoring counts among the IDs with MRN and ACCOUNT (the file stays as it arrived).
_ALIASES = {"H": {"ID": "SSN"}}


def load_deid_evaluation(which: str = "A") -> DataBundle:
    """Documents written outside the project (dictations, HL7, CSV and DICOM exports, bilingual notes,
    faxes, OCR-scanned forms, letters) with every identifier marked, each set frozen by hash on arrival.
    Set "A" (68 documents) was scored once blind and is development data since; set "C" (written later,
    before any change that set A led to) tested the first tagger; set "D" (67 documents, written before the
    tagger's training notes took in real medical sentences) tested every change made after C, once; set
    "E" (66 documents, 1,405 identifiers, written by another helper who saw no code, frozen after D's
    scoring and before any change that followed it) tested the third tagger, once; set "F" (60 documents,
    1,411 identifiers, by a new helper who saw no code, frozen after E's scoring and before any change
    that followed it) tested the fourth, once; set "G" (60 documents, 1,549 identifiers, by a new helper
    who saw no code, frozen after F's scoring and before any change that followed it) tested the fifth,
    once; set "H" (60 documents, 1,492 identifiers, by a new helper who saw no code, frozen after G's
    scoring and before any change that followed it) tested the sixth, once; set "I" (by a new helper who
    saw no code, frozen after H's scoring and before any change that followed it) tests the next, once."""
    if which not in DEID_SETS:
        raise DataError(f"which must be one of {sorted(DEID_SETS)}, got {which!r}")
    return _marked_documents(DEID_SETS[which], "eval", f"deid-evaluation-{which.lower()}",
                             f"set {which}: {{n}} documents written outside the project", _ALIASES.get(which))


def _marked_documents(file: str, split: str, name: str, about: str, aliases: dict | None) -> DataBundle:
    """The documents of ``file`` (in ``split``) with their marked identifiers; ``about`` opens the
    description, with ``{n}`` for the number of documents."""
    pairs = parse_marked_notes(packaged_text(file), source=file, splits=(split,), aliases=aliases)
    notes = [note for _, note in pairs]
    return DataBundle(
        name=name,
        data=notes,
        target=[note.phi for note in notes],
        target_names=PHI_CATEGORIES,
        frame=pd.DataFrame([h for h, _ in pairs]),
        description=f"{about.format(n=len(notes))}, {sum(len(n.phi) for n in notes)} marked identifiers; "
        "every name and number is invented.",
        **written_credits(file),
    )


KEEP_CATEGORIES = ("drug_generic", "drug_brand", "eponym", "scale", "lab_or_value", "dose_or_setting",
                   "department_or_common")  # fmt: skip


def load_deid_training_documents() -> DataBundle:
    """Documents written to train the tagger (``data/deid_train_written.txt``): 120 notes, letters,
    dictations, exports and scanned forms in which a few marked identifiers sit among dense clinical
    text that must stay, written after set G's scoring by a helper who saw no code and no evaluation set."""
    return _marked_documents("deid_train_written.txt", "train", "deid-training-documents",
                             "{n} documents written to train de-identification", {"ID": "SSN"})


def load_clinical_keep_list() -> DataBundle:
    """Clinical text a de-identifier must never remove, written outside the project before any rule was
    tuned against it: ``frame`` the terms (category, term), ``data`` note lines that use them and hold
    no identifier at all."""
    terms = pd.DataFrame(
        tab_rows(packaged_text("clinical_keep_terms.tsv"), 2, "clinical_keep_terms.tsv", KEEP_CATEGORIES + ("category",)),
        columns=["category", "term"],
    ).query("category != 'category'").reset_index(drop=True)  # the file's header line
    lines = [line for line in packaged_text("clinical_keep_sentences.txt").splitlines() if line.strip()]
    return DataBundle(
        name="clinical-keep-list",
        data=lines,
        target=None,
        frame=terms,
        description=f"{len(terms)} clinical terms (drugs, eponyms, scales, values, doses, departments) and "
        f"{len(lines)} identifier-free note lines that use them",
        **written_credits("clinical_keep_terms.tsv"),
    )
