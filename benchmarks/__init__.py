"""assess's benchmark suite: ``python -m benchmarks`` (``--quick`` for small sizes).

It makes its own data from a fixed seed (:mod:`benchmarks.data`), runs assess and, in the same
run on the same data, the baselines every figure is a ratio against (:mod:`benchmarks.suite`):

* the **naive baseline** — ``pandas.read_excel(engine="openpyxl")``, a row-wise ``apply`` for
  the weighted score, ``to_excel(engine="openpyxl")``;
* the **I/O floor** — python-calamine reading the same workbook plus XlsxWriter in
  constant-memory mode writing the same cells as assess's Scores sheet, nothing else;
* the **kernel floor** — bare NumPy normalise-and-dot over the same matrix, and a peer MCDA
  library's weighted sum (pymcdm);
* ``pandas.read_csv`` + ``to_csv`` of the same CSV.

It prints the performance targets with PASS/FAIL (:mod:`benchmarks.report`) and writes
``benchmarks/results/latest.json`` and ``latest.md``.
"""
