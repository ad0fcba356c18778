"""The Excel reports: workbooks analysts can keep working in.

The report of a scored result (:func:`write_xlsx`, assembled in
:mod:`~assess.report.xlsx.workbook`) has the sheets **Summary** (counts, bands, per-criterion
statistics, top and bottom engagements, provenance), **Scores** (one row per engagement;
normalised values, contributions, score, band and rank are live formulas reading the
**Weights** sheet, with the engine's values stored as cached results), **Charts** (native
charts), **Weights** (editable weights, band cut-offs and gate thresholds), **Criteria** (the
rubric, every level's descriptor) and **Rejected** (every rejected or insufficient-evidence
row, with its cell); with several raters an **Agreement** sheet, with a sensitivity run a
**Sensitivity** sheet; for a recorded period with its history attached (``result.history``),
Previous score, Change (a live formula) and Previous band columns on Scores and a **Trends**
sheet.  One module per sheet; :mod:`~assess.report.xlsx.layout` says where
everything lives, so that formulas on one sheet can point into another.

The calibration report's workbook is :mod:`~assess.report.xlsx.calibration` (loaded only with
a calibration).

Text from the input is always written as a text cell, never as a formula.
"""

from .workbook import write_xlsx

__all__ = ["write_xlsx"]
