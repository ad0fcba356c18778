"""assess: score engagements against weighted, anchored rubrics and write auditable reports.

The pipeline is read -> validate -> score -> report::

    import assess
    result = assess.score("examples/engagements.xlsx")    # read, validate, score
    result.scored                                          # a pandas DataFrame, best first
    assess.write_report(result, "report.xlsx")             # xlsx, csv, json, md or html
"""

from ._version import __version__

# agreement, explain and sensitivity are functions named like their commands; they shadow the
# submodules of the same names, so import from those as ``from assess.agreement import ...``.
from .agreement import Agreement, agreement  # noqa: E402
from .api import combine, score, validate_file  # noqa: E402
from .errors import AssessError, InputError, OutputError, RubricError  # noqa: E402
from .explain import Explanation, explain  # noqa: E402
from .read import RawTable, read_table  # noqa: E402
from .result import Result, SourceInfo  # noqa: E402
from .rubric import DEFAULT_RUBRIC, Rubric, list_rubrics, load_rubric, parse_rubric  # noqa: E402
from .scorer import score_frame  # noqa: E402
from .sensitivity import Sensitivity, sensitivity  # noqa: E402
from .validate import Rejection, Validated, validate  # noqa: E402

#: Loaded on first use: calibration needs scikit-learn, which takes about a second to import.
_CALIBRATION = ("Calibration", "RubricCalibrator", "calibrate")


def __getattr__(name: str):
    if name in _CALIBRATION:
        from .calibrate import Calibration, RubricCalibrator, calibrate

        globals().update(Calibration=Calibration, RubricCalibrator=RubricCalibrator)
        globals()["calibrate"] = calibrate  # the function, not the submodule of that name
        return globals()[name]
    raise AttributeError(f"module 'assess' has no attribute {name!r}")


__all__ = [
    "__version__",
    "Agreement",
    "AssessError",
    "Explanation",
    "Sensitivity",
    "agreement",
    "explain",
    "sensitivity",
    "Calibration",
    "RubricCalibrator",
    "calibrate",
    "DEFAULT_RUBRIC",
    "InputError",
    "OutputError",
    "RawTable",
    "Rejection",
    "Result",
    "Rubric",
    "RubricError",
    "SourceInfo",
    "Validated",
    "combine",
    "list_rubrics",
    "load_rubric",
    "parse_rubric",
    "read_table",
    "score",
    "score_frame",
    "validate",
    "validate_file",
]
