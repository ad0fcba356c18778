"""The examples in the package's docstrings run, and show what they say.

They are run from the installed package (as users import it), in the project folder, where
the examples they read (``examples/``) are.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest
from conftest import ROOT

import assess

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(assess.__path__, "assess.") if "__main__" not in m.name
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, monkeypatch):
    monkeypatch.chdir(ROOT)
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name):
        runner.run(test)
    failed, attempted = runner.summarize(verbose=False)
    assert failed == 0, f"{failed} of {attempted} examples in {name} failed (see above)"
