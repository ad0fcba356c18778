"""The result of a calibration: :class:`Calibration`, with what ``assess calibrate`` reports,
the calibrated rubric and its provenance block, and the JSON contract."""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._version import __version__
from ..rubric import Rubric
from ..validation import json_value
from .cases import Cases
from .estimator import RubricCalibrator
from .evaluation import Evaluation
from .rubric_out import save_rubric
from .weighting import AHPResult


@dataclass
class Calibration:
    """Everything ``assess calibrate`` reports, and the calibrated rubric it writes.

    ``weights`` is indexed by criterion id with a column per weighting (``expert``, the
    method's own column — ``calibrated`` for fitted weights — with ``low`` and ``high``, its
    bootstrap 90 % interval, then ``equal``, ``entropy``, ``critic`` and ``ahp`` where
    available).
    """

    rubric: Rubric
    calibrated: Rubric
    method: str
    cases: Cases
    weights: pd.DataFrame
    estimator: RubricCalibrator | None = None
    evaluation: Evaluation | None = None
    comparisons: dict[str, dict[str, Any]] = field(default_factory=dict)
    ahp: AHPResult | None = None
    bootstrap: int = 0
    prior_chosen_by: str | None = None
    prior_grid: tuple[float, ...] = ()
    cutoffs_applied: bool = False
    warnings: list[str] = field(default_factory=list)
    recommendation: str = "not-evaluated"
    recommendation_text: str = ""
    date: str = ""
    seconds: float = 0.0
    rubric_path: str | None = None
    output: str | None = None

    @property
    def name(self) -> str:
        """The column of the new weights: ``calibrated``, or the outcome-free method."""
        return "calibrated" if self.method == "fit" else self.method

    @property
    def exit_code(self) -> int:
        """0 when every row was used; 1 when some were rejected or had too little evidence."""
        c = self.cases.counts
        return 0 if c["used"] == c["rows"] else 1

    def link(self) -> dict[str, Any]:
        est = self.estimator
        if est is None:
            return {}
        out: dict[str, Any] = {"intercept": est.intercept_, "slope_per_point": est.slope_}
        if est.kind == "ordinal":
            out["cutpoints"] = est.cutpoints_.tolist()
            out["cutoffs"] = dict(
                zip(est.classes_[1:].tolist(), est.thresholds_.tolist(), strict=True)
            )
        elif est.kind == "binary":
            out["score_at_even_odds"] = float(est.thresholds_[0])
        return out

    def metrics(self) -> dict[str, dict[str, dict[str, float]]]:
        if self.evaluation is None:
            return {}
        s = self.evaluation.summary()
        return {
            w: {m: {"mean": s.loc[w, ("mean", m)], "sd": s.loc[w, ("sd", m)]} for m in s["mean"]}
            for w in s.index
        }

    def provenance(self) -> dict[str, Any]:
        """The ``calibration`` block written into the calibrated rubric."""
        c = self.cases
        block: dict[str, Any] = {
            "method": self.method,
            "date": self.date,
            "assess_version": __version__,
            "base_rubric": {
                "name": self.rubric.name,
                "version": self.rubric.version,
                "hash": self.rubric.content_hash,
            },
            "source": {"file": c.file, "sha256": c.sha256, "sheet": c.sheet},
            "cases": c.counts,
        }
        if c.outcome_column is not None:
            block["outcome"] = {"column": c.outcome_column, "kind": c.kind}
            if c.levels:
                block["outcome"]["levels"] = list(c.levels)
        if self.estimator is not None:
            block["prior"] = {
                "strength": self.estimator.prior_strength_,
                "chosen_by": self.prior_chosen_by,
                "penalty": "prior_strength * sum((w - w_expert)^2), added to the summed "
                "negative log-likelihood",
            }
            block["link"] = self.link()
            block["cutoffs_applied_to_bands"] = self.cutoffs_applied
        if self.ahp is not None:
            block["ahp"] = {
                "consistency_ratio": self.ahp.cr,
                "consistent": self.ahp.consistent,
            }
        block["weights"] = {
            cid: {
                k: float(v)
                for k, v in row.items()
                if k in ("expert", self.name, "low", "high") and pd.notna(v)
            }
            for cid, row in self.weights.iterrows()
        }
        if self.evaluation is not None:
            ev = self.evaluation
            block["cross_validation"] = {
                "folds": ev.n_folds,
                "repeats": ev.repeats,
                "seed": ev.seed,
                "primary_metric": ev.primary,
                "metrics": self.metrics(),
            }
        block["bootstrap_resamples"] = self.bootstrap
        block["recommendation"] = self.recommendation
        block["warnings"] = list(self.warnings)
        return _plain(block)

    def to_dict(self) -> dict[str, Any]:
        """The ``--format json`` contract (keys only ever added within a major version)."""
        c = self.cases
        weights = [
            {"id": cid, "label": self.rubric.criterion(cid).label, **_plain(row.to_dict())}
            for cid, row in self.weights.iterrows()
        ]
        ev = self.evaluation
        return {
            "assess_version": __version__,
            "rubric": self.rubric.describe(),
            "calibrated_rubric": self.calibrated.describe(),
            "output": self.output,
            "source": {
                "file": c.file,
                "sha256": c.sha256,
                "sheet": c.sheet,
                "header_row": c.header_row,
            },
            "summary": c.counts,
            "outcome": (
                {"column": c.outcome_column, "kind": c.kind, "levels": _plain(c.levels)}
                if c.outcome_column
                else None
            ),
            "method": self.method,
            "prior": (
                {
                    "strength": self.estimator.prior_strength_,
                    "chosen_by": self.prior_chosen_by,
                    "grid": list(self.prior_grid),
                    "cv_loss": {str(k): v for k, v in self.estimator.cv_loss_.items()},
                }
                if self.estimator is not None
                else None
            ),
            "link": _plain(self.link()) or None,
            "weights": weights,
            "bootstrap_resamples": self.bootstrap,
            "ahp": self.ahp.to_dict() if self.ahp is not None else None,
            "cross_validation": (
                _plain(
                    {
                        "folds": ev.n_folds,
                        "repeats": ev.repeats,
                        "seed": ev.seed,
                        "primary_metric": ev.primary,
                        "metrics": self.metrics(),
                        "comparisons": self.comparisons,
                    }
                )
                if ev is not None
                else None
            ),
            "recommendation": self.recommendation,
            "recommendation_text": self.recommendation_text,
            "warnings": list(self.warnings),
            "insufficient": _plain(c.insufficient),
            "rejected": [r.to_dict() for r in c.rejected],
        }

    def summary_line(self) -> str:
        return self.cases.summary_line()

    def problem_lines(self) -> list[str]:
        """One line per case left out: insufficient evidence, then rejected rows."""
        need = f"{self.rubric.missing.min_weight_share:.0%}"
        lines = [
            f"insufficient {self.cases.sheet} row {i['row']} {i['id']}: {i['completeness']:.0%} "
            f"of the weight rated (need {need})"
            for i in self.cases.insufficient
        ]
        return lines + [f"rejected {r}" for r in self.cases.rejected]

    def write_rubric(self, path: str | Path, *, force: bool = False) -> Path:
        """Write the calibrated rubric as a new YAML file, atomically.

        Refuses the input rubric's own file (even with ``force``), the cases file, and any
        existing file unless ``force``.  Returns the path; ``self.calibrated`` becomes the
        rubric as loaded back from it.
        """
        target, loaded = save_rubric(
            self.rubric_text(),
            path,
            force=force,
            rubric_path=self.rubric_path,
            cases_path=self.cases.path,
        )
        self.calibrated = loaded
        self.output = str(target)
        return target

    def rubric_text(self) -> str:
        """The calibrated rubric as YAML, with a comment saying where it came from."""
        c = self.cases
        what = (
            f"weights fitted to the outcome {c.outcome_column!r} ({c.kind})"
            if self.method == "fit"
            else f"{self.method} weights"
        )
        head = [
            f"# {self.calibrated.name} {self.calibrated.version}: {what}",
            f"# from {c.file} (sha256 {c.sha256[:12]}...) by assess calibrate {__version__} "
            f"on {self.date}.",
            f"# Based on {self.rubric.name} {self.rubric.version}; the calibration block below "
            "records how, and how well.",
        ]
        if self.recommendation_text:
            head += textwrap.wrap(
                self.recommendation_text, 96, initial_indent="# ", subsequent_indent="# "
            )
        return "\n".join(head) + "\n" + self.calibrated.to_yaml()


def _plain(value: Any) -> Any:
    """JSON/YAML-safe plain data: numpy to Python, NaN to None, floats to 6 significant
    digits."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return float(f"{v:.6g}") if math.isfinite(v) else None
    if isinstance(value, np.integer):
        return int(value)
    return json_value(value)
