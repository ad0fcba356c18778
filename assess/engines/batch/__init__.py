"""Batch reports: many workbooks, one report each, plus a portfolio across all of them.

:func:`run_batch` expands files, folders (recursed) and glob patterns, scores each input on
its own (in parallel processes), writes one report per input named after it, and a combined
``portfolio.xlsx`` (every engagement with its source, a per-file summary with content hashes,
and the failures) with a machine-readable ``portfolio.json`` beside it.  A file that cannot
be used is listed with its one-line reason and never stops the others; a file assess wrote
(an earlier report or portfolio, wherever it is) is listed as skipped, never scored.  With
``skip_unchanged`` an input whose content hash, rubric hash and options match the previous
run is not scored again.

The modules, one job each:

* :mod:`~assess.engines.batch.run`: :func:`run_batch`;
* :mod:`~assess.engines.batch.portfolio`: :func:`write_portfolio`;
* :mod:`~assess.engines.batch.discovery`: the inputs (:func:`expand_inputs`) and the reports'
  names (:func:`output_names`);
* :mod:`~assess.engines.batch.outcomes`: :class:`FileOutcome` and :class:`BatchResult`.
"""

from __future__ import annotations

from .discovery import PORTFOLIO_JSON, PORTFOLIO_XLSX, SUFFIX, expand_inputs, output_names
from .outcomes import BatchResult, FileOutcome
from .portfolio import PORTFOLIO_FIELDS, write_portfolio
from .run import run_batch

__all__ = [
    "PORTFOLIO_FIELDS",
    "PORTFOLIO_JSON",
    "PORTFOLIO_XLSX",
    "SUFFIX",
    "BatchResult",
    "FileOutcome",
    "expand_inputs",
    "output_names",
    "run_batch",
    "write_portfolio",
]
