"""The benchmark harness runs end to end at a tiny size, so it cannot rot unnoticed.

The figures at this size mean nothing; what is checked is that every case ran, every target
row was produced, and the results were written.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT


@pytest.mark.slow
def test_benchmark_harness_runs_every_case_at_a_tiny_size(tmp_path):
    out = tmp_path / "results" / "latest.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--size",
            "smoke",
            "--out",
            str(out),
            "--workdir",
            str(tmp_path / "work"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    payload = json.loads(out.read_text(encoding="utf-8"))
    results = payload["results"]
    assert {"kernel", "xlsx", "csv", "record", "trend", "changes", "batch"} <= set(results)

    def errors(node, path=""):
        if isinstance(node, dict):
            if "error" in node:
                yield f"{path}: {node['error']}"
            for key, value in node.items():
                yield from errors(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from errors(value, f"{path}[{i}]")

    assert list(errors(results)) == []
    stages = results["xlsx"][0]["stages"]
    assert set(stages) >= {"read", "validate", "score", "assemble", "write"}
    assert stages["counts"]["rows"] == 200
    # the recording case recorded a new period (not "unchanged": that would time nothing)
    assert results["record"]["recorded"]["status"] == "recorded"
    assert results["record"]["recorded"]["rows"] == results["record"]["n"]
    # the history reads found what the stores hold: every period of the engagement followed
    assert results["trend"]["inside"]["rows"] == results["trend"]["periods"]
    assert results["changes"]["inside"]["counts"]["compared"] > 0
    # the kernels agree on the scores they compute
    assert results["kernel"][0]["max_abs_diff_assess"] < 1e-9
    verdicts = {t["target"]: t["result"] for t in payload["targets"]}
    assert len(verdicts) >= 9
    assert set(verdicts.values()) <= {"PASS", "FAIL", "n/a"}
    assert "Targets" in proc.stdout
    assert out.with_suffix(".md").read_text(encoding="utf-8").count("| **") == len(verdicts)
