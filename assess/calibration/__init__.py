"""Calibrating a rubric's weights against past cases, and outcome-free weightings.

The modules, in the order :func:`assess.calibrate` uses them:

* :mod:`~assess.calibration.outcomes` reads outcome cells (numeric, binary or ordinal);
* :mod:`~assess.calibration.cases` reads past cases like engagements, plus the outcome;
* :mod:`~assess.calibration.estimator` holds :class:`RubricCalibrator`, the scikit-learn
  estimator that fits the weights, on the model and fit of :mod:`~assess.calibration.fitting`;
* :mod:`~assess.calibration.weighting` computes outcome-free weights (equal, entropy, CRITIC,
  AHP);
* :mod:`~assess.calibration.evaluation` cross-validates weightings on shared folds, tests one
  against another and bootstraps the weights;
* :mod:`~assess.calibration.diagnostics` words the warnings;
* :mod:`~assess.calibration.rubric_out` builds, checks the path of and writes the calibrated
  rubric;
* :mod:`~assess.calibration.result` holds :class:`Calibration`, what a calibration reports;
* :mod:`~assess.calibration.workflow` runs them all: :func:`calibrate`.

Nothing is imported here, so that importing the package stays light.
"""
