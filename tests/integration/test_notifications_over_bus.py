"""Notifications and supervision over real RabbitMQ, every service its own process, channels to real local
receivers.

* From another service's event to a delivered notification: the coordinator's termination (refused without a
  special report in its copy of supervision's register, which it keeps from ``supervision.special_report_filed``)
  sends ``coordinator.project_state_changed`` → inbox, e-mail and the group robot.
* Supervision's durable deadlines on PostgreSQL: with two instances of the service a deadline fires once; one that
  passes while the service is stopped fires when it starts again, once; what it says (``supervision.reminder``)
  reaches the group robot through notifications.
"""

from __future__ import annotations

import base64
import datetime as dt
import time

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from shared import i18n
from shared.clock import now_shanghai
from shared.errors import InvalidInput
from tests.conftest import wait_for
from tests.factories import IPB_CLERK, IPB_DIRECTOR
from tests.integration.flows import filed_lead, state

pytestmark = pytest.mark.integration
ADMIN = {"user_id": "u-admin", "position": "ipb_admin", "unit": "IPB"}
LG_OFFICE = {"user_id": "u-lg", "position": "lg_office", "unit": "LG"}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def point_channels_at(rpc, receivers) -> None:
    rpc.notifications.configure_channel(ADMIN, "email", {"settings": receivers.email_settings()})
    rpc.notifications.configure_channel(ADMIN, "webhook", {"settings": receivers.webhook_settings()})


def test_a_termination_reaches_inbox_email_and_the_group_robot(start_platform, config_for, receivers):
    start_platform("intake", "coordinator", "supervision", "notifications")
    with ClusterRpcProxy(config_for, timeout=20) as rpc:
        point_channels_at(rpc, receivers)
        project_id = filed_lead(rpc, 1)
        wait_for(lambda: state(rpc, project_id) == "filed", what="filed")
        reason = {"reason": "投资方撤资，项目客观上无法推进", "special_report_ref": "SR-ZS2026-0001-1"}
        with pytest.raises(InvalidInput) as refused:
            rpc.coordinator.terminate_project(IPB_DIRECTOR, project_id, reason)
        assert "special_report_ref" in refused.value.details
        report = rpc.supervision.file_special_report(
            IPB_DIRECTOR,
            project_id,
            {
                "cause": "cannot_go_ahead",
                "summary": "投资方撤资",
                "document": {"filename": "专题报告.pdf", "content_base64": base64.b64encode(PDF).decode()},
            },
        )
        assert report["ref"] == "SR-ZS2026-0001-1"
        assert rpc.coordinator.terminate_project(IPB_DIRECTOR, project_id, reason)["state"] == "terminated"
        hook = wait_for(
            lambda: [h for h in receivers.webhooks() if "项目终止" in h["json"]["text"]["content"]],
            what="the group robot told of the termination",
        )
        mail = wait_for(
            lambda: [m for m in receivers.mails() if m["subject"].startswith("【招商】项目终止")],
            what="the e-mail of the termination",
        )
        inbox = wait_for(
            lambda: [
                i
                for i in rpc.notifications.inbox(LG_OFFICE)["items"]
                if i["event_type"] == "coordinator.project_state_changed"
            ],
            what="the LG's inbox",
        )
        log = rpc.notifications.deliveries(IPB_CLERK, project_id)
    assert len(hook) == 1 and "ZS2026-0001" in hook[0]["json"]["text"]["content"]
    assert sorted(mail[0]["to"]) == ["lgoffice@example.gov.cn", "zhaoshang@ipb.example.gov.cn"]
    assert i18n.text(inbox[0]["title"], "zh-CN").startswith("【招商】项目终止：ZS2026-0001 ")
    assert i18n.text(inbox[0]["text"], "zh-CN") == "投资方撤资，项目客观上无法推进。"  # the notice is kept as messages
    assert i18n.text(inbox[0]["text"], "en") == "投资方撤资，项目客观上无法推进."
    terminated = [d for d in log if d["event_type"] == "coordinator.project_state_changed"]
    assert {d["channel"]: d["status"] for d in terminated} == {
        "inbox": "delivered",
        "email": "delivered",
        "webhook": "delivered",
    }


def reminders_received(receivers, note: str) -> list:
    return [h for h in receivers.webhooks() if note in h["json"]["text"]["content"]]


@pytest.mark.postgresql
def test_deadlines_fire_once_with_two_instances_and_after_a_restart(start_platform, config_for, receivers):
    start_platform("intake", "notifications")
    first = start_platform("supervision")
    second = start_platform("supervision")  # a second instance on the same PostgreSQL database
    with ClusterRpcProxy(config_for, timeout=20) as rpc:
        point_channels_at(rpc, receivers)
        project_id = filed_lead(rpc, 2)
        at = now_shanghai() + dt.timedelta(seconds=3)
        rpc.supervision.schedule_reminder(
            IPB_CLERK, project_id, {"at": at.isoformat(), "note": "两个实例只提醒一次", "to": ["unit:IPB"]}
        )
        wait_for(lambda: reminders_received(receivers, "两个实例只提醒一次"), timeout=20, what="the reminder")
        time.sleep(5)  # both instances scan at least twice more
        assert len(reminders_received(receivers, "两个实例只提醒一次")) == 1
        fired = [d for d in rpc.supervision.deadlines(IPB_CLERK, project_id, False) if d["kind"] == "reminder"]
        assert len(fired) == 1 and fired[0]["fired_at"] is not None

        second.stop()
        # due well after the last instance has stopped: a graceful stop on a busy machine takes seconds
        at = now_shanghai() + dt.timedelta(seconds=12)
        rpc.supervision.schedule_reminder(
            IPB_CLERK, project_id, {"at": at.isoformat(), "note": "停机期间到期", "to": ["unit:IPB"]}
        )
    first.stop()
    assert now_shanghai() < at, "the last instance took longer to stop than the reminder's lead time"
    time.sleep((at - now_shanghai()).total_seconds() + 2)  # the reminder falls due while no instance runs
    assert reminders_received(receivers, "停机期间到期") == []
    start_platform("supervision")
    wait_for(lambda: reminders_received(receivers, "停机期间到期"), timeout=20, what="the reminder after the restart")
    time.sleep(3)
    assert len(reminders_received(receivers, "停机期间到期")) == 1
