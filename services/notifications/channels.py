"""Notification channels as plugins (entry-point group ``zhaoshang.notification_channels``).

A channel is a class (instantiated with no arguments) or an object with:

* ``name`` — the entry-point name, used in ``policy/notifications.yaml`` routes;
* ``settings_schema`` — a marshmallow schema class for its settings (config file, and
  what IPB's administrator may set at run time); ``secret_settings`` — names never shown back;
* ``targets(recipients, address_book) -> list[str]`` — this channel's addresses for the
  notification's recipients (``unit:IPB``, ``position:…``, ``user:…``); empty = nothing to send;
* ``not_ready(settings) -> str | None`` — why it cannot send with these settings (``None`` = ready);
* ``send(message, targets, settings, context) -> str`` — deliver one notification and return a short
  receipt, or raise ``ChannelError`` (any other exception counts as a failure too).  It runs outside
  any database transaction, with a timeout of its own, and is retried with back-off on failure.

Three are shipped: ``inbox`` (in-app, per user, position and unit), ``email`` (SMTP) and
``webhook`` (the JSON DingTalk and WeCom group robots accept).  See docs/NOTIFICATIONS.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import smtplib
import time
import urllib.parse
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from importlib.metadata import entry_points
from typing import Any, Iterable, Mapping

import requests
from marshmallow import EXCLUDE, Schema, fields, validate

from shared.i18n import DEFAULT_LOCALE, N_, _

ENTRY_POINT_GROUP = "zhaoshang.notification_channels"


class ChannelError(Exception):
    """A delivery failed; the message says why (kept in the delivery log)."""


@dataclass(frozen=True)
class Message:
    notification_id: int
    event_type: str
    project_id: str | None
    ref: str | None
    title: str
    text: str
    recipients: tuple[str, ...]
    created_at: datetime  # Asia/Shanghai


class DeliveryContext:
    """What the platform lends a channel while it sends: the inbox (for in-app channels)."""

    def __init__(self, inbox):
        self.inbox = inbox


class _Settings(Schema):
    class Meta:
        unknown = EXCLUDE


# -- in-app inbox --------------------------------------------------------------------------------------


class InboxSettings(_Settings):
    pass


class InboxChannel:
    """The in-app inbox: the notification appears for each recipient (a user, everyone in a position,
    everyone in a unit), unread until that person marks it read."""

    name = "inbox"
    settings_schema = InboxSettings
    secret_settings: tuple[str, ...] = ()
    # it writes only to the service's own database: it is delivered in the very transaction that creates the
    # notification (one commit from event to inbox; nothing to retry), with ``context.inbox`` on that transaction
    delivers_in_transaction = True

    def targets(self, recipients: Iterable[str], address_book: Mapping[str, list[str]]) -> list[str]:
        return list(recipients)

    def not_ready(self, settings: Mapping) -> str | None:
        return None

    def send(self, message: Message, targets: list[str], settings: Mapping, context: DeliveryContext) -> str:
        added = context.inbox.put(message.notification_id, targets)
        return f"in {len(targets)} inbox(es) ({added} new)"


# -- e-mail over SMTP ---------------------------------------------------------------------------------


class EmailSettings(_Settings):
    host = fields.String(load_default="", metadata={"description": "SMTP server; empty = e-mail off"})
    port = fields.Integer(load_default=25, validate=validate.Range(min=1, max=65535))
    sender = fields.String(load_default="zhaoshang@localhost", validate=validate.Length(min=3, max=200))
    username = fields.String(load_default="", allow_none=True)
    password = fields.String(load_default="", allow_none=True)
    starttls = fields.Boolean(load_default=False)
    timeout = fields.Float(load_default=10.0, validate=validate.Range(min=0.1, max=120))


class EmailChannel:
    """E-mail over SMTP to the addresses the address book gives for each recipient."""

    name = "email"
    settings_schema = EmailSettings
    secret_settings = ("password",)

    def targets(self, recipients: Iterable[str], address_book: Mapping[str, list[str]]) -> list[str]:
        out: list[str] = []
        for recipient in recipients:
            for address in address_book.get(recipient) or ():
                if address not in out:
                    out.append(address)
        return out

    def not_ready(self, settings: Mapping) -> str | None:
        return None if settings.get("host") else _("no SMTP host configured")

    def send(self, message: Message, targets: list[str], settings: Mapping, context: DeliveryContext) -> str:
        mail = EmailMessage()
        mail["Subject"] = message.title
        mail["From"] = settings["sender"]
        mail["To"] = ", ".join(targets)
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = make_msgid(idstring=f"zs-{message.notification_id}")
        mail["X-Zhaoshang-Notification"] = str(message.notification_id)
        footer = _(
            "Project: {ref}\nTime: {at:datetime} (Beijing time)\nAn automatic notice of the investment "
            "promotion platform ({event:event})",
            ref=message.ref or "—",
            at=message.created_at,
            event=message.event_type,
        )
        mail.set_content(f"{message.text}\n\n——\n{footer.render(DEFAULT_LOCALE)}\n")
        host, port = settings["host"], int(settings["port"])
        try:
            with smtplib.SMTP(host, port, timeout=float(settings["timeout"])) as smtp:
                if settings.get("starttls"):
                    smtp.starttls()
                if settings.get("username"):
                    smtp.login(settings["username"], settings.get("password") or "")
                refused = smtp.send_message(mail)
        except (OSError, smtplib.SMTPException) as exc:
            raise ChannelError(f"SMTP {host}:{port}: {type(exc).__name__}: {exc}") from None
        if refused:
            raise ChannelError(f"SMTP {host}:{port} refused {', '.join(sorted(refused))}")
        return f"accepted by {host}:{port} for {len(targets)} address(es)"


# -- webhook: DingTalk / WeCom group robots -------------------------------------------------------------


class WebhookSettings(_Settings):
    url = fields.String(
        load_default="",
        validate=validate.Regexp(r"^(https?://\S+)?$", error=N_("must be an http(s) web address")),
        metadata={"description": "the robot's webhook URL; empty = webhook off"},
    )
    format = fields.String(
        load_default="text", validate=validate.OneOf(["text", "dingtalk_markdown", "wecom_markdown"])
    )
    secret = fields.String(
        load_default="",
        allow_none=True,
        metadata={"description": "DingTalk 加签 secret: adds timestamp and sign to the URL"},
    )
    timeout = fields.Float(load_default=10.0, validate=validate.Range(min=0.1, max=120))


def robot_payload(message: Message, fmt: str) -> dict[str, Any]:
    """The JSON a DingTalk or WeCom group robot accepts; ``text`` is the same for both."""
    groups = [r for r in message.recipients if not r.startswith("user:")]  # units and positions: a person's account
    who = _("To: {who:addresses}", who=groups).render(DEFAULT_LOCALE) if groups else "—"  # says nothing in a group
    if fmt == "dingtalk_markdown":
        return {
            "msgtype": "markdown",
            "markdown": {"title": message.title, "text": f"### {message.title}\n\n{message.text}\n\n> {who}"},
        }
    if fmt == "wecom_markdown":
        return {"msgtype": "markdown", "markdown": {"content": f"### {message.title}\n{message.text}\n> {who}"}}
    return {"msgtype": "text", "text": {"content": f"{message.title}\n{message.text}\n{who}"}}


def signed_url(url: str, secret: str, now_ms: int | None = None) -> str:
    """DingTalk's 加签: timestamp and HMAC-SHA256 sign of "timestamp\\nsecret", base64, URL-encoded."""
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


class WebhookChannel:
    """Posts each notification to the configured group robot (DingTalk or WeCom)."""

    name = "webhook"
    settings_schema = WebhookSettings
    secret_settings = ("secret",)

    def targets(self, recipients: Iterable[str], address_book: Mapping[str, list[str]]) -> list[str]:
        return ["robot"]

    def not_ready(self, settings: Mapping) -> str | None:
        return None if settings.get("url") else _("no group robot web address configured")

    def send(self, message: Message, targets: list[str], settings: Mapping, context: DeliveryContext) -> str:
        url = settings["url"]
        if settings.get("secret"):
            url = signed_url(url, settings["secret"])
        try:
            answer = requests.post(
                url, json=robot_payload(message, settings["format"]), timeout=float(settings["timeout"])
            )
        except requests.RequestException as exc:
            raise ChannelError(f"webhook: {type(exc).__name__}: {exc}") from None
        if not answer.ok:
            raise ChannelError(f"webhook answered HTTP {answer.status_code}: {answer.text[:200]}")
        try:
            body = answer.json()
        except ValueError:
            body = {}
        if isinstance(body, dict) and body.get("errcode") not in (None, 0):  # the robots answer 200 with errcode
            raise ChannelError(f"webhook refused it: errcode {body.get('errcode')}: {body.get('errmsg')}")
        return f"HTTP {answer.status_code}"


# -- discovery ----------------------------------------------------------------------------------------


def discover_channels() -> dict[str, Any]:
    """Every installed channel plugin by name; one that cannot be loaded is left out (and logged)."""
    import logging

    found: dict[str, Any] = {}
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.name, e.value)):
        if ep.name in found:
            logging.getLogger(__name__).error("channel plugin %s (%s) repeats a name; ignored", ep.name, ep.value)
            continue
        try:
            loaded = ep.load()
            found[ep.name] = loaded() if isinstance(loaded, type) else loaded
        except Exception:
            logging.getLogger(__name__).exception("channel plugin %s could not be loaded", ep.name)
    return found


def effective_settings(channel, configured: Mapping | None, stored: Mapping | None) -> dict:
    """The config file's settings with the administrator's stored ones over them, loaded by the channel's schema."""
    raw = {k.lower(): v for k, v in (configured or {}).items()}
    raw.update(stored or {})
    return channel.settings_schema().load({k: v for k, v in raw.items() if v is not None})


def shown_settings(channel, settings: Mapping) -> dict:
    return {k: ("******" if k in channel.secret_settings and v else v) for k, v in settings.items()}
