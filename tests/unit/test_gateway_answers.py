"""The gateway's JSON answers (services/gateway/edge.py ``respond``) and the rendering of the messages in them
(shared/i18n.py ``localize``): the same text as the standard library's JSON gave, in a fraction of the time."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from services.gateway import edge
from shared import i18n
from shared.i18n import Message, _

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def ledger_like_page(rows: int = 50) -> dict:
    return {
        "total": rows,
        "items": [
            {
                "ref": f"ZS2026-{n:04d}",
                "state_name": {"msgid": "{state:state}", "params": {"state": "lead"}},
                "responsible_unit_name": {"msgid": "{unit:unit}", "params": {"unit": "IPB" if n % 2 else "DRB"}},
                "last_progress": {
                    "summary": {
                        "msgid": "{change}: {reason}",
                        "params": {
                            "change": {"msgid": "→ {to:state}", "params": {"to": "filed"}},
                            "reason": {"msgid": "lead registered", "params": {}},
                        },
                    },
                    "tags": [{"msgid": "{unit:unit}", "params": {"unit": "LAND"}}, "plain"],
                },
                "count": n,
            }
            for n in range(rows)
        ],
    }


def one_by_one(value, locale):
    """Every wire message rendered on its own, as ``localize`` did before it kept what it rendered."""
    if i18n.is_wire_message(value):
        return i18n.render(Message.from_wire(value), locale)
    if isinstance(value, dict):
        return {k: one_by_one(v, locale) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [one_by_one(v, locale) for v in value]
    return value


def test_a_page_renders_each_distinct_message_once_and_as_each_alone_would(monkeypatch):
    page = ledger_like_page()
    for locale in ("zh-CN", "en"):
        assert i18n.localize(page, locale) == one_by_one(page, i18n.normalize_locale(locale))
    rendered = []
    real = i18n.render
    monkeypatch.setattr(i18n, "render", lambda m, loc=None: rendered.append(m.msgid) or real(m, loc))
    texts = i18n.localize(page, "zh-CN")
    assert texts["items"][1]["responsible_unit_name"] != texts["items"][2]["responsible_unit_name"]
    # 50 rows of 5 messages; distinct: the state, two units, the tag's unit, the summary (with its two inside)
    assert len(rendered) == 7 and rendered.count("{change}: {reason}") == 1


def test_an_answer_is_the_json_the_standard_library_gave():
    body = {
        "at": dt.datetime(2026, 12, 7, 8, 30, tzinfo=SHANGHAI),
        "day": dt.date(2026, 12, 7),
        "fee": Decimal("1234.50"),
        "reason": _("wrong user or password"),
        "kept": {"msgid": "{unit:unit}", "params": {"unit": "IPB"}},
        7: "a number as a key",
        "many": [1, 2.5, None, True, "中文"],
    }
    edge.READER_LOCALE.set("zh_CN")
    answer = json.loads(edge.respond(body).get_data())
    expected = json.loads(json.dumps(i18n.localize(body, "zh_CN"), ensure_ascii=False, default=edge._json_default))
    assert answer == expected
    assert answer["at"] == "2026-12-07 08:30:00+08:00" and answer["fee"] == "1234.50" and answer["kept"] == "县招商局"
    huge = json.loads(edge.respond({"n": 2**80}).get_data())  # beyond orjson's integers: the standard library
    assert huge == {"n": 2**80}


def test_the_gateway_reads_json_messages_as_kombu_does_faster():
    import kombu.serialization
    import kombu.utils.json as kombu_json

    import services.gateway.service  # noqa: F401 - installs the reader in the gateway's process
    from shared.rpc import read_json

    assert kombu.serialization.registry._decoders["application/json"] is read_json
    page = kombu_json.dumps({"result": ledger_like_page(), "error": None})
    typed = kombu_json.dumps(
        {
            "message": _("wrong user or password"),
            "at": dt.datetime(2026, 12, 7, 8, 30, tzinfo=SHANGHAI),
            "fee": Decimal("1.50"),
            "huge": 2**80,
            "text": 'a "__type__" in a text',
        }
    )
    for data in (page, typed, '{"x": NaN}', '"\\ud800"', "[1e400]"):
        expected = kombu_json.loads(data)
        got = kombu.serialization.loads(data.encode(), "application/json", "utf-8")
        assert repr(got) == repr(expected), data[:40]
    assert isinstance(read_json(typed)["message"], Message) and read_json(typed)["fee"] == Decimal("1.50")
