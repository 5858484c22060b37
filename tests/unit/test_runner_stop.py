"""The service process's stop on signals (zhaoshang/runner.py): once, and never while the runner is starting.

The process-level test (two real signals to a running service) is tests/integration/test_runner_signals.py."""
from __future__ import annotations

import eventlet

from zhaoshang.runner import StopOnce


def _stopper():
    calls = []
    return calls, StopOnce(lambda: calls.append(eventlet.getcurrent()))


def test_a_signal_while_starting_waits_for_the_start_then_stops_once():
    calls, stop = _stopper()
    stop.request()  # SIGTERM while runner.start() is still starting the event consumers
    stop.request()  # and Ctrl-C too
    eventlet.sleep(0)
    assert calls == []  # nameko's queue consumer cannot be stopped half-started
    stop.started()
    eventlet.sleep(0)
    assert len(calls) == 1


def test_signals_after_the_start_stop_once():
    calls, stop = _stopper()
    stop.started()
    eventlet.sleep(0)
    assert calls == []
    for _ in range(3):
        stop.request()
    eventlet.sleep(0)
    assert len(calls) == 1
