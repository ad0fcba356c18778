"""The ``assess`` command line: thin typer commands over the Python API.

Each command reads its options, calls one function of :mod:`assess` and shows the result:
:mod:`.scoring` (score, template, batch), :mod:`.analyses` (agreement, sensitivity, explain),
:mod:`.calibration` (calibrate), :mod:`.rubrics` (rubric list, show, validate) and
:mod:`.history` (history, trend, changes, store delete, store export), with :mod:`.recording` for
``--period`` on score and batch, on the options in :mod:`.options` and the exit codes,
consoles and error line in :mod:`.output`. :mod:`.app` puts them together.

Exit codes: 0 every row scored; 1 some rows rejected or insufficient evidence (outputs still
written); 2 unusable input, rubric, output path or history store (one line on stderr;
``--debug`` shows the traceback).
"""

from .app import app, main

__all__ = ["app", "main"]
