"""The code passes the lint of pyproject.toml's [tool.ruff] (pyflakes and pycodestyle's errors) and is as `ruff format`
writes it, so CI enforces both."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ruff_check_finds_nothing():
    ruff = Path(sys.executable).with_name("ruff")
    done = subprocess.run(
        [str(ruff), "check", "--no-cache", "--output-format", "concise", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"ruff check found (fix it, or see [tool.ruff]):\n{done.stdout}{done.stderr}"


def test_the_tree_is_formatted():
    """`ruff format` (pyproject.toml's [tool.ruff.format], 120 columns) leaves every file as it is."""
    ruff = Path(sys.executable).with_name("ruff")
    done = subprocess.run(
        [str(ruff), "format", "--check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, (
        f"ruff format would change (run `.venv/bin/ruff format .`):\n{done.stdout}{done.stderr}"
    )
