"""The scorer in matrix form: the scored engagements as matrices, banded for many draws of
the weights at once by the scorer's own rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...errors import InputError
from ...result import Result
from ...rubric import Rubric
from ...scoring import band_index, gate_caps, input_matrix, normalise

#: draws x engagements scored per chunk (bounds memory; one progress step per chunk)
CHUNK_CELLS = 2_000_000
ARITHMETIC, GEOMETRIC = "weighted_arithmetic", "weighted_geometric"
Progress = Callable[[int, int], None]


def bands_many(scores: np.ndarray, rubric: Rubric, caps: np.ndarray) -> np.ndarray:
    """Band index (0 = best) of each score in a ``(D, n)`` matrix, lowered to each engagement's
    gate cap, by the scorer's own cut-offs (:func:`assess.scoring.band_index`)."""
    return np.maximum(band_index(scores, rubric), caps[None, :]).astype(np.int16)


@dataclass
class Model:
    """The scored engagements as matrices: the scorer's inputs, normalised, their gate caps,
    and their scores, ranks and bands at the rubric's weights."""

    rubric: Rubric
    ids: list[str]
    frame: pd.DataFrame  # the scorer's input columns, scored engagements only
    x: np.ndarray
    caps: np.ndarray
    weights: np.ndarray
    nominal_score: np.ndarray
    nominal_rank: np.ndarray
    nominal_band: np.ndarray


def scorer_inputs(result: Result, rows: pd.DataFrame) -> pd.DataFrame:
    """The scorer's input columns (ratings and indicator values) of ``rows`` of the result."""
    rubric = result.rubric
    cols = {}
    for c in rubric.criteria:
        if c.rated:
            cols[c.id] = rows[f"{c.id}.rating"].astype(float)
        for ind in c.indicators:
            cols[ind.id] = rows[f"{ind.id}.value"].astype(float)
    return pd.DataFrame(cols, index=rows.index)


def gate_cap_bands(frame: pd.DataFrame, rubric: Rubric) -> np.ndarray:
    """The band each engagement's gates cap it at (0 = no cap), by the scorer's own rules."""
    return gate_caps(input_matrix(frame, rubric), rubric).astype(np.int16)


def build_model(result: Result) -> Model:
    """The result's scored engagements as matrices; refused when none was scored."""
    rubric = result.rubric
    scored = result.scored
    if scored.empty:
        raise InputError("no engagement was scored, so there is no ranking to test")
    frame = scorer_inputs(result, scored)
    names = rubric.band_names
    return Model(
        rubric=rubric,
        ids=[str(i) for i in scored.index],
        frame=frame,
        x=normalise(frame, rubric),
        caps=gate_cap_bands(frame, rubric),
        weights=np.array([c.weight for c in rubric.criteria], dtype=float),
        nominal_score=scored["score"].to_numpy(dtype=float),
        nominal_rank=scored["rank"].to_numpy(dtype=np.int64),
        nominal_band=np.array([names.index(b) for b in scored["band"]]),
    )
