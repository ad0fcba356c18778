"""The ``assess`` command line: thin typer commands over the Python API.

Each command reads its options, calls one function of :mod:`assess` and shows the result:
:mod:`.scoring` (score, template, batch), :mod:`.analyses` (agreement, sensitivity, explain),
:mod:`.calibration` (calibrate) and :mod:`.rubrics` (rubric list, show, validate), on the
options in :mod:`.options` and the exit codes, consoles and error line in :mod:`.output`.
:mod:`.app` puts them together.

Exit codes: 0 every row scored; 1 some rows rejected or insufficient evidence (outputs still
written); 2 unusable input, rubric or output path (one line on stderr; ``--debug`` shows the
traceback).
"""

from .app import app, main

__all__ = ["app", "main"]
