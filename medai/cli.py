"""The command line: ``python -m medai {data,run,chat,serve,results,times,claims,bench} ...``; every subcommand has ``--help``.

Errors a user can cause (an unknown data set, notebook or profile, a bad option)
end with one line on stderr and exit code 2; a failure while working (missing or
corrupt data, a notebook that raises) ends with one line and exit code 1.
"""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

from .core.errors import MedaiError
from .core.profiles import PROFILES
from .datasets import errors as data_errors

EXIT_FAILED, EXIT_USAGE = 1, 2
# bench NAME: the module that measures it, and its one-line help.
BENCHES = {
    "imaging": (".imaging.bench", "source pipeline vs medai's loop; eager vs TorchScript vs ONNX Runtime"),
    "chat": (".chat.bench", "indexing time, retrieval and reply latency (p50/p95), peak memory"),
    "serve": (".evaluation.bench", "load test of the HTTP service, with and without micro-batching"),
}
NOTEBOOK_DIRS = (Path.cwd() / "notebooks", Path(__file__).resolve().parents[1] / "notebooks")


class UsageError(Exception):
    """Something the user asked for does not exist or is not allowed (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is one line that points at ``--help``."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


# --- data ------------------------------------------------------------------------------


def _data_list(args: argparse.Namespace) -> None:
    from .datasets import catalogue

    table = catalogue().drop(columns="title")
    import pandas as pd

    # With some data sets present and others not, pandas holds the missing sizes as NaN, not None.
    table["size (MB)"] = table["size (MB)"].map(lambda v: "-" if pd.isna(v) else f"{v:.1f}")
    print(table.to_string())


def _data_verify(args: argparse.Namespace) -> None:
    from .datasets import REGISTRY, get, path

    if args.all == bool(args.names):
        raise UsageError("name the data sets to verify, or give --all (not both)")
    names = list(REGISTRY) if args.all else args.names
    for name in names:
        get(name)  # an unknown name fails before any hashing
    for name in names:
        folder = path(name)
        print(f"{name}: {len(get(name).files)} files verified in {folder}")


def _data_path(args: argparse.Namespace) -> None:
    from .datasets import path

    print(path(args.name))


# --- run -------------------------------------------------------------------------------


def _aliases(notebook: Path) -> set[str]:
    """``03_imaging.ipynb`` answers to that name, ``03_imaging``, ``03``, ``3`` and ``imaging``."""
    number, _, topic = notebook.stem.partition("_")
    return {notebook.name, notebook.stem, number, str(int(number)), topic}


def find_notebook(name: str) -> Path:
    """A notebook by path, file name, stem (``03_imaging``) or chapter number (``03``, ``3``)."""
    given = Path(name)
    if given.suffix == ".ipynb" and given.is_file():
        return given.resolve()
    folder = next((d for d in NOTEBOOK_DIRS if d.is_dir()), None)
    if folder is None:
        raise UsageError(
            "no notebooks/ folder here or beside the medai package; run from a checkout of the book"
        )
    available = sorted(folder.glob("[0-9]*.ipynb"))
    matches = [nb for nb in available if name in _aliases(nb)]
    if len(matches) != 1:  # none, or a chapter number shared by two notebooks
        names = ", ".join(nb.stem for nb in (matches or available))
        raise UsageError(f"{'several notebooks' if matches else 'no notebook'} {name!r}; {'give one of' if matches else 'available:'} {names}")
    return matches[0]


def _run(args: argparse.Namespace) -> None:
    notebook = find_notebook(args.notebook)
    out = Path(args.out or f"{notebook.stem}.{args.profile}.ipynb").resolve()
    if out == notebook:
        raise UsageError(f"--out {out} is the notebook itself; choose another file")
    if out.exists() and not args.force:
        raise UsageError(f"{out} exists; choose another --out or add --force to replace it")
    try:
        import papermill
    except ImportError:
        raise UsageError("running notebooks needs papermill: pip install papermill") from None
    from .appendix.executed import check_notebook

    try:
        check_notebook(notebook)  # nbformat's own errors are pages of schema
    except MedaiError as error:
        raise UsageError(str(error)) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    parameters = {"profile": args.profile, **({"seed": args.seed} if args.seed is not None else {})}
    print(f"running {notebook.name} with {parameters} -> {out}", file=sys.stderr)
    try:
        papermill.execute_notebook(
            str(notebook), str(out), parameters=parameters, cwd=str(notebook.parent),
            kernel_name="python3", progress_bar=True,
        )  # fmt: skip
    except papermill.PapermillExecutionError as error:
        raise RuntimeError(
            f"{notebook.name} failed in cell {error.exec_count}: {error.ename}: {error.evalue} "
            f"(the partly executed notebook is in {out})"
        ) from None


def _claims(args: argparse.Namespace) -> None:
    from .appendix.claims_sweep import run
    run(args.notebooks and [find_notebook(n) for n in args.notebooks], args.seeds, args.workers, args.out)


# --- chat ------------------------------------------------------------------------------


def _chat(args: argparse.Namespace) -> None:
    from .chat.terminal import run_chat

    if args.topics is not None and args.topics < 1:
        raise UsageError(f"--topics must be at least 1, got {args.topics}")
    run_chat(args)


def _serve(args: argparse.Namespace) -> None:
    from .evaluation.serve import run_serve

    if not 0 < args.port < 65536 or args.max_batch < 1 or args.batch_wait_ms < 0:
        raise UsageError("need 0 < --port < 65536, --max-batch >= 1 and --batch-wait-ms >= 0")
    run_serve(args)


# --- bench -----------------------------------------------------------------------------


def _bench(name: str, args: argparse.Namespace) -> None:
    """Run ``medai.<chapter>.bench`` (check_arguments, command_line, measure); refused options are usage errors."""
    from importlib import import_module

    from .core.benchmark import print_and_record  # --record FILE also writes the output, with its provenance

    bench = import_module(BENCHES[name][0], __package__)
    try:
        bench.check_arguments(args)
    except (ValueError, RuntimeError) as error:
        raise UsageError(str(error)) from None
    print_and_record(lambda: bench.measure(args), getattr(args, "record", None), bench.command_line(args))


def build_parser(bench_options: bool = True) -> argparse.ArgumentParser:
    """The whole command line. ``bench_options=False`` skips importing the benchmark (and torch),
    which only ``bench`` itself needs."""
    invoked = Path(sys.argv[0]).name
    parser = _Parser(
        prog="python -m medai"
        if invoked in ("__main__.py", "-m", "-c", "")
        else invoked,
        description="Data, notebooks and benchmarks of the medai book.",
    )
    commands = parser.add_subparsers(
        dest="command", metavar="{data,run,chat,serve,results,times,claims,bench}", parser_class=_Parser
    )

    data = commands.add_parser("data", help="list, verify and locate the data sets")
    data.set_defaults(handler=None, group=data)
    data_commands = data.add_subparsers(
        dest="data_command", metavar="{list,verify,path}"
    )
    listing = data_commands.add_parser(
        "list",
        help="every registered data set: files, size, licence, where it is found",
    )
    listing.set_defaults(handler=_data_list)
    verify = data_commands.add_parser(
        "verify",
        help="check every file's sha256 (downloads what is missing, unless MEDAI_OFFLINE)",
    )
    verify.add_argument("names", nargs="*", metavar="NAME", help="data sets to verify")
    verify.add_argument(
        "--all", action="store_true", help="verify every registered data set"
    )
    verify.set_defaults(handler=_data_verify)
    where = data_commands.add_parser(
        "path", help="print the verified local folder of a data set"
    )
    where.add_argument("name", metavar="NAME")
    where.set_defaults(handler=_data_path)

    run = commands.add_parser("run", help="execute a chapter notebook with papermill")
    run.add_argument(
        "notebook",
        metavar="NOTEBOOK",
        help="path, stem (03_imaging), number (3) or topic (imaging)",
    )
    run.add_argument(
        "--profile",
        choices=PROFILES,
        default="default",
        help="smoke, default or full (default: default)",
    )
    run.add_argument(
        "--seed", type=int, default=None, help="override the notebook's seed"
    )
    run.add_argument(
        "--out", help="executed notebook to write (default: STEM.PROFILE.ipynb here)"
    )
    run.add_argument("--force", action="store_true", help="replace --out if it exists")
    run.set_defaults(handler=_run)

    chat = commands.add_parser(
        "chat",
        help="the chapter 7 assistant: answers health questions from NIH pages, or declines",
        description="Answers from MedQuAD's NIH answers, with their source; declines what it cannot "
        "answer reliably; emergencies get a fixed message. Without --ask, reads one message per line.",
    )
    from .chat.terminal import add_arguments as add_chat_options

    add_chat_options(chat)
    chat.set_defaults(handler=_chat)

    serve = commands.add_parser(
        "serve", help="the chapter 8 chest X-ray model as an HTTP service on 127.0.0.1"
    )
    from .evaluation.serve import add_arguments as add_serve_options

    add_serve_options(serve)
    serve.set_defaults(handler=_serve)

    from .appendix import claims_sweep
    from .appendix import commands as book

    for name, about, add, handler in (
        ("results", "the book's results beside published figures: book/results.md and a CSV",
         book.add_results_arguments, book.run_results),
        ("times", "each notebook's execution time in the book's last build", book.add_times_arguments, book.run_times),
        ("claims", "each notebook at several seeds: did every claim hold (CSV)", claims_sweep.add_arguments, _claims),
    ):  # fmt: skip
        sub = commands.add_parser(name, help=about)
        add(sub)
        sub.set_defaults(handler=handler)

    bench = commands.add_parser(
        "bench", help="speed measured side by side, printed as ratios"
    )
    bench.set_defaults(handler=None, group=bench)
    benches = bench.add_subparsers(dest="bench_command", metavar="{" + ",".join(BENCHES) + "}")
    for name, (module, summary) in BENCHES.items():
        sub = benches.add_parser(name, help=summary)
        if bench_options:  # importing a benchmark imports torch: only when it is asked for
            from importlib import import_module

            import_module(module, __package__).add_arguments(sub)
        sub.set_defaults(handler=partial(_bench, name))
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(bench_options=argv[:1] == ["bench"])
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        # ``python -m medai``, ``... data`` or ``... bench`` alone: show what there is to do.
        getattr(args, "group", parser).print_help(sys.stderr)
        return EXIT_USAGE
    try:
        args.handler(args)
    except (UsageError, data_errors.UnknownDataSetError) as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (MedaiError, ValueError, RuntimeError, OSError) as error:
        message = str(error).splitlines()[0] if args.command != "data" else str(error)
        print(f"{parser.prog}: error: {message}", file=sys.stderr)
        return EXIT_FAILED
    return 0
