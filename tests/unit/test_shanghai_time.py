"""R16: every timestamp a person reads is Asia/Shanghai, whatever zone it was stored (UTC) or given in."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil

import pytest
from marshmallow import Schema, fields

import shared.wire
from services.contracts import domain as contracts
from shared.wire import ShanghaiDateTime

UTC = dt.timezone.utc


def wire_schemas():
    for module in pkgutil.iter_modules(shared.wire.__path__):
        loaded = importlib.import_module(f"shared.wire.{module.name}")
        for name, cls in vars(loaded).items():
            if inspect.isclass(cls) and issubclass(cls, Schema) and cls.__module__ == loaded.__name__:
                yield f"{module.name}.{name}", cls


def test_every_instant_on_the_wire_is_written_in_shanghai_time():
    plain = [
        f"{name}.{field}"
        for name, cls in wire_schemas()
        for field, kind in cls._declared_fields.items()
        if isinstance(kind, fields.DateTime) and not isinstance(kind, ShanghaiDateTime)
    ]
    assert plain == []


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 12, 1, 2, 30, tzinfo=UTC),
        dt.datetime(2026, 11, 30, 18, 30, tzinfo=dt.timezone(dt.timedelta(hours=-8))),
    ],
)
def test_an_instant_stored_in_utc_or_given_elsewhere_is_shown_at_plus_eight(moment):
    class Shown(Schema):
        at = ShanghaiDateTime(allow_none=True)

    assert Shown().dump({"at": moment})["at"] == "2026-12-01T10:30:00+08:00"
    assert Shown().dump({"at": None})["at"] is None
    assert Shown().load({"at": "2026-12-01T02:30:00+00:00"})["at"] == moment  # any offset is read


def test_a_grant_s_basis_says_until_when_in_shanghai_time():
    grant = {
        "id": 7,
        "grantee_user_id": "u-a",
        "grantor_position": "county_magistrate",
        "granted_at": dt.datetime(2026, 12, 1, 0, 0, tzinfo=UTC),
        "expires_at": dt.datetime(2026, 12, 1, 4, 0, tzinfo=UTC),
    }
    verdict = contracts.access_verdict("u-a", {}, [grant], dt.datetime(2026, 12, 1, 1, 0, tzinfo=UTC))
    assert verdict.allowed and verdict.basis.render() == "县长授权（第7号），有效期至2026年12月1日 12:00"
