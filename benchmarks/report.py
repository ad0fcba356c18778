"""The performance targets checked against a run, printed with rich and as Markdown."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .figures import Check
from .figures import largest as _largest
from .figures import megabytes as _mb
from .figures import number as _num
from .figures import ratio as _ratio
from .figures import secs as _s
from .figures import size_note as _size_note
from .figures import times as _x
from .report_history import history_checks, history_table, record_checks, record_table

TARGET_KERNEL_N = 1_000_000
TARGET_XLSX_N = 100_000
TARGET_CSV_N = 1_000_000
#: seconds: ``assess --help`` and ``assess COMMAND --help``
TARGET_HELP = 0.15
#: ``assess score`` on the shipped example against ``python -c "import pandas, numpy"``
TARGET_SCORE_STARTUP = 1.3


def checks(payload: dict[str, Any]) -> list[Check]:
    res = payload["results"]
    out: list[Check] = _startup_checks(res.get("startup"))

    k = _largest(res.get("kernel"))
    if k:
        note = _size_note(k["n"], TARGET_KERNEL_N)
        a, f, p = _num(k, "assess"), _num(k, "floor"), _num(k, "peer")
        r = _ratio(a, f)
        out.append(
            Check(
                f"Scoring kernel, {k['n']:,} x 5: within 3x of the kernel floor",
                f"assess score_arrays {_s(a)} / numpy normalise-and-dot {_s(f)}",
                r,
                "x",
                "<= 3x",
                None if r is None else r <= 3,
                note,
            )
        )
        r = _ratio(p, a)
        out.append(
            Check(
                f"Scoring kernel, {k['n']:,} x 5: at least 10x faster than the peer library",
                f"{k.get('peer_name', 'peer')} {_s(p)} / assess score_arrays {_s(a)}",
                r,
                "x",
                ">= 10x",
                None if r is None else r >= 10,
                note,
            )
        )

    x = _largest(res.get("xlsx"))
    if x:
        note = _size_note(x["n"], TARGET_XLSX_N)
        cli, floor, naive = _num(x, "cli", "seconds"), _num(x, "io_floor", "total"), None
        naive = _num(x, "naive", "total")
        r = _ratio(cli, floor)
        out.append(
            Check(
                f"assess score {x['n']:,}-row .xlsx -o report.xlsx: within 1.5x of the I/O floor",
                f"CLI {_s(cli)} / calamine read + xlsxwriter constant-memory write {_s(floor)}",
                r,
                "x",
                "<= 1.5x",
                None if r is None else r <= 1.5,
                note,
            )
        )
        r = _ratio(naive, cli)
        out.append(
            Check(
                f"assess score {x['n']:,}-row .xlsx: at least 3x faster than the naive baseline",
                f"pandas+openpyxl, row-wise apply {_s(naive)} / CLI {_s(cli)}",
                r,
                "x",
                ">= 3x",
                None if r is None else r >= 3,
                note,
            )
        )
        rss = _num(x, "cli", "peak_rss_mb")
        out.append(
            Check(
                f"assess score {x['n']:,}-row .xlsx: peak memory under 1 GB",
                "peak resident set of the CLI process",
                rss,
                "MB",
                "< 1,024 MB",
                None if rss is None else rss < 1024,
                note,
            )
        )

    c = _largest(res.get("csv"))
    if c:
        cli, base = _num(c, "cli", "seconds"), _num(c, "pandas", "total")
        r = _ratio(cli, base)
        out.append(
            Check(
                f"{c['n']:,}-row CSV -> scored CSV: within 2x of pandas read_csv + to_csv",
                f"CLI {_s(cli)} / pandas {_s(base)}",
                r,
                "x",
                "<= 2x",
                None if r is None else r <= 2,
                _size_note(c["n"], TARGET_CSV_N),
            )
        )

    out += record_checks(res.get("record"))
    out += history_checks(res.get("trend"), res.get("changes"))

    b = res.get("batch")
    if b:
        j1, j2 = _num(b, "jobs1", "seconds"), _num(b, "jobs2", "seconds")
        r = _ratio(j1, j2)
        note = "" if b["files"] >= 200 else f"{b['files']} workbooks of {b['rows']} rows"
        out.append(
            Check(
                f"assess batch, {b['files']} workbooks of {b['rows']} rows: "
                "--jobs 2 at least 1.7x faster than --jobs 1",
                f"--jobs 1 {_s(j1)} / --jobs 2 {_s(j2)}",
                r,
                "x",
                ">= 1.7x",
                None if r is None else r >= 1.7,
                note,
            )
        )

    s = res.get("sensitivity")
    if s is not None:
        if not s.get("available"):
            out.append(Check("assess sensitivity", "not available", None, "s", "< 10 s", None))
        else:
            t = _num(s, "seconds")
            out.append(
                Check(
                    f"assess sensitivity, {s['rows']:,} engagements x {s['draws']:,} draws",
                    "CLI wall time",
                    t,
                    "s",
                    "< 10 s",
                    None if t is None else t < 10,
                    "" if s["rows"] >= 1000 and s["draws"] >= 10_000 else "smaller than the target",
                )
            )
    cmp = res.get("compare")
    if cmp is not None:
        if not cmp.get("available"):
            out.append(Check("assess compare", "not available", None, "s", "< 5 s", None))
        else:
            t = _num(cmp, "seconds")
            out.append(
                Check(
                    f"assess compare, {cmp['rows']:,} engagements by Type, 2,000 resamples",
                    "CLI wall time, start-up and reading included",
                    t,
                    "s",
                    "< 5 s",
                    None if t is None else t < 5,
                    "" if cmp["rows"] >= 100_000 else "smaller than the target",
                )
            )
    cal = res.get("calibrate")
    if cal is not None:
        if not cal.get("available"):
            out.append(Check("assess calibrate", "not available", None, "s", "< 30 s", None))
        else:
            t = _num(cal, "seconds")
            out.append(
                Check(
                    f"assess calibrate, {cal['cases']:,} cases, 5-fold x 3-repeat CV",
                    "CLI wall time",
                    t,
                    "s",
                    "< 30 s",
                    None if t is None else t < 30,
                    "" if cal["cases"] >= 5000 else "smaller than the target",
                )
            )
    return out


def _startup_checks(st: dict[str, Any] | None) -> list[Check]:
    if not st:
        return []
    out = []
    for key, command in (("help", "assess --help"), ("score_help", "assess score --help")):
        t = _num(st, key, "seconds")
        out.append(
            Check(
                f"{command}: starts in under {TARGET_HELP} s",
                "wall time, launch to exit",
                t,
                "s",
                f"< {TARGET_HELP} s",
                None if t is None else t < TARGET_HELP,
            )
        )
    score, pandas = _num(st, "score_example", "seconds"), _num(st, "import_pandas_numpy", "seconds")
    r = _ratio(score, pandas)
    framework = _num(st, "cli_framework", "seconds")
    out.append(
        Check(
            f"assess score examples/{st.get('example', 'engagements.xlsx')}: within "
            f"{TARGET_SCORE_STARTUP}x of importing pandas and numpy",
            f"CLI {_s(score)} / python -c 'import pandas, numpy' {_s(pandas)}",
            r,
            "x",
            f"<= {TARGET_SCORE_STARTUP}x",
            None if r is None else r <= TARGET_SCORE_STARTUP,
            ""
            if framework is None
            else f"importing typer, rich and pydantic alone: {_s(framework)}",
        )
    )
    return out


# -- detail tables (one list of rows per table; shared by rich and Markdown) --------------------


def tables(payload: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    res = payload["results"]
    out = []
    st = res.get("startup")
    if st:
        shown = {
            "import_pandas_numpy": 'python -c "import pandas, numpy"',
            "cli_framework": 'python -c "import typer, rich.console, pydantic"',
            "help": "assess --help",
            "score_help": "assess score --help",
            "score_example": f"assess score examples/{st.get('example', 'engagements.xlsx')}",
        }
        base = _num(st, "import_pandas_numpy", "seconds")
        rows = [
            [command, _s(_num(st, key, "seconds")), _x(_ratio(_num(st, key, "seconds"), base))]
            for key, command in shown.items()
            if key in st
        ]
        out.append(
            ("Start-up (fastest of the rounds)", ["command", "wall time", "vs pandas+numpy"], rows)
        )
    if res.get("kernel"):
        rows = [
            [
                f"{k['n']:,}",
                _s(_num(k, "assess")),
                _s(_num(k, "frame")),
                _s(_num(k, "floor")),
                _s(_num(k, "peer")),
                _x(_ratio(_num(k, "assess"), _num(k, "floor"))),
                _x(_ratio(_num(k, "frame"), _num(k, "floor"))),
                _x(_ratio(_num(k, "peer"), _num(k, "assess"))),
            ]
            for k in res["kernel"]
        ]
        out.append(
            (
                "Scoring kernel (n engagements x 5 criteria, best of N; score_arrays is the "
                "numpy kernel, score_frame adds ranks and the labelled DataFrame)",
                [
                    "n",
                    "score_arrays",
                    "score_frame",
                    "numpy floor",
                    "pymcdm WSM",
                    "arrays/floor",
                    "frame/floor",
                    "pymcdm/arrays",
                ],
                rows,
            )
        )
    if res.get("xlsx"):
        rows = []
        for x in res["xlsx"]:
            st = x.get("stages", {})
            rows.append(
                [
                    f"{x['n']:,}",
                    _s(_num(st, "read")),
                    _s(_num(st, "validate")),
                    _s(_num(st, "score")),
                    _s(_num(st, "assemble")),
                    _s(_num(st, "write")),
                    _s(_num(x, "cli", "seconds")),
                    _mb(_num(x, "cli", "peak_rss_mb")),
                    _s(_num(x, "io_floor", "total")),
                    _s(_num(x, "naive", "total")),
                    _x(_ratio(_num(x, "cli", "seconds"), _num(x, "io_floor", "total"))),
                    _x(_ratio(_num(x, "naive", "total"), _num(x, "cli", "seconds"))),
                ]
            )
        out.append(
            (
                "Workbook -> Excel report (stages in-process; CLI = python -m assess score, "
                "wall clock)",
                [
                    "rows",
                    "read",
                    "validate",
                    "score",
                    "assemble",
                    "write",
                    "CLI",
                    "CLI peak RSS",
                    "I/O floor",
                    "naive",
                    "CLI/floor",
                    "naive/CLI",
                ],
                rows,
            )
        )
    if res.get("csv"):
        rows = [
            [
                f"{c['n']:,}",
                _s(_num(c, "cli", "seconds")),
                _mb(_num(c, "cli", "peak_rss_mb")),
                _s(_num(c, "pandas", "total")),
                _x(_ratio(_num(c, "cli", "seconds"), _num(c, "pandas", "total"))),
            ]
            for c in res["csv"]
        ]
        out.append(
            (
                "CSV -> scored CSV",
                ["rows", "CLI", "CLI peak RSS", "pandas read_csv+to_csv", "CLI/pandas"],
                rows,
            )
        )
    out += record_table(res.get("record"))
    out += history_table(res.get("trend"), res.get("changes"))
    other = []
    b = res.get("batch")
    if b:
        for jobs in (1, 2):
            r = b.get(f"jobs{jobs}", {})
            other.append(
                [
                    f"assess batch --jobs {jobs} ({b['files']} x {b['rows']} rows)",
                    _s(_num(r, "seconds")),
                    _mb(_num(r, "peak_rss_mb")),
                ]
            )
        c1 = _num(b, "ceiling", "one_process")
        c2 = _num(b, "ceiling", "two_processes")
        if c1 is not None and c2 is not None:
            other.append(["pure-Python loop x 2: in turn, in one process", _s(c1), "-"])
            other.append(
                [f"pure-Python loop x 2: at once, in two processes ({c1 / c2:.2f}x)", _s(c2), "-"]
            )
    labels = (
        ("sensitivity", "assess sensitivity"),
        ("compare", "assess compare --by Type"),
        ("calibrate", "assess calibrate"),
    )
    for name, label in labels:
        s = res.get(name)
        if s is None:
            continue
        if not s.get("available"):
            other.append([label, "not available", "-"])
            continue
        if name == "sensitivity":
            size = f"{s['rows']:,} x {s['draws']:,} draws"
        else:
            size = f"{s['rows']:,}" if name == "compare" else f"{s['cases']:,}"
        other.append(
            [f"{label} ({size})", _s(_num(s, "seconds")), _mb(_num(s, "peak_rss_mb"))]
            if "error" not in s
            else [f"{label} ({size})", s["error"], "-"]
        )
    d = res.get("dask")
    if d:
        if not d.get("available"):
            other.append(["assess score --engine dask", "not installed", "-"])
        elif d.get("skipped"):
            other.append(["assess score --engine dask", f"skipped: {d['skipped']}", "-"])
        else:
            for engine in ("dask", "pandas"):
                r = d[engine]
                what = (
                    f"{d['files']} Parquet files, --engine dask"
                    if engine == "dask"
                    else "one CSV, pandas engine (-o .csv)"
                )
                other.append(
                    [
                        f"assess score {d['rows']:,} rows, {what}",
                        _s(_num(r, "seconds")) if "error" not in r else r["error"],
                        _mb(_num(r, "peak_rss_mb")),
                    ]
                )
    if other:
        out.append(("Commands (wall clock)", ["command", "time", "peak RSS"], other))
    return out


def print_report(payload: dict[str, Any], console) -> None:
    from rich.table import Table

    m = payload["machine"]
    console.print(
        f"[bold]assess benchmarks[/] ({payload['config']['name']} run, "
        f"{payload['seconds']:.0f} s) on {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB"
    )
    for title, headers, rows in tables(payload):
        t = Table(title=title, title_justify="left")
        for i, h in enumerate(headers):
            t.add_column(h, justify="left" if i == 0 else "right")
        for row in rows:
            t.add_row(*row)
        console.print(t)
    t = Table(title="Targets (ratios measured in this run)", title_justify="left")
    for h in ("target", "compared", "measured", "goal", "result"):
        t.add_column(h, justify="right" if h in ("measured", "goal") else "left")
    style = {True: "bold green", False: "bold red", None: "dim"}
    for c in checks(payload):
        target = c.target + (f"\n[dim]{c.note}[/]" if c.note else "")
        t.add_row(target, c.compared, c.shown, c.goal, f"[{style[c.passed]}]{c.verdict}[/]")
    console.print(t)


def markdown(payload: dict[str, Any]) -> str:
    """The targets and the detail tables as Markdown, for the README."""
    m = payload["machine"]
    v = m["versions"]
    lines = [
        f"Measured by `python -m benchmarks` ({payload['config']['name']} run, "
        f"{payload['seconds'] / 60:.1f} minutes, {payload.get('date', 'undated')}) on "
        f"{m['cpu']}, {m['cores']} cores, "
        f"{m['memory_gb']} GB, {m['os']}; Python {v['python']}, pandas {v['pandas']}, "
        f"NumPy {v['numpy']}, python-calamine {v['python-calamine']}, "
        f"XlsxWriter {v['xlsxwriter']}, openpyxl {v['openpyxl']}, pymcdm {v['pymcdm']}.",
        "",
        "| target | compared | measured | goal | result |",
        "|---|---|---:|---:|---|",
    ]
    for c in checks(payload):
        note = f" ({c.note})" if c.note else ""
        lines.append(
            f"| {c.target}{note} | {c.compared} | {c.shown} | {c.goal} | **{c.verdict}** |"
        )
    for title, headers, rows in tables(payload):
        lines += ["", f"*{title}*", ""]
        lines.append("| " + " | ".join(headers) + " |")
        lines.append("|" + "|".join(["---"] + ["---:"] * (len(headers) - 1)) + "|")
        lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def as_json(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "targets": [asdict(c) | {"result": c.verdict} for c in checks(payload)]}
