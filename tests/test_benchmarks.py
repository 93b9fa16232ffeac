"""Recorded benchmark results say what produced them and are not older than the code they measure."""

from __future__ import annotations

import re
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


def _speedups(record: Path) -> dict[str, float]:
    """'training' and 'RUNTIME@BATCH' speed-ups from a record's tables."""
    values = {}
    for line in record.read_text().splitlines():
        fields = line.split()
        if "medai.core.train.fit" in line:
            values["training"] = float(fields[-1])
        elif fields[:1] in (["eager"], ["TorchScript"]) or fields[:2] == [
            "ONNX",
            "Runtime",
        ]:
            runtime = "ONNX Runtime" if fields[0] == "ONNX" else fields[0]
            values[f"{runtime}@{fields[-3]}"] = float(fields[-1])
    return values


def test_the_chapter_sentences_about_the_records_are_true():
    """book/03_imaging.md, 'How fast is the loop?': each claim, checked on the recorded numbers."""
    cnn = _speedups(ROOT / "benchmarks" / "results" / "imaging-cpu.txt")
    resnet = _speedups(ROOT / "benchmarks" / "results" / "imaging-cpu-resnet18.txt")
    assert 1.0 < cnn["training"] < 2.0  # "a modest factor"
    assert 0.8 < resnet["training"] < 1.25  # "within about a fifth of each other" for ResNet-18
    assert 1.5 <= cnn["ONNX Runtime@1"] <= 3.0 and cnn["ONNX Runtime@64"] >= 3.0  # "about twice ... several times"
    assert resnet["ONNX Runtime@1"] > 1.0 and (
        1.0 < resnet["ONNX Runtime@64"] < min(2.0, cnn["ONNX Runtime@64"])
    )  # "still faster, but for a batch of 64 by far less (under twice)"
    assert all(
        cnn[f"TorchScript@{b}"] - 1 < (cnn[f"ONNX Runtime@{b}"] - 1) / 2 for b in (1, 64)
    )  # "TorchScript helps far less than ONNX Runtime": under half of ONNX Runtime's gain
    cnn_rate, resnet_rate = (_fit_gflops(ROOT / "benchmarks" / "results" / name)
                             for name in ("imaging-cpu.txt", "imaging-cpu-resnet18.txt"))  # fmt: skip
    assert resnet_rate > 2 * cnn_rate  # "ResNet-18's loop computes at over twice the rate of the small CNN's"


def _fit_gflops(record: Path) -> float:
    """The GFLOP/s of the fit row of a record's training table."""
    lines = record.read_text().splitlines()
    header = next(line for line in lines if "GFLOP/s" in line and "pipeline" in line)
    column = header.split().index("GFLOP/s")  # the fit row's pipeline name is one word, as in the header
    row = next(line for line in lines if line.strip().startswith("medai.core.train.fit"))
    return float(row.split()[column])


def test_each_benchmark_is_stale_only_when_its_own_code_changes():
    from medai.core.benchmark import measured_code

    imaging = measured_code("python -m medai bench imaging --model resnet18")
    chat = measured_code("python -m medai bench chat --questions 200")
    assert "medai/chat" in chat and "medai/chat" not in imaging
    assert "medai/imaging/bench.py" in imaging and "medai/imaging/bench.py" not in chat
    serve = measured_code("python -m medai bench serve --requests 2000")
    assert "medai/evaluation" in serve and "medai/evaluation" not in chat
    assert set(measured_code(None)) == set(imaging) | set(chat) | set(serve)  # unknown: any measured code counts


def _serve_rows(record: Path) -> dict[tuple[str, int], dict[str, float]]:
    """(scoring, concurrency) -> requests/s, p99 ms, errors, from a serve record's load table."""
    rows = {}
    for line in record.read_text().splitlines():
        fields = line.split()
        if line.strip().startswith(("one at a time", "micro-batched")) and fields[-1].isdigit():
            mode = "alone" if line.strip().startswith("one") else "batched"
            rows[(mode, int(fields[-7]))] = {"rps": float(fields[-5]), "p99": float(fields[-2]), "errors": int(fields[-1])}
    return rows


def test_the_chapter_sentences_about_the_service_record_are_true():
    """book/08_evaluation.md, 'A service': each sentence, checked on the recorded numbers."""
    rows = _serve_rows(ROOT / "benchmarks" / "results" / "serve-cpu.txt")
    assert len(rows) == 6 and all(r["errors"] == 0 for r in rows.values())  # "no errors at any level"
    top = max(c for _, c in rows)
    assert all(rows[(m, top)]["rps"] >= 500 and rows[(m, top)]["p99"] <= 100 for m in ("alone", "batched"))  # goal met
    assert rows[("batched", 1)]["rps"] < rows[("alone", 1)]["rps"]  # "one client at a time: the wait costs"
    assert rows[("batched", top)]["rps"] > rows[("alone", top)]["rps"]  # "under load batching pays off"
    alone = {}
    for line in (ROOT / "benchmarks" / "results" / "serve-cpu.txt").read_text().splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[0] in ("1", "64"):
            alone[int(fields[0])] = float(fields[2])  # ONNX Runtime ms
    assert alone[64] < 64 * alone[1] / 2  # "a batch of 64 in less than half of 64 times the time for one"


def test_the_chapter_sentences_about_the_chat_record_are_true():
    """book/07_chatbot.md: 'a rewording takes seconds ... against milliseconds for the extractive reply'."""
    p50 = {}
    for line in (ROOT / "benchmarks" / "results" / "chat-cpu.txt").read_text().splitlines():
        for stage in ("reply, no generation", "reply with SmolLM2 rewording"):
            if line.startswith(stage):
                p50[stage] = float(line[len(stage):].split()[1])
    assert p50["reply with SmolLM2 rewording"] >= 1000 and p50["reply, no generation"] < 100
    # "Written eight at a time ... each costs less ... and the text is the same"
    batched = re.search(r"SmolLM2 rewording of \d+ passages: ([\d.]+) s each one at a time, ([\d.]+) s each "
                        r"eight at a time \([\d.]+x faster; (the same|DIFFERENT) text\)",
                        (ROOT / "benchmarks" / "results" / "chat-cpu.txt").read_text())  # fmt: skip
    assert batched, "the chat record has no batched rewording line: re-record it"
    assert float(batched[2]) < float(batched[1]) and batched[3] == "the same"


def test_modules_only_notebooks_load_are_not_measured_code():
    """No benchmark imports the prose helpers, so editing them must not make a record stale."""
    import subprocess
    import sys

    from medai.core.benchmark import measured_code

    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, medai.imaging.bench, medai.chat.bench, medai.evaluation.bench; "
         "print(' '.join(sorted(m for m in sys.modules if m.startswith('medai.core'))))"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    for module in ("claims", "profiles"):
        assert f"medai.core.{module}" not in loaded
        assert f":(exclude)medai/core/{module}.py" in measured_code(None)
