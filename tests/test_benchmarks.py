"""Recorded benchmark results say what produced them and are not older than the code they measure."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from medai.core.benchmark import record_is_current, recorded_commit

ROOT = Path(__file__).resolve().parents[1]
RECORDS = sorted((ROOT / "benchmarks" / "results").glob("*.txt"))


def test_there_are_records():
    assert RECORDS


@pytest.mark.parametrize("record", RECORDS, ids=lambda p: p.name)
def test_record_has_a_header_and_is_current(record):
    text = record.read_text()
    for field in (
        "# command: python -m medai bench",
        "# commit: ",
        "# recorded: ",
        "# machine: ",
        "# versions: ",
    ):
        assert field in text, (
            f"{record.name} lacks {field!r}: re-record it with --record"
        )
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip(
            "not a git checkout: cannot compare the record with the code's history"
        )
    current, reason = record_is_current(record)
    assert current, reason


def test_records_from_unclean_or_unknown_commits_are_stale(tmp_path):
    dirty = tmp_path / "dirty.txt"
    dirty.write_text(
        "# commit: " + "a" * 40 + " + uncommitted changes to the measured code\n"
    )
    assert recorded_commit(dirty).startswith("a" * 40)
    if shutil.which("git") and (ROOT / ".git").exists():
        assert record_is_current(dirty)[0] is False
        old = tmp_path / "old.txt"
        old.write_text("# commit: 0000000000000000000000000000000000000000\n")
        assert record_is_current(old)[0] is False
    bare = tmp_path / "bare.txt"
    bare.write_text("no header\n")
    assert record_is_current(bare) == (False, f"{bare} has no '# commit:' line")
