"""The message catalogue (R18): every text the platform says to a person, Simplified Chinese first.

A text is written once, in the code, as an English source string with named placeholders::

    from shared.i18n import _
    raise InvalidInput.for_field("land.value", _("must be more than 0 and at most {ceiling:mu}", ceiling=c))

``_`` returns a :class:`Message` — the source string (its ``msgid``) and its parameters — not a string: a
message travels (in an RPC error, an event, a stored timeline entry) as ``{"msgid": …, "params": …}`` and
is rendered in the reader's language where it is read (the gateway, from ``Accept-Language``; zh-CN by
default) or where a document or a notification is written (zh-CN).  The translations are gettext
catalogues extracted from the code by Babel (``zhaoshang messages update``) and checked in under
``shared/locale/<locale>/LC_MESSAGES/messages.po``; ``tests/unit/test_messages.py`` fails on a message
without its Chinese, on a stale catalogue and on a translation whose placeholders differ from its source.

A placeholder's format spec names what kind of value it holds, so a code is shown as a name:

====================  ===========================================  ==========================
spec                  value                                        zh-CN
====================  ===========================================  ==========================
``{u:unit}``          a unit code (``PARK:hengdong``)              衡东工业园
``{us:units}``        a list of unit codes                         县发改局、县工信局和县财政局
``{p:position}``      a position (``park_head:hengdong``)          衡东工业园主要负责人
``{s:state}``         a lifecycle state                            联审中
``{e:event}``         an event type (``review.concluded``)         联合审查已结束
``{c:sector}``        a GB/T 4754 code                             铝压延加工（C3252）
``{m:mu}``            land in mu (Decimal or string)               45.00 亩
``{y:wan}``           an amount in yuan, shown in 万元             15,000.00 万元
``{y:yuan}``          an amount in yuan                            810,000.00 元
``{i:intensity}``     万元 per mu                                  222.22 万元/亩
``{y:scale}``         a round amount in yuan (a tier's bound)       1亿元 / 5000万元
``{d:date}``          a date (ISO string or ``date``)              2026年12月1日
``{t:datetime}``      a timestamp (ISO string or aware datetime)   2026年12月1日 09:30
``{l:list}``          a list of texts or Messages                  甲、乙和丙
``{l:clauses}``       a list of sentences                          甲；乙
``{f:field}``         a field of a form (``land.value``)           用地面积
``{o:operation}``     an operation of the authority table          登记实际固定资产投资
``{t:trigger}``       a lifecycle trigger (``review.concluded:…``)  联合审查已结束（审查通过）
``{x:<term>}``        a code of a small vocabulary (``TERMS``):     有条件通过
                      ``opinion``, ``verdict``, ``check``,
                      ``policy_class``, ``impact``, ``location``,
                      ``outcome``, ``book``, ``review_state``,
                      ``stage`` (a negotiation's), ``session_stage``,
                      ``contract_state``, ``version_status``,
                      ``obligation_status``, ``report_cause``,
                      ``stalled``, ``notice_channel``,
                      ``progress_source``
``{a:address}``       a recipient (``unit:LAND``, ``position:…``)   县自然资源局
``{u:incentive_unit}`` a policy clause's unit (``percent``)          %
``{c:indicator}``     a standard-land indicator (``tax_per_mu``)    亩均税收
``{c:incentive}``     a clause of the incentive catalogue           生产设备投资补助
                      (``incentives``: a list of them)
``{n:count}``         a whole number                               8
``{n:pair}``          a policy name in both languages               招商推介会/展会
                      (``{"zh": …, "en": …}``; ``named(entry, code)``)
====================  ===========================================  ==========================

A text kept in a database column (a timeline entry, a reason) is stored with ``stored_text`` (a Message
as its wire JSON) and read back with ``read_text``, so it is rendered in each reader's language at read.

A parameter that is itself a :class:`Message` is rendered in the same language.  Rendering never raises:
a missing parameter or a bad value shows the placeholder's raw value, and a message is logged.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import re
import string
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

log = logging.getLogger(__name__)

LOCALES = ("zh-CN", "en")
"""The languages the platform speaks, the default first."""
DEFAULT_LOCALE = LOCALES[0]
CATALOGUE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"


class Message:
    """A text to be shown to a person: its English source (``msgid``) and its named parameters."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, params: Mapping[str, Any] | None = None):
        self.msgid = msgid
        self.params = dict(params or {})

    def render(self, locale: str | None = None) -> str:
        return render(self, locale)

    def to_wire(self) -> dict:
        """The message as plain JSON: ``{"msgid": …, "params": {…}}`` (nested messages likewise)."""
        return {"msgid": self.msgid, "params": {k: to_wire(v) for k, v in self.params.items()}}

    @classmethod
    def from_wire(cls, data: Mapping) -> "Message":
        return cls(data["msgid"], {k: from_wire(v) for k, v in (data.get("params") or {}).items()})

    def __str__(self) -> str:  # logs, exceptions' str(), tests written against the English source
        return render(self, "en")

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Message):
            return self.msgid == other.msgid and self.params == other.params
        if isinstance(other, str):  # compared with a plain text: as the English reader sees it
            return str(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.msgid)

    def format(self, **params: Any) -> "Message":
        """The message with more parameters (a validator's ``error.format(input=…)`` keeps it a Message)."""
        return Message(self.msgid, {**self.params, **params})

    def __contains__(self, text: str) -> bool:  # ``"LEGAL" in message`` reads the English text
        return text in str(self)


def _(msgid: str, /, **params: Any) -> Message:
    """A message to be translated (Babel extracts the first argument of every ``_`` call)."""
    return Message(msgid, params)


def N_(msgid: str) -> str:
    """Marks a text for the catalogue without making a Message (names in tables, rendered by ``gettext``)."""
    return msgid


def is_wire_message(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and "msgid" in value
        and set(value) <= {"msgid", "params"}
        and isinstance(value["msgid"], str)
    )


def to_wire(value: Any) -> Any:
    """``value`` with every Message (at any depth) as plain JSON, Decimals and dates as strings."""
    if isinstance(value, Message):
        return value.to_wire()
    if isinstance(value, Mapping):
        return {k: to_wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_wire(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return value


def from_wire(value: Any) -> Any:
    """``value`` with every ``{"msgid", "params"}`` object turned back into a Message."""
    if is_wire_message(value):
        return Message.from_wire(value)
    if isinstance(value, dict):
        return {k: from_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_wire(v) for v in value]
    return value


def localize(value: Any, locale: str | None = None) -> Any:
    """``value`` with every Message and wire message (at any depth) rendered as text in ``locale``.

    A page of rows repeats the same messages (a state's, a unit's, a sector's name in every row): each distinct
    wire message is rendered once per call (a ledger page of 50 rows holds ~550 messages, ~60 distinct)."""
    return _localize(value, normalize_locale(locale), {})


def _localize(value: Any, locale: str, rendered: dict) -> Any:
    if isinstance(value, Message):
        return render(value, locale)
    if isinstance(value, dict):
        if is_wire_message(value):
            # the parameters' repr as the key: JSON values (and Messages) with equal reprs render alike
            key = (value["msgid"], repr(value.get("params")))
            text = rendered.get(key)
            if text is None:
                text = rendered[key] = render(Message.from_wire(value), locale)
            return text
        return {k: _localize(v, locale, rendered) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_localize(v, locale, rendered) for v in value]
    return value


def text(value: Any, locale: str | None = None) -> str:
    """A Message, wire message or plain string as text in ``locale``."""
    if isinstance(value, Message):
        return render(value, locale)
    if is_wire_message(value):
        return render(Message.from_wire(value), locale)
    return "" if value is None else str(value)


# -- languages -------------------------------------------------------------------------------------


def normalize_locale(locale: str | None) -> str:
    """One of LOCALES for a tag such as ``zh``, ``zh_CN``, ``zh-Hans-CN``, ``en-GB``; the default otherwise."""
    if not locale:
        return DEFAULT_LOCALE
    tag = locale.replace("_", "-").lower()
    if tag.startswith("zh"):
        return "zh-CN"
    if tag.startswith("en"):
        return "en"
    return DEFAULT_LOCALE


def negotiate(accept_language: str | None) -> str:
    """The language to answer in, from an ``Accept-Language`` header (quality values honoured)."""
    if not accept_language:
        return DEFAULT_LOCALE
    choices = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _sep, rest = part.strip().partition(";")
        quality = 1.0
        match = re.search(r"q\s*=\s*([0-9.]+)", rest)
        if match:
            try:
                quality = float(match.group(1))
            except ValueError:
                quality = 0.0
        tag = tag.strip().replace("_", "-").lower()
        if tag and quality > 0:
            choices.append((-quality, position, tag))
    for _q, _p, tag in sorted(choices):
        if tag == "*":
            return DEFAULT_LOCALE
        if tag.startswith("zh") or tag.startswith("en"):
            return normalize_locale(tag)
    return DEFAULT_LOCALE


def babel_locale(locale: str) -> str:
    return normalize_locale(locale).replace("-", "_")


# -- the catalogues --------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def catalogue(locale: str) -> Mapping[str, str]:
    """msgid -> translation of ``locale`` (empty and fuzzy entries left out: the source is shown)."""
    path = CATALOGUE_DIR / babel_locale(locale) / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return {}
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        po = read_po(handle, locale=babel_locale(locale))
    return {m.id: m.string for m in po if m.id and m.string and not m.fuzzy and isinstance(m.id, str)}


def gettext(msgid: str, locale: str | None = None) -> str:
    """The translation of a source text (a name marked with ``N_``), or the source itself."""
    return catalogue(normalize_locale(locale)).get(msgid, msgid)


def reload() -> None:
    """Forget the loaded catalogues (after ``zhaoshang messages update`` in a running process, tests)."""
    catalogue.cache_clear()


# -- rendering -------------------------------------------------------------------------------------

Kind = Callable[[Any, str], str]
KINDS: dict[str, Kind] = {}
"""format spec -> how a value of that kind is shown in a language."""


def kind(name: str):
    def register(function: Kind) -> Kind:
        KINDS[name] = function
        return function

    return register


class _Formatter(string.Formatter):
    def __init__(self, locale: str):
        self.locale = locale

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec in KINDS:
            return KINDS[format_spec](value, self.locale)
        if isinstance(value, (Message, dict)) and not format_spec:
            return text(value, self.locale)
        return super().format_field(value, format_spec)

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        return value if conversion is None else super().convert_field(value, conversion)


def render(message: Message, locale: str | None = None) -> str:
    locale = normalize_locale(locale)
    template = gettext(message.msgid, locale)
    try:
        return _Formatter(locale).vformat(template, (), message.params)
    except Exception:  # a translation or a parameter that does not fit: never fail the reader
        log.warning(
            "message %r could not be rendered in %s with %r", message.msgid, locale, message.params, exc_info=True
        )
        if template != message.msgid:
            try:
                return _Formatter(locale).vformat(message.msgid, (), message.params)
            except Exception:
                pass
        return message.msgid


def placeholders(template: str) -> set[tuple[str, str]]:
    """The ``(name, spec)`` pairs a template uses (the catalogue test holds translations to their source)."""
    out = set()
    for _literal, field, spec, _conversion in string.Formatter().parse(template):
        if field is not None:
            out.add((field, spec or ""))
    return out


def _zh(locale: str) -> bool:
    return locale == "zh-CN"


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _number(value: Any, places: int = 2) -> str:
    amount = _decimal(value).quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
    return f"{amount:,.{places}f}"


def _land(value: Any) -> str:
    """Land as a person reads it: 2 places, more (up to 4) where the land has them — 40,003 m² is 60.0045 亩, which
    must not read as 60.00 beside the 60-mu rule (R5, R16: kept exactly, rounded only for display)."""
    exact = _decimal(value).quantize(Decimal("0.0001"), rounding="ROUND_HALF_UP")
    places = max(2, -exact.normalize().as_tuple().exponent) if exact != 0 else 2
    return _number(exact, min(places, 4))


def _names():
    from shared import vocabulary

    return vocabulary


def _tiers():
    from shared import tiers

    return tiers


def _items(value: Any) -> list:
    return [value] if isinstance(value, (str, Message)) else list(value or ())


def _name_kinds(one: str, many: str | None, namer: str) -> None:
    """``{x:<one>}`` shows a code by its name (``vocabulary.<namer>``); ``{x:<many>}`` a list of them, joined."""

    def single(value: Any, locale: str) -> str:
        return getattr(_names(), namer)(str(value), locale)

    KINDS[one] = single
    if many:
        KINDS[many] = lambda value, locale: join([single(v, locale) for v in _items(value)], locale)


_name_kinds("unit", "units", "unit_name")
_name_kinds("position", "positions", "position_name")
_name_kinds("state", "states", "state_name")
_name_kinds("event", None, "event_name")
_name_kinds("sector", None, "sector_label")
_name_kinds("channel", "channels", "channel_name")
_name_kinds("field", None, "field_name")
_name_kinds("operation", None, "operation_name")
_name_kinds("trigger", "triggers", "trigger_name")
_name_kinds("address", "addresses", "address_name")

_name_kinds("incentive_unit", None, "incentive_unit_name")
_name_kinds("incentive", "incentives", "clause_name")
_name_kinds("indicator", None, "indicator_name")

TERMS = (
    "opinion",
    "verdict",
    "check",
    "policy_class",
    "impact",
    "location",
    "outcome",
    "book",
    "review_state",
    "stage",
    "session_stage",
    "contract_state",
    "version_status",
    "obligation_status",
    "report_cause",
    "stalled",
    "notice_channel",
    "progress_source",
)
"""Small vocabularies of codes (``shared.vocabulary.TERM_NAMES``), each a placeholder kind: ``{o:opinion}``."""


def _term_kind(term: str) -> None:
    KINDS[term] = lambda value, locale: _names().term_name(term, str(value), locale)


for _term in TERMS:
    _term_kind(_term)


def _quantity_kind(name: str, zh: Callable[[Decimal], str], en: Callable[[Decimal], str]) -> None:
    """``{x:<name>}``: a number shown with its unit; a value that is not a number is shown as it is."""

    def show(value: Any, locale: str) -> str:
        try:
            return (zh if _zh(locale) else en)(_decimal(value))
        except (InvalidOperation, ValueError):
            return str(value)

    KINDS[name] = show


_quantity_kind("mu", lambda v: f"{_land(v)} 亩", lambda v: f"{_land(v)} mu")
_quantity_kind("wan", lambda v: f"{_number(v / 10000)} 万元", lambda v: f"CNY {_number(v)}")
_quantity_kind("yuan", lambda v: f"{_number(v)} 元", lambda v: f"CNY {_number(v)}")
_quantity_kind("scale", lambda v: _tiers().amount_zh(v), lambda v: _tiers().amount_en(v))
_quantity_kind("intensity", lambda v: f"{_number(v)} 万元/亩", lambda v: f"{_number(v)} 10k yuan/mu")


@kind("count")
def _count(value: Any, locale: str) -> str:
    return str(value)


@kind("pair")
def _pair(value: Any, locale: str) -> str:
    """A name the county's policy gives in both languages: ``{"zh": …, "en": …}`` (the Chinese where no English)."""
    if not isinstance(value, Mapping):
        return str(value)
    return str(value.get("zh") if _zh(locale) else value.get("en") or value.get("zh") or "")


def named(entry: Mapping | None, code: str) -> "Message":
    """A policy entry's name (``name_zh`` / ``name_en``) as a Message read in each reader's language; the code where
    the policy names it not."""
    entry = entry or {}
    return Message("{name:pair}", {"name": {"zh": entry.get("name_zh") or code, "en": entry.get("name_en") or ""}})


def _as_date(value: Any) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    return _dt.date.fromisoformat(str(value)[:10])


@kind("date")
def _date(value: Any, locale: str) -> str:
    try:
        day = _as_date(value)
    except ValueError:
        return str(value)
    if _zh(locale):
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


@kind("datetime")
def _datetime(value: Any, locale: str) -> str:
    from shared.clock import to_shanghai

    try:
        moment = value if isinstance(value, _dt.datetime) else _dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is not None:
        moment = to_shanghai(moment)
    if _zh(locale):
        return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"
    return f"{moment:%Y-%m-%d %H:%M}"


@kind("list")
def _list(value: Any, locale: str) -> str:
    return join([text(v, locale) for v in _items(value)], locale)


@kind("clauses")
def _clauses(value: Any, locale: str) -> str:
    """Sentences or problems one after the other: 甲；乙 / a; b."""
    return ("；" if _zh(locale) else "; ").join(t for t in (text(v, locale) for v in _items(value)) if t)


def reason(message: Any) -> dict:
    """An event's reason, twice: ``reason`` as text in the default language (for whoever shows it as it is) and
    ``reason_message`` as the message itself, which a reader of the event renders in its reader's language."""
    return {"reason": text(message, DEFAULT_LOCALE), "reason_message": to_wire(message)}


def reason_of(payload: Mapping) -> Any:
    """The reason of an event's payload: its message where it carries one, else its text (or None)."""
    if is_wire_message(payload.get("reason_message")):
        return Message.from_wire(payload["reason_message"])
    return payload.get("reason")


def stored_text(value: Any) -> str | None:
    """A Message (or a plain text) as it is kept in a text column: a Message as its wire JSON."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Message) or is_wire_message(value):
        return json.dumps(to_wire(value), ensure_ascii=False, sort_keys=True)
    return str(value)


def read_text(stored: Any) -> Any:
    """What ``stored_text`` kept: a Message again (or the plain text as it was)."""
    if isinstance(stored, str) and stored.startswith('{"msgid"'):
        try:
            value = json.loads(stored)
        except ValueError:
            return stored
        if is_wire_message(value):
            return Message.from_wire(value)
    return stored


def join(items: Iterable[str], locale: str) -> str:
    """Texts joined as a reader of ``locale`` expects: 甲、乙和丙 / a, b and c."""
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    if _zh(locale):
        return "、".join(items[:-1]) + "和" + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]
