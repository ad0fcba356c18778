"""assess: score engagements against weighted, anchored rubrics and write auditable reports.

The pipeline is read -> validate -> score -> report::

    import assess
    result = assess.score("examples/engagements.xlsx")    # read, validate, score
    result.scored                                          # a pandas DataFrame, best first
    assess.write_report(result, "report.xlsx")             # xlsx, csv, json, md or html
"""

__version__ = "0.1.0"

from .api import combine, score, validate_file  # noqa: E402
from .errors import AssessError, InputError, OutputError, RubricError  # noqa: E402
from .read import RawTable, read_table  # noqa: E402
from .result import Result, SourceInfo  # noqa: E402
from .rubric import DEFAULT_RUBRIC, Rubric, list_rubrics, load_rubric, parse_rubric  # noqa: E402
from .scorer import score_frame  # noqa: E402
from .validate import Rejection, Validated, validate  # noqa: E402

__all__ = [
    "__version__",
    "AssessError",
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
