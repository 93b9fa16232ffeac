"""The data registry: cache, mirror, download, and every way each can go wrong."""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import threading
import zipfile
from pathlib import Path
from types import MappingProxyType

import pytest

from medai import datasets
from medai.datasets import (
    CacheNotWritableError,
    ChecksumError,
    DataError,
    DataNotFoundError,
    DataSet,
    UnknownDataSetError,
    UnknownFileError,
    resolve,
)


def fetch(dataset, file: str) -> Path:
    """One verified file, as the loaders get it."""
    return datasets.path(dataset, [file]) / file


GOOD = b"sample,label\n1,0\n2,1\n"
OTHER = b"a second file\n"


def make_dataset(base_url: str = "http://127.0.0.1:9/{path}") -> DataSet:
    return DataSet(
        name="toy",
        title="a toy data set for tests",
        homepage="http://127.0.0.1/",
        licence="CC0",
        citation="none",
        sources=(("*", base_url),),
        checksums=MappingProxyType(
            {
                "table.csv": hashlib.sha256(GOOD).hexdigest(),
                "sub/notes.txt": hashlib.sha256(OTHER).hexdigest(),
            }
        ),
    )


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Empty cache, no mirror, downloads allowed: each test sets only what it needs."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("MEDAI_DATA_DIR", str(cache))
    monkeypatch.delenv("MEDAI_DATA_MIRROR", raising=False)
    monkeypatch.delenv("MEDAI_OFFLINE", raising=False)
    return tmp_path


def test_mirror_hit_returns_the_mirror_folder_and_writes_nothing(isolated, monkeypatch):
    mirror = isolated / "mirror"
    write_tree(mirror / "toy", {"table.csv": GOOD, "sub/notes.txt": OTHER})
    monkeypatch.setenv(
        "MEDAI_DATA_MIRROR",
        os.pathsep.join([str(isolated / "nowhere"), str(mirror)]),
    )
    folder = datasets.path(make_dataset())
    assert folder == mirror / "toy"
    assert fetch(make_dataset(), "sub/notes.txt").read_bytes() == OTHER
    assert not (isolated / "cache").exists()


def test_cache_is_preferred_over_the_mirror(isolated, monkeypatch):
    write_tree(isolated / "cache" / "toy", {"table.csv": GOOD})
    write_tree(isolated / "mirror" / "toy", {"table.csv": GOOD})
    monkeypatch.setenv("MEDAI_DATA_MIRROR", str(isolated / "mirror"))
    assert (
        fetch(make_dataset(), "table.csv") == isolated / "cache" / "toy" / "table.csv"
    )


def test_a_folder_missing_one_file_is_skipped_for_a_complete_one(isolated, monkeypatch):
    write_tree(isolated / "cache" / "toy", {"table.csv": GOOD})  # incomplete
    write_tree(isolated / "mirror" / "toy", {"table.csv": GOOD, "sub/notes.txt": OTHER})
    monkeypatch.setenv("MEDAI_DATA_MIRROR", str(isolated / "mirror"))
    assert datasets.path(make_dataset()) == isolated / "mirror" / "toy"


@pytest.mark.parametrize("where", ["cache", "mirror"])
def test_corrupted_file_is_refused_and_left_in_place(isolated, monkeypatch, where):
    write_tree(isolated / where / "toy", {"table.csv": GOOD.replace(b"1,0", b"1,1")})
    monkeypatch.setenv("MEDAI_DATA_MIRROR", str(isolated / "mirror"))
    with pytest.raises(
        ChecksumError, match="corrupted or not the expected file"
    ) as caught:
        fetch(make_dataset(), "table.csv")
    assert "table.csv" in str(caught.value)
    assert (isolated / where / "toy" / "table.csv").read_bytes() == GOOD.replace(
        b"1,0", b"1,1"
    )


def test_a_damaged_cache_copy_does_not_hide_a_good_mirror_copy(isolated, monkeypatch):
    damaged = GOOD.replace(b"1,0", b"1,1")
    write_tree(isolated / "cache" / "toy", {"table.csv": damaged})
    write_tree(isolated / "mirror" / "toy", {"table.csv": GOOD})
    monkeypatch.setenv("MEDAI_DATA_MIRROR", str(isolated / "mirror"))
    with pytest.warns(UserWarning, match="corrupted or not the expected file.*verified copy in .*mirror"):
        assert fetch(make_dataset(), "table.csv") == isolated / "mirror" / "toy" / "table.csv"
    assert (isolated / "cache" / "toy" / "table.csv").read_bytes() == damaged  # left for its owner


def test_missing_file_offline_names_file_url_and_destination(isolated, monkeypatch):
    monkeypatch.setenv("MEDAI_OFFLINE", "1")
    monkeypatch.setenv("MEDAI_DATA_MIRROR", str(isolated / "absent-mirror"))
    with pytest.raises(DataNotFoundError) as caught:
        fetch(make_dataset("https://example.org/toy/{path}"), "sub/notes.txt")
    message = str(caught.value)
    assert "'sub/notes.txt'" in message
    assert "https://example.org/toy/sub/notes.txt" in message
    assert str(isolated / "cache" / "toy" / "sub" / "notes.txt") in message
    assert "folder does not exist" in message
    assert "MEDAI_OFFLINE" in message


def test_unknown_names_get_helpful_errors():
    with pytest.raises(
        UnknownDataSetError, match="known data sets: .*mitbih-arrhythmia"
    ):
        datasets.get("mit-bih")
    with pytest.raises(UnknownFileError, match="Did you mean 'table.csv'"):
        fetch(make_dataset(), "tabel.csv")


# --- downloads from a local HTTP server ---------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, bytes, int | None]] = {}

    def do_GET(self):  # noqa: N802 (http.server's naming)
        status, body, claimed_length = self.routes.get(
            self.path, (404, b"not found", None)
        )
        self.send_response(status)
        self.send_header("Content-Length", str(claimed_length or len(body)))
        self.end_headers()
        # if claimed_length > len(body), the client sees a truncated transfer
        self.wfile.write(body)
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Handler.routes = {}
    yield httpd, f"http://127.0.0.1:{httpd.server_address[1]}/files/{{path}}"
    httpd.shutdown()
    httpd.server_close()


def leftovers(folder: Path) -> list[str]:
    return (
        sorted(p.name for p in folder.rglob("*") if p.is_file())
        if folder.exists()
        else []
    )


def test_download_lands_verified_in_the_cache(isolated, server):
    _, url = server
    _Handler.routes = {
        "/files/table.csv": (200, GOOD, None),
        "/files/sub/notes.txt": (200, OTHER, None),
    }
    folder = datasets.path(make_dataset(url))
    assert folder == isolated / "cache" / "toy"
    assert leftovers(folder) == ["notes.txt", "table.csv"]
    # A second call is served from the cache: the server no longer has the files.
    _Handler.routes = {}
    assert fetch(make_dataset(url), "table.csv").read_bytes() == GOOD


def test_a_single_file_download_shows_a_byte_progress_bar(isolated, server, capsys):
    _, url = server
    _Handler.routes = {"/files/table.csv": (200, GOOD, None)}
    fetch(make_dataset(url), "table.csv")
    progress = capsys.readouterr().err
    assert "table.csv" in progress and "21.0/21.0" in progress and "100%" in progress


def test_download_with_wrong_content_is_discarded(isolated, server):
    _, url = server
    _Handler.routes = {"/files/table.csv": (200, b"tampered\n", None)}
    with pytest.raises(ChecksumError, match="discarded"):
        fetch(make_dataset(url), "table.csv")
    assert leftovers(isolated / "cache") == []


def _zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, content in files.items():
            bundle.writestr(name, content)
    return buffer.getvalue()


def test_a_file_inside_a_zip_is_taken_out_and_verified(isolated, server):
    _, url = server
    archive = url.format(path="bundle.zip")
    _Handler.routes = {"/files/bundle.zip": (200, _zip_of({"table.csv": GOOD, "other": OTHER}), None)}
    assert fetch(make_dataset(archive + "#member={path}"), "table.csv").read_bytes() == GOOD
    assert leftovers(isolated / "cache") == ["table.csv"]


@pytest.mark.parametrize(
    "content, error",
    [({"elsewhere.csv": GOOD}, "no member 'table.csv'"), ({"table.csv": b"tampered"}, "discarded")],
    ids=["member-missing", "member-tampered"],
)
def test_a_bad_zip_member_leaves_nothing_behind(isolated, server, content, error):
    _, url = server
    archive = url.format(path="bundle.zip")
    _Handler.routes = {"/files/bundle.zip": (200, _zip_of(content), None)}
    with pytest.raises((DataNotFoundError, ChecksumError), match=error) as caught:
        fetch(make_dataset(archive + "#member={path}"), "table.csv")
    if caught.type is DataNotFoundError:
        assert "the file table.csv inside that zip" in str(caught.value)
    assert leftovers(isolated / "cache") == []


@pytest.mark.parametrize(
    "route",
    [(404, b"not found", None), (200, GOOD[:5], len(GOOD))],
    ids=["http-404", "connection-dropped-mid-file"],
)
def test_failed_download_leaves_no_partial_file(isolated, server, route):
    _, url = server
    _Handler.routes = {"/files/table.csv": route}
    with pytest.raises(DataNotFoundError, match="download failed") as caught:
        fetch(make_dataset(url), "table.csv")
    assert url.format(path="table.csv") in str(caught.value)
    assert leftovers(isolated / "cache") == []
    assert not (isolated / "cache").exists(), "no empty folders are left in the cache"


def test_a_cache_that_cannot_be_written_is_named_in_the_error(
    isolated, server, monkeypatch
):
    _, url = server
    _Handler.routes = {"/files/table.csv": (200, GOOD, None)}
    blocker = isolated / "not-a-folder"
    blocker.write_text("a file where the cache should be")
    monkeypatch.setenv("MEDAI_DATA_DIR", str(blocker))
    with pytest.raises(CacheNotWritableError, match="not-a-folder.*set MEDAI_DATA_DIR"):
        fetch(make_dataset(url), "table.csv")
    assert blocker.read_text() == "a file where the cache should be"
    monkeypatch.setenv("MEDAI_DATA_DIR", str(blocker / "sub"))
    with pytest.raises(CacheNotWritableError):
        fetch(make_dataset(url), "table.csv")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("on", True),
        ("TRUE", True),
        ("1", True),
        ("yes", True),
        ("off", False),
        ("0", False),
        ("", False),
        ("No", False),
    ],
)
def test_offline_accepts_the_usual_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("MEDAI_OFFLINE", value)
    assert resolve.offline() is expected


def test_offline_refuses_other_values(isolated, monkeypatch):
    monkeypatch.setenv("MEDAI_OFFLINE", "maybe")
    with pytest.raises(DataError, match="MEDAI_OFFLINE='maybe' is neither true"):
        fetch(make_dataset(), "table.csv")
    monkeypatch.setenv("MEDAI_OFFLINE", "on")
    with pytest.raises(DataNotFoundError, match="MEDAI_OFFLINE is set"):
        fetch(make_dataset(), "table.csv")


def test_download_never_replaces_an_existing_cached_file(isolated, server):
    """A corrupted cached file is reported, not silently overwritten by a fresh download."""
    _, url = server
    write_tree(isolated / "cache" / "toy", {"table.csv": b"my own edits\n"})
    _Handler.routes = {"/files/table.csv": (200, GOOD, None)}
    with pytest.raises(ChecksumError):
        fetch(make_dataset(url), "table.csv")
    assert (isolated / "cache" / "toy" / "table.csv").read_bytes() == b"my own edits\n"


# --- the real registry ----------------------------------------------------------------------------


def test_every_declared_file_has_a_hash_and_an_https_origin():
    for dataset in datasets.REGISTRY.values():
        assert dataset.files, dataset.name
        for path in dataset.files:
            assert len(dataset.sha256(path)) == 64
            assert dataset.url(path).startswith("https://"), (dataset.name, path)


def test_urls_follow_the_source_commits():
    mitbih = datasets.get("mitbih-arrhythmia")
    assert mitbih.url("annotations_txt/100annotations.txt").endswith(
        "/data/100annotations.txt"
    )
    assert "MIT-LCP/wfdb-python" in mitbih.url("100.atr")
    assert "mengst/PQRST" in mitbih.url("100.dat")


def shared_mirror() -> Path | None:
    for folder in datasets.mirror_dirs():
        if folder.is_dir():
            return folder
    return None


@pytest.mark.skipif(
    shared_mirror() is None,
    reason="MEDAI_DATA_MIRROR is not set to the shared data folder",
)
def test_shared_mirror_matches_the_registry_exactly(monkeypatch, tmp_path):
    """Every data set in the mirror is registered, with exactly the files it holds, all verified."""
    monkeypatch.setenv("MEDAI_DATA_DIR", str(tmp_path))
    mirror = shared_mirror()
    on_disk = sorted(p.name for p in mirror.iterdir() if p.is_dir())
    assert on_disk == sorted(datasets.REGISTRY)
    for name, dataset in datasets.REGISTRY.items():
        present = sorted(
            p.relative_to(mirror / name).as_posix()
            for p in (mirror / name).rglob("*")
            if p.is_file() and p.name != "SOURCE.md"
        )
        assert present == dataset.files, name
        assert datasets.path(name) == mirror / name  # hashes every file


def test_catalogue_lists_every_data_set(monkeypatch, tmp_path):
    monkeypatch.setenv("MEDAI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MEDAI_DATA_MIRROR", str(tmp_path / "empty"))
    table = datasets.catalogue()
    assert list(table.index) == list(datasets.REGISTRY)
    assert set(table["available in"]) == {"missing"}
    assert table.loc["medquad", "files"] == 5499


def test_a_download_is_hashed_once_while_streaming(isolated, server, monkeypatch):
    _, url = server
    _Handler.routes = {"/files/table.csv": (200, GOOD, None)}
    rehashed = []
    monkeypatch.setattr(resolve, "sha256_of", lambda path: rehashed.append(path))
    assert fetch(make_dataset(url), "table.csv").read_bytes() == GOOD
    assert rehashed == []
