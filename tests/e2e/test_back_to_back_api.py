"""Steps that follow one another never fail on timing (shared/catch_up.py), through the gateway, every service its own
process on the real RabbitMQ.

Each step is issued the moment the one before it has returned — no sleep, no retry — and must succeed: the review
convened right after the filing, the intermediary recorded right after the last opinion concluded the review, the
responsible unit assigned right after, the contract drafted right after the park head's decision, the accounting
opened right after the hand-over (two hops: contracts → the coordinator → accounting).  ``ZS_BACK_TO_BACK`` (200)
is the number of such dependent steps in all.  A step that is truly premature is refused within a second, 409 ``conflict``,
never ``not_yet``.
"""

from __future__ import annotations

import os
import time

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import wait_for
from tests.e2e.conftest import ALL, Api
from tests.factories import IPB_CLERK, lead
from tests.integration.flows import HEADS, LEGAL, PARK_HEAD, SIGNATORY, TERMS, UNITS, reviewer

pytestmark = pytest.mark.e2e
STEPS = int(os.environ.get("ZS_BACK_TO_BACK", "200"))
FINAL = {
    "held_on": "2026-11-26",
    "stage": "final",
    "agreed": ["合同条款"],
    "participants": [
        {"unit": "PARK:hengdong", "position": "park_head:hengdong"},
        {"unit": "IPB", "position": "ipb_clerk"},
        {"unit": "LEGAL", "position": "legal_officer"},
    ],
}


@pytest.fixture(scope="module")
def e2e_platform(module_platform):
    """The whole platform, each service serving its Prometheus metrics (to count the catch-ups)."""
    start, env, config = module_platform
    platform = start(*ALL, ZS_METRICS_BASE_PORT="auto")
    base = f"http://{env['ZS_GATEWAY_ADDRESS']}"
    wait_for(lambda: requests.get(base + "/health", timeout=2).ok, what="gateway up")
    Api.platform = platform
    return Api(base), env


def catch_ups(outcome: str) -> dict:
    """``zhaoshang_catch_ups_total`` of every service for ``outcome``: {(service, command): count}."""
    found = {}
    for service in ("review", "negotiation", "contracts", "accounting", "supervision", "coordinator"):
        text = requests.get(f"http://127.0.0.1:{Api.platform.metrics_port(service)}/metrics", timeout=5).text
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == "zhaoshang_catch_ups_total" and sample.labels["outcome"] == outcome:
                    found[(service, sample.labels["command"])] = sample.value
    return found


class Steps:
    """Each step issued at once, asserted to succeed; the dependent ones counted by their pair."""

    def __init__(self, api):
        self.api, self.counts, self.n = api, {}, 0

    def ok(self, method: str, path: str, body=None, actor=IPB_CLERK, pair: str | None = None):
        started = time.monotonic()
        answer = getattr(self.api, method)(path, body, actor=actor)
        assert answer.status_code in (200, 201), (
            f"{pair or path}: {answer.status_code} {answer.text} after {time.monotonic() - started:.2f} s"
        )
        if pair:
            self.counts[pair] = self.counts.get(pair, 0) + 1
        return answer.json()

    def filed(self) -> str:
        self.n += 1
        pid = self.ok("post", "/api/leads", lead(self.n))["id"]
        self.ok("post", f"/api/leads/{pid}/file", {})
        return pid

    def convened(self) -> str:
        pid = self.filed()
        self.ok("post", f"/api/projects/{pid}/review", {}, pair="filed → review convened")
        return pid

    def agreed(self) -> str:
        pid = self.convened()
        for unit in (*UNITS, "PARK:hengdong"):
            self.ok("post", f"/api/projects/{pid}/review/opinions", {"opinion": "pass"}, actor=reviewer(unit))
        self.ok("post", f"/api/projects/{pid}/intermediary", {"none": True}, pair="review concluded → intermediary")
        self.ok(
            "post",
            f"/api/projects/{pid}/responsible-unit",
            {"unit": "PARK:hengdong"},
            pair="intermediary → responsible unit",
        )
        self.ok("post", f"/api/projects/{pid}/negotiation/sessions", FINAL)
        self.ok("post", f"/api/projects/{pid}/decision-route/decisions", {"decision": "agree"}, actor=PARK_HEAD)
        return pid

    def drafted(self) -> str:
        pid = self.agreed()
        self.ok("post", f"/api/projects/{pid}/contract/versions", TERMS, pair="decided → contract drafted")
        return pid

    def accounting(self) -> str:
        pid = self.drafted()
        contract = f"/api/projects/{pid}/contract"
        self.ok("post", f"{contract}/submission", {"version": 1})
        self.ok("post", f"{contract}/legal-review", {"version": 1, "decision": "approve"}, actor=LEGAL)
        self.ok("post", f"{contract}/signature", {"version": 1, "investor_signatory": SIGNATORY}, actor=PARK_HEAD)
        copies = [{"number": i, "unit": u} for i, u in enumerate(list(HEADS) + ["PARK:hengdong"], 1)]
        self.ok("post", f"{contract}/copies", {"copies": copies})
        self.ok("post", f"{contract}/hand-over")
        self.ok(
            "post", f"/api/projects/{pid}/accounting", {"reason": "建设期满"}, pair="handed over → accounting opened"
        )
        return pid


@pytest.fixture(scope="module")
def custodians(e2e_platform):
    api = e2e_platform[0]
    for unit, head in HEADS.items():
        answer = api.put(
            f"/api/custodians/{unit}",
            {"user_id": f"c-{unit}", "name": f"{unit} 档案员", "cabinet": f"{unit}-柜1"},
            actor={"user_id": f"h-{unit}", "position": head, "unit": unit},
        )
        assert answer.ok, answer.text


def test_every_step_taken_the_moment_the_one_before_returned_succeeds(api, custodians):
    steps = Steps(api)
    started = time.monotonic()
    # a whole life (every pair) for one project in ten, the first steps for the others: STEPS dependent steps in all
    while sum(steps.counts.values()) < STEPS:
        left = STEPS - sum(steps.counts.values())
        if steps.n % 10 == 0 and left >= 5:
            steps.accounting()
        elif steps.n % 3 == 1 and left >= 3:
            steps.agreed()
        else:
            steps.convened()
    caught_up = catch_ups("caught_up")
    print(
        f"\n{sum(steps.counts.values())} dependent steps back to back in {time.monotonic() - started:.1f} s: "
        f"{steps.counts}; commands that waited for the event before them: {caught_up}"
    )
    assert len(steps.counts) == 5 and all(steps.counts.values())
    assert not catch_ups("not_yet")


def test_a_truly_premature_step_is_refused_at_once_as_a_conflict_not_as_not_yet(api):
    steps = Steps(api)
    steps.n = 10_000
    pid = steps.convened()  # the review is open: nothing has concluded it
    for path, body in (
        (f"/api/projects/{pid}/intermediary", {"none": True}),
        (f"/api/projects/{pid}/contract/versions", TERMS),
        (f"/api/projects/{pid}/accounting", {"reason": "建设期满"}),
    ):
        started = time.monotonic()
        refused = api.post(path, body)
        took = time.monotonic() - started
        assert (refused.status_code, refused.json()["error"]) == (409, "conflict"), (path, refused.text)
        assert took < 2, (path, took)  # well under the catch-up's bound (policy: 5 s)


def test_a_lead_linked_to_its_investment_event_the_moment_it_is_registered_is_linked(api):
    """The leadership hears of a lead from intake's event: a link made right after the registration waits for it
    (intake says which leads it registered), and a reference nobody registered is refused at once, 404 naming it."""
    event = api.post(
        "/api/investment-events",
        {
            "kind": "fair",
            "title": "2026粤港澳大湾区招商推介会（连续操作）",
            "organising_unit": "IPB",
            "place": "深圳",
            "planned_on": "2026-05-20",
            "budget": "300000",
        },
    ).json()
    held = {
        "held_on": "2026-05-20",
        "participants": [{"name": "陈局长", "unit": "IPB"}],
        "investors_met": [{"name": "广东某铝业集团", "interest": "铝型材"}],
        "actual_cost": "280000.00",
        "summary": "签约意向",
    }
    assert api.post(f"/api/investment-events/{event['id']}/record", held).ok
    refs = []
    for n in range(20_000, 20_010):
        ref = api.post("/api/leads", lead(n)).json()["ref"]
        answer = api.post(f"/api/investment-events/{event['id']}/leads", {"refs": [ref]})
        assert answer.status_code == 200, answer.text
        refs.append(ref)
    assert sorted(x["ref"] for x in answer.json()["leads"]) == sorted(refs)
    started = time.monotonic()
    unknown = api.post(f"/api/investment-events/{event['id']}/leads", {"refs": ["ZS2026-9999"]})
    assert (unknown.status_code, unknown.json()["error"]) == (404, "not_found"), unknown.text
    assert "ZS2026-9999" in unknown.text and time.monotonic() - started < 2
