"""The result of a sensitivity run: what the Monte Carlo and Sobol runs found, and its JSON."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ...display import fixed


@dataclass
class Sensitivity:
    """What the Monte Carlo and Sobol runs found (see :mod:`assess.analyses.sensitivity`).

    ``engagements`` (indexed by id, best nominal rank first): ``score``, ``rank``, ``band`` at the
    rubric's weights; ``rank_median``, ``rank_p05``, ``rank_p95`` over the draws; ``rank_low`` and
    ``rank_high``, the 5-95 % interval widened where needed to hold the nominal rank (which can
    fall outside it when the engagement ties others at the nominal weights); ``score_p05``,
    ``score_p95``.  ``band_probability`` has one column per band (best first), each row summing
    to 1.  ``sobol`` has ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` per factor (None when the
    weights do not vary); ``leave_one_out`` one row per criterion dropped.
    """

    draws: int
    concentration: float
    seed: int
    switch_aggregation: bool
    resample_raters: bool
    aggregation: str
    engagements: pd.DataFrame
    band_probability: pd.DataFrame
    mean_spearman: float
    spearman_p05: float
    sobol: pd.DataFrame | None
    sobol_n: int
    leave_one_out: pd.DataFrame
    seconds: float = field(default=0.0, compare=False)

    @property
    def outside(self) -> int:
        """Engagements whose nominal rank lies outside their 5-95 % rank range."""
        e = self.engagements
        return int(((e["rank"] < e["rank_p05"]) | (e["rank"] > e["rank_p95"])).sum())

    def summary_line(self) -> str:
        k = "inf" if math.isinf(self.concentration) else f"{self.concentration:g}"
        extra = "".join(
            [
                ", aggregation switched" if self.switch_aggregation else "",
                ", raters resampled" if self.resample_raters else "",
            ]
        )
        return (
            f"{self.draws} draws (concentration {k}, seed {self.seed}{extra}) over "
            f"{len(self.engagements)} engagements: mean Spearman rho {fixed(self.mean_spearman, 3)}"
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``sensitivity`` block of the JSON contract (no timings: output is reproducible)."""
        e = self.engagements
        p = self.band_probability
        items = []
        for eid, row in e.iterrows():
            items.append(
                {
                    "id": eid,
                    "score": _num(row["score"]),
                    "rank": int(row["rank"]),
                    "band": row["band"],
                    "rank_median": _num(row["rank_median"]),
                    "rank_p05": int(row["rank_p05"]),
                    "rank_p95": int(row["rank_p95"]),
                    "rank_interval": [int(row["rank_low"]), int(row["rank_high"])],
                    "score_p05": _num(row["score_p05"]),
                    "score_p95": _num(row["score_p95"]),
                    "band_probability": {b: _num(p.loc[eid, b]) for b in p.columns},
                }
            )
        sobol = None
        if self.sobol is not None:
            sobol = {
                "output": "mean absolute rank change",
                "base_samples": self.sobol_n,
                "factors": {
                    f: {k: _num(v) for k, v in row.items()} for f, row in self.sobol.iterrows()
                },
            }
        return {
            "draws": self.draws,
            "concentration": None if math.isinf(self.concentration) else self.concentration,
            "seed": self.seed,
            "switch_aggregation": self.switch_aggregation,
            "resample_raters": self.resample_raters,
            "aggregation": self.aggregation,
            "mean_spearman": _num(self.mean_spearman),
            "spearman_p05": _num(self.spearman_p05),
            "nominal_outside_interval": self.outside,
            "engagements": items,
            "sobol": sobol,
            "leave_one_out": [
                {"criterion": cid, **{k: _json(v) for k, v in row.items()}}
                for cid, row in self.leave_one_out.iterrows()
            ],
        }


def _num(value: Any) -> float | None:
    v = float(value)
    return v if math.isfinite(v) else None


def _json(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _num(value)
    return value
