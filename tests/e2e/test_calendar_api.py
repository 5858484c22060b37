"""R16 and its neighbours through the gateway: land kept exactly as given, a year's holiday schedule loaded moving
the provisional deadlines, an administrator's dry run "as of" a date, and every timestamp read in Shanghai time.

The platform of this module runs a copy of the sample policy whose review period reaches into next year from today,
so that a review convened now has a provisional deadline (next year's schedule is not known yet)."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
import requests
import yaml
from nameko.standalone.rpc import ClusterRpcProxy

from shared.clock import today_shanghai
from shared.workdays import WorkingDayCalendar
from tests.conftest import config_of, environment, fresh_databases, fresh_vhost, running, wait_for, wants_postgresql
from tests.e2e.conftest import ALL, Api
from tests.factories import IPB_CLERK, lead
from tests.integration.flows import approve, leader, to_construction
from zhaoshang.supervisor import ROOT

pytestmark = pytest.mark.e2e
ADMIN = {"user_id": "u-admin", "position": "ipb_admin", "unit": "IPB"}
TODAY = today_shanghai()
NEXT = TODAY.year + 1
SCHEDULE = {"holidays": [f"{NEXT}-01-01", f"{NEXT}-02-08", f"{NEXT}-02-09", f"{NEXT}-02-10"], "workdays": []}


def period_into_next_year() -> int:
    """Working days (weekends only) from today to 15 January next year: a review period that ends in it."""
    day, n = TODAY, 0
    while day < dt.date(NEXT, 1, 15):
        day += dt.timedelta(days=1)
        n += day.weekday() < 5
    return n


@pytest.fixture(scope="module")
def calendar_platform(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("platform")
    policy = folder / "policy"
    shutil.copytree(ROOT / "policy", policy)
    thresholds = yaml.safe_load((policy / "thresholds.yaml").read_text(encoding="utf-8"))
    thresholds["review"]["period_working_days"] = period_into_next_year()
    (policy / "thresholds.yaml").write_text(yaml.safe_dump(thresholds, allow_unicode=True), encoding="utf-8")
    with fresh_vhost() as vhost, fresh_databases(wants_postgresql(request.node)) as databases:
        env = {**environment(vhost, folder / "var", databases), "ZS_POLICY_DIR": str(policy)}
        config = config_of(env)
        with running(env, config, folder / "logs") as start:
            start(*ALL)
            base = f"http://{env['ZS_GATEWAY_ADDRESS']}"
            wait_for(lambda: requests.get(base + "/health", timeout=2).ok, what="gateway up")
            yield Api(base), config


def test_a_year_s_schedule_loaded_moves_the_provisional_deadlines_and_says_which(calendar_platform):
    api, _ = calendar_platform
    assert not WorkingDayCalendar().is_known_year(NEXT), f"precondition: {NEXT}'s schedule is not known yet"
    pid = api.post("/api/leads", lead(81)).json()["id"]
    assert api.post(f"/api/leads/{pid}/file", {}).ok
    convened = api.post(f"/api/projects/{pid}/review", {"note": "联审"})
    assert convened.status_code == 201, convened.text
    review = convened.json()
    period = period_into_next_year()
    before = WorkingDayCalendar().add_working_days(TODAY, period)
    after = WorkingDayCalendar({NEXT: SCHEDULE}).add_working_days(TODAY, period)
    assert (review["deadline"], review["deadline_provisional"]) == (before.date.isoformat(), True)
    assert after.date != before.date and not after.provisional

    assert api.put(f"/api/holidays/{NEXT}", SCHEDULE).status_code == 403  # an administrator's
    bad = api.put(f"/api/holidays/{NEXT}", {"holidays": [f"{TODAY.year}-10-01"]}, actor=ADMIN)
    assert bad.status_code == 422 and "holidays" in bad.json()["details"]
    loaded = api.put(f"/api/holidays/{NEXT}", SCHEDULE, actor=ADMIN)
    assert loaded.status_code == 200, loaded.text
    answer = loaded.json()
    assert answer["year"] == NEXT and answer["loaded_in"] == ["review", "contracts", "supervision"]
    mine = [m for m in answer["moved"] if m["project_id"] == pid]
    assert mine == [
        {
            "service": "review",
            "project_id": pid,
            "ref": review["ref"],
            "what": "联审期限（第1轮）",
            "from": before.date.isoformat(),
            "to": after.date.isoformat(),
            "provisional": False,
        }
    ]
    now = api.get(f"/api/projects/{pid}/review").json()
    assert (now["deadline"], now["deadline_provisional"]) == (after.date.isoformat(), False)
    assert not [
        m for m in api.put(f"/api/holidays/{NEXT}", SCHEDULE, actor=ADMIN).json()["moved"] if m["project_id"] == pid
    ]

    def reminder_moved():
        rows = api.get(f"/api/deadlines?project_id={pid}").json()
        return [d for d in rows if d["kind"] == "review_period" and d["due_at"].startswith(after.date.isoformat())]

    wait_for(reminder_moved, what="supervision moved the review period's reminder")
    wait_for(
        lambda: any(e["kind"] == "review.deadline_moved" for e in api.get(f"/api/projects/{pid}").json()["timeline"]),
        what="the move on the project's timeline",
    )
    wait_for(
        lambda: (
            [r["due"] for r in api.get(f"/api/projects/{pid}/ledger").json()["requirements"] if r["source"] == "review"]
            == [after.date.isoformat()]
        ),
        what="the ledger's requirement moved",
    )


def test_land_is_kept_exactly_as_given_so_40003_square_metres_goes_to_the_principals(calendar_platform):
    api, config = calendar_platform
    created = api.post(
        "/api/leads",
        lead(
            82,
            land_demand={"value": "40003", "unit": "m2"},
            planned_total_investment="150000000",
            planned_fixed_asset_investment="130000000",
        ),
    )  # 216.66 万元/亩
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    assert created.json()["land_mu"] == "60.0045" and created.json()["land_demand"] == {"value": "40003", "unit": "m2"}
    assert api.post(f"/api/leads/{pid}/file", {}).ok
    with ClusterRpcProxy(config, timeout=30) as rpc:
        approve(rpc, pid)
        rpc.negotiation.record_intermediary(IPB_CLERK, pid, {"none": True})
        rpc.negotiation.assign_unit(IPB_CLERK, pid, {"unit": "PARK:hengdong"})
    route = api.get(f"/api/projects/{pid}/decision-route").json()
    assert route["escalated"] is True and route["land_mu"] == "60.0045"
    assert any("60.0045 亩" in reason and "大于60.00 亩" in reason for reason in route["reasons"])


ISO_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:[+-]\d\d:\d\d|Z)")


def instants(value) -> list[str]:
    if isinstance(value, dict):
        return [i for v in value.values() for i in instants(v)]
    if isinstance(value, list):
        return [i for v in value for i in instants(v)]
    return ISO_INSTANT.findall(value) if isinstance(value, str) else []


def test_every_timestamp_a_user_reads_is_shanghai_time_and_the_dry_run_changes_nothing(calendar_platform):
    api, config = calendar_platform
    with ClusterRpcProxy(config, timeout=30) as rpc:
        pid = to_construction(rpc, 83)
    magistrate, auditor = leader("county_magistrate"), {"user_id": "u-auditor", "position": "auditor", "unit": "AUDIT"}
    until = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=3)).replace(microsecond=0)
    granted = api.post(
        f"/api/projects/{pid}/contract/grants",
        {"grantee_user_id": "u-auditor", "reason": "审计", "expires_at": until.isoformat()},
        actor=magistrate,
    )
    assert granted.status_code in (200, 201), granted.text
    read = api.post(f"/api/projects/{pid}/contract/reading", {"reason": "审计核查"}, actor=auditor)
    assert read.status_code == 200, read.text
    shanghai = until.astimezone(dt.timezone(dt.timedelta(hours=8)))  # the basis says the grant's end in Shanghai time
    assert f"{shanghai.year}年{shanghai.month}月{shanghai.day}日 {shanghai:%H:%M}" in read.json()["basis"]

    director = {"user_id": "u-ipbd", "position": "ipb_director", "unit": "IPB"}
    wait_for(lambda: api.get(f"/api/projects/{pid}").json()["state"] == "construction", what="construction")
    reads = [
        (f"/api/projects/{pid}", IPB_CLERK),
        (f"/api/projects/{pid}/contract", IPB_CLERK),
        (f"/api/projects/{pid}/contract/audit", director),
        ("/api/custodians", IPB_CLERK),
        (f"/api/projects/{pid}/review", IPB_CLERK),
        (f"/api/projects/{pid}/negotiation", IPB_CLERK),
        (f"/api/projects/{pid}/tracking", IPB_CLERK),
        (f"/api/deadlines?project_id={pid}&all=1", IPB_CLERK),
        ("/api/inbox", IPB_CLERK),
        ("/api/notifications/deliveries", IPB_CLERK),
        ("/api/ledger", IPB_CLERK),
        (f"/api/projects/{pid}/ledger", IPB_CLERK),
        (f"/api/leads/{pid}", IPB_CLERK),
        ("/api/leads", IPB_CLERK),
    ]
    seen = 0
    for path, actor in reads:
        answer = api.get(path, actor=actor)
        assert answer.status_code == 200, (path, answer.text)
        found = instants(answer.json())
        assert [i for i in found if not i.endswith("+08:00")] == [], path
        seen += len(found)
    assert seen > 30

    with ClusterRpcProxy(config, timeout=30) as rpc:
        contract = rpc.contracts.get_contract(IPB_CLERK, pid)
    # the draft's one obligation (the contract's dates are obligations too, R6: START is due after it)
    obligation = next(o for o in contract["obligations"] if o["key"] == "O1")
    as_of = (dt.date.fromisoformat(obligation["due"]) + dt.timedelta(days=40)).isoformat()
    assert api.get(f"/api/outlook?as_of={as_of}").status_code == 403  # an administrator's
    assert api.get("/api/outlook?as_of=soon", actor=ADMIN).status_code == 422
    pending = api.get("/api/deadlines?all=1").json()
    outlook = api.get(f"/api/outlook?as_of={as_of}", actor=ADMIN).json()
    assert outlook["dry_run"] is True and outlook["as_of"] == as_of
    lapsing = [o for o in outlook["would_lapse"] if o["project_id"] == pid]
    assert [o["key"] for o in lapsing] == [obligation["key"]] and lapsing[0]["report_due"] > obligation["due"]
    assert [r["late"] for r in outlook["reports_due"] if r["project_id"] == pid] == [True]
    assert outlook["deadlines"] and all(
        d["fired_at"] is None and d["due_at"][:10] <= as_of for d in outlook["deadlines"]
    )
    assert api.get("/api/deadlines?all=1").json() == pending  # nothing fired, nothing changed
    with ClusterRpcProxy(config, timeout=30) as rpc:
        assert rpc.contracts.get_contract(IPB_CLERK, pid)["obligations"] == contract["obligations"]
