"""Which methods work? Scores compared across the groups of a carried column.

:func:`compare` takes a scored :class:`~assess.result.Result` (or files) and one or two carried
columns (Type, Organisation, Partners ...) and returns a :class:`Comparison`: per group the
counts, mean and median with bootstrap intervals, band mix, criterion profile and share capped
by a gate; Kruskal–Wallis over the groups; each pair's Mann–Whitney test with Cliff's δ and
the difference in means, Holm-corrected; and a cross-table for two columns.
"""

from .result import Comparison
from .run import compare

__all__ = ["Comparison", "compare"]
