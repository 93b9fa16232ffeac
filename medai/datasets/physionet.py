"""Physiological records: MIT-BIH arrhythmia records with their reference beat labels, and
the PhysioNet sample records (ECG with PPG, ECG with arterial pressure), read with ``wfdb``."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import wfdb

from ..core.errors import InputError, InputKeyError
from .bundle import DataBundle, credits
from .errors import DataError, DataNotFoundError, reading
from .resolve import local_file, path

MITBIH_RECORDS = ("100", "104", "106", "108", "113", "121", "202", "223", "231", "232")
# Record 104 is paced; the AAMI recommendation (EC57) leaves paced records out of
# beat-classification studies, and so does this book.
MITBIH_PACED = ("104",)
WFDB_SAMPLES = ("a103l", "v102s", "03700181", "s0010_re")


@dataclass(frozen=True)
class Annotations:
    """Reference annotations: sample index and symbol of each (beat or non-beat) label."""

    sample: np.ndarray
    symbol: np.ndarray

    def __len__(self) -> int:
        return len(self.sample)


@dataclass(frozen=True, kw_only=True, repr=False)
class EcgRecord(DataBundle):
    """One record: ``data`` the physical signals (samples x channels), ``feature_names`` the
    channel names, ``fs`` the sampling rate, ``units`` per channel, and reference ``annotations``."""

    record: str
    fs: float
    units: tuple[str, ...]
    annotations: Annotations | None = None

    def channel(self, name: str) -> np.ndarray:
        """One channel by name, e.g. ``"MLII"``, ``"PLETH"`` or ``"ABP"``."""
        if name not in self.feature_names:
            raise InputKeyError(
                f"record {self.record} has no channel {name!r}; it has {list(self.feature_names)}"
            )
        return self.data[:, self.feature_names.index(name)]


def read_wfdb_record(header: str | Path) -> wfdb.Record:
    """Read a WFDB record (``NAME.hea`` and its signal files) and check what came back.

    Give the header's path, with or without ``.hea``. A damaged header or signal file,
    a sampling rate that is not positive, or a record without samples raises a
    ``DataError`` naming the file, instead of an error from deep inside wfdb.
    """
    if not isinstance(header, (str, Path)):
        raise InputError(
            f"a WFDB record is named by its header path (str or Path), got {type(header).__name__}"
        )
    base = (
        Path(header).with_suffix("") if str(header).endswith(".hea") else Path(header)
    )
    hea = base.with_name(base.name + ".hea")
    if not hea.is_file():
        raise DataError(f"no WFDB header {hea}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rec = wfdb.rdrecord(str(base))
    except Exception as error:  # wfdb reports damaged files in many ways
        raise DataError(
            f"WFDB record {hea} (or its signal file) cannot be read: "
            f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else 'no detail'}"
        ) from None
    written = _written_rate(hea)
    if written is not None and written != rec.fs:  # wfdb puts 250 Hz in place of a rate it cannot read
        raise DataError(f"{hea}: sampling frequency {written!r} in the header is not a rate wfdb can use (read as {rec.fs} Hz)")
    if not rec.fs or not np.isfinite(rec.fs) or rec.fs <= 0:
        raise DataError(
            f"{hea}: sampling frequency {rec.fs!r} Hz is not a positive number"
        )
    if rec.p_signal is None or rec.p_signal.size == 0 or rec.sig_len == 0:
        raise DataError(f"{hea}: the record holds no samples")
    if rec.p_signal.shape != (rec.sig_len, rec.n_sig):
        raise DataError(
            f"{hea}: header promises {rec.sig_len} samples x {rec.n_sig} channels, "
            f"the signal file holds {rec.p_signal.shape}"
        )
    return rec


def _written_rate(hea: Path) -> str | float | None:
    """The sampling frequency as the header's record line writes it (``NAME NSIG FS[/COUNTER][(BASE)] ...``):
    a float, the text when it is not a positive number, or None when the line gives none (250 Hz by
    the WFDB format's default)."""
    lines = [line for line in hea.read_text(errors="replace").splitlines() if line.strip() and not line.startswith("#")]
    fields = lines[0].split() if lines else []
    if len(fields) < 3:
        return None
    text = fields[2].split("/")[0].split("(")[0]
    try:
        rate = float(text)
    except ValueError:
        return fields[2]
    return rate if np.isfinite(rate) and rate > 0 else fields[2]


def _record(folder, name: str) -> wfdb.Record:
    return read_wfdb_record(folder / name)


def _as_record(
    dataset: str, name: str, rec: wfdb.Record, annotations: Annotations | None = None
) -> EcgRecord:
    return EcgRecord(
        name=dataset,
        record=name,
        data=np.asarray(rec.p_signal, dtype=np.float64),
        fs=float(rec.fs),
        feature_names=tuple(rec.sig_name),
        units=tuple(rec.units),
        annotations=annotations,
        description=f"record {name}: {len(rec.sig_name)} channels ({', '.join(rec.sig_name)}) "
        f"at {float(rec.fs):g} Hz, {rec.sig_len / rec.fs / 60:.1f} minutes",
        **credits(dataset),
    )


def load_mitbih(record: str, with_annotations: bool = True) -> EcgRecord:
    """An MIT-BIH record (360 Hz, two leads) with its reference beat annotations."""
    record = str(record)
    if record not in MITBIH_RECORDS:
        raise InputError(
            f"record {record!r} is not in this copy; available: {', '.join(MITBIH_RECORDS)}"
        )
    folder = path("mitbih-arrhythmia", [f"{record}.hea", f"{record}.dat"])
    rec = _record(folder, record)
    annotations = None
    if with_annotations:
        file = f"annotations_txt/{record}annotations.txt"
        try:
            annotations_file = local_file("mitbih-arrhythmia", file)
        except DataNotFoundError as error:
            raise DataNotFoundError(
                f"record {record}: the reference annotations are missing, so its beats "
                f"cannot be labelled. {error}"
            ) from None
        with reading(annotations_file):
            text = annotations_file.read_text("utf-8")
            annotations = parse_annotation_text(text, signal_length=rec.sig_len)
    return _as_record("mitbih-arrhythmia", record, rec, annotations)


def load_physionet_sample(name: str) -> EcgRecord:
    """One of the PhysioNet sample records (``WFDB_SAMPLES``); they carry no beat labels."""
    if name not in WFDB_SAMPLES:
        raise InputError(
            f"unknown sample record {name!r}; available: {', '.join(WFDB_SAMPLES)}"
        )
    dataset = "physionet-wfdb-samples"
    return _as_record(dataset, name, _record(path(dataset), name))


def parse_annotation_text(text: str, signal_length: int | None = None) -> Annotations:
    """Parse ``rdann`` text output: a header line, then ``time sample symbol sub chan num [aux]``.

    Samples must not decrease, and with ``signal_length`` they must lie inside the record.
    """
    if not isinstance(text, str):
        raise InputError(f"annotation text must be a str, got {type(text).__name__}")
    samples, symbols = [], []
    lines = text.splitlines()
    if not lines or "Sample" not in lines[0]:
        raise InputError(
            "not an annotation listing: the first line should be the 'Time  Sample#  Type ...' header"
        )
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split()
        if not fields:
            continue
        if len(fields) < 3 or not fields[1].isdigit():
            raise InputError(f"annotation line {number} is malformed: {line!r}")
        if samples and int(fields[1]) < samples[-1]:
            raise InputError(
                f"annotation line {number}: sample {fields[1]} comes before the previous one ({samples[-1]})"
            )
        if signal_length is not None and int(fields[1]) >= signal_length:
            raise InputError(
                f"annotation line {number}: sample {fields[1]} is past the record's end ({signal_length} samples)"
            )
        samples.append(int(fields[1]))
        symbols.append(fields[2])
    return Annotations(np.asarray(samples, dtype=np.int64), np.asarray(symbols))
