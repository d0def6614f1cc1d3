"""The `dljax` command: list, train, eval, sample, data.

User-facing text is Indonesian. Bad input fails fast with exit code 2 and never leaves a
half-written run directory; every failure is one Indonesian line on stderr (exit 2 for bad
input, 1 for a failure during the run); `DLJAX_DEBUG=1` shows the traceback.
"""

from __future__ import annotations

import sys

from dljax.cli.parser import build_parser
from dljax.cli.supervisor import supervise, supervise_wanted

__all__ = ["build_parser", "main"]


def main(argv: list[str] | None = None) -> int:
    """Run a `dljax` command and return its exit code."""
    _safe_streams()
    args = build_parser().parse_args(argv)
    if args.command == "train" and supervise_wanted(args.distributed):
        return supervise(sys.argv[1:] if argv is None else list(argv))
    # imported here, not at the top: the supervising parent above must never load JAX
    from dljax.cli.commands import run

    return run(args)


def _safe_streams() -> None:
    """Never crash on printing Indonesian text or a sample under a non-UTF-8 locale."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
