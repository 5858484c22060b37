"""The service process (zhaoshang/runner.py): its stop on signals, once and never while the runner is starting;
its heap settled after the start.

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


def test_the_heap_is_frozen_after_the_start_and_the_young_collected_less_often():
    import gc

    from zhaoshang.runner import settle_heap

    before = gc.get_threshold()
    try:
        settle_heap(5000)
        assert gc.get_freeze_count() > 0  # what the start built is out of the collector's sight
        assert gc.get_threshold() == (5000, before[1], before[2])
        gc.set_threshold(*before)
        settle_heap(None)  # none configured: frozen, Python's threshold kept
        assert gc.get_threshold() == before
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_a_bad_threshold_is_refused_naming_the_variable_and_the_value():
    import pytest

    from zhaoshang.runner import gc_threshold

    assert gc_threshold("5000") == 5000 and gc_threshold(700) == 700
    assert gc_threshold(None) is None and gc_threshold("") is None
    for bad in ("abc", "100", "5e3", -1):
        with pytest.raises(SystemExit, match=f"ZS_GC_THRESHOLD must be a whole number.*got {bad!r}"):
            gc_threshold(bad)


def test_workers_are_not_timed_for_a_debug_record_nobody_keeps():
    import logging

    import nameko.containers

    from zhaoshang.runner import untimed_workers

    log, timed = nameko.containers._log, nameko.containers._log_time
    level = log.level
    try:
        log.setLevel(logging.DEBUG)  # a debugging operator keeps nameko's timings
        assert untimed_workers() is False and nameko.containers._log_time is timed
        log.setLevel(logging.INFO)
        assert untimed_workers() is True
        records = []
        handler = logging.Handler()
        handler.emit = records.append
        log.addHandler(handler)
        try:
            with nameko.containers._log_time("ran worker %s", "w"):
                pass
        finally:
            log.removeHandler(handler)
        assert records == [] and nameko.containers._log_time is not timed
    finally:
        nameko.containers._log_time = timed
        log.setLevel(level)
