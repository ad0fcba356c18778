"""``python -m benchmarks [--quick]``: run the suite, print the targets, write the results."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from rich.console import Console

from .report import as_json, markdown, print_report
from .suite import CONFIGS, Suite

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time assess against its baselines in one run and check the targets.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes (about a minute); default: full run"
    )
    parser.add_argument(
        "--size",
        choices=sorted(CONFIGS),
        help="the configuration by name (full, quick, smoke); overrides --quick",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=RESULTS / "latest.json",
        help="where to write the JSON results (a .md table is written beside it)",
    )
    parser.add_argument(
        "--workdir", type=Path, help="keep the data and outputs here (default: a temp dir)"
    )
    args = parser.parse_args(argv)
    config = CONFIGS[args.size or ("quick" if args.quick else "full")]
    # wide enough for the tables when the output goes to a file or a pipe
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)

    def log(message: str) -> None:
        console.print(f"[dim]{suite.elapsed():6.1f} s[/]  {message}")

    with tempfile.TemporaryDirectory(prefix="assess-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        suite = Suite(config, workdir.resolve(), log=log)
        payload = suite.run_all()
    print_report(payload, console)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(as_json(payload), indent=2) + "\n", encoding="utf-8")
    args.out.with_suffix(".md").write_text(markdown(payload), encoding="utf-8")
    console.print(f"wrote {args.out} and {args.out.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
