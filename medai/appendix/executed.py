"""Values and timings from executed notebooks: the book's execution cache, or a fresh papermill run.

``make book`` executes every notebook in its default profile and keeps the result in
``_build/.jupyter_cache`` (jupyter-cache). A cached execution counts only while it matches the
notebook as it is now: an edited notebook must be executed again before its numbers are used.
"""

from __future__ import annotations

import ast
import hashlib
import tempfile
from pathlib import Path

import nbformat
import pandas as pd

from ..core.errors import InputError, MedaiError

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "_build" / ".jupyter_cache"


class NotExecutedError(MedaiError):
    """A notebook has no execution that matches its current source."""


def glued(notebook: nbformat.NotebookNode) -> dict[str, float | int | str]:
    """Every value an executed notebook glued (myst-nb's scrapbook outputs), by name."""
    values = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name is None:
                continue
            text = next((v for k, v in output.get("data", {}).items() if k.endswith("text/plain")), None)
            if text is None:
                raise InputError(f"glued value {name!r} has no text form")
            values[name] = ast.literal_eval(text)
    return values


def check_notebook(notebook: Path) -> None:
    """Refuse a file that is not a valid Jupyter notebook, in one line that says where it is wrong."""
    try:
        nbformat.validate(nbformat.read(notebook, as_version=4))
    except nbformat.ValidationError as error:
        where = "/".join(map(str, error.absolute_path)) or "the top level"
        raise InputError(f"{notebook} is not a valid notebook: {error.message} (at {where})") from None
    except (ValueError, TypeError, KeyError, AttributeError) as error:  # not JSON, or JSON of the wrong shape
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(f"{notebook} is not a valid notebook: {reason}") from None


def _cache(cache_dir: Path):
    from jupyter_cache import get_cache

    from sqlalchemy.exc import SQLAlchemyError

    database = Path(cache_dir) / "global.db"
    if not database.exists():
        raise NotExecutedError(f"no execution cache at {cache_dir}: run `make book` first (or use --run)")
    try:
        cache = get_cache(str(cache_dir))
        cache.list_cache_records()  # the database is opened lazily: read it once here
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", error)).splitlines()[0]
        raise NotExecutedError(f"{database} is not a readable execution cache ({reason}): remove {cache_dir} "
                               "and run `make book`") from None  # fmt: skip
    return cache


def cached_values(notebook: Path, cache_dir: Path = CACHE) -> dict[str, float | int | str]:
    """The glued values of ``notebook``'s cached execution, which must match its current source."""
    cache = _cache(cache_dir)
    try:
        record = cache.match_cache_notebook(nbformat.read(notebook, as_version=4))
    except KeyError:
        raise NotExecutedError(
            f"{notebook.name} changed since it was last executed (or never was): run `make book`, "
            "or pass --run to execute it now"
        ) from None
    return glued(cache.get_cache_bundle(record.pk).nb)


def fresh_values(notebook: Path, profile: str = "default") -> dict[str, float | int | str]:
    """Execute ``notebook`` now with papermill in ``profile`` and return what it glued."""
    import papermill

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / notebook.name
        papermill.execute_notebook(str(notebook), str(out), parameters={"profile": profile},
                                   cwd=str(notebook.parent), kernel_name="python3", progress_bar=False)  # fmt: skip
        return glued(nbformat.read(out, as_version=4))


def code_fingerprint(notebook: Path) -> str:
    """The first 12 hex digits of a sha256 over the notebook's code cells: a record of execution
    times names the code it timed, so a later edit shows the record is stale."""
    digest = hashlib.sha256()
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "code":
            source = cell.source.encode("utf-8")
            digest.update(len(source).to_bytes(8, "little") + source)
    return digest.hexdigest()[:12]


def execution_times(notebooks: list[Path], cache_dir: Path = CACHE) -> pd.DataFrame:
    """Seconds each notebook's cached execution took, when it ran, whether it matches the source,
    and the fingerprint of that source's code."""
    cache = _cache(cache_dir)
    rows = []
    for notebook in notebooks:
        try:
            record = cache.match_cache_notebook(nbformat.read(notebook, as_version=4))
            rows.append({"notebook": notebook.stem, "seconds": float(record.data["execution_seconds"]),
                         "executed": f"{record.created:%Y-%m-%d %H:%M}", "current": True})  # fmt: skip
        except KeyError:
            rows.append({"notebook": notebook.stem, "seconds": float("nan"), "executed": "", "current": False})
        rows[-1]["code"] = code_fingerprint(notebook)
    return pd.DataFrame(rows)
