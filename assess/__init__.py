"""assess: score engagements against weighted, anchored rubrics and write auditable reports.

The pipeline is read -> validate -> score -> report::

    import assess
    result = assess.score("examples/engagements.xlsx")    # read, validate, score
    result.scored                                          # a pandas DataFrame, best first
    assess.write_report(result, "report.xlsx")             # xlsx, csv, json, md or html

The public verbs (``score``, ``agreement``, ``sensitivity``, ``explain``, ``calibrate``,
``write_report``, ``write_template``, ``run_batch``, ``score_dask``) are functions of this
package; no module shares a name with one of them.
"""

from ._version import __version__
from .analyses.agreement import Agreement, agreement
from .analyses.explain import Explanation, explain
from .analyses.sensitivity import Sensitivity, sensitivity
from .errors import AssessError, InputError, OutputError, RubricError
from .pipeline import combine, score, validate_file
from .read import RawTable, read_table
from .result import Result, SourceInfo
from .rubric import DEFAULT_RUBRIC, Rubric, list_rubrics, load_rubric, parse_rubric
from .scoring import score_frame
from .validation import Rejection, Validated, validate

#: Loaded on first use, so that ``import assess`` stays light: calibration needs scikit-learn,
#: the writers XlsxWriter and Jinja, the Dask engine Dask.
_LAZY = {
    "Calibration": "assess.calibration.core",
    "RubricCalibrator": "assess.calibration.core",
    "calibrate": "assess.calibration.core",
    "write_report": "assess.report",
    "write_template": "assess.template",
    "run_batch": "assess.engines.batch",
    "score_dask": "assess.engines.dask",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'assess' has no attribute {name!r}")


__all__ = [
    "__version__",
    "DEFAULT_RUBRIC",
    "Agreement",
    "AssessError",
    "Calibration",
    "Explanation",
    "InputError",
    "OutputError",
    "RawTable",
    "Rejection",
    "Result",
    "Rubric",
    "RubricCalibrator",
    "RubricError",
    "Sensitivity",
    "SourceInfo",
    "Validated",
    "agreement",
    "calibrate",
    "combine",
    "explain",
    "list_rubrics",
    "load_rubric",
    "parse_rubric",
    "read_table",
    "run_batch",
    "score",
    "score_dask",
    "score_frame",
    "sensitivity",
    "validate",
    "validate_file",
    "write_report",
    "write_template",
]
