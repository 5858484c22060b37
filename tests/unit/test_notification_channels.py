"""Each notification channel against a real local receiver started by the test, and the routing rules."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import urllib.parse

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from services.notifications import domain, models
from services.notifications.channels import (
    ChannelError,
    DeliveryContext,
    EmailChannel,
    InboxChannel,
    Message,
    WebhookChannel,
    discover_channels,
    effective_settings,
    robot_payload,
    signed_url,
)
from services.notifications.service import InboxWriter
from shared.clock import SHANGHAI
from shared.policy import load_policy

POLICY = load_policy()
NOW = dt.datetime(2026, 9, 1, 10, 0, tzinfo=SHANGHAI)
MESSAGE = Message(
    7,
    "contracts.obligation_lapsed",
    "p1",
    "ZS2026-0001",
    "【招商】合同义务逾期：ZS2026-0001 O1",
    "缴清土地出让金（约定2026-08-31）未履行。",
    ("unit:PARK:hengdong", "unit:IPB"),
    NOW,
)
NO_CONTEXT = DeliveryContext(inbox=None)


def test_the_three_channels_are_installed_as_entry_points():
    assert {name: type(c) for name, c in discover_channels().items()} == {
        "inbox": InboxChannel,
        "email": EmailChannel,
        "webhook": WebhookChannel,
    }


def test_email_is_delivered_to_a_real_smtp_server(receivers):
    channel = EmailChannel()
    book = POLICY.get("notifications.addresses")
    targets = channel.targets(MESSAGE.recipients, book)
    assert targets == ["zhaoshang@hengdong.example.gov.cn", "zhaoshang@ipb.example.gov.cn"]
    settings = effective_settings(channel, {"host": None, "port": 25}, receivers.email_settings())
    receipt = channel.send(MESSAGE, targets, settings, NO_CONTEXT)
    assert receipt == f"accepted by 127.0.0.1:{receivers.smtp_port} for 2 address(es)"
    (mail,) = receivers.mails()
    assert mail["from"] == "zhaoshang@test.local" and mail["to"] == targets
    assert mail["subject"] == MESSAGE.title
    assert MESSAGE.text in mail["body"] and "项目：ZS2026-0001" in mail["body"]
    assert "时间：2026年9月1日 10:00（北京时间）" in mail["body"] and "招商平台自动通知（合同义务逾期）" in mail["body"]


def test_email_to_a_server_that_is_not_there_fails_with_the_reason(receivers):
    settings = effective_settings(
        EmailChannel(), {}, {"host": "127.0.0.1", "port": receivers.http_port + 0, "timeout": 2}
    )
    with pytest.raises(ChannelError, match="SMTP 127.0.0.1"):
        EmailChannel().send(MESSAGE, ["a@example.gov.cn"], settings, NO_CONTEXT)  # an HTTP server does not speak SMTP


@pytest.mark.parametrize(
    "fmt, key", [("text", "text"), ("dingtalk_markdown", "markdown"), ("wecom_markdown", "markdown")]
)
def test_the_webhook_posts_what_dingtalk_and_wecom_robots_accept(receivers, fmt, key):
    settings = effective_settings(WebhookChannel(), {}, {**receivers.webhook_settings(), "format": fmt})
    assert WebhookChannel().send(MESSAGE, ["robot"], settings, NO_CONTEXT) == "HTTP 200"
    (hook,) = receivers.webhooks()
    body = hook["json"]
    assert body["msgtype"] == key
    content = body["text"]["content"] if key == "text" else body["markdown"].get("text") or body["markdown"]["content"]
    assert MESSAGE.title in content and MESSAGE.text in content and "接收：衡东工业园和县招商局" in content
    if fmt == "dingtalk_markdown":
        assert body["markdown"]["title"] == MESSAGE.title


def test_a_webhook_answering_500_or_an_errcode_is_a_failure(receivers, monkeypatch):
    settings = effective_settings(WebhookChannel(), {}, receivers.webhook_settings())
    receivers.fail_next(1)
    with pytest.raises(ChannelError, match="HTTP 500"):
        WebhookChannel().send(MESSAGE, ["robot"], settings, NO_CONTEXT)
    # a robot refuses what it does not understand with HTTP 200 and an errcode
    monkeypatch.setattr("services.notifications.channels.robot_payload", lambda message, fmt: {"msgtype": "image"})
    with pytest.raises(ChannelError, match="errcode 40008"):
        WebhookChannel().send(MESSAGE, ["robot"], settings, NO_CONTEXT)
    assert receivers.webhooks() == []


def test_the_dingtalk_signature_follows_the_robot_rules(receivers):
    url = signed_url("https://oapi.dingtalk.com/robot/send?access_token=x", "SECxyz", now_ms=1700000000000)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    expected = base64.b64encode(hmac.new(b"SECxyz", b"1700000000000\nSECxyz", hashlib.sha256).digest()).decode()
    assert query["timestamp"] == ["1700000000000"] and query["sign"] == [expected]
    settings = effective_settings(WebhookChannel(), {}, {**receivers.webhook_settings(), "secret": "SECxyz"})
    WebhookChannel().send(MESSAGE, ["robot"], settings, NO_CONTEXT)
    assert "&timestamp=" in receivers.webhooks()[0]["path"] and "&sign=" in receivers.webhooks()[0]["path"]


def test_a_webhook_nobody_listens_to_fails(receivers):
    settings = effective_settings(WebhookChannel(), {}, {"url": "http://127.0.0.1:9/robot", "timeout": 2})
    with pytest.raises(ChannelError, match="ConnectionError"):
        WebhookChannel().send(MESSAGE, ["robot"], settings, NO_CONTEXT)


def test_the_inbox_writes_one_row_per_address_once(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'n.db'}")
    models.metadata.create_all(engine)
    with Session(engine) as s, s.begin():
        s.execute(
            models.notifications.insert().values(
                id=7,
                cause="e1",
                route=0,
                event_type="x",
                title="t",
                text="",
                recipients=[],
                unresolved=[],
                created_at=NOW,
            )
        )
    context = DeliveryContext(InboxWriter(engine, NOW))
    assert InboxChannel().send(MESSAGE, list(MESSAGE.recipients), {}, context) == "in 2 inbox(es) (2 new)"
    assert InboxChannel().send(MESSAGE, list(MESSAGE.recipients), {}, context) == "in 2 inbox(es) (0 new)"
    with Session(engine) as s:
        assert s.execute(select(models.inbox.c.address).order_by(models.inbox.c.id)).scalars().all() == [
            "unit:PARK:hengdong",
            "unit:IPB",
        ]
    engine.dispose()


def test_an_unconfigured_channel_says_why():
    assert (
        EmailChannel().not_ready(effective_settings(EmailChannel(), {"host": None}, None)) == "no SMTP host configured"
    )
    assert (
        WebhookChannel().not_ready(effective_settings(WebhookChannel(), {}, None))
        == "no group robot web address configured"
    )
    assert robot_payload(MESSAGE, "text")["text"]["content"].startswith(MESSAGE.title)


# -- routing ----------------------------------------------------------------------------------------------


def test_recipients_take_the_first_alternative_that_resolves_and_expand_lists():
    facts = {"responsible_unit": "PARK:hengdong", "responsible_person": None, "awaiting": ["IND", "FIN"]}
    assert domain.resolve_recipients(
        ["user:{responsible_person}|unit:{responsible_unit}|unit:IPB", "unit:IPB"], facts
    ) == (["unit:PARK:hengdong", "unit:IPB"], [])
    assert domain.resolve_recipients(["unit:{awaiting}"], facts) == (["unit:IND", "unit:FIN"], [])
    assert domain.resolve_recipients(["position:{liaison_leader}"], facts) == ([], ["position:{liaison_leader}"])
    person = {"responsible_person": {"user_id": "u-zhang", "name": "张科长"}}
    assert domain.resolve_recipients(["user:{responsible_person}|unit:IPB"], person)[0] == ["user:u-zhang"]
    assert domain.resolve_recipients(["nobody"], {}) == ([], ["nobody"])  # not an address


def test_the_shipped_routes_name_installed_channels_only():
    assert domain.load_routes(POLICY.get("notifications"), discover_channels())


def test_routes_match_event_type_and_facts_with_patterns():
    routes = domain.load_routes(POLICY.get("notifications"), ["inbox", "email", "webhook"])
    changed = [r for r in routes if r.event == "coordinator.project_state_changed"]
    assert [
        r.index for r in domain.routes_for("coordinator.project_state_changed", {"to_state": "assigned"}, routes)
    ] == [changed[0].index]
    assert domain.routes_for("coordinator.project_state_changed", {"to_state": "drafting"}, routes) == []
    park_only = [domain.Route(0, "x.y", ("unit:IPB",), ("inbox",), "reminder", {"responsible_unit": "PARK:*"})]
    assert domain.routes_for("x.y", {"responsible_unit": "PARK:hexi"}, park_only)
    assert not domain.routes_for("x.y", {"responsible_unit": "TOWN:xintang"}, park_only)
    with pytest.raises(ValueError, match="no channel plugin named pager"):
        domain.load_routes(
            {"routes": [{"event": "x.y", "recipients": ["unit:IPB"], "channels": ["pager"], "notice": "reminder"}]},
            ["inbox"],
        )
    with pytest.raises(ValueError, match="no notice named 'moon'"):
        domain.load_routes(
            {"routes": [{"event": "x.y", "recipients": ["unit:IPB"], "channels": ["inbox"], "notice": "moon"}]},
            ["inbox"],
        )


def test_notices_show_names_people_and_missing_facts_in_the_readers_language():
    route = domain.Route(0, "x.y", ("unit:IPB",), ("inbox",), "problem_escalated", {})
    title, text = domain.render(
        route,
        {
            "ref": "ZS2026-0001",
            "problem": "用地指标未落实",
            "owner": "unit:LAND",
            "escalation_days": 7,
            "raised": "2026-09-01T10:00:00+08:00",
            "escalate_to": "county_leader_in_charge",
        },
    )
    assert title.render("zh-CN") == "【招商】问题逾期未解决，提请县领导协调：ZS2026-0001 —"  # no name: —
    assert text.render("zh-CN") == (
        "问题“用地指标未落实”（责任：县国土资源局）自2026年9月1日 10:00起已7天未解决，提请分管县领导协调。"
    )
    assert text.render("en").startswith("The problem “用地指标未落实” (County Land and Resources Bureau to solve it)")
    _title, text = domain.render(
        domain.Route(0, "x.y", (), (), "reminder", {}),
        {"note": "请报送进展", "responsible_person": {"user_id": "u", "name": "张"}},
    )
    assert text.render("zh-CN") == "请报送进展"


def test_back_off_doubles_and_gives_up_at_the_limit():
    assert [domain.retry_delay(a, 30, 600).total_seconds() for a in (1, 2, 3, 5, 9)] == [30, 60, 120, 480, 600]
    assert domain.after_failure(2, 3, NOW, 30, 600) == ("pending", NOW + dt.timedelta(seconds=60))
    assert domain.after_failure(3, 3, NOW, 30, 600) == ("failed", None)
