"""What the commands call in assess, each function imported on its first call.

``assess --help`` and ``assess COMMAND --help`` then start without pandas and the rest of the
pipeline: a command loads what it runs only when it runs.  The public functions are looked up
on the ``assess`` package itself, so each command calls the documented API.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy(module: str, name: str) -> Callable[..., Any]:
    """``module.name`` (``module`` as an absolute name), imported when first called."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


def public(name: str) -> Callable[..., Any]:
    """``assess.name``, one of the package's public functions, loaded when first called."""
    return lazy("assess", name)


# -- the public API: one call per command ----------------------------------------------------

score = public("score")
score_dask = public("score_dask")
run_batch = public("run_batch")
write_template = public("write_template")
agreement = public("agreement")
sensitivity = public("sensitivity")
explain = public("explain")
compare = public("compare")
calibrate = public("calibrate")
load_rubric = public("load_rubric")
list_rubrics = public("list_rubrics")
check_rubric = public("check_rubric")
write_report = public("write_report")
open_store = public("open_store")

# -- the history store: where it is, and a period label checked before any work ----------------

check_period = lazy("assess.history.recording", "check_period")
store_file = lazy("assess.history", "store_file")
trend_dict = lazy("assess.history.trends", "engagement_trend_dict")
trend_rows_dict = lazy("assess.history.timeline", "trend_rows_dict")

# -- outputs: checked before the work, written after it ----------------------------------------

check_report_target = lazy("assess.report", "check_report_target")
check_calibration_report = lazy("assess.report", "check_calibration_report_target")
check_charts_folder = lazy("assess.report.charts", "check_charts_folder")
builtin_dir = lazy("assess.rubric", "builtin_dir")


def report_formats() -> dict[str, str]:
    """The report format each file extension names (``.xlsx`` -> ``xlsx``)."""
    from ..report import FORMATS

    return FORMATS


# -- rendering ------------------------------------------------------------------------------

printable = lazy("assess.report.safety", "printable")
inert_json = lazy("assess.report.safety", "inert_json")
report_notes = lazy("assess.report.safety", "report_notes")
to_csv = lazy("assess.report.tabular", "to_csv")
to_json = lazy("assess.report.tabular", "to_json")
to_markdown = lazy("assess.report.markdown", "to_markdown")
to_html = lazy("assess.report.html", "to_html")
write_charts = lazy("assess.report.charts", "write_charts")
print_result = lazy("assess.report.terminal", "print_result")
print_agreement = lazy("assess.report.terminal.analyses", "print_agreement")
print_sensitivity = lazy("assess.report.terminal.analyses", "print_sensitivity")
print_explanation = lazy("assess.report.terminal.analyses", "print_explanation")
print_comparison = lazy("assess.report.terminal.groups", "print_comparison")
print_calibration = lazy("assess.report.terminal.calibration", "print_calibration")
calibration_progress = lazy("assess.report.terminal.calibration", "calibration_progress")
print_trend_rows = lazy("assess.report.terminal.timeline", "print_trend_rows")
print_trend_overview = lazy("assess.report.terminal.history", "print_trend_overview")
print_group_trend = lazy("assess.report.terminal.history", "print_group_trend")
print_changes = lazy("assess.report.terminal.history", "print_changes")
