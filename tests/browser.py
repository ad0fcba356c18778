"""Headless Chromium for the tests that render or print an HTML page: an engine of its own,
independent of assess."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (apt-get install chromium); the page is not rendered",
)


def chromium(*args: str, tmp_path: Path, timeout: int = 180) -> subprocess.CompletedProcess:
    """Run headless Chromium with ``args`` and a fresh profile in ``tmp_path`` (no network
    chatter, no first-run pages; as root it needs no sandbox)."""
    assert CHROMIUM is not None
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
