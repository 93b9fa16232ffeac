"""`make colab-check`: install and run every notebook the way a Colab user does.

A fresh virtual environment gets what Colab already has (torch and torchvision, Jupyter's kernel,
papermill), then, for each notebook, exactly the `%pip install` lines of its setup cell, with the
repository address replaced by a wheel built from this checkout and no constraints file; then the
notebook runs in its smoke profile in that environment. A notebook whose chapter needs a package
its install line does not pull fails here, as it would on Colab.

Usage: python benchmarks/colab_check.py [--venv /tmp/medai-colab] [--notebooks 01 08]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPOSITORY = "git+https://github.com/medai-book/medai"
PREINSTALLED = ["torch==2.14.1", "torchvision==0.29.1", "ipykernel", "papermill", "matplotlib"]  # as on Colab


def install_lines(notebook: Path) -> list[str]:
    """The `%pip install ...` lines of the notebook's setup cell (the one that checks for Colab)."""
    for cell in json.loads(notebook.read_text())["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and "google.colab" in source:
            return [line.strip().removeprefix("%pip install").split("#")[0].strip()
                    for line in source.splitlines() if line.strip().startswith("%pip install")]  # fmt: skip
    raise SystemExit(f"{notebook.name} has no Colab setup cell")


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    print("$", " ".join(command), flush=True)
    return subprocess.run(command, text=True, capture_output=True, **kwargs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=Path(tempfile.gettempdir()) / "medai-colab")
    parser.add_argument("--notebooks", nargs="*", help="numbers or stems (default: every notebook)")
    args = parser.parse_args(argv)
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if args.notebooks:
        notebooks = [p for p in notebooks if any(p.stem.startswith(n.zfill(2)) or p.stem == n for n in args.notebooks)]

    shutil.rmtree(args.venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(args.venv)], check=True)
    python = str(args.venv / "bin" / "python")
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if run(pip + PREINSTALLED).returncode:
        raise SystemExit("could not install what Colab preinstalls")
    wheels = Path(tempfile.mkdtemp(prefix="medai-wheel-"))
    leftover = not (ROOT / "build").exists()  # setuptools builds in the checkout; tidy up after it
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(ROOT)])
    if leftover:
        shutil.rmtree(ROOT / "build", ignore_errors=True)
    if built.returncode:
        raise SystemExit(f"building the wheel failed:\n{built.stderr[-2000:]}")
    wheel = next(wheels.glob("medai-*.whl"))
    results = []
    for notebook in notebooks:
        start, failure = time.perf_counter(), None
        for line in install_lines(notebook):
            spec = line.replace(REPOSITORY, wheel.as_uri())
            # Split like a shell would: quoted requirement, then options.
            parts = [p.strip('"') for p in re.findall(r'"[^"]*"|\S+', spec)]
            done = run(pip + [p for p in parts if p != "--quiet"])
            if done.returncode:
                failure = f"install failed: {done.stderr.strip().splitlines()[-1][:300]}"
                break
        if failure is None:
            out = Path(tempfile.mkdtemp()) / notebook.name
            done = run([python, "-m", "papermill", str(notebook), str(out), "-p", "profile", "smoke", "--cwd",
                        str(notebook.parent), "-k", "python3", "--no-progress-bar"], env=_environment(args.venv))  # fmt: skip
            if done.returncode:
                failure = "smoke run failed: " + (done.stderr.strip().splitlines() or ["?"])[-1][:300]
        results.append((notebook.stem, time.perf_counter() - start, failure or "ok"))
        print(f"{notebook.stem}: {failure or 'ok'} ({results[-1][1]:.0f} s)", flush=True)
    print("\n".join(f"{stem:28s} {seconds:6.0f} s  {status}" for stem, seconds, status in results))
    return 0 if all(status == "ok" for *_, status in results) else 1


def _environment(venv: Path) -> dict:
    import os

    env = dict(os.environ)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    env["VIRTUAL_ENV"] = str(venv)
    env.pop("PYTHONPATH", None)
    return env


if __name__ == "__main__":
    sys.exit(main())
