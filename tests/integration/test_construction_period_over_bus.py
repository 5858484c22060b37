"""R12 over RabbitMQ: when the contracted construction period ends, the durable deadline in notifications
opens the accounting by itself, and the coordinator moves the project from construction to accounting."""
from __future__ import annotations

import datetime as dt

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, update

from services.notifications import models
from shared.clock import now_shanghai
from shared.db import database_url
from tests.conftest import wait_for
from tests.factories import IPB_CLERK
from tests.integration import flows

pytestmark = pytest.mark.integration


def the_period_ends(config: dict, project_id: str) -> None:
    """Time passes: the project's construction-period deadline falls due (a contract cannot be signed with its
    dates already past, R6, so the test moves the deadline rather than the contract)."""
    engine = create_engine(database_url("notifications", config))
    try:
        with engine.begin() as c:
            deadlines = models.deadlines
            moved = c.execute(update(deadlines).where(deadlines.c.project_id == project_id,
                                                      deadlines.c.kind == "construction_period_end")
                              .values(due_at=now_shanghai() - dt.timedelta(minutes=1))).rowcount
        assert moved == 1
    finally:
        engine.dispose()


def test_the_end_of_the_construction_period_opens_the_accounting(start_platform, config_for):
    start_platform("intake", "review", "negotiation", "contracts", "notifications", "accounting", "coordinator")
    with ClusterRpcProxy(config_for, timeout=30) as rpc:
        project_id = flows.to_construction(rpc, 1)
        wait_for(lambda: any(d["kind"] == "construction_period_end"
                             for d in rpc.notifications.deadlines(IPB_CLERK, project_id)),
                 what="notifications scheduling the end of the construction period")
        the_period_ends(config_for, project_id)
        wait_for(lambda: flows.state(rpc, project_id) == "accounting", timeout=40,
                 what="the accounting opened by the construction-period deadline")
        accounting = rpc.accounting.get_accounting(IPB_CLERK, project_id)
        timeline = rpc.coordinator.get_project(IPB_CLERK, project_id)["timeline"]
    assert accounting["cause"] == "construction_period_ended"
    assert accounting["participants"] == ["IPB", "FIN", "DRB", "IND", "LAND", "AUDIT", "PARK:hengdong"]
    opened = [e for e in timeline if e["kind"] == "transition" and e["to_state"] == "accounting"]
    assert len(opened) == 1 and opened[0]["actor"]["unit"] == "SYSTEM"
