"""A service process stops cleanly however many stop signals reach it (Ctrl-C reaches the whole process group
as well as the supervisor's SIGTERM): a second signal stopped nameko's timers twice and the process hung."""

from __future__ import annotations

import signal
import time

import pytest

pytestmark = pytest.mark.integration


def test_two_stop_signals_stop_a_service_once(start_platform, tmp_path):
    platform = start_platform("notifications")  # it has a timer (the dispatch of deliveries)
    proc = platform.procs["notifications"]
    proc.send_signal(signal.SIGINT)
    time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    log = (tmp_path / "logs" / "notifications.log").read_text(encoding="utf-8")
    assert "already-triggered event" not in log and "Traceback" not in log
