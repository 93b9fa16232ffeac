"""Command line: ``python -m medai bench imaging [options]``."""

from __future__ import annotations

import sys

BENCHMARKS = ("imaging",)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) < 2 or argv[0] != "bench" or argv[1] not in BENCHMARKS:
        print(
            "usage: python -m medai bench {" + ",".join(BENCHMARKS) + "} [options]\n"
            "       python -m medai bench imaging --help",
            file=sys.stderr,
        )
        return 2
    from . import bench

    bench.main(argv[2:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
