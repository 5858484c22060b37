"""R12 over RabbitMQ: when the contracted construction period ends, accounting opens the accounting by itself
(its own check of the projects in construction, from the contract it heard signed), and the coordinator moves
the project from construction to accounting."""

from __future__ import annotations

import datetime as dt

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, select, update

from services.accounting import models
from shared.clock import today_shanghai
from shared.db import database_url
from tests.conftest import wait_for
from tests.factories import IPB_CLERK
from tests.integration import flows

pytestmark = pytest.mark.integration


def the_period_ends(config: dict, project_id: str) -> None:
    """Time passes: the contracted completion date is behind us (a contract cannot be signed with its dates
    already past, R6, so the test moves accounting's copy of the date rather than the contract)."""
    engine = create_engine(database_url("accounting", config))
    projects = models.projects

    def signed_terms():
        with engine.connect() as c:
            return c.execute(select(projects.c.contract_terms).where(projects.c.project_id == project_id)).scalar()

    try:
        terms = wait_for(signed_terms, what="accounting hearing the contract signed")
        with engine.begin() as c:
            yesterday = (today_shanghai() - dt.timedelta(days=1)).isoformat()
            c.execute(
                update(projects)
                .where(projects.c.project_id == project_id)
                .values(contract_terms={**terms, "completion": yesterday})
            )
    finally:
        engine.dispose()


def test_the_end_of_the_construction_period_opens_the_accounting(start_platform, config_for):
    start_platform(
        "intake", "review", "negotiation", "contracts", "accounting", "coordinator", ZS_ACCOUNTING_SCAN_SECONDS="0.5"
    )
    with ClusterRpcProxy(config_for, timeout=30) as rpc:
        project_id = flows.to_construction(rpc, 1)
        wait_for(lambda: flows.state(rpc, project_id) == "construction", what="the coordinator hearing the hand-over")
        the_period_ends(config_for, project_id)
        wait_for(
            lambda: flows.state(rpc, project_id) == "accounting",
            timeout=40,
            what="the accounting opened at the end of the construction period",
        )
        accounting = rpc.accounting.get_accounting(IPB_CLERK, project_id)
        timeline = rpc.coordinator.get_project(IPB_CLERK, project_id)["timeline"]
    assert accounting["cause"] == "construction_period_ended"  # opened by accounting itself: no notifications here
    assert accounting["participants"] == ["IPB", "FIN", "DRB", "IND", "LAND", "AUDIT", "PARK:hengdong"]
    opened = [e for e in timeline if e["kind"] == "transition" and e["to_state"] == "accounting"]
    assert len(opened) == 1 and opened[0]["actor"]["unit"] == "SYSTEM"
