"""The calibration's entry points under their earlier import path: :func:`calibrate` (from
:mod:`~assess.calibration.workflow`), :func:`check_rubric_output` and :func:`rubric_file` (from
:mod:`~assess.calibration.rubric_out`)."""

from __future__ import annotations

from .rubric_out import check_rubric_output, rubric_file
from .workflow import calibrate

__all__ = ["calibrate", "check_rubric_output", "rubric_file"]
