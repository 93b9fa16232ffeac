"""`make gpu-check`: on a CUDA machine, every notebook in its `full` profile and the imaging benchmark
on the GPU, written to one report with the device, versions, times and headline results.

Usage: python benchmarks/gpu_check.py [--out benchmarks/results/gpu-check.md] [--notebooks 03 10]
Without CUDA it stops at once and says so: the `full` profiles are sized for a GPU.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXIT_NO_CUDA = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "gpu-check.md")
    parser.add_argument("--notebooks", nargs="*", help="numbers or stems (default: every notebook)")
    args = parser.parse_args(argv)

    import nbformat
    import torch

    from medai.appendix.executed import glued
    from medai.core.versions import versions

    if not torch.cuda.is_available():
        print("gpu-check needs a CUDA GPU and this machine has none (torch.cuda.is_available() is False); "
              "run the `default` profiles with `make book` instead", file=sys.stderr)  # fmt: skip
        return EXIT_NO_CUDA
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if args.notebooks:
        notebooks = [p for p in notebooks if any(p.stem.startswith(n.zfill(2)) or p.stem == n for n in args.notebooks)]
    lines = [f"# GPU check, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC", "",
             f"device: {torch.cuda.get_device_name(0)}; "
             + "; ".join(f"{k} {v}" for k, v in versions("torch", "torchvision").items()), "",
             "| notebook | full profile, s | result | glued values |", "|---|---|---|---|"]  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        for notebook in notebooks:
            out = Path(folder) / notebook.name
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "medai", "run", str(notebook), "--profile", "full",
                                   "--out", str(out), "--force"], cwd=ROOT, capture_output=True, text=True)  # fmt: skip
            seconds = time.perf_counter() - start
            if done.returncode == 0:
                values = glued(nbformat.read(out, as_version=4))
                shown = ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in list(values.items())[:8])
                lines.append(f"| {notebook.stem} | {seconds:.0f} | ran | {shown} |")
            else:
                lines.append(f"| {notebook.stem} | {seconds:.0f} | failed: {done.stderr.strip().splitlines()[-1][:200]} | |")
            print(lines[-1], flush=True)
    bench = subprocess.run([sys.executable, "-m", "medai", "bench", "imaging", "--device", "cuda", "--images", "4096"],
                           cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    lines += ["", "## python -m medai bench imaging --device cuda --images 4096", "", "```",
              (bench.stdout or bench.stderr).strip(), "```"]  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")
    return 0 if bench.returncode == 0 and all("| ran |" in line for line in lines if line.startswith("| 0") or line.startswith("| 1")) else 1


if __name__ == "__main__":
    sys.exit(main())
