"""assess: score engagements against weighted, anchored rubrics and write auditable reports.

The pipeline is read -> validate -> score -> report::

    import assess
    result = assess.score("examples/engagements.xlsx")    # read, validate, score
    result.scored                                          # a pandas DataFrame, best first
    assess.write_report(result, "report.xlsx")             # xlsx, csv, json, md or html

The public verbs (``score``, ``agreement``, ``sensitivity``, ``explain``, ``compare``,
``calibrate``, ``write_report``, ``write_template``, ``run_batch``, ``score_dask``,
``open_store``) are functions of this package; no module shares a name with one of them.
``open_store()`` opens the assessment history (:mod:`assess.history`).
"""

from ._version import __version__

#: Every public name, loaded from its module on first use, so that ``import assess`` (and
#: ``assess --help``) stays light: the pipeline needs pandas, calibration scikit-learn, the
#: writers XlsxWriter and Jinja, the Dask engine Dask.
_LAZY = {
    "Agreement": "assess.analyses.agreement",
    "agreement": "assess.analyses.agreement",
    "Comparison": "assess.analyses.groups",
    "compare": "assess.analyses.groups",
    "Explanation": "assess.analyses.explain",
    "explain": "assess.analyses.explain",
    "Sensitivity": "assess.analyses.sensitivity",
    "sensitivity": "assess.analyses.sensitivity",
    "AssessError": "assess.errors",
    "InputError": "assess.errors",
    "OptionError": "assess.errors",
    "OutputError": "assess.errors",
    "RubricError": "assess.errors",
    "combine": "assess.pipeline",
    "score": "assess.pipeline",
    "validate_file": "assess.pipeline",
    "RawTable": "assess.read",
    "read_table": "assess.read",
    "Result": "assess.result",
    "SourceInfo": "assess.result",
    "DEFAULT_RUBRIC": "assess.defaults",
    "Rubric": "assess.rubric",
    "RubricProblem": "assess.rubric",
    "check_rubric": "assess.rubric",
    "list_rubrics": "assess.rubric",
    "load_rubric": "assess.rubric",
    "parse_rubric": "assess.rubric",
    "score_frame": "assess.scoring",
    "Rejection": "assess.validation",
    "Validated": "assess.validation",
    "validate": "assess.validation",
    "Calibration": "assess.calibration.result",
    "RubricCalibrator": "assess.calibration.estimator",
    "calibrate": "assess.calibration.workflow",
    "write_report": "assess.report",
    "write_template": "assess.template",
    "run_batch": "assess.engines.batch",
    "score_dask": "assess.engines.dask",
    "Store": "assess.history.store",
    "open_store": "assess.history.store",
    "StoreError": "assess.errors",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'assess' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "__version__",
    "DEFAULT_RUBRIC",
    "Agreement",
    "AssessError",
    "Calibration",
    "Comparison",
    "Explanation",
    "InputError",
    "OptionError",
    "OutputError",
    "RawTable",
    "Rejection",
    "Result",
    "Rubric",
    "RubricCalibrator",
    "RubricError",
    "RubricProblem",
    "Sensitivity",
    "SourceInfo",
    "Store",
    "StoreError",
    "Validated",
    "agreement",
    "calibrate",
    "check_rubric",
    "combine",
    "compare",
    "explain",
    "list_rubrics",
    "load_rubric",
    "open_store",
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
