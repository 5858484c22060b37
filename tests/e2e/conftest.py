"""The whole platform, every service its own process, behind the gateway's HTTP API.

One platform serves a whole test module (starting eight processes takes a few
seconds); the tests of a module must not assume it is empty.
"""

from __future__ import annotations

import pytest
import requests

from tests.conftest import wait_for
from tests.factories import IPB_CLERK

ALL = (
    "intake",
    "review",
    "negotiation",
    "contracts",
    "accounting",
    "supervision",
    "notifications",
    "coordinator",
    "leadership",
    "landreserve",
    "gateway",
)


def headers(actor):
    return {
        "X-Zhaoshang-User": actor["user_id"],
        "X-Zhaoshang-Position": actor["position"],
        "X-Zhaoshang-Unit": actor["unit"],
    }


class Api:
    def __init__(self, base: str):
        self.base = base

    def get(self, path, actor=IPB_CLERK, **kw):
        return requests.get(self.base + path, headers=headers(actor), timeout=30, **kw)

    def post(self, path, body=None, actor=IPB_CLERK, **kw):
        return requests.post(self.base + path, json=body, headers=headers(actor), timeout=30, **kw)

    def put(self, path, body=None, actor=IPB_CLERK, **kw):
        return requests.put(self.base + path, json=body, headers=headers(actor), timeout=30, **kw)


@pytest.fixture(scope="module")
def e2e_platform(module_platform):
    start, env, config = module_platform
    start(*ALL)
    base = f"http://{env['ZS_GATEWAY_ADDRESS']}"
    wait_for(lambda: requests.get(base + "/health", timeout=2).ok, what="gateway up")
    return Api(base), env


@pytest.fixture
def api(e2e_platform):
    return e2e_platform[0]


@pytest.fixture
def platform_env(e2e_platform):
    return e2e_platform[1]
