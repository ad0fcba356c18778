"""How much the ranking depends on the weights: Monte Carlo and variance-based sensitivity.

:func:`sensitivity` rescored every scored engagement under many plausible weightings:

* **Weights** are drawn from a Dirichlet distribution centred on the rubric's weights,
  ``Dirichlet(K * w)``: its mean is the rubric's weights and ``K`` (the *concentration*) sets
  how far a draw may wander (a weight ``w`` has standard deviation ``sqrt(w (1 - w) / (K + 1))``;
  ``K = inf`` is the rubric's weights exactly).
* Optionally each draw also **switches the aggregation** (arithmetic or geometric, even odds) and,
  for several raters' input, **resamples the raters** (a bootstrap of the raters, recombined
  with the rubric's rule; a criterion no resampled rater rated keeps its combined rating).

Each draw is scored by the scorer's own kernel with a batch dimension
(:func:`assess.scoring.normalise`, then :func:`assess.scoring.aggregate_many`, the arithmetic of
:func:`assess.scoring.aggregate` for all draws and engagements at once, in chunks), banded by
:func:`assess.scoring.band_index` and :func:`assess.scoring.gate_caps`, and ranked by
:func:`assess.scoring.ranks_many`.  For each engagement: median rank, the 5-95 % rank interval,
and the probability of each band; overall, the mean Spearman rho between the nominal and the
perturbed rankings.

Which choice moves the ranking most: **Sobol first-order and total indices** (SALib; Saltelli
sampling) of the mean absolute rank change, with each criterion's weight (an independent gamma
variable, normalised with the others, which is how a Dirichlet draw is made) and the
aggregation switch as the factors; and a **leave-one-criterion-out** table from the real scorer.

A criterion weighted 0 is not a factor anywhere: it stays at 0 in every draw, is not a Sobol
factor and has no leave-one-out row (dropping it changes nothing).

The set of engagements ranked is the nominally scored one; an engagement whose evidence is
insufficient at the rubric's weights stays out of every draw.  Same seed, same numbers.

The modules, one job each:

* :mod:`~assess.analyses.sensitivity.run`: :func:`sensitivity` and :func:`run_sensitivity`;
* :mod:`~assess.analyses.sensitivity.draws`: the Monte Carlo;
* :mod:`~assess.analyses.sensitivity.attribution`: the Sobol indices and the leave-one-out
  table;
* :mod:`~assess.analyses.sensitivity.matrix`: the scored engagements as matrices, banded by
  the scorer's rules;
* :mod:`~assess.analyses.sensitivity.result`: :class:`Sensitivity`, what a run found.
"""

from __future__ import annotations

from ...scoring import ranks_many
from .attribution import leave_one_out, sobol_base
from .matrix import bands_many
from .result import Sensitivity
from .run import DEFAULT_CONCENTRATION, DEFAULT_DRAWS, run_sensitivity, sensitivity

__all__ = [
    "DEFAULT_CONCENTRATION",
    "DEFAULT_DRAWS",
    "Sensitivity",
    "bands_many",
    "leave_one_out",
    "ranks_many",
    "run_sensitivity",
    "sensitivity",
    "sobol_base",
]
