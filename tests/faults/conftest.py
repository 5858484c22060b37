"""The fault suite: real RabbitMQ, real services as OS processes, real faults.

It kills services, restarts the broker and the PostgreSQL server, so nothing else may run
beside it: a plain ``pytest`` does not collect this folder (``norecursedirs`` in
pyproject.toml), it refuses xdist and refuses to run beside other tests — ``./zs test``
runs it on its own with ``./zs faults`` (``pytest tests/faults``), and CI after ``./zs test``.  ``ZS_FAULT_SCALE=short`` makes the kill matrix stop at *agreed*; the default is the whole lifecycle, as
quoted in docs/RELIABILITY.md.
"""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(session, config, items):
    faults = [item for item in items if "tests/faults/" in str(item.path).replace(os.sep, "/")]
    if not faults:
        return
    if os.environ.get("PYTEST_XDIST_WORKER") or getattr(config.option, "numprocesses", None):
        pytest.exit("the fault suite restarts RabbitMQ and PostgreSQL: run it alone, without xdist", returncode=4)
    if len(faults) < len(items):
        pytest.exit("the fault suite runs alone: pytest tests/faults (./zs faults)", returncode=4)
