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
        "--quick", action="store_true", help="small sizes (a minute or two); default: the full run"
    )
    parser.add_argument(
        "--size",
        choices=sorted(CONFIGS),
        help="the configuration by name (full, quick, smoke); overrides --quick",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="where to write the JSON results (a .md table is written beside it); default "
        "benchmarks/results/latest.json for the full run, quick.json or smoke.json otherwise",
    )
    parser.add_argument(
        "--workdir", type=Path, help="keep the data and outputs here (default: a temp dir)"
    )
    args = parser.parse_args(argv)
    config = CONFIGS[args.size or ("quick" if args.quick else "full")]
    out = args.out or RESULTS / ("latest.json" if config.name == "full" else f"{config.name}.json")
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
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(as_json(payload), indent=2) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(markdown(payload), encoding="utf-8")
    console.print(f"wrote {out} and {out.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
