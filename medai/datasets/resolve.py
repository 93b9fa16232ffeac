"""Find a data set's files: the cache, then the mirrors, then a verified download.

* cache: ``$MEDAI_DATA_DIR`` (default ``~/.cache/medai``), layout ``<cache>/<name>/<file>``.
  Only downloads are written here.
* mirrors: ``$MEDAI_DATA_MIRROR``, folders separated by ``os.pathsep``, same layout.
  Mirrors are read, never written.
* download: from the declared origin URL into a temporary file beside the target,
  hashed while it streams, renamed into place only when the sha256 matches.
  ``MEDAI_OFFLINE=1`` skips this step. A URL ending ``#member=<file>`` names a zip archive:
  the member is taken out of it and checked instead. Each download shows a progress bar.

Every file is checked against its sha256 before it is handed out; the result is
remembered per process (keyed on path, size and modification time) so a
notebook can ask for the same data set many times cheaply.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.request
import warnings
import zipfile
from pathlib import Path
from typing import Iterable

from tqdm import tqdm

from .errors import CacheNotWritableError, ChecksumError, DataError, DataNotFoundError
from .registry import DataSet, get

_CHUNK = 1 << 20
_verified: set[tuple[str, int, int, str]] = set()


def cache_dir() -> Path:
    """Where downloads go: ``$MEDAI_DATA_DIR`` or ``~/.cache/medai``."""
    configured = os.environ.get("MEDAI_DATA_DIR", "").strip()
    return (
        Path(configured).expanduser().resolve()
        if configured
        else Path.home() / ".cache" / "medai"
    )


def mirror_dirs() -> list[Path]:
    """The read-only mirror folders listed in ``$MEDAI_DATA_MIRROR``, in order."""
    raw = os.environ.get("MEDAI_DATA_MIRROR", "")
    return [Path(p).expanduser().resolve() for p in raw.split(os.pathsep) if p.strip()]


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}


def offline() -> bool:
    """Whether ``$MEDAI_OFFLINE`` forbids downloads (1/true/yes/on; 0/false/no/off or unset allow)."""
    value = os.environ.get("MEDAI_OFFLINE", "").strip().lower()
    if value not in _TRUE | _FALSE:
        raise DataError(
            f"MEDAI_OFFLINE={os.environ['MEDAI_OFFLINE']!r} is neither true (1, true, yes, on) "
            "nor false (0, false, no, off, or unset)"
        )
    return value in _TRUE


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _verification_key(path: Path, expected: str) -> tuple[str, int, int, str]:
    stat = path.stat()
    return (str(path), stat.st_size, stat.st_mtime_ns, expected)


def _remember_verified(path: Path, expected: str) -> None:
    _verified.add(_verification_key(path, expected))


def verify(path: Path, expected: str) -> None:
    """Raise ``ChecksumError`` unless ``path`` hashes to ``expected``."""
    if _verification_key(path, expected) in _verified:
        return
    actual = sha256_of(path)
    if actual != expected:
        raise ChecksumError(
            f"{path} is corrupted or not the expected file: sha256 {actual}, expected {expected}. "
            "It was not used. Delete or replace it (medai never overwrites it for you)."
        )
    _remember_verified(path, expected)


def complete_folder(
    name: str | DataSet, files: Iterable[str] | None = None
) -> Path | None:
    """The first of cache and mirrors that holds every file asked for (not yet verified), else None."""
    dataset = get(name)
    wanted = dataset.files if files is None else list(files)
    for root in [cache_dir(), *mirror_dirs()]:
        folder = root / dataset.name
        if all((folder / file).is_file() for file in wanted):
            return folder
    return None


def path(name: str | DataSet, files: Iterable[str] | None = None) -> Path:
    """The verified local folder holding ``files`` (default: all files) of data set ``name``.

    A folder is used only if it holds every requested file; each file is
    verified. If neither the cache nor a mirror has them all, the missing
    ones are downloaded into the cache.
    """
    dataset = get(name)
    wanted = dataset.files if files is None else list(files)
    for file in wanted:
        dataset.sha256(file)  # reject unknown paths before touching the disk

    # A damaged copy (say, a truncated file in the cache) must not hide a good one further along: each
    # complete folder is verified in turn, and the first that passes is used, with a warning.
    damaged = []
    for root in [cache_dir(), *mirror_dirs()]:
        folder = root / dataset.name
        if not all((folder / file).is_file() for file in wanted):
            continue
        try:
            for file in wanted:
                verify(folder / file, dataset.sha256(file))
        except ChecksumError as error:
            damaged.append(error)
            continue
        if damaged:
            warnings.warn(f"{damaged[0]} The verified copy in {folder} was used instead.", stacklevel=2)
        return folder
    if damaged:
        raise damaged[0]
    folder = complete_folder(dataset, wanted)
    if folder is None:
        folder = cache_dir() / dataset.name
        missing = [p for p in wanted if not (folder / p).is_file()]
        for file in tqdm(
            missing,
            desc=f"download {dataset.name}",
            unit="file",
            disable=len(missing) < 2,
        ):
            # One file keeps its finished bar; many show the per-file bar above instead.
            _download(dataset, file, folder / file, keep_bar=len(missing) == 1)
    # Files downloaded just now were hashed as they streamed; verify() remembers that.
    for file in wanted:
        verify(folder / file, dataset.sha256(file))
    return folder


def _not_found(dataset: DataSet, path: str, reason: str) -> DataNotFoundError:
    mirrors = mirror_dirs()
    looked = [f"cache {cache_dir() / dataset.name}"] + [
        f"mirror {m / dataset.name}{'' if m.is_dir() else ' (folder does not exist)'}"
        for m in mirrors
    ]
    if not mirrors:
        looked.append("no mirror ($MEDAI_DATA_MIRROR is not set)")
    return DataNotFoundError(
        f"data set {dataset.name!r}: file {path!r} is not available ({reason}).\n"
        f"  looked in: {'; '.join(looked)}\n"
        f"  download it from {_describe_url(dataset.url(path))}\n"
        f"  and put it at {cache_dir() / dataset.name / path}\n"
        f"  (or point MEDAI_DATA_MIRROR at a folder that contains {dataset.name}/{path})."
    )


def _describe_url(url: str) -> str:
    archive, _, member = url.partition("#member=")
    return f"{archive} (the file {member} inside that zip)" if member else url


def _download(dataset: DataSet, path: str, target: Path, keep_bar: bool = True) -> None:
    """Stream one file to a temporary name beside ``target``; keep it only if its hash matches."""
    if offline():
        raise _not_found(
            dataset, path, "MEDAI_OFFLINE is set, so nothing is downloaded"
        )
    url, _, member = dataset.url(path).partition("#member=")
    expected = dataset.sha256(path)
    created = _missing_folders(target.parent)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
        )
    except OSError as error:
        _remove_empty(created)
        raise CacheNotWritableError(
            f"cannot write to the data cache {cache_dir()} ({error.strerror or error}); "
            "set MEDAI_DATA_DIR to a writable folder"
        ) from None
    partial = Path(handle.name)
    try:
        digest = hashlib.sha256()
        with handle, urllib.request.urlopen(url, timeout=60) as response:
            announced = response.headers.get("Content-Length")
            received = 0
            with tqdm(
                total=int(announced) if announced else None,
                unit="B",
                unit_scale=True,
                desc=path,
                leave=keep_bar,
            ) as bar:
                while block := response.read(_CHUNK):
                    digest.update(block)
                    handle.write(block)
                    received += len(block)
                    bar.update(len(block))
            if announced is not None and int(announced) != received:
                # http.client's chunked read() returns a short body instead of raising
                raise OSError(
                    f"transfer cut short: {received} of {announced} bytes arrived"
                )
        if member:
            digest = _extract_member(partial, member, url)
        if digest.hexdigest() != expected:
            raise ChecksumError(
                f"download of {url} has sha256 {digest.hexdigest()}, expected {expected}; it was discarded."
            )
        os.replace(partial, target)
        _remember_verified(target, expected)
    # urllib's URLError is an OSError; a broken HTTP exchange raises HTTPException.
    except (OSError, http.client.HTTPException, ValueError, zipfile.BadZipFile) as error:
        partial.unlink(missing_ok=True)
        _remove_empty(created)  # a failed download leaves no empty folders behind
        raise _not_found(dataset, path, f"download failed: {error}") from error
    finally:
        partial.unlink(missing_ok=True)


def _extract_member(archive: Path, member: str, url: str) -> "hashlib._Hash":
    """Replace the downloaded zip ``archive`` by its file ``member``; return the member's sha256."""
    digest = hashlib.sha256()
    unpacked = archive.with_name(archive.name + ".member")
    try:
        with zipfile.ZipFile(archive) as bundle, unpacked.open("wb") as out:
            try:
                source = bundle.open(member)
            except KeyError:
                raise OSError(f"{url} has no member {member!r}") from None
            with source:
                while block := source.read(_CHUNK):
                    digest.update(block)
                    out.write(block)
        os.replace(unpacked, archive)
    finally:
        unpacked.unlink(missing_ok=True)
    return digest


def _missing_folders(folder: Path) -> list[Path]:
    """``folder`` and those of its parents that do not exist yet, deepest first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders this process created, deepest first, if they are still empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


def local_file(name: str | DataSet, file: str) -> Path:
    """The verified local path of one ``file`` of data set ``name``, resolved like ``path``."""
    return path(name, [file]) / file
