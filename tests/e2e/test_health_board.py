"""``/api/health`` answers from what the gateway last heard of each service (services/gateway/health.py): a service
that stops is reported down once its latest answer is older than the policy allows, and one never started is down
from the first answer, without the request hanging on it."""

from __future__ import annotations

import time

import pytest
import requests

from services.gateway.health import HealthRules
from shared.policy import load_policy
from tests.conftest import wait_for

pytestmark = pytest.mark.e2e

RULES = HealthRules.of(load_policy())
RUNNING = ("intake", "review")


@pytest.fixture(scope="module")
def platform(module_platform):
    start, env, _config = module_platform
    review = {name: start(name) for name in RUNNING}["review"]
    start("gateway")
    base = f"http://{env['ZS_GATEWAY_ADDRESS']}"
    wait_for(lambda: requests.get(base + "/health", timeout=2).ok, what="gateway up")
    return base, review


def health(base: str) -> tuple[int, dict, float]:
    started = time.monotonic()
    answer = requests.get(base + "/api/health", timeout=30)
    return answer.status_code, answer.json(), time.monotonic() - started


def test_services_never_started_are_down_at_once_and_running_ones_ok_with_the_age_of_their_answer(platform):
    base, _review = platform
    # a gateway just started may answer its first round before its RPC replies are consumed: ok by the next round
    wait_for(lambda: health(base)[1]["services"]["review"] == "ok", timeout=15, what="review ok")
    status, body, took = health(base)
    assert status == 503 and body["status"] == "degraded"
    assert {name: body["services"][name] for name in RUNNING} == {"intake": "ok", "review": "ok"}
    assert body["services"]["coordinator"].startswith("down")
    assert all(0 <= body["age_seconds"][name] <= RULES.ask_every + RULES.wait for name in RUNNING)
    assert took <= RULES.wait + 2  # a degraded platform costs a request at most the policy's wait


def test_a_stopped_service_is_reported_down_once_silent_longer_than_the_policy(platform):
    base, review = platform
    review.stop()
    stopped = time.monotonic()
    found = wait_for(
        lambda: (b := health(base)[1])["services"]["review"].startswith("down") and b,
        timeout=RULES.down_after + 3 * RULES.ask_every + RULES.wait + 5,
        what="review reported down",
    )
    assert found["services"]["intake"] == "ok" and found["status"] == "degraded"
    assert time.monotonic() - stopped <= RULES.down_after + 2 * RULES.ask_every + 2 * RULES.wait + 2
