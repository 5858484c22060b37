"""Sign-in and people through the gateway, with actor headers NOT trusted (as in production)."""
from __future__ import annotations

import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy

from tests.conftest import wait_for
from tests.e2e.conftest import ALL
from tests.factories import lead

pytestmark = pytest.mark.e2e
OPERATOR = {"user_id": "operator", "position": "system", "unit": "SYSTEM"}
ADMIN = {"user_id": "admin", "name": "系统管理员", "position": "system_administrator", "unit": "IPB", "is_admin": True,
         "password": "first-admin-2026"}


@pytest.fixture(scope="module")
def gateway(module_platform):
    start, env, config = module_platform
    start(*ALL, ZS_TRUST_ACTOR_HEADERS="false", ZS_SESSION_MINUTES="0.25")  # sessions last 15 seconds here
    base = f"http://{env['ZS_GATEWAY_ADDRESS']}"
    wait_for(lambda: requests.get(base + "/health", timeout=2).ok, what="gateway up")
    with ClusterRpcProxy(config, timeout=20) as rpc:
        assert rpc.gateway.has_admin() is False
        rpc.gateway.provision_user(OPERATOR, ADMIN)  # what `zhaoshang create-admin` does
        assert rpc.gateway.has_admin() is True
    return base


def sign_in(base, user_id, password):
    return requests.post(f"{base}/api/sessions", json={"user_id": user_id, "password": password}, timeout=10)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_actor_headers_are_ignored_when_not_trusted(gateway):
    spoof = {"X-Zhaoshang-User": "x", "X-Zhaoshang-Position": "ipb_director", "X-Zhaoshang-Unit": "IPB"}
    assert requests.get(f"{gateway}/api/leads", headers=spoof, timeout=10).status_code == 401


def test_the_admin_creates_a_clerk_who_signs_in_and_acts_as_her_position(gateway):
    admin = sign_in(gateway, "admin", ADMIN["password"]).json()["token"]
    created = requests.post(f"{gateway}/api/users", headers=bearer(admin), timeout=10, json={
        "user_id": "li.clerk", "name": "李文员", "password": "zhaoshang-2026", "position": "ipb_clerk", "unit": "IPB"})
    assert created.status_code == 201 and "password" not in created.json() and "password_hash" not in created.json()
    weak = requests.post(f"{gateway}/api/users", headers=bearer(admin), timeout=10, json={
        "user_id": "weak", "name": "w", "password": "123", "position": "ipb_clerk", "unit": "IPB"})
    assert weak.status_code == 422 and "password" in weak.json()["details"]
    bad_scope = requests.post(f"{gateway}/api/users", headers=bearer(admin), timeout=10, json={
        "user_id": "mixed", "name": "m", "password": "zhaoshang-2026", "position": "park_head:hexi", "unit": "PARK:hengdong"})
    assert bad_scope.status_code == 422

    assert sign_in(gateway, "li.clerk", "wrong-password").status_code == 401
    assert sign_in(gateway, "nobody", "whatever-123").status_code == 401
    session = sign_in(gateway, "li.clerk", "zhaoshang-2026").json()
    assert session["user"] == {"user_id": "li.clerk", "name": "李文员", "position": "ipb_clerk", "unit": "IPB",
                               "is_admin": False, "active": True}
    token = session["token"]
    assert requests.get(f"{gateway}/api/me", headers=bearer(token), timeout=10).json()["position"] == "ipb_clerk"
    registered = requests.post(f"{gateway}/api/leads", headers=bearer(token), json=lead(1), timeout=10).json()
    assert registered["registered_by"] == {"user_id": "li.clerk", "position": "ipb_clerk", "unit": "IPB", "name": "李文员"}
    # a clerk is no administrator
    assert requests.get(f"{gateway}/api/users", headers=bearer(token), timeout=10).status_code == 403
    # moving her to another unit changes what she may do at once
    requests.put(f"{gateway}/api/users/li.clerk", headers=bearer(admin), json={"position": "reviewer", "unit": "FIN"},
                 timeout=10)
    refused = requests.post(f"{gateway}/api/leads/{registered['id']}/file", headers=bearer(token), json={}, timeout=10)
    assert refused.status_code == 403
    # signing out ends the session
    assert requests.delete(f"{gateway}/api/sessions", headers=bearer(token), timeout=10).status_code == 200
    assert requests.get(f"{gateway}/api/me", headers=bearer(token), timeout=10).status_code == 401


def test_a_session_expires(gateway):
    token = sign_in(gateway, "admin", ADMIN["password"]).json()["token"]
    assert requests.get(f"{gateway}/api/me", headers=bearer(token), timeout=10).status_code == 200
    wait_for(lambda: requests.get(f"{gateway}/api/me", headers=bearer(token), timeout=10).status_code == 401,
             timeout=30, what="the session to expire")
    assert requests.get(f"{gateway}/api/me", headers=bearer(token), timeout=10).json()["error"] == "unauthenticated"
